package mockserver

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Redacted replaces every secret in recorded requests.
const Redacted = "[REDACTED]"

// RecordedRequest is one token request as the server saw it, secrets
// replaced by Redacted: the Authorization header keeps only its scheme,
// client_secret and client_assertion lose their values.
type RecordedRequest struct {
	Time     time.Time
	Method   string
	Path     string
	Query    url.Values
	Header   http.Header
	Form     url.Values
	Status   int    // 0 when the connection was dropped without a response
	ClientID string // the authenticated client, empty when none
	Error    string // the error code answered, empty on success
}

var secretParams = []string{rfc6749.ParamClientSecret, rfc6749.ParamClientAssertion, "password", "refresh_token", "code", "token"}

func redactValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		cp := append([]string(nil), vs...)
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				for i := range cp {
					cp[i] = Redacted
				}
			}
		}
		out[k] = cp
	}
	return out
}

func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
		for i, v := range out[k] {
			scheme, _, _ := strings.Cut(v, " ")
			out[k][i] = scheme + " " + Redacted
		}
	}
	return out
}

// requestLog keeps the most recent requests, redacted.
type requestLog struct {
	mu   sync.Mutex
	size int
	buf  []rawRequest
	next int
}

// rawRequest is a request as received. Redaction happens when Requests
// hands it out, so serving a token costs no copy of headers and form.
type rawRequest struct {
	RecordedRequest
	header   http.Header
	form     url.Values
	rawQuery string
}

func (r rawRequest) redacted() RecordedRequest {
	out := r.RecordedRequest
	out.Header = redactHeader(r.header)
	out.Form = redactValues(r.form)
	if q, err := url.ParseQuery(r.rawQuery); err == nil || len(q) > 0 {
		out.Query = redactValues(q)
	}
	return out
}

func (l *requestLog) add(r rawRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) < l.size {
		l.buf = append(l.buf, r)
		return
	}
	l.buf[l.next] = r
	l.next = (l.next + 1) % l.size
}

func (l *requestLog) all() []RecordedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RecordedRequest, 0, len(l.buf))
	for _, r := range l.buf[l.next:] {
		out = append(out, r.redacted())
	}
	for _, r := range l.buf[:l.next] {
		out = append(out, r.redacted())
	}
	return out
}

// Requests returns the token requests received, oldest first, with
// secrets redacted. At most Config.RequestLogSize are kept.
func (a *Authority) Requests() []RecordedRequest { return a.reqlog.all() }

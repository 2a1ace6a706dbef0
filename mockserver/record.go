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

// Endpoints the journal tells apart.
const (
	EndpointToken    = "token"
	EndpointJWKS     = "jwks"
	EndpointMetadata = "metadata"
)

// RecordedRequest is one request as the server saw it, secrets replaced by
// Redacted: the Authorization header keeps only its scheme, client_secret
// and client_assertion lose their values.
type RecordedRequest struct {
	Time     time.Time
	Endpoint string // EndpointToken, EndpointJWKS or EndpointMetadata
	Method   string
	Path     string
	Query    url.Values
	Header   http.Header
	Form     url.Values
	Status   int // 0 when the connection was dropped without a response
	// ClientID is the authenticated client, empty when none; Claimed is
	// the client id the request named (Basic user or client_id), whether
	// or not it authenticated.
	ClientID string
	Claimed  string
	// AuthMethod is the client authentication method the request used:
	// client_secret_basic, client_secret_post, or "" for none.
	AuthMethod string
	// GrantType and Scope are the parameters as sent.
	GrantType string
	Scope     string
	Error     string // the error code answered, empty on success
	// Reason says why a request was refused, in detail (never a secret).
	Reason string
	// Fault names the fault injected into this request, if any.
	Fault string
}

// RequestFilter selects journal entries; a zero field matches any.
type RequestFilter struct {
	Endpoint string
	ClientID string // the authenticated or the claimed client
}

func (f RequestFilter) match(r *RecordedRequest) bool {
	return (f.Endpoint == "" || f.Endpoint == r.Endpoint) &&
		(f.ClientID == "" || f.ClientID == r.ClientID || f.ClientID == r.Claimed)
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
			scheme, _, ok := strings.Cut(v, " ")
			if !ok || strings.ContainsAny(scheme, ":=/+") {
				out[k][i] = Redacted // no scheme: the value may be a bare credential
				continue
			}
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

func (r rawRequest) redacted(secrets map[string]bool) RecordedRequest {
	out := r.RecordedRequest
	out.Header = redactHeader(r.header)
	out.Form = redactKnown(redactValues(r.form), secrets)
	if q, err := url.ParseQuery(r.rawQuery); err == nil || len(q) > 0 {
		out.Query = redactKnown(redactValues(q), secrets)
	}
	if secrets[out.Claimed] {
		out.Claimed = Redacted // a client that sent its secret as its id
	}
	return out
}

// redactKnown replaces any value that is a registered secret, wherever a
// confused client put it.
func redactKnown(v url.Values, secrets map[string]bool) url.Values {
	for k, vs := range v {
		for i, s := range vs {
			if secrets[s] {
				v[k][i] = Redacted
			}
		}
	}
	return v
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

func (l *requestLog) all(f RequestFilter, secrets map[string]bool) []RecordedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RecordedRequest, 0, len(l.buf))
	for _, part := range [][]rawRequest{l.buf[l.next:], l.buf[:l.next]} {
		for i := range part {
			if f.match(&part[i].RecordedRequest) {
				out = append(out, part[i].redacted(secrets))
			}
		}
	}
	return out
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf, l.next = nil, 0
}

// Requests returns the token endpoint requests received, oldest first,
// with secrets redacted. At most Config.RequestLogSize requests of all
// endpoints are kept.
func (a *Authority) Requests() []RecordedRequest {
	return a.reqlog.all(RequestFilter{Endpoint: EndpointToken}, a.secrets())
}

// secrets are the registered client secrets, for redaction.
func (a *Authority) secrets() map[string]bool {
	m := make(map[string]bool, len(a.clients))
	for _, c := range a.clients {
		if len(c.Secret) >= 3 {
			m[c.Secret] = true
		}
	}
	return m
}

// RequestsFor returns the journal entries f selects, oldest first:
// token, JWKS and metadata requests, secrets redacted.
func (a *Authority) RequestsFor(f RequestFilter) []RecordedRequest {
	return a.reqlog.all(f, a.secrets())
}

// ResetRequests empties the journal, between tests.
func (a *Authority) ResetRequests() { a.reqlog.reset() }

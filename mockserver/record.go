package mockserver

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/occheck/occheck/internal/redact"
	"github.com/occheck/occheck/internal/rfc6749"
)

// Redacted replaces every secret in recorded requests.
const Redacted = redact.Mark

// Endpoints the journal tells apart.
const (
	EndpointToken    = "token"
	EndpointJWKS     = "jwks"
	EndpointMetadata = "metadata"
)

// RecordedRequest is one request as the server saw it, secrets replaced by
// Redacted: the Authorization header keeps only its scheme, a DPoP proof
// and the values of client_secret and client_assertion are gone.
type RecordedRequest struct {
	Time     time.Time   `json:"time"`
	Endpoint string      `json:"endpoint"` // EndpointToken, EndpointJWKS or EndpointMetadata
	Method   string      `json:"method"`
	Path     string      `json:"path"`
	Query    url.Values  `json:"query,omitempty"`
	Header   http.Header `json:"header"`
	Form     url.Values  `json:"form,omitempty"`
	Status   int         `json:"status"` // 0 when the connection was dropped without a response
	// ClientID is the authenticated client, empty when none; Claimed is
	// the client id the request named (Basic user or client_id), whether
	// or not it authenticated.
	ClientID string `json:"client_id,omitempty"`
	Claimed  string `json:"claimed,omitempty"`
	// AuthMethod is the client authentication method the request used:
	// client_secret_basic, client_secret_post, or "" for none.
	AuthMethod string `json:"auth_method,omitempty"`
	// GrantType and Scope are the parameters as sent.
	GrantType string `json:"grant_type,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Error     string `json:"error,omitempty"` // the error code answered, empty on success
	// Reason says why a request was refused, in detail (never a secret).
	Reason string `json:"reason,omitempty"`
	// Fault names the fault injected into this request, if any.
	Fault string `json:"fault,omitempty"`
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

var secretParams = []string{rfc6749.ParamClientSecret, rfc6749.ParamClientAssertion, "password", "refresh_token", "code", "token", "access_token"}

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
			if !knownScheme(scheme) {
				out[k][i] = Redacted // no scheme we know: it may all be a credential
				continue
			}
			out[k][i] = scheme + " " + Redacted
		}
	}
	// A DPoP proof (RFC 9449) is a credential for its request.
	for i := range out["Dpop"] {
		out["Dpop"][i] = Redacted
	}
	return out
}

// knownScheme: an HTTP authentication scheme worth keeping in a record.
func knownScheme(s string) bool {
	for _, k := range []string{"Basic", "Bearer", "DPoP", "Digest", "Negotiate", "NTLM", "HOBA", "Mutual", "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid", "AWS4-HMAC-SHA256"} {
		if strings.EqualFold(s, k) {
			return true
		}
	}
	return false
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

func (r rawRequest) redacted(sc *scrubber) RecordedRequest {
	out := r.RecordedRequest
	out.Header = scrubHeader(redactHeader(r.header), sc)
	out.Form = scrubValues(redactValues(r.form), sc)
	if q, err := url.ParseQuery(r.rawQuery); err == nil || len(q) > 0 {
		out.Query = scrubValues(redactValues(q), sc)
	}
	// A confused client may send its secret as its id, a scope, a grant.
	out.Claimed, out.Scope, out.GrantType = sc.text(out.Claimed), sc.text(out.Scope), sc.text(out.GrantType)
	out.Reason, out.Path = sc.text(out.Reason), sc.text(out.Path)
	return out
}

// scrubValues removes registered secrets from names and values, wherever
// a confused client put them.
func scrubValues(v url.Values, sc *scrubber) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		cp := make([]string, len(vs))
		for i, s := range vs {
			cp[i] = sc.text(s)
		}
		out[sc.text(k)] = append(out[sc.text(k)], cp...)
	}
	return out
}

func scrubHeader(h http.Header, sc *scrubber) http.Header {
	for k, vs := range h {
		for i, v := range vs {
			h[k][i] = sc.text(v)
		}
	}
	return h
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

func (l *requestLog) all(f RequestFilter, sc *scrubber) []RecordedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RecordedRequest, 0, len(l.buf))
	for _, part := range [][]rawRequest{l.buf[l.next:], l.buf[:l.next]} {
		for i := range part {
			// Match after redaction: a filter must not confirm a guessed
			// secret that a client sent as its id.
			if r := part[i].redacted(sc); f.match(&r) {
				out = append(out, r)
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
	return a.reqlog.all(RequestFilter{Endpoint: EndpointToken}, a.scrub)
}

// RequestsFor returns the journal entries f selects, oldest first:
// token, JWKS and metadata requests, secrets redacted.
func (a *Authority) RequestsFor(f RequestFilter) []RecordedRequest {
	return a.reqlog.all(f, a.scrub)
}

// ResetRequests empties the journal, between tests.
func (a *Authority) ResetRequests() { a.reqlog.reset() }

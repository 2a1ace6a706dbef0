package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
)

// oauthError is a token endpoint error response (RFC 6749 §5.2).
type oauthError struct {
	Code        string
	Description string
	// URI is the error_uri, "" for none.
	URI string
	// Status is 400 unless the error says otherwise (§5.2).
	Status int
	// Challenge asks for a WWW-Authenticate Basic challenge (invalid_client
	// after the Authorization header was used); shapeError turns it into
	// the header value in WWWAuthenticate.
	Challenge       bool
	WWWAuthenticate string
	// Allow is set on 405 answers.
	Allow string
	// RetryAfter is the Retry-After of a 503 (seconds), "" for none.
	RetryAfter string
	// Nonce is a DPoP-Nonce to send (RFC 9449 §8), "" for none.
	Nonce string
	// raw is appended to the description without sanitising it (for
	// deviations that put forbidden characters there).
	raw string
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func errInvalidRequest(format string, a ...any) *oauthError {
	return &oauthError{Code: rfc6749.ErrInvalidRequest, Description: fmt.Sprintf(format, a...), Status: http.StatusBadRequest}
}

func errInvalidClient(desc string) *oauthError {
	return &oauthError{Code: rfc6749.ErrInvalidClient, Description: desc, Status: http.StatusUnauthorized, Challenge: true}
}

func errInvalidScope(format string, a ...any) *oauthError {
	return &oauthError{Code: rfc6749.ErrInvalidScope, Description: fmt.Sprintf(format, a...), Status: http.StatusBadRequest}
}

func errInvalidTarget(format string, a ...any) *oauthError {
	return &oauthError{Code: rfc6749.ErrInvalidTarget, Description: fmt.Sprintf(format, a...), Status: http.StatusBadRequest}
}

// shapeError applies §5.2: 400 by default; a 401 carries a challenge for
// the scheme the client used (Basic, with the realm). The description is
// the detailed reason of the refusal, or, on a terse server, the generic
// text of its code: the flow has already journaled the reason.
func (a *Authority) shapeError(_ *exchange, e *oauthError) {
	if e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	if e.Challenge && e.Status == http.StatusUnauthorized {
		e.WWWAuthenticate = `Basic realm="` + a.realm + `", charset="UTF-8"`
	}
	if a.terse {
		e.Description = terseDescription(e.Code)
	}
	e.Description = sanitizeDescription(e.Description)
}

// terseDescriptions are what a production server says for each code:
// nothing about the request, so an unknown client and a wrong secret get
// the same answer (RFC 6749 §10.10).
var terseDescriptions = map[string]string{
	rfc6749.ErrInvalidRequest:       "the request is malformed",
	rfc6749.ErrInvalidClient:        "client authentication failed",
	rfc6749.ErrInvalidGrant:         "the grant is invalid",
	rfc6749.ErrUnauthorizedClient:   "the client is not authorized to use this grant type",
	rfc6749.ErrUnsupportedGrantType: "the grant type is not supported",
	rfc6749.ErrInvalidScope:         "the requested scope is invalid",
	rfc6749.ErrInvalidTarget:        "the requested resource is invalid",
	rfc6749.ErrServerError:          "internal server error",
	rfc6749.ErrTemporarilyUnavail:   "the server is temporarily unavailable",
	rfc6749.ErrInvalidDPoPProof:     "the DPoP proof is invalid",
	rfc6749.ErrUseDPoPNonce:         "the authorization server requires a nonce in DPoP proofs",
}

// terseDescription is the generic description of an error code.
func terseDescription(code string) string {
	if d, ok := terseDescriptions[code]; ok {
		return d
	}
	return "the request was refused"
}

// reasonQuote puts request-supplied text into a reason: clipped, inside
// the Appendix A.8 set, in single quotes (a double quote is not allowed).
func reasonQuote(s string) string { return "'" + sanitizeDescription(clip(s)) + "'" }

// reasonEcho is reasonQuote for a value that may be a secret sent in the
// wrong place: a registered client's secret is never repeated.
func (a *Authority) reasonEcho(s string) string {
	if a.isRegisteredSecret(s) {
		return "(a registered client's secret)"
	}
	return reasonQuote(s)
}

// reasonList lists configured values (scopes, grants, audiences) in a
// reason: at most limit of them, each clipped and inside Appendix A.8.
func reasonList(vals []string, sep string, limit int) string {
	if len(vals) == 0 {
		return "none"
	}
	out := make([]string, 0, min(len(vals), limit)+1)
	for i, v := range vals {
		if i == limit {
			out = append(out, "...")
			break
		}
		out = append(out, sanitizeDescription(clip(v)))
	}
	return strings.Join(out, sep)
}

// sanitizeDescription keeps error_description inside the Appendix A.8 set,
// whatever a format verb pulled in from the request.
func sanitizeDescription(s string) string {
	for i := 0; i < len(s); i++ {
		if !rfc6749.IsErrorChar(s[i]) {
			return sanitizeFrom(s, i)
		}
	}
	return s
}

func sanitizeFrom(s string, i int) string {
	var b strings.Builder
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		if rfc6749.IsErrorChar(s[i]) {
			b.WriteByte(s[i])
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// writeError is the one place token endpoint errors are written: status,
// cache headers, challenge, Allow and the body.
func (x *exchange) writeError(e *oauthError) int {
	h := x.w.Header()
	x.s.noStore(h)
	if e.RetryAfter != "" {
		h.Set("Retry-After", e.RetryAfter)
	}
	if e.Nonce != "" {
		h.Set(rfc6749.HeaderDPoPNonce, e.Nonce)
	}
	if e.Allow != "" {
		h.Set("Allow", e.Allow)
	}
	if e.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", e.WWWAuthenticate)
	}
	ct, body := x.s.errorBody(x, e)
	h.Set("Content-Type", ct)
	x.w.WriteHeader(e.Status)
	_, _ = x.w.Write(body)
	return e.Status
}

// errorBody is the §5.2 JSON object.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
	URI         string `json:"error_uri,omitempty"`
}

func jsonErrorBody(_ *exchange, e *oauthError) (string, []byte) {
	out, _ := json.Marshal(errorBody{Error: e.Code, Description: e.Description + e.raw, URI: e.URI})
	return jsonContentType, out
}

// successResponse is the §5.1 body. The any-typed members let deviations
// change their JSON types.
type successResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type,omitempty"`
	ExpiresIn    any    `json:"expires_in"`
	Scope        any    `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`

	// status is 200 unless a deviation says otherwise.
	status int
	// scopes and requested are what was granted and asked for.
	scopes    []string
	requested string
}

// writeSuccess writes the §5.1 response: 200, JSON, no-store.
func writeSuccess(x *exchange, r *successResponse) int {
	h := x.w.Header()
	x.s.noStore(h)
	body, _ := r.appendJSON(make([]byte, 0, 128+len(r.AccessToken)))
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	h.Set("Content-Type", jsonContentType)
	x.w.WriteHeader(status)
	_, _ = x.w.Write(body)
	return status
}

// setNoStore sets the cache headers §5.1 requires on responses with
// tokens; the mock sets them on every token endpoint response.
func setNoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

func writeJSON(w http.ResponseWriter, v any) { writeJSONType(w, jsonContentType, v) }

func writeJSONType(w http.ResponseWriter, contentType string, v any) {
	var body []byte
	var err error
	if m, ok := v.(map[string]any); ok && m != nil {
		body, err = appendJSONObject(make([]byte, 0, 512), m) // the same bytes, without reflection
	} else {
		body, err = json.Marshal(v)
	}
	if err != nil {
		http.Error(w, fmt.Sprintf("encode: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}

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
	// Status is 400 unless the error says otherwise (§5.2).
	Status int
	// Challenge asks for a WWW-Authenticate Basic challenge (invalid_client).
	Challenge bool
	// Allow is set on 405 answers.
	Allow string
	// Echo is appended to the description unsanitised (echo-secret quirk).
	Echo string
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

// sanitizeDescription keeps error_description inside the Appendix A.8 set,
// whatever a format verb pulled in from the request.
func sanitizeDescription(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if rfc6749.IsErrorChar(s[i]) {
			b.WriteByte(s[i])
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// setNoStore sets the cache headers RFC 6749 §5.1 requires on every
// token endpoint response, subject to the quirks that drop them.
func (a *Authority) setNoStore(h http.Header) {
	if !a.quirks.on(QuirkNoCacheControl) {
		h.Set("Cache-Control", "no-store")
	}
	if !a.quirks.on(QuirkNoPragma) {
		h.Set("Pragma", "no-cache")
	}
}

// writeError is the one place token endpoint errors are written: status,
// JSON body, cache headers and the Basic challenge.
func (a *Authority) writeError(w http.ResponseWriter, e *oauthError) int {
	h := w.Header()
	a.setNoStore(h)
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if e.Allow != "" {
		h.Set("Allow", e.Allow)
	}
	if e.Challenge && status == http.StatusUnauthorized && !a.quirks.on(QuirkNoWWWAuthenticate) {
		if a.quirks.on(QuirkNoRealm) {
			h.Set("WWW-Authenticate", "Basic")
		} else {
			h.Set("WWW-Authenticate", `Basic realm="`+a.realm+`", charset="UTF-8"`)
		}
	}
	desc := sanitizeDescription(e.Description) + e.Echo
	if a.quirks.on(QuirkQuotedErrorDescription) {
		desc = `"` + desc + `" – échec`
	}
	if a.quirks.on(QuirkError200) {
		status = http.StatusOK
	}
	if a.quirks.on(QuirkErrorNotJSON) {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>Error</h1><p>%s</p></body></html>\n", strings.ReplaceAll(e.Code, "<", ""))
		return status
	}
	h.Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	body := struct {
		Error        string  `json:"error"`
		Description  string  `json:"error_description,omitempty"`
		URI          string  `json:"error_uri,omitempty"`
		RefreshToken *string `json:"refresh_token,omitempty"`
	}{Error: e.Code, Description: desc}
	if a.quirks.on(QuirkBadErrorURI) {
		body.URI = "https://docs.example/errors/" + e.Code + " help"
	}
	out, _ := json.Marshal(body)
	if a.quirks.on(QuirkTokenInError) {
		out = append(out[:len(out)-1], []byte(`,"refresh_token":null}`)...)
	}
	_, _ = w.Write(out)
	return status
}

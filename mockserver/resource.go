package mockserver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
)

// A protected resource (RFC 6750) for end-to-end flows: a client gets a
// token, calls the resource with it, and sees it refused once revoked.
// The same check wraps a developer's own handler (RequireToken).

// PathResource is the mock's protected resource, below the issuer's path.
const PathResource = "/resource"

// EndpointResource is the journal name of the protected resource.
const EndpointResource = "resource"

// ResourceURL is the protected resource (any scope); ResourceURL()+"/S"
// needs scope S.
func (a *Authority) ResourceURL() string { return a.BaseURL() + a.issuerPath() + PathResource }

// tokenClaimsKey carries a verified token's claims in a request context.
type tokenClaimsKey struct{}

// TokenClaims returns the claims of the token RequireToken verified for
// this request, nil without one.
func TokenClaims(ctx context.Context) map[string]any {
	c, _ := ctx.Value(tokenClaimsKey{}).(map[string]any)
	return c
}

// bearerError is a refusal of the resource server (RFC 6750 §3).
type bearerError struct {
	status      int
	code        string // "" for a request without a token (§3.1)
	description string
	scope       string
	// dpop answers with a DPoP challenge (RFC 9449 §7.1) instead of a
	// Bearer one.
	dpop bool
}

// RequireToken returns middleware that lets a request through only with a
// valid access token of this server (RFC 6750): in the Authorization
// header (Bearer, any case), or as access_token in a POST form body
// (§2.2); never in the query unless Config.ResourceQueryToken. The token
// must be active (signature, issuer, exp, nbf, revocation), name one of
// the resource audiences (Config.ResourceAudience; default the server's
// audience), carry the scopes given, and be presented with its bound
// certificate when it has one (RFC 8705 §3). A DPoP-bound token (cnf.jkt,
// RFC 9449 §7.1) comes only under the DPoP scheme, with a DPoP proof for
// this request (htm, htu: the server's public URL for the path, or the
// request's own over loopback) by the bound key, carrying ath. Refusals
// are 401 with a Bearer challenge (a DPoP one for DPoP), 403
// insufficient_scope, or 400 invalid_request. TokenClaims gives the
// handler the token's claims.
func (a *Authority) RequireToken(scopes ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			claims, e := a.steps.Load().resource(a, r, scopes)
			if e != nil {
				a.writeBearerError(w, e)
				a.recordResource(r, e.status, e.code, e.description)
				return
			}
			a.recordResource(r, http.StatusOK, "", "")
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenClaimsKey{}, claims)))
		})
	}
}

// serveResource is the mock's own resource: it answers who called.
func (a *Authority) serveResource(w http.ResponseWriter, r *http.Request) {
	c := TokenClaims(r.Context())
	if r.Header.Get("X-Occheck-Cacheable") == "" { // set by a deviation only
		w.Header().Set("Cache-Control", "no-store")
	}
	writeJSON(w, map[string]any{"ok": true, "client_id": c["client_id"], "scope": c["scope"]})
}

// checkResourceRequest is the reference check of a request to a protected
// resource.
func checkResourceRequest(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError) {
	tok, scheme, e := a.bearerToken(r)
	if e != nil {
		return nil, e
	}
	invalid := func(desc string) *bearerError {
		return &bearerError{status: http.StatusUnauthorized, code: "invalid_token", description: desc}
	}
	st := a.steps.Load().resourceToken(a, r, tok)
	if st == nil {
		return nil, invalid("the access token is invalid, expired or revoked")
	}
	if !audienceMatches(st.claims["aud"], a.resourceAudience()) {
		return nil, invalid("the access token is not for this resource (aud)")
	}
	if e := a.steps.Load().dpopResource(a, r, scheme, tok, st); e != nil { // RFC 9449 §7.1
		return nil, e
	}
	if cnf, ok := st.claims["cnf"].(map[string]any); ok {
		if want, ok := cnf["x5t#S256"].(string); ok {
			if cert := a.requestCertificate(r); cert == nil || certThumbprintRaw(cert.Raw) != want {
				return nil, invalid("the access token is bound to a client certificate this request did not present (RFC 8705 section 3)")
			}
		}
	}
	granted := strings.Fields(stringOr(st.claims["scope"]))
	for _, s := range scopes {
		if !slices.Contains(granted, s) {
			return nil, &bearerError{status: http.StatusForbidden, code: "insufficient_scope", description: "the access token lacks scope " + s, scope: strings.Join(scopes, " ")}
		}
	}
	return st.claims, nil
}

// bearerToken finds the one token of a request (RFC 6750 §2) and the
// scheme it came with: Bearer, or DPoP (RFC 9449 §7.1) in the
// Authorization header.
func (a *Authority) bearerToken(r *http.Request) (tok, scheme string, e *bearerError) {
	var found []string
	scheme = "Bearer"
	if v := r.Header.Get("Authorization"); v != "" {
		s, cred, _ := strings.Cut(strings.TrimSpace(v), " ")
		if (strings.EqualFold(s, "Bearer") || strings.EqualFold(s, rfc6749.TokenTypeDPoP)) && strings.TrimSpace(cred) != "" {
			found = append(found, strings.TrimSpace(cred))
			scheme = s
		}
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), formMediaType) {
		r.Body = http.MaxBytesReader(nil, r.Body, MaxBodyBytes)
		if err := r.ParseForm(); err == nil {
			if v := r.PostForm.Get("access_token"); v != "" {
				found = append(found, v)
			}
		}
	}
	if a.queryToken {
		if v := r.URL.Query().Get("access_token"); v != "" {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		return "", "", &bearerError{status: http.StatusUnauthorized}
	case 1:
		return found[0], scheme, nil
	}
	return "", "", &bearerError{status: http.StatusBadRequest, code: "invalid_request", description: "the request carries more than one access token (RFC 6750 section 2)"}
}

// resourceAudience are the audiences a token must name for the resource.
func (a *Authority) resourceAudience() []string {
	if len(a.resAudience) > 0 {
		return a.resAudience
	}
	if len(a.audience) > 0 {
		return a.audience
	}
	return []string{a.Issuer()}
}

// audienceMatches reports whether aud (a string or a list) names one of
// want.
func audienceMatches(aud any, want []string) bool {
	switch v := aud.(type) {
	case string:
		return slices.Contains(want, v)
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && slices.Contains(want, s) {
				return true
			}
		}
	}
	return false
}

func stringOr(v any) string {
	s, _ := v.(string)
	return s
}

// certThumbprintRaw is the x5t#S256 of a DER certificate.
func certThumbprintRaw(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// writeBearerError writes an RFC 6750 §3 refusal: a Bearer challenge with
// realm, and error, error_description and scope when there is an error.
func (a *Authority) writeBearerError(w http.ResponseWriter, e *bearerError) {
	ch := `Bearer realm="` + a.realm + `"`
	if e.dpop {
		ch = `DPoP realm="` + a.realm + `", algs="` + strings.Join(a.dpopAlgs, " ") + `"`
	}
	if e.code != "" {
		ch += `, error="` + e.code + `"`
		if e.description != "" {
			ch += `, error_description="` + strings.ReplaceAll(e.description, `"`, "'") + `"`
		}
		if e.scope != "" {
			ch += `, scope="` + e.scope + `"`
		}
	}
	w.Header().Set("WWW-Authenticate", a.steps.Load().bearerChallenge(e, ch))
	w.Header().Set("Cache-Control", "no-store")
	if e.code == "" {
		w.WriteHeader(e.status)
		return
	}
	writeJSONStatus(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

// activeToken is the reference lookup of a presented token: signed by
// this server, unexpired, valid already, not revoked.
func activeToken(a *Authority, r *http.Request, tok string) *tokenState {
	return a.lookupToken(r.Context(), tok)
}

// keepChallenge is the reference challenge.
func keepChallenge(_ *bearerError, ch string) string { return ch }

// recordResource journals a resource request.
func (a *Authority) recordResource(r *http.Request, status int, code, reason string) {
	a.reqlog.add(rawRequest{RecordedRequest: RecordedRequest{Time: a.now(), Endpoint: EndpointResource, Method: r.Method, Path: r.URL.Path,
		Status: status, Error: code, Reason: reason}, header: r.Header, rawQuery: r.URL.RawQuery})
}

package mockserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Deviations of the protected resource (RFC 6750) that real resource
// servers show.
const (
	QuirkRSNoChallenge         Quirk = "rs-no-challenge"
	QuirkRSErrorOnMissing      Quirk = "rs-error-on-missing"
	QuirkRSNoSignatureCheck    Quirk = "rs-no-signature-check"
	QuirkRS403InvalidToken     Quirk = "rs-403-invalid-token"
	QuirkRSTwoTransportsOK     Quirk = "rs-two-transports-ok"
	QuirkRSBearerCaseSensitive Quirk = "rs-bearer-case-sensitive"
	QuirkRSChallengeDupRealm   Quirk = "rs-challenge-dup-realm"
	QuirkRSRevocationUnchecked Quirk = "rs-revocation-unchecked"
	QuirkRSScopeUnchecked      Quirk = "rs-scope-unchecked"
	QuirkRSAudUnchecked        Quirk = "rs-aud-unchecked"
	QuirkRSQueryCacheable      Quirk = "rs-query-cacheable"
	QuirkRSHeaderOnly          Quirk = "rs-header-only"
)

func init() {
	for q, d := range map[Quirk]quirkDef{
		QuirkRSNoChallenge: {"the resource refuses without a WWW-Authenticate challenge (RFC 6750 §3)", func(s *steps, a *Authority) {
			s.bearerChallenge = func(*bearerError, string) string { return "" }
		}},
		QuirkRSErrorOnMissing: {"a request without a token gets error=\"invalid_request\" in its challenge (RFC 6750 §3.1: SHOULD NOT)", func(s *steps, a *Authority) {
			next := s.bearerChallenge
			s.bearerChallenge = func(e *bearerError, ch string) string {
				if e.code == "" {
					return ch + `, error="invalid_request"`
				}
				return next(e, ch)
			}
		}},
		QuirkRSNoSignatureCheck: {"the resource reads a JWT's claims without verifying its signature (RFC 6750 §3.1)", func(s *steps, a *Authority) {
			next := s.resourceToken
			s.resourceToken = func(a *Authority, r *http.Request, tok string) *tokenState {
				if st := next(a, r, tok); st != nil {
					return st
				}
				parts := strings.Split(tok, ".")
				var c map[string]any
				if len(parts) != 3 {
					return nil
				}
				if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err != nil || json.Unmarshal(raw, &c) != nil || c["iss"] != a.Issuer() {
					return nil
				}
				if exp, _ := c["exp"].(float64); !a.now().Before(time.Unix(int64(exp), 0)) {
					return nil
				}
				return &tokenState{claims: c}
			}
		}},
		QuirkRS403InvalidToken: {"an invalid token gets 403 instead of 401 (RFC 6750 §3.1)", func(s *steps, a *Authority) {
			next := s.resource
			s.resource = func(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError) {
				claims, e := next(a, r, scopes)
				if e != nil && e.code == "invalid_token" {
					e.status = http.StatusForbidden
				}
				return claims, e
			}
		}},
		QuirkRSTwoTransportsOK: {"a token in the header and in the body is taken from the header (RFC 6750 §2: one transport)", func(s *steps, a *Authority) {
			next := s.resource
			s.resource = func(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError) {
				if r.Header.Get("Authorization") != "" && r.Method == http.MethodPost {
					r2 := r.Clone(r.Context())
					r2.Method, r2.Body = http.MethodGet, http.NoBody
					return next(a, r2, scopes)
				}
				return next(a, r, scopes)
			}
		}},
		QuirkRSBearerCaseSensitive: {"the resource takes only \"Bearer\" written so (RFC 9110 §11.1: case-insensitive)", func(s *steps, a *Authority) {
			next := s.resource
			s.resource = func(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError) {
				if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") && scheme != "Bearer" {
					return nil, &bearerError{status: http.StatusUnauthorized}
				}
				return next(a, r, scopes)
			}
		}},
		QuirkRSChallengeDupRealm: {"the Bearer challenge names realm twice (RFC 6750 §3: at most once)", func(s *steps, a *Authority) {
			next := s.bearerChallenge
			s.bearerChallenge = func(e *bearerError, ch string) string { return next(e, ch) + `, realm="again"` }
		}},
		QuirkRSScopeUnchecked: {"the resource does not check the scopes a route needs (RFC 6750 §3.1 insufficient_scope)", func(s *steps, a *Authority) {
			next := s.resource
			s.resource = func(a *Authority, r *http.Request, _ []string) (map[string]any, *bearerError) { return next(a, r, nil) }
		}},
		QuirkRSAudUnchecked: {"the resource takes tokens for any audience (RFC 9700 §2.3)", func(s *steps, a *Authority) {
			next := s.resource
			s.resource = func(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError) {
				claims, e := next(a, r, scopes)
				if e != nil && strings.Contains(e.description, "(aud)") {
					tok := strings.TrimSpace(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
					if st := a.lookupToken(r.Context(), tok); st != nil {
						return st.claims, nil
					}
				}
				return claims, e
			}
		}},
		QuirkRSQueryCacheable: {"the resource takes a token in the query and answers without Cache-Control private (RFC 6750 §2.3)", func(s *steps, a *Authority) {
			next := s.resource
			s.resource = func(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError) {
				if q := r.URL.Query().Get("access_token"); q != "" && r.Header.Get("Authorization") == "" {
					r.Header.Set("Authorization", "Bearer "+q)
					r.Header.Set("X-Occheck-Cacheable", "1")
				}
				return next(a, r, scopes)
			}
		}},
		QuirkRSHeaderOnly: {"conformant variation: the resource takes the token from the Authorization header only (RFC 6750 §2.2 is optional)", func(s *steps, a *Authority) {
			next := s.resource
			s.resource = func(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError) {
				if r.Method == http.MethodPost {
					r2 := r.Clone(r.Context())
					r2.Method, r2.Body = http.MethodGet, http.NoBody
					return next(a, r2, scopes)
				}
				return next(a, r, scopes)
			}
		}},
		QuirkRSRevocationUnchecked: {"the resource does not check revocation (RFC 7009 §2.1)", func(s *steps, a *Authority) {
			next := s.resourceToken
			s.resourceToken = func(a *Authority, r *http.Request, tok string) *tokenState {
				if st := next(a, r, tok); st != nil {
					return st
				}
				if st := a.tokenState(r.Context(), tok); st != nil && a.now().Before(st.exp) {
					return st
				}
				return nil
			}
		}},
	} {
		quirkTable[q] = d
	}
}

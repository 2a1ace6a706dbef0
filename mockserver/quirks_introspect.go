package mockserver

import (
	"net/http"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Deviations of token introspection (RFC 7662) and revocation (RFC 7009)
// that real servers show.
const (
	QuirkIntrospectNoAuth          Quirk = "introspect-no-auth"
	QuirkIntrospectInactiveDetails Quirk = "introspect-inactive-details"
	QuirkIntrospectActiveString    Quirk = "introspect-active-string"
	QuirkIntrospectScopeArray      Quirk = "introspect-scope-array"
	QuirkIntrospectBadAuth400      Quirk = "introspect-bad-auth-400"
	QuirkIntrospectTrustsHint      Quirk = "introspect-trusts-hint"
	QuirkIntrospectHTTPURL         Quirk = "introspect-http-url"
	QuirkIntrospectIgnoresExp      Quirk = "introspect-ignores-exp"
	QuirkRevokeUnsupported         Quirk = "revoke-unsupported"
	QuirkRevokeNoEffect            Quirk = "revoke-no-effect"
	QuirkRevokeUnknown400          Quirk = "revoke-unknown-400"
	QuirkRevokeNoAuth              Quirk = "revoke-no-auth"
	QuirkRevokeAnyClient           Quirk = "revoke-any-client"
	QuirkRevokeTrustsHint          Quirk = "revoke-trusts-hint"
	QuirkRevokeHTTPURL             Quirk = "revoke-http-url"
)

func init() {
	for q, d := range map[Quirk]quirkDef{
		QuirkIntrospectNoAuth: {"the introspection endpoint answers callers that did not authenticate (RFC 7662 §2.1)", func(s *steps, a *Authority) {
			skipCallerAuth(s, EndpointIntrospect)
		}},
		QuirkIntrospectInactiveDetails: {"an inactive token's introspection carries more than active:false (RFC 7662 §2.2)", func(s *steps, a *Authority) {
			next := s.introspection
			s.introspection = func(x *exchange, st *tokenState) map[string]any {
				out := next(x, st)
				if st == nil {
					out["error"] = "token not found"
				}
				return out
			}
		}},
		QuirkIntrospectIgnoresExp: {"introspection answers active:true for expired JWTs: it checks the signature and the revocation list, not exp (RFC 7662 §4); the store drops expired opaque tokens anyway", func(s *steps, a *Authority) {
			s.introspectToken = func(a *Authority, r *http.Request, tok string) *tokenState {
				st := a.tokenState(r.Context(), tok)
				if st == nil {
					return nil
				}
				if revoked, err := a.store.Revoked(r.Context(), st.id); err != nil || revoked {
					return nil
				}
				return st
			}
		}},
		QuirkIntrospectActiveString: {"introspection answers active as the string \"true\" (RFC 7662 §2.2: a boolean)", func(s *steps, a *Authority) {
			next := s.introspection
			s.introspection = func(x *exchange, st *tokenState) map[string]any {
				out := next(x, st)
				if out["active"] == true {
					out["active"] = "true"
				}
				return out
			}
		}},
		QuirkIntrospectScopeArray: {"introspection answers scope as a JSON array (RFC 7662 §2.2: a space-separated string)", func(s *steps, a *Authority) {
			next := s.introspection
			s.introspection = func(x *exchange, st *tokenState) map[string]any {
				out := next(x, st)
				if sc, ok := out["scope"].(string); ok {
					out["scope"] = strings.Fields(sc)
				}
				return out
			}
		}},
		QuirkIntrospectBadAuth400: {"a failed caller authentication at the introspection endpoint is 400, not 401 (RFC 7662 §2.3)", func(s *steps, a *Authority) {
			next := s.callerError
			s.callerError = func(x *exchange, e *oauthError) {
				next(x, e)
				if x.endpoint == EndpointIntrospect && e.Code == rfc6749.ErrInvalidClient {
					e.Status, e.Challenge, e.WWWAuthenticate = http.StatusBadRequest, false, ""
				}
			}
		}},
		QuirkIntrospectTrustsHint: {"token_type_hint=refresh_token makes introspection look among refresh tokens only (RFC 7662 §2.1)", func(s *steps, a *Authority) {
			next := s.introspection
			s.introspection = func(x *exchange, st *tokenState) map[string]any {
				if x.req.params["token_type_hint"] == "refresh_token" {
					st = nil
				}
				return next(x, st)
			}
		}},
		QuirkIntrospectHTTPURL: {"the metadata names an http introspection endpoint (RFC 7662 §4: TLS)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) { m["introspection_endpoint"] = httpOf(m["introspection_endpoint"]) })
		}},
		QuirkRevokeUnsupported: {"access tokens cannot be revoked: 400 unsupported_token_type (RFC 7009 §2: SHOULD support them)", func(s *steps, a *Authority) {
			s.revoke = func(x *exchange, st *tokenState) *oauthError {
				return &oauthError{Code: "unsupported_token_type", Status: http.StatusBadRequest, Description: "only refresh tokens are revocable here"}
			}
		}},
		QuirkRevokeNoEffect: {"revocation answers 200 and revokes nothing (RFC 7009 §2.1)", func(s *steps, a *Authority) {
			s.revoke = func(*exchange, *tokenState) *oauthError { return nil }
		}},
		QuirkRevokeUnknown400: {"revoking an unknown or invalid token is an error (RFC 7009 §2.2: 200)", func(s *steps, a *Authority) {
			next := s.revoke
			s.revoke = func(x *exchange, st *tokenState) *oauthError {
				if st == nil {
					return errInvalidRequest("unknown token")
				}
				return next(x, st)
			}
		}},
		QuirkRevokeNoAuth: {"the revocation endpoint revokes for callers that did not authenticate (RFC 7009 §2.1)", func(s *steps, a *Authority) {
			skipCallerAuth(s, EndpointRevoke)
			next := s.revoke
			s.revoke = func(x *exchange, st *tokenState) *oauthError {
				if x.client == nil && st != nil {
					x.client = a.clients[stringClaim(st, "client_id")]
				}
				return next(x, st)
			}
		}},
		QuirkRevokeAnyClient: {"any authenticated client revokes any token (RFC 7009 §2.1: its own only)", func(s *steps, a *Authority) {
			next := s.revoke
			s.revoke = func(x *exchange, st *tokenState) *oauthError {
				if st != nil && x.client != nil {
					if owner := a.clients[stringClaim(st, "client_id")]; owner != nil {
						x.client = owner
					}
				}
				return next(x, st)
			}
		}},
		QuirkRevokeTrustsHint: {"token_type_hint=refresh_token makes revocation look among refresh tokens only, and answer 200 (RFC 7009 §2.1)", func(s *steps, a *Authority) {
			next := s.revoke
			s.revoke = func(x *exchange, st *tokenState) *oauthError {
				if x.req.params["token_type_hint"] == "refresh_token" {
					st = nil
				}
				return next(x, st)
			}
		}},
		QuirkRevokeHTTPURL: {"the metadata names an http revocation endpoint (RFC 7009 §2: TLS)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) { m["revocation_endpoint"] = httpOf(m["revocation_endpoint"]) })
		}},
	} {
		quirkTable[q] = d
	}
}

// skipCallerAuth lets callers of endpoint in without credentials.
func skipCallerAuth(s *steps, endpoint string) {
	next := s.callerAuth
	s.callerAuth = func(x *exchange) *oauthError {
		p := x.req.params
		if x.endpoint == endpoint && len(x.r.Header.Values("Authorization")) == 0 && p[rfc6749.ParamClientID] == "" && p[rfc6749.ParamClientAssertion] == "" {
			return nil
		}
		return next(x)
	}
}

// stringClaim is a string claim of a token, "" when absent.
func stringClaim(st *tokenState, name string) string {
	s, _ := st.claims[name].(string)
	return s
}

// httpOf turns an https URL into its http twin on a non-loopback host, so
// that the loopback exemption of the TLS checks does not apply.
func httpOf(v any) string {
	s, _ := v.(string)
	s = strings.Replace(s, "https://", "http://", 1)
	return strings.Replace(strings.Replace(s, "127.0.0.1", "as.example.test", 1), "localhost", "as.example.test", 1)
}

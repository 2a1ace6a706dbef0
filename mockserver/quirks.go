package mockserver

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Quirk names one deliberate deviation from the RFCs, or a conformant
// variation real servers show. Each mirrors what a real authorization
// server does; the conformance suite must grade every one exactly. Quirks
// are off unless listed in Config.Quirks or switched on with SetQuirks;
// KnownQuirks lists them and Description says what each breaks.
type Quirk string

// The quirks, in the order of the table below.
const (
	QuirkBasic400                      Quirk = "basic-400"
	QuirkNoWWWAuthenticate             Quirk = "no-www-authenticate"
	QuirkWrongSecretUnauthorizedClient Quirk = "wrong-secret-unauthorized-client"
	QuirkWrongSecretInvalidGrant       Quirk = "wrong-secret-invalid-grant"
	QuirkNonRegistryError              Quirk = "non-registry-error"
	QuirkForbiddenGrant                Quirk = "forbidden-grant"
	QuirkUnknownGrantInvalidRequest    Quirk = "unknown-grant-invalid-request"
	QuirkMissingGrantInvalidClient     Quirk = "missing-grant-invalid-client"
	QuirkRefreshToken                  Quirk = "refresh-token"
	QuirkExpiresInString               Quirk = "expires-in-string"
	QuirkNoCacheControl                Quirk = "no-cache-control"
	QuirkNoPragma                      Quirk = "no-pragma"
	QuirkBasicRaw                      Quirk = "basic-raw"
	QuirkBasicPercentOnly              Quirk = "basic-percent-only"
	QuirkBasicSplitEveryColon          Quirk = "basic-split-every-colon"
	QuirkAnyAuthScheme                 Quirk = "any-auth-scheme"
	QuirkTwoAuthMethods                Quirk = "two-auth-methods"
	QuirkRepeatedParams                Quirk = "repeated-params"
	QuirkQueryParams                   Quirk = "query-params"
	QuirkAcceptGET                     Quirk = "accept-get"
	QuirkAnySecret                     Quirk = "any-secret"
	QuirkUnknownClients                Quirk = "unknown-clients"
	QuirkScopesNotEnforced             Quirk = "scopes-not-enforced"
	QuirkWidenedScopeHidden            Quirk = "widened-scope-hidden"
	QuirkNoTokenType                   Quirk = "no-token-type"
	QuirkErrorNotJSON                  Quirk = "error-not-json"
	QuirkError200                      Quirk = "error-200"
	QuirkMalformedBasic500             Quirk = "malformed-basic-500"
	QuirkRejectUnknownParams           Quirk = "reject-unknown-params"
	QuirkEmptyScopeInvalid             Quirk = "empty-scope-invalid"
	QuirkQuotedErrorDescription        Quirk = "quoted-error-description"
	QuirkFormResponse                  Quirk = "form-response"
	QuirkJWTTypJWT                     Quirk = "jwt-typ-jwt"
	QuirkAnyMethod                     Quirk = "any-method"
	QuirkAcceptJSONBody                Quirk = "accept-json-body"
	QuirkStrictContentType             Quirk = "strict-content-type"
	QuirkEmptyValuesKept               Quirk = "empty-values-kept"
	QuirkDefaultGrantType              Quirk = "default-grant-type"
	QuirkAnyGrantType                  Quirk = "any-grant-type"
	QuirkGrantTypesNotEnforced         Quirk = "grant-types-not-enforced"
	QuirkNoClientAuth                  Quirk = "no-client-auth"
	QuirkMissingAuthInvalidRequest     Quirk = "missing-auth-invalid-request"
	QuirkClientIDAlone                 Quirk = "client-id-alone"
	QuirkNoBasic                       Quirk = "no-basic"
	QuirkNoPost                        Quirk = "no-post"
	QuirkBasicSchemeCaseSensitive      Quirk = "basic-scheme-case-sensitive"
	QuirkClientIDWithBasicRejected     Quirk = "client-id-with-basic-rejected"
	QuirkScopeRequired                 Quirk = "scope-required"
	QuirkScopeCaseInsensitive          Quirk = "scope-case-insensitive"
	QuirkStatus201                     Quirk = "status-201"
	QuirkDuplicateMember               Quirk = "duplicate-member"
	QuirkAccessTokenNonASCII           Quirk = "access-token-non-ascii"
	QuirkExpiresInFraction             Quirk = "expires-in-fraction"
	QuirkScopeArray                    Quirk = "scope-array"
	QuirkEchoSecret                    Quirk = "echo-secret"
	QuirkFixedJTI                      Quirk = "fixed-jti"
	QuirkErrorCodeChars                Quirk = "error-code-chars"
	QuirkBadErrorURI                   Quirk = "bad-error-uri"
	QuirkNoRealm                       Quirk = "no-realm"
	QuirkTokenInError                  Quirk = "token-in-error"
	QuirkIssuerMismatch                Quirk = "issuer-mismatch"
	QuirkMethods501                    Quirk = "methods-501"
	QuirkNoClientCredentials           Quirk = "no-client-credentials"
	QuirkJWTClientIDOther              Quirk = "jwt-client-id-other"
	QuirkJWTAudEmpty                   Quirk = "jwt-aud-empty"
	QuirkPost401NoChallenge            Quirk = "post-401-no-challenge"
	QuirkClientIDAloneInvalidRequest   Quirk = "client-id-alone-invalid-request"
	QuirkTLSHTTPTwin                   Quirk = "tls-http-twin"
	QuirkScopeNarrowedHidden           Quirk = "scope-narrowed-hidden"
	QuirkIssuerOtherPath               Quirk = "issuer-other-path"
	QuirkIssuerQuery                   Quirk = "issuer-query"
	QuirkMetadataNoTokenEndpoint       Quirk = "metadata-no-token-endpoint"
	QuirkMetadataWrongTokenEndpoint    Quirk = "metadata-wrong-token-endpoint"
	QuirkMetadataTokenEndpointFragment Quirk = "metadata-token-endpoint-fragment"
	QuirkMetadataNoGrantTypes          Quirk = "metadata-no-grant-types"
	QuirkMetadataAlgNone               Quirk = "metadata-alg-none"
	QuirkMetadataNoJWKSURI             Quirk = "metadata-no-jwks-uri"
	QuirkJWTAlgNone                    Quirk = "jwt-alg-none"
	QuirkJWTMissingClaims              Quirk = "jwt-missing-claims"
	QuirkJWTSubNotClient               Quirk = "jwt-sub-not-client"
	QuirkJWTExpMismatch                Quirk = "jwt-exp-mismatch"
	QuirkJWTNoAud                      Quirk = "jwt-no-aud"
	QuirkJWTScopeArray                 Quirk = "jwt-scope-array"
	QuirkJWKSWrongKey                  Quirk = "jwks-wrong-key"
	QuirkJWKSPrivateKey                Quirk = "jwks-private-key"
	QuirkResourceIgnored               Quirk = "resource-ignored"
	QuirkResourceUnchecked             Quirk = "resource-unchecked"
	QuirkResourceWrongError            Quirk = "resource-wrong-error"
	QuirkResourceRepeatRejected        Quirk = "resource-repeat-rejected"
	QuirkMetadataPostFirst             Quirk = "metadata-post-first"
	QuirkCrashOnBadEscape              Quirk = "crash-on-bad-escape"
	QuirkCrashOnBadEscape500           Quirk = "crash-on-bad-escape-500"
	QuirkPasswordAccessDenied          Quirk = "password-access-denied"
	QuirkPasswordInvalidRequest        Quirk = "password-invalid-request"
	QuirkJSONBody401                   Quirk = "json-body-401"
	QuirkMultiMethodBodyWins           Quirk = "multi-method-body-wins"
	QuirkJWKSJWKSetType                Quirk = "jwks-jwk-set-type"
	QuirkScopeEmptyString              Quirk = "scope-empty-string"
	QuirkScopeRequiredInvalidScope     Quirk = "scope-required-invalid-scope"
	QuirkErrorDescriptionObject        Quirk = "error-description-object"
	QuirkMetadataScopesString          Quirk = "metadata-scopes-string"
)

// quirkDef is one quirk: the rule it breaks and the steps it rewires.
type quirkDef struct {
	breaks string
	hooks  deviation
}

// quirkTable is every quirk, each described once, with its hooks.
var quirkTable = map[Quirk]quirkDef{
	QuirkBasic400: {"invalid_client after HTTP Basic is a 400 without a challenge, not 401 (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		wrapFailure(s, func(x *exchange, e *oauthError) {
			if e.Code == rfc6749.ErrInvalidClient && x.usedHeader {
				e.Status, e.WWWAuthenticate = http.StatusBadRequest, ""
			}
		})
	}},
	QuirkNoWWWAuthenticate: {"401 responses carry no WWW-Authenticate challenge (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		wrapFailure(s, func(_ *exchange, e *oauthError) { e.WWWAuthenticate = "" })
	}},
	QuirkWrongSecretUnauthorizedClient: {"a failed client authentication is reported as unauthorized_client, not invalid_client", func(s *steps, a *Authority) {
		s.badSecret = func(*exchange) *oauthError {
			return &oauthError{Code: rfc6749.ErrUnauthorizedClient, Status: http.StatusBadRequest, Description: "client authentication failed"}
		}
	}},
	QuirkWrongSecretInvalidGrant: {"a failed client authentication is reported as invalid_grant, not invalid_client", func(s *steps, a *Authority) {
		s.badSecret = func(*exchange) *oauthError {
			return &oauthError{Code: rfc6749.ErrInvalidGrant, Status: http.StatusBadRequest, Description: "client authentication failed"}
		}
	}},
	QuirkNonRegistryError: {"a scope the client may not have is answered with insufficient_scope, a code not in the token endpoint registry", func(s *steps, a *Authority) {
		next := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			g, hide, e := next(x, cl)
			if e != nil {
				e.Code = "insufficient_scope"
			}
			return g, hide, e
		}
	}},
	QuirkForbiddenGrant: {"a client not allowed client_credentials gets 403, not 400 unauthorized_client", func(s *steps, a *Authority) {
		next := s.clientGrant
		s.clientGrant = func(x *exchange, cl *client) *oauthError {
			e := next(x, cl)
			if e != nil {
				e.Status = http.StatusForbidden
			}
			return e
		}
	}},
	QuirkUnknownGrantInvalidRequest: {"an unknown grant_type is answered invalid_request, not unsupported_grant_type", func(s *steps, a *Authority) {
		next := s.grantType
		s.grantType = func(x *exchange) *oauthError {
			e := next(x)
			if e != nil {
				e.Code = rfc6749.ErrInvalidRequest
			}
			return e
		}
	}},
	QuirkMissingGrantInvalidClient: {"a missing grant_type is answered invalid_client, not invalid_request", func(s *steps, a *Authority) {
		s.missingGrantType = func(*exchange) *oauthError { return errInvalidClient("missing grant type") }
	}},
	QuirkRefreshToken: {"client credentials responses carry a refresh_token (RFC 6749 §4.4.3)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) { r.RefreshToken = newJTI() + newJTI() })
	}},
	QuirkExpiresInString: {"expires_in is a JSON string, not a number (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) { r.ExpiresIn = fmt.Sprint(r.ExpiresIn) })
	}},
	QuirkNoCacheControl: {"token endpoint responses lack Cache-Control: no-store (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		next := s.noStore
		s.noStore = func(h http.Header) { next(h); h.Del("Cache-Control") }
	}},
	QuirkNoPragma: {"token endpoint responses lack Pragma: no-cache (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		next := s.noStore
		s.noStore = func(h http.Header) { next(h); h.Del("Pragma") }
	}},
	QuirkBasicRaw: {"HTTP Basic credentials are not form-urldecoded (RFC 6749 §2.3.1, Appendix B)", func(s *steps, a *Authority) {
		s.decodeBasic = func(_ *exchange, cred string) (string, string, *oauthError) {
			id, secret, ok := splitBasic(cred)
			if !ok {
				return "", "", errMalformedBasic()
			}
			return id, secret, nil
		}
	}},
	QuirkBasicPercentOnly: {"HTTP Basic credentials are percent-decoded but '+' is not turned into a space (Appendix B)", func(s *steps, a *Authority) {
		s.decodeBasic = func(_ *exchange, cred string) (string, string, *oauthError) {
			id, secret, ok := splitBasic(cred)
			if !ok {
				return "", "", errMalformedBasic()
			}
			id, err1 := url.PathUnescape(id)
			secret, err2 := url.PathUnescape(secret)
			if err1 != nil || err2 != nil {
				return "", "", errMalformedBasic()
			}
			return id, secret, nil
		}
	}},
	QuirkBasicSplitEveryColon: {"HTTP Basic credentials are decoded first and then split at every colon", func(s *steps, a *Authority) {
		s.decodeBasic = func(_ *exchange, cred string) (string, string, *oauthError) {
			raw, err := base64.StdEncoding.DecodeString(cred)
			if err != nil {
				return "", "", errMalformedBasic()
			}
			dec, err := url.QueryUnescape(string(raw))
			parts := strings.Split(dec, ":")
			if err != nil || len(parts) < 2 {
				return "", "", errMalformedBasic()
			}
			return parts[0], parts[1], nil
		}
	}},
	QuirkAnyAuthScheme: {"any Authorization scheme is read as Basic credentials", func(s *steps, a *Authority) {
		s.scheme = func(*exchange, string) *oauthError { return nil }
	}},
	QuirkTwoAuthMethods: {"HTTP Basic and body credentials together are accepted (RFC 6749 §2.3)", func(s *steps, a *Authority) {
		s.conflict = func(*exchange, credentials) *oauthError { return nil }
	}},
	QuirkRepeatedParams: {"repeated parameters are accepted, first value wins (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		next := s.parseParams
		s.parseParams = func(x *exchange, vals url.Values) (*tokenRequest, *oauthError) {
			first := make(url.Values, len(vals))
			for k, vs := range vals {
				first[k] = vs
				if k == rfc6749.ParamResource {
					continue
				}
				for _, v := range vs {
					if v != "" {
						first[k] = []string{v}
						break
					}
				}
			}
			return next(x, first)
		}
	}},
	QuirkQueryParams: {"parameters and client credentials are read from the URL query too (RFC 6749 §2.3.1, §4.4.2)", func(s *steps, a *Authority) {
		s.query = func(x *exchange, vals url.Values) (url.Values, *oauthError) {
			for k, vs := range x.r.URL.Query() {
				vals[k] = append(vals[k], vs...)
			}
			return vals, nil
		}
	}},
	QuirkAcceptGET: {"GET requests with query parameters get tokens (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		next := s.readRequest
		s.readRequest = func(x *exchange) (url.Values, *oauthError) {
			if x.r.Method == http.MethodGet {
				return x.r.URL.Query(), nil
			}
			return next(x)
		}
		nextQuery := s.query
		s.query = func(x *exchange, vals url.Values) (url.Values, *oauthError) {
			if x.r.Method == http.MethodGet {
				return vals, nil
			}
			return nextQuery(x, vals)
		}
	}},
	QuirkAnySecret: {"any secret is accepted for a known client", func(s *steps, a *Authority) {
		next := s.secretOK
		s.secretOK = func(cl *client, secret string) bool { return next(cl, secret) || cl != nil }
	}},
	QuirkUnknownClients: {"unknown client ids are accepted with any secret", func(s *steps, a *Authority) {
		next := s.verify
		s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
			if c.method != "" && c.assertion == nil && a.clients[c.id] == nil {
				cl, _ := newClient(Client{ID: c.id, Secret: c.secret, Scopes: a.anyScopes()}) // a secret-only client: no error
				return cl, nil
			}
			return next(x, c)
		}
	}},
	QuirkScopesNotEnforced: {"every requested scope is granted, allowed or not (RFC 6749 §3.3)", func(s *steps, a *Authority) {
		next := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			if toks := strings.Fields(x.req.params[rfc6749.ParamScope]); len(toks) > 0 {
				return toks, false, nil
			}
			return next(x, cl)
		}
	}},
	QuirkWidenedScopeHidden: {"all of a client's scopes are granted whatever it asked for, and scope is left out of the response (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		next := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			if toks, ok := rfc6749.ParseScope(x.req.params[rfc6749.ParamScope]); ok && len(toks) > 0 {
				return slices.Clone(cl.Scopes), true, nil
			}
			return next(x, cl)
		}
	}},
	QuirkNoTokenType: {"token_type is missing from the response (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) { r.TokenType = "" })
	}},
	QuirkErrorNotJSON: {"error responses are HTML pages, not JSON (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		s.errorBody = func(_ *exchange, e *oauthError) (string, []byte) {
			return "text/html; charset=utf-8", []byte("<html><body><h1>Error</h1><p>" + strings.ReplaceAll(e.Code, "<", "") + "</p></body></html>\n")
		}
	}},
	QuirkError200: {"error responses use status 200 with an error member (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		wrapFailure(s, func(_ *exchange, e *oauthError) { e.Status = http.StatusOK })
	}},
	QuirkMalformedBasic500: {"a malformed Basic header crashes the handler: 500", func(s *steps, a *Authority) {
		next := s.decodeBasic
		s.decodeBasic = func(x *exchange, cred string) (string, string, *oauthError) {
			id, secret, e := next(x, cred)
			if e != nil {
				return "", "", errServer()
			}
			return id, secret, nil
		}
	}},
	QuirkRejectUnknownParams: {"unknown parameters are rejected instead of ignored (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		next := s.parseParams
		s.parseParams = func(x *exchange, vals url.Values) (*tokenRequest, *oauthError) {
			for k := range vals {
				if !slices.Contains(knownParams, k) {
					return nil, errInvalidRequest("unsupported parameter %s", clip(k))
				}
			}
			return next(x, vals)
		}
	}},
	QuirkEmptyScopeInvalid: {"scope= (empty) is rejected as invalid_scope instead of treated as absent (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		next := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			if x.req.emptyScope {
				return nil, false, errInvalidScope("scope must not be empty")
			}
			return next(x, cl)
		}
	}},
	QuirkQuotedErrorDescription: {"error_description carries '\"' and non-ASCII characters (RFC 6749 Appendix A.8)", func(s *steps, a *Authority) {
		wrapFailure(s, func(_ *exchange, e *oauthError) {
			e.raw = `"` + e.Description + e.raw + `" – échec`
			e.Description = ""
		})
	}},
	QuirkFormResponse: {"the success body is form-encoded, not JSON (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		s.writeSuccess = func(x *exchange, r *successResponse) int {
			v := url.Values{"access_token": {r.AccessToken}, "expires_in": {fmt.Sprint(r.ExpiresIn)}}
			if r.TokenType != "" {
				v.Set("token_type", r.TokenType)
			}
			if sc, ok := r.Scope.(string); ok {
				v.Set("scope", sc)
			}
			if r.RefreshToken != "" {
				v.Set("refresh_token", r.RefreshToken)
			}
			x.s.noStore(x.w.Header())
			x.w.Header().Set("Content-Type", formMediaType)
			x.w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(x.w, v.Encode())
			return http.StatusOK
		}
	}},
	QuirkJWTTypJWT: {"JWT access tokens carry typ JWT, not at+jwt (RFC 9068 §2.1)", func(s *steps, a *Authority) {
		s.sign = func(_ *exchange, c *tokenClaims) (string, error) { return a.signWith(c, "JWT") }
	}},
	QuirkAnyMethod: {"PUT, PATCH, DELETE and OPTIONS requests get tokens like POST (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		next := s.readRequest
		s.readRequest = func(x *exchange) (url.Values, *oauthError) {
			switch x.r.Method {
			case http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
				return x.s.readBody(x)
			}
			return next(x)
		}
	}},
	QuirkAcceptJSONBody: {"a JSON request body is accepted as the parameters (RFC 6749 §4.4.2)", func(s *steps, a *Authority) {
		next := s.readBody
		s.readBody = func(x *exchange) (url.Values, *oauthError) {
			if mediaType(x.r) == "application/json" {
				return readJSONForm(x)
			}
			return next(x)
		}
	}},
	QuirkStrictContentType: {"Content-Type must equal application/x-www-form-urlencoded exactly: no charset, no other case", func(s *steps, a *Authority) {
		next := s.readBody
		s.readBody = func(x *exchange) (url.Values, *oauthError) {
			if x.r.Header.Get("Content-Type") != formMediaType {
				return nil, errInvalidRequest("Content-Type must be application/x-www-form-urlencoded")
			}
			return next(x)
		}
	}},
	QuirkEmptyValuesKept: {"grant_type= and scope= count as present values, not as omitted (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		nextParse := s.parseParams
		s.parseParams = func(x *exchange, vals url.Values) (*tokenRequest, *oauthError) {
			req, e := nextParse(x, vals)
			if e == nil {
				for k, vs := range vals {
					if _, set := req.params[k]; !set && len(vs) > 0 && k != rfc6749.ParamResource {
						req.params[k] = ""
					}
				}
			}
			return req, e
		}
		nextScope := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			if raw, present := x.req.params[rfc6749.ParamScope]; present && raw == "" {
				return nil, false, errInvalidScope("scope must not be empty")
			}
			return nextScope(x, cl)
		}
	}},
	QuirkDefaultGrantType: {"a missing grant_type is taken to mean client_credentials", func(s *steps, a *Authority) {
		s.missingGrantType = func(x *exchange) *oauthError {
			x.req.params[rfc6749.ParamGrantType] = rfc6749.GrantClientCredentials
			return nil
		}
	}},
	QuirkAnyGrantType: {"any grant_type, password included, yields a client credentials token", func(s *steps, a *Authority) {
		s.grantType = func(*exchange) *oauthError { return nil }
	}},
	QuirkGrantTypesNotEnforced: {"clients get client_credentials tokens whatever grant types they are allowed", func(s *steps, a *Authority) {
		s.clientGrant = func(*exchange, *client) *oauthError { return nil }
	}},
	QuirkNoClientAuth: {"a request without any client credentials gets a token", func(s *steps, a *Authority) {
		next := s.verify
		s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
			if c.method == "" && c.id == "" {
				return a.clients[a.order[0]], nil
			}
			return next(x, c)
		}
	}},
	QuirkMissingAuthInvalidRequest: {"missing client credentials are answered invalid_request, not invalid_client", func(s *steps, a *Authority) {
		next := s.verify
		s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
			if c.method == "" && c.id == "" {
				return nil, errInvalidRequest("client credentials are required")
			}
			return next(x, c)
		}
	}},
	QuirkClientIDAlone: {"client_id without a secret authenticates a confidential client (RFC 6749 §3.2.1)", func(s *steps, a *Authority) {
		next := s.verify
		s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
			if cl := a.clients[c.id]; c.method == "" && cl != nil && cl.mtlsMethod() == "" {
				return cl, nil
			}
			return next(x, c)
		}
	}},
	QuirkNoBasic: {"HTTP Basic is refused although the metadata advertises client_secret_basic (RFC 6749 §2.3.1)", func(s *steps, a *Authority) {
		s.scheme = func(*exchange, string) *oauthError { return errInvalidClient("HTTP Basic is not accepted here") }
	}},
	QuirkNoPost: {"body credentials are refused although the metadata advertises client_secret_post", func(s *steps, a *Authority) {
		next := s.credentials
		s.credentials = func(x *exchange) (credentials, *oauthError) {
			c, e := next(x)
			if e == nil && c.method == rfc6749.AuthClientSecretPost {
				return c, errInvalidClient("client credentials in the body are not accepted here")
			}
			return c, e
		}
	}},
	QuirkBasicSchemeCaseSensitive: {"the scheme must be written Basic; basic is refused (RFC 9110 §11.1)", func(s *steps, a *Authority) {
		next := s.scheme
		s.scheme = func(x *exchange, scheme string) *oauthError {
			if strings.EqualFold(scheme, "Basic") && scheme != "Basic" {
				return errInvalidClient("HTTP Basic is not accepted here")
			}
			return next(x, scheme)
		}
	}},
	QuirkClientIDWithBasicRejected: {"a client_id parameter next to HTTP Basic is refused as a second method (RFC 6749 §3.2.1)", func(s *steps, a *Authority) {
		next := s.conflict
		s.conflict = func(x *exchange, c credentials) *oauthError {
			if c.method == rfc6749.AuthClientSecretBasic && c.bodyID != "" {
				return errInvalidRequest("more than one client authentication method used")
			}
			return next(x, c)
		}
	}},
	QuirkScopeRequired: {"a request without scope is refused as invalid_request (RFC 6749 §3.3)",
		requireScope(func() *oauthError { return errInvalidRequest("scope is required") })},
	QuirkScopeCaseInsensitive: {"scope tokens are folded to lower case, so READ is granted as read (RFC 6749 §3.3)", func(s *steps, a *Authority) {
		next := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			if sc, ok := x.req.params[rfc6749.ParamScope]; ok {
				x.req.params[rfc6749.ParamScope] = strings.ToLower(sc)
			}
			return next(x, cl)
		}
	}},
	QuirkStatus201: {"successful token responses use 201 Created (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) { r.status = http.StatusCreated })
	}},
	QuirkDuplicateMember: {"the success body has token_type twice (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		s.writeSuccess = func(x *exchange, r *successResponse) int {
			body, _ := json.Marshal(r)
			body = append([]byte(`{"token_type":"bearer",`), body[1:]...)
			x.s.noStore(x.w.Header())
			x.w.Header().Set("Content-Type", jsonContentType)
			x.w.WriteHeader(http.StatusOK)
			_, _ = x.w.Write(body)
			return http.StatusOK
		}
	}},
	QuirkAccessTokenNonASCII: {"access tokens end in a non-ASCII character (RFC 6749 Appendix A.12)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) { r.AccessToken += "é" })
	}},
	QuirkExpiresInFraction: {"expires_in is a fraction of seconds (RFC 6749 Appendix A.14)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) {
			if n, ok := r.ExpiresIn.(int64); ok {
				r.ExpiresIn = float64(n) - 0.5
			}
		})
	}},
	QuirkScopeArray: {"the granted scope is a JSON array, not a string (RFC 6749 §3.3)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) {
			if _, ok := r.Scope.(string); ok {
				r.Scope = r.scopes
			}
		})
	}},
	QuirkEchoSecret: {"error descriptions repeat the client secret the request presented (RFC 6749 §10.8)", func(s *steps, a *Authority) {
		wrapFailure(s, func(x *exchange, e *oauthError) {
			if secret := presentedSecret(x); secret != "" {
				e.raw += " (client_secret " + secret + ")"
			}
		})
	}},
	QuirkFixedJTI: {"every access token carries the same jti (RFC 6749 §10.10, RFC 9068)", func(s *steps, a *Authority) {
		wrapClaims(s, func(_ *exchange, c *tokenClaims) { c.JTI = "occheck-fixed-jti" })
	}},
	QuirkErrorCodeChars: {"an unknown grant is answered with an error code holding '\"' (RFC 6749 Appendix A.7)", func(s *steps, a *Authority) {
		next := s.grantType
		s.grantType = func(x *exchange) *oauthError {
			e := next(x)
			if e != nil {
				e.Code = `unsupported "grant" type`
			}
			return e
		}
	}},
	QuirkBadErrorURI: {"error responses carry an error_uri with a space (RFC 6749 Appendix A.9)", func(s *steps, a *Authority) {
		wrapFailure(s, func(_ *exchange, e *oauthError) { e.URI = "https://docs.example/errors/" + e.Code + " help" })
	}},
	QuirkNoRealm: {"the Basic challenge has no realm (RFC 7617 §2)", func(s *steps, a *Authority) {
		wrapFailure(s, func(_ *exchange, e *oauthError) {
			if e.WWWAuthenticate != "" {
				e.WWWAuthenticate = "Basic"
			}
		})
	}},
	QuirkTokenInError: {"error bodies carry a refresh_token member (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		next := s.errorBody
		s.errorBody = func(x *exchange, e *oauthError) (string, []byte) {
			ct, b := next(x, e)
			if n := len(b); n > 0 && b[n-1] == '}' {
				b = append(b[:n-1], []byte(`,"refresh_token":null}`)...)
			}
			return ct, b
		}
	}},
	QuirkIssuerMismatch: {"the metadata issuer has a trailing slash the tokens' iss lacks (RFC 8414 §3.3)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { m["issuer"] = a.Issuer() + "/" })
	}},
	QuirkMethods501: {"PUT, PATCH and DELETE are answered 501 Not Implemented (conformant: RFC 9110 §15.6.2), not 405", func(s *steps, a *Authority) {
		next := s.readRequest
		s.readRequest = func(x *exchange) (url.Values, *oauthError) {
			switch x.r.Method {
			case http.MethodPut, http.MethodPatch, http.MethodDelete:
				return nil, &oauthError{Code: rfc6749.ErrInvalidRequest, Status: http.StatusNotImplemented, Description: "method not implemented"}
			}
			return next(x)
		}
	}},
	QuirkNoClientCredentials: {"every client_credentials request is refused with unauthorized_client, whatever the client (RFC 6749 §4.4)", func(s *steps, a *Authority) {
		s.clientGrant = func(*exchange, *client) *oauthError {
			return &oauthError{Code: rfc6749.ErrUnauthorizedClient, Status: http.StatusBadRequest, Description: "this client may not use the client_credentials grant"}
		}
	}},
	QuirkJWTClientIDOther: {"the client_id claim names another client than the one authenticated (RFC 9068 §2.2)", func(s *steps, a *Authority) {
		wrapClaims(s, func(_ *exchange, c *tokenClaims) { c.ClientID = "occheck-someone-else" })
	}},
	QuirkJWTAudEmpty: {"tokens requested without resource carry an empty aud (RFC 9068 §3: a default audience is required)", func(s *steps, a *Authority) {
		next := s.audience
		s.audience = func(x *exchange, cl *client) ([]string, *oauthError) {
			if len(x.req.resources) == 0 {
				return []string{""}, nil
			}
			return next(x, cl)
		}
	}},
	QuirkPost401NoChallenge: {"a failed body-credential authentication is answered 401 without WWW-Authenticate (RFC 9110 §15.5.2)", func(s *steps, a *Authority) {
		wrapFailure(s, func(x *exchange, e *oauthError) {
			if e.Code == rfc6749.ErrInvalidClient && !x.usedHeader && x.cred.assertion == nil && !methodNeedsCert(x.cred.method) {
				e.Status, e.WWWAuthenticate = http.StatusUnauthorized, ""
			}
		})
	}},
	QuirkTLSHTTPTwin: {"the TLS port also serves the token endpoint over plain HTTP (RFC 6749 §3.2: TLS is required)", func(s *steps, a *Authority) {
		s.plainHTTP = func(http.ResponseWriter, *http.Request) bool { return false }
	}},
	QuirkClientIDAloneInvalidRequest: {"client_id without a secret is answered invalid_request, not invalid_client", func(s *steps, a *Authority) {
		next := s.verify
		s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
			if cl := a.clients[c.id]; c.method == "" && c.id != "" && (cl == nil || cl.mtlsMethod() == "") {
				return nil, errInvalidRequest("client_secret is required")
			}
			return next(x, c)
		}
	}},
	QuirkScopeNarrowedHidden: {"of several requested scopes only the first is granted, and scope is left out of the response (RFC 6749 §5.1)", func(s *steps, a *Authority) {
		next := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			g, hide, e := next(x, cl)
			if e == nil && len(g) > 1 {
				return g[:1], true, nil
			}
			return g, hide, e
		}
	}},
	QuirkIssuerOtherPath: {"the metadata names an issuer with another path than the one its URL was built from (RFC 8414 §3.3)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { m["issuer"] = a.Issuer() + "/tenant-a" })
	}},
	QuirkIssuerQuery: {"the metadata issuer has a query component (RFC 8414 §2)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { m["issuer"] = a.Issuer() + "?tenant=1" })
	}},
	QuirkMetadataNoTokenEndpoint: {"the metadata omits token_endpoint (RFC 8414 §2)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { delete(m, "token_endpoint") })
	}},
	QuirkMetadataWrongTokenEndpoint: {"the metadata advertises a token endpoint other than the real one", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { m["token_endpoint"] = a.BaseURL() + "/oauth2/v1/token" })
	}},
	QuirkMetadataTokenEndpointFragment: {"the metadata token_endpoint has a fragment (RFC 6749 §3.2)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { m["token_endpoint"] = a.TokenURL() + "#token" })
	}},
	QuirkMetadataNoGrantTypes: {"the metadata omits grant_types_supported, whose default excludes client_credentials", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { delete(m, "grant_types_supported") })
	}},
	QuirkMetadataAlgNone: {"the metadata lists none among token endpoint signing algorithms (RFC 8414 §2)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) {
			m["token_endpoint_auth_signing_alg_values_supported"] = []string{"RS256", "none"}
		})
	}},
	QuirkMetadataNoJWKSURI: {"the metadata omits jwks_uri although tokens are JWTs", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) { delete(m, "jwks_uri") })
	}},
	QuirkJWTAlgNone: {"access tokens are unsigned JWTs with alg none (RFC 9068 §2.1)", func(s *steps, a *Authority) {
		s.sign = func(_ *exchange, c *tokenClaims) (string, error) {
			payload, err := c.payload()
			hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
			return hdr + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", err
		}
	}},
	QuirkJWTMissingClaims: {"access tokens lack the client_id and jti claims (RFC 9068 §2.2)", func(s *steps, a *Authority) {
		wrapClaims(s, func(_ *exchange, c *tokenClaims) { c.drop = append(c.drop, "client_id", "jti") })
	}},
	QuirkJWTSubNotClient: {"the sub claim is not the client's identifier (RFC 9068 §2.2)", func(s *steps, a *Authority) {
		wrapClaims(s, func(_ *exchange, c *tokenClaims) { c.Sub = "service-account-" + newJTI() })
	}},
	QuirkJWTExpMismatch: {"exp - iat of access tokens is twice expires_in", func(s *steps, a *Authority) {
		wrapClaims(s, func(_ *exchange, c *tokenClaims) { c.Exp = c.Iat + 2*(c.Exp-c.Iat) })
	}},
	QuirkJWTNoAud: {"access tokens have no aud claim (RFC 9068 §3)", func(s *steps, a *Authority) {
		wrapClaims(s, func(_ *exchange, c *tokenClaims) { c.drop = append(c.drop, "aud") })
	}},
	QuirkJWTScopeArray: {"the scope claim is an array, not a string (RFC 9068 §2.2.3)", func(s *steps, a *Authority) {
		wrapClaims(s, func(_ *exchange, c *tokenClaims) {
			if sc, ok := c.Scope.(string); ok {
				c.Scope = strings.Fields(sc)
			}
		})
	}},
	QuirkJWKSWrongKey: {"the JWKS publishes a key that does not verify the tokens", func(s *steps, a *Authority) {
		wrapJWKS(s, func(set *jose.JSONWebKeySet) {
			for i, k := range set.Keys {
				set.Keys[i] = a.decoyKey(k)
			}
		})
	}},
	QuirkJWKSPrivateKey: {"the JWKS publishes the private signing key", func(s *steps, a *Authority) {
		wrapJWKS(s, func(set *jose.JSONWebKeySet) {
			for i := range set.Keys {
				if k := a.currentKey(); set.Keys[i].KeyID == k.kid {
					set.Keys[i].Key = k.private
				}
			}
		})
	}},
	QuirkResourceIgnored: {"resource is accepted but ignored: neither checked nor put into aud (RFC 8707 §2)", func(s *steps, a *Authority) {
		next := s.audience
		s.audience = func(x *exchange, cl *client) ([]string, *oauthError) {
			if len(x.req.resources) > 0 {
				return []string{a.Issuer()}, nil
			}
			return next(x, cl)
		}
	}},
	QuirkResourceUnchecked: {"any resource value is accepted: relative, with a fragment, or unknown (RFC 8707 §2)", func(s *steps, a *Authority) {
		next := s.audience
		s.audience = func(x *exchange, cl *client) ([]string, *oauthError) {
			if len(x.req.resources) > 0 {
				return uniq(x.req.resources), nil
			}
			return next(x, cl)
		}
	}},
	QuirkResourceWrongError: {"an unknown resource is answered invalid_request, not invalid_target (RFC 8707 §2)", func(s *steps, a *Authority) {
		next := s.audience
		s.audience = func(x *exchange, cl *client) ([]string, *oauthError) {
			aud, e := next(x, cl)
			if e != nil && allAbsolute(x.req.resources) {
				e.Code = rfc6749.ErrInvalidRequest
			}
			return aud, e
		}
	}},
	QuirkResourceRepeatRejected: {"two resource parameters are refused as a repeated parameter (RFC 8707 §2 allows several)", func(s *steps, a *Authority) {
		next := s.parseParams
		s.parseParams = func(x *exchange, vals url.Values) (*tokenRequest, *oauthError) {
			req, e := next(x, vals)
			if e == nil && len(req.resources) > 1 {
				return nil, errInvalidRequest("parameter resource is repeated")
			}
			return req, e
		}
	}},
	QuirkMetadataPostFirst: {"the metadata lists client_secret_post before client_secret_basic, as servers preferring body credentials do (conformant)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) {
			if ms, ok := m["token_endpoint_auth_methods_supported"].([]string); ok && len(ms) == 2 {
				m["token_endpoint_auth_methods_supported"] = []string{ms[1], ms[0]}
			}
		})
	}},
	QuirkCrashOnBadEscape: {"an invalid %-escape in HTTP Basic credentials closes the connection without any response, not 401 invalid_client (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		next := s.decodeBasic
		s.decodeBasic = func(x *exchange, cred string) (string, string, *oauthError) {
			if badEscape(cred) {
				return "", "", errAbort
			}
			return next(x, cred)
		}
	}},
	QuirkCrashOnBadEscape500: {"an invalid %-escape in HTTP Basic credentials is answered 500 server_error, not 401 invalid_client (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		next := s.decodeBasic
		s.decodeBasic = func(x *exchange, cred string) (string, string, *oauthError) {
			if badEscape(cred) {
				return "", "", errServer()
			}
			return next(x, cred)
		}
	}},
	QuirkPasswordAccessDenied: {"grant_type=password is answered 403 access_denied, an authorization endpoint code, not unsupported_grant_type (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		next := s.grantType
		s.grantType = func(x *exchange) *oauthError {
			if x.req.params[rfc6749.ParamGrantType] == rfc6749.GrantPassword {
				return &oauthError{Code: "access_denied", Status: http.StatusForbidden, Description: "the resource owner password credentials grant is not allowed"}
			}
			return next(x)
		}
	}},
	QuirkPasswordInvalidRequest: {"grant_type=password is answered invalid_request, not unsupported_grant_type (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		next := s.grantType
		s.grantType = func(x *exchange) *oauthError {
			if x.req.params[rfc6749.ParamGrantType] == rfc6749.GrantPassword {
				return errInvalidRequest("the resource owner password credentials grant is not supported")
			}
			return next(x)
		}
	}},
	QuirkJSONBody401: {"a JSON request body is answered 401 unsupported_grant_type with a Basic challenge, not 400 invalid_request (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		next := s.readBody
		s.readBody = func(x *exchange) (url.Values, *oauthError) {
			if mediaType(x.r) == "application/json" {
				return nil, &oauthError{Code: rfc6749.ErrUnsupportedGrantType, Status: http.StatusUnauthorized, Challenge: true, Description: "grant_type is missing from the request"}
			}
			return next(x)
		}
	}},
	QuirkMultiMethodBodyWins: {"HTTP Basic plus a body client_id issues the token to the body's client, checking no secret (RFC 6749 §2.3)", func(s *steps, a *Authority) {
		nextConflict := s.conflict
		s.conflict = func(x *exchange, c credentials) *oauthError {
			if c.bodyID != "" {
				return nil
			}
			return nextConflict(x, c)
		}
		next := s.verify
		s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
			if c.method == rfc6749.AuthClientSecretBasic && c.bodyID != "" {
				if cl := a.clients[c.bodyID]; cl != nil {
					return cl, nil
				}
				return nil, errInvalidClient("client authentication failed")
			}
			return next(x, c)
		}
	}},
	QuirkJWKSJWKSetType: {"the JWKS is served as application/jwk-set+json, the registered type (RFC 7517 §8.5), as some servers do (conformant)", func(s *steps, a *Authority) {
		next := s.jwks
		s.jwks = func(set *jose.JSONWebKeySet) string {
			next(set)
			return "application/jwk-set+json"
		}
	}},
	QuirkScopeEmptyString: {"a response granting exactly the requested scope carries scope as an empty string (RFC 6749 §3.3, §5.1)", func(s *steps, a *Authority) {
		wrapSuccess(s, func(_ *exchange, r *successResponse) {
			if _, ok := r.Scope.(string); ok && sameScopes(r.scopes, r.requested) {
				r.Scope = ""
			}
		})
	}},
	QuirkScopeRequiredInvalidScope: {"a request without scope is refused with invalid_scope (conformant: RFC 6749 §3.3 lets a server require one)",
		requireScope(func() *oauthError { return errInvalidScope("scope is required") })},
	QuirkErrorDescriptionObject: {"error_description is a JSON object of localised messages, not a string (RFC 6749 §5.2)", func(s *steps, a *Authority) {
		s.errorBody = func(_ *exchange, e *oauthError) (string, []byte) {
			out, _ := json.Marshal(map[string]any{"error": e.Code, "error_description": map[string]string{"en": e.Description}})
			return jsonContentType, out
		}
	}},
	QuirkMetadataScopesString: {"the metadata lists scopes_supported as one space-separated string, not a JSON array (RFC 8414 §2)", func(s *steps, a *Authority) {
		wrapMetadata(s, func(m map[string]any) {
			if sc, ok := m["scopes_supported"].([]string); ok {
				m["scopes_supported"] = strings.Join(sc, " ")
			}
		})
	}},
}

// KnownQuirks lists every quirk, sorted by name.
func KnownQuirks() []Quirk {
	qs := make([]Quirk, 0, len(quirkTable))
	for q := range quirkTable {
		qs = append(qs, q)
	}
	slices.Sort(qs)
	return qs
}

// Description says what the quirk breaks; empty for an unknown quirk.
func (q Quirk) Description() string { return quirkTable[q].breaks }

// The wrappers below attach a change after the reference step.

func wrapFailure(s *steps, f func(x *exchange, e *oauthError)) {
	next := s.failure
	s.failure = func(x *exchange, e *oauthError) { next(x, e); f(x, e) }
}

func wrapSuccess(s *steps, f func(x *exchange, r *successResponse)) {
	next := s.success
	s.success = func(x *exchange, r *successResponse) { next(x, r); f(x, r) }
}

func wrapClaims(s *steps, f func(x *exchange, c *tokenClaims)) {
	next := s.claims
	s.claims = func(x *exchange, c *tokenClaims) { next(x, c); f(x, c) }
}

func wrapMetadata(s *steps, f func(m map[string]any)) {
	next := s.metadata
	s.metadata = func(m map[string]any) { next(m); f(m) }
}

func wrapJWKS(s *steps, f func(set *jose.JSONWebKeySet)) {
	next := s.jwks
	s.jwks = func(set *jose.JSONWebKeySet) string { ct := next(set); f(set); return ct }
}

// requireScope refuses a request that names no scope with refuse().
func requireScope(refuse func() *oauthError) deviation {
	return func(s *steps, a *Authority) {
		next := s.grantScope
		s.grantScope = func(x *exchange, cl *client) ([]string, bool, *oauthError) {
			if toks, ok := rfc6749.ParseScope(x.req.params[rfc6749.ParamScope]); ok && len(toks) == 0 {
				return nil, false, refuse()
			}
			return next(x, cl)
		}
	}
}

// errServer is the 500 a crashing server answers.
func errServer() *oauthError {
	return &oauthError{Code: rfc6749.ErrServerError, Status: http.StatusInternalServerError, Description: "internal error"}
}

// splitBasic base64-decodes a Basic credential and splits it at the first
// colon, without the form-decoding of Appendix B.
func splitBasic(cred string) (id, secret string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}

// badEscape reports whether the id or the secret of a Basic credential
// holds a %-escape that form-urldecoding rejects.
func badEscape(cred string) bool {
	id, secret, ok := splitBasic(cred)
	if !ok {
		return false
	}
	_, err1 := url.QueryUnescape(id)
	_, err2 := url.QueryUnescape(secret)
	return err1 != nil || err2 != nil
}

// knownParams are the parameters the token endpoint reads.
var knownParams = []string{
	rfc6749.ParamGrantType, rfc6749.ParamScope, rfc6749.ParamClientID, rfc6749.ParamClientSecret,
	rfc6749.ParamClientAssertion, rfc6749.ParamClientAssertionType, rfc6749.ParamResource,
}

func mediaType(r *http.Request) string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

// readJSONForm reads a JSON object of strings as the parameters.
func readJSONForm(x *exchange) (url.Values, *oauthError) {
	var m map[string]string
	if err := json.NewDecoder(http.MaxBytesReader(x.w, x.r.Body, MaxBodyBytes)).Decode(&m); err != nil {
		return nil, errInvalidRequest("request body is not a JSON object of strings")
	}
	vals := url.Values{}
	for k, v := range m {
		vals.Set(k, v)
	}
	return vals, nil
}

// presentedSecret is the secret a request presented.
func presentedSecret(x *exchange) string {
	if x.req != nil && x.req.params[rfc6749.ParamClientSecret] != "" {
		return x.req.params[rfc6749.ParamClientSecret]
	}
	if _, pass, ok := x.r.BasicAuth(); ok {
		if s, err := url.QueryUnescape(pass); err == nil {
			return s
		}
	}
	return ""
}

// sameScopes reports whether a scope parameter was sent and the granted
// scopes are exactly its tokens.
func sameScopes(granted []string, requested string) bool {
	asked := strings.Fields(requested)
	if len(asked) == 0 {
		return false
	}
	for _, s := range asked {
		if !slices.Contains(granted, s) {
			return false
		}
	}
	for _, s := range granted {
		if !slices.Contains(asked, s) {
			return false
		}
	}
	return true
}

// allAbsolute reports whether every resource is an absolute URI without a
// fragment.
func allAbsolute(res []string) bool {
	for _, r := range res {
		if checkAbsoluteURI(r) != nil {
			return false
		}
	}
	return true
}

func uniq(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// anyScopes is every scope any client has.
func (a *Authority) anyScopes() []string {
	var out []string
	for _, id := range a.order {
		for _, s := range a.clients[id].Scopes {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// signWith signs with the signing key under another typ header.
func (a *Authority) signWith(c *tokenClaims, typ string) (string, error) {
	cur := a.currentKey()
	v, ok := a.extraKeys.Load("typ:" + typ + ":" + cur.kid)
	if !ok {
		k, err := newSigningKey(cur.private, string(cur.alg), typ)
		if err != nil {
			return "", err
		}
		v, _ = a.extraKeys.LoadOrStore("typ:"+typ+":"+cur.kid, k)
	}
	payload, err := c.payload()
	if err != nil {
		return "", err
	}
	return v.(*signingKey).compact(payload)
}

// decoyKey is a fresh public key under k's kid: published, but it
// verifies nothing.
func (a *Authority) decoyKey(k jose.JSONWebKey) jose.JSONWebKey {
	v, ok := a.extraKeys.Load("decoy:" + k.KeyID)
	if !ok {
		priv, err := generateKey(k.Algorithm)
		if err != nil {
			return k
		}
		d := jose.JSONWebKey{Key: priv.Public(), KeyID: k.KeyID, Algorithm: k.Algorithm, Use: "sig"}
		v, _ = a.extraKeys.LoadOrStore("decoy:"+k.KeyID, d)
	}
	return v.(jose.JSONWebKey)
}

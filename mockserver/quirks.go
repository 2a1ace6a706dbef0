package mockserver

import (
	"slices"
	"sort"
)

// Quirk names one deliberate deviation from the RFCs. Each mirrors a bug
// seen in real authorization servers; the conformance suite must catch every
// one. Quirks are off unless listed in Config.Quirks.
type Quirk string

// The quirks. The comment on each names what it breaks.
const (
	// QuirkBasic400 answers invalid_client with 400 even after HTTP Basic
	// (RFC 6749 §5.2 requires 401 and a challenge).
	QuirkBasic400 Quirk = "basic-400"
	// QuirkNoWWWAuthenticate answers 401 without WWW-Authenticate.
	QuirkNoWWWAuthenticate Quirk = "no-www-authenticate"
	// QuirkWrongSecretUnauthorizedClient answers unauthorized_client for a
	// failed client authentication.
	QuirkWrongSecretUnauthorizedClient Quirk = "wrong-secret-unauthorized-client"
	// QuirkWrongSecretInvalidGrant answers invalid_grant for a failed client
	// authentication.
	QuirkWrongSecretInvalidGrant Quirk = "wrong-secret-invalid-grant"
	// QuirkNonRegistryError answers a scope problem with the resource-server
	// code insufficient_scope, which the token endpoint registry lacks.
	QuirkNonRegistryError Quirk = "non-registry-error"
	// QuirkForbiddenGrant answers a client that may not use the grant with
	// 403 instead of 400 unauthorized_client.
	QuirkForbiddenGrant Quirk = "forbidden-grant"
	// QuirkUnknownGrantInvalidRequest answers an unknown grant_type with
	// invalid_request instead of unsupported_grant_type.
	QuirkUnknownGrantInvalidRequest Quirk = "unknown-grant-invalid-request"
	// QuirkMissingGrantInvalidClient answers a missing grant_type with
	// invalid_client instead of invalid_request.
	QuirkMissingGrantInvalidClient Quirk = "missing-grant-invalid-client"
	// QuirkRefreshToken adds a refresh_token to client credentials responses
	// (RFC 6749 §4.4.3 says it should not).
	QuirkRefreshToken Quirk = "refresh-token"
	// QuirkExpiresInString sends expires_in as a JSON string.
	QuirkExpiresInString Quirk = "expires-in-string"
	// QuirkNoCacheControl drops Cache-Control: no-store.
	QuirkNoCacheControl Quirk = "no-cache-control"
	// QuirkNoPragma drops Pragma: no-cache.
	QuirkNoPragma Quirk = "no-pragma"
	// QuirkBasicRaw uses the Basic user and password without the
	// form-urldecoding of Appendix B.
	QuirkBasicRaw Quirk = "basic-raw"
	// QuirkBasicPercentOnly percent-decodes Basic credentials but leaves '+'
	// as '+' (path unescaping instead of form decoding).
	QuirkBasicPercentOnly Quirk = "basic-percent-only"
	// QuirkBasicSplitEveryColon decodes the whole Basic credential first and
	// then splits it at every colon, so encoded colons in ids and secrets
	// break authentication.
	QuirkBasicSplitEveryColon Quirk = "basic-split-every-colon"
	// QuirkAnyAuthScheme reads Basic credentials from any Authorization
	// scheme.
	QuirkAnyAuthScheme Quirk = "any-auth-scheme"
	// QuirkTwoAuthMethods accepts HTTP Basic and body credentials in one
	// request, preferring the header.
	QuirkTwoAuthMethods Quirk = "two-auth-methods"
	// QuirkRepeatedParams accepts repeated parameters, the first one wins.
	QuirkRepeatedParams Quirk = "repeated-params"
	// QuirkQueryParams merges the URL query into the body parameters, so
	// credentials and grant_type are read from the request URI.
	QuirkQueryParams Quirk = "query-params"
	// QuirkAcceptGET issues tokens for GET requests with query parameters.
	QuirkAcceptGET Quirk = "accept-get"
	// QuirkAnySecret accepts any secret for a known client.
	QuirkAnySecret Quirk = "any-secret"
	// QuirkUnknownClients accepts any client id with any secret.
	QuirkUnknownClients Quirk = "unknown-clients"
	// QuirkScopesNotEnforced grants every requested scope.
	QuirkScopesNotEnforced Quirk = "scopes-not-enforced"
	// QuirkWidenedScopeHidden grants all of the client's scopes whatever was
	// asked and omits the scope member from the response.
	QuirkWidenedScopeHidden Quirk = "widened-scope-hidden"
	// QuirkNoTokenType omits token_type.
	QuirkNoTokenType Quirk = "no-token-type"
	// QuirkErrorNotJSON sends error responses as text/html pages.
	QuirkErrorNotJSON Quirk = "error-not-json"
	// QuirkError200 sends error responses with status 200.
	QuirkError200 Quirk = "error-200"
	// QuirkMalformedBasic500 answers a malformed Basic header with 500.
	QuirkMalformedBasic500 Quirk = "malformed-basic-500"
	// QuirkRejectUnknownParams answers unknown parameters with
	// invalid_request instead of ignoring them (§3.2).
	QuirkRejectUnknownParams Quirk = "reject-unknown-params"
	// QuirkEmptyScopeInvalid answers scope= (empty) with invalid_scope
	// instead of treating it as absent (§3.2).
	QuirkEmptyScopeInvalid Quirk = "empty-scope-invalid"
	// QuirkQuotedErrorDescription puts '"' and non-ASCII characters into
	// error_description (Appendix A.8 forbids them).
	QuirkQuotedErrorDescription Quirk = "quoted-error-description"
	// QuirkFormResponse sends the success body form-encoded, not as JSON.
	QuirkFormResponse Quirk = "form-response"
	// QuirkJWTTypJWT writes typ: JWT into access tokens instead of at+jwt
	// (RFC 9068 §2.1).
	QuirkJWTTypJWT Quirk = "jwt-typ-jwt"
)

var quirkDescriptions = map[Quirk]string{
	QuirkBasic400:                      "invalid_client after HTTP Basic is a 400 without a challenge, not 401 (RFC 6749 §5.2)",
	QuirkNoWWWAuthenticate:             "401 responses carry no WWW-Authenticate challenge (RFC 6749 §5.2)",
	QuirkWrongSecretUnauthorizedClient: "a failed client authentication is reported as unauthorized_client, not invalid_client",
	QuirkWrongSecretInvalidGrant:       "a failed client authentication is reported as invalid_grant, not invalid_client",
	QuirkNonRegistryError:              "a scope the client may not have is answered with insufficient_scope, a code not in the token endpoint registry",
	QuirkForbiddenGrant:                "a client not allowed client_credentials gets 403, not 400 unauthorized_client",
	QuirkUnknownGrantInvalidRequest:    "an unknown grant_type is answered invalid_request, not unsupported_grant_type",
	QuirkMissingGrantInvalidClient:     "a missing grant_type is answered invalid_client, not invalid_request",
	QuirkRefreshToken:                  "client credentials responses carry a refresh_token (RFC 6749 §4.4.3)",
	QuirkExpiresInString:               "expires_in is a JSON string, not a number (RFC 6749 §5.1)",
	QuirkNoCacheControl:                "token endpoint responses lack Cache-Control: no-store (RFC 6749 §5.1)",
	QuirkNoPragma:                      "token endpoint responses lack Pragma: no-cache (RFC 6749 §5.1)",
	QuirkBasicRaw:                      "HTTP Basic credentials are not form-urldecoded (RFC 6749 §2.3.1, Appendix B)",
	QuirkBasicPercentOnly:              "HTTP Basic credentials are percent-decoded but '+' is not turned into a space (Appendix B)",
	QuirkBasicSplitEveryColon:          "HTTP Basic credentials are decoded first and then split at every colon",
	QuirkAnyAuthScheme:                 "any Authorization scheme is read as Basic credentials",
	QuirkTwoAuthMethods:                "HTTP Basic and body credentials together are accepted (RFC 6749 §2.3)",
	QuirkRepeatedParams:                "repeated parameters are accepted, first value wins (RFC 6749 §3.2)",
	QuirkQueryParams:                   "parameters and client credentials are read from the URL query too (RFC 6749 §2.3.1, §4.4.2)",
	QuirkAcceptGET:                     "GET requests with query parameters get tokens (RFC 6749 §3.2)",
	QuirkAnySecret:                     "any secret is accepted for a known client",
	QuirkUnknownClients:                "unknown client ids are accepted with any secret",
	QuirkScopesNotEnforced:             "every requested scope is granted, allowed or not (RFC 6749 §3.3)",
	QuirkWidenedScopeHidden:            "all of a client's scopes are granted whatever it asked for, and scope is left out of the response (RFC 6749 §5.1)",
	QuirkNoTokenType:                   "token_type is missing from the response (RFC 6749 §5.1)",
	QuirkErrorNotJSON:                  "error responses are HTML pages, not JSON (RFC 6749 §5.2)",
	QuirkError200:                      "error responses use status 200 with an error member (RFC 6749 §5.2)",
	QuirkMalformedBasic500:             "a malformed Basic header crashes the handler: 500",
	QuirkRejectUnknownParams:           "unknown parameters are rejected instead of ignored (RFC 6749 §3.2)",
	QuirkEmptyScopeInvalid:             "scope= (empty) is rejected as invalid_scope instead of treated as absent (RFC 6749 §3.2)",
	QuirkQuotedErrorDescription:        "error_description carries '\"' and non-ASCII characters (RFC 6749 Appendix A.8)",
	QuirkFormResponse:                  "the success body is form-encoded, not JSON (RFC 6749 §5.1)",
	QuirkJWTTypJWT:                     "JWT access tokens carry typ JWT, not at+jwt (RFC 9068 §2.1)",
}

// Quirks lists every quirk, sorted by name.
func Quirks() []Quirk {
	qs := make([]Quirk, 0, len(quirkDescriptions))
	for q := range quirkDescriptions {
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i] < qs[j] })
	return qs
}

// Description says what the quirk breaks; empty for an unknown quirk.
func (q Quirk) Description() string { return quirkDescriptions[q] }

// quirkSet is the switched-on quirks, looked up on the request path.
type quirkSet map[Quirk]bool

func newQuirkSet(qs []Quirk) quirkSet {
	s := quirkSet{}
	for _, q := range qs {
		s[q] = true
	}
	return s
}

func (s quirkSet) on(q Quirk) bool { return s[q] }

func (s quirkSet) list() []Quirk {
	out := make([]Quirk, 0, len(s))
	for q := range s {
		out = append(out, q)
	}
	slices.Sort(out)
	return out
}

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
	// QuirkAnyMethod processes PUT, PATCH, DELETE and OPTIONS requests like
	// POST.
	QuirkAnyMethod Quirk = "any-method"
	// QuirkAcceptJSONBody reads a JSON request body as the parameters.
	QuirkAcceptJSONBody Quirk = "accept-json-body"
	// QuirkStrictContentType compares Content-Type as an exact string.
	QuirkStrictContentType Quirk = "strict-content-type"
	// QuirkEmptyValuesKept treats grant_type= and scope= as present values.
	QuirkEmptyValuesKept Quirk = "empty-values-kept"
	// QuirkDefaultGrantType assumes client_credentials when grant_type is
	// missing.
	QuirkDefaultGrantType Quirk = "default-grant-type"
	// QuirkAnyGrantType issues client credentials tokens whatever grant_type
	// says.
	QuirkAnyGrantType Quirk = "any-grant-type"
	// QuirkGrantTypesNotEnforced ignores the client's allowed grant types.
	QuirkGrantTypesNotEnforced Quirk = "grant-types-not-enforced"
	// QuirkNoClientAuth issues tokens to requests without credentials.
	QuirkNoClientAuth Quirk = "no-client-auth"
	// QuirkMissingAuthInvalidRequest answers missing credentials with
	// invalid_request.
	QuirkMissingAuthInvalidRequest Quirk = "missing-auth-invalid-request"
	// QuirkClientIDAlone authenticates a client by client_id alone.
	QuirkClientIDAlone Quirk = "client-id-alone"
	// QuirkNoBasic refuses HTTP Basic while advertising it.
	QuirkNoBasic Quirk = "no-basic"
	// QuirkNoPost refuses body credentials while advertising them.
	QuirkNoPost Quirk = "no-post"
	// QuirkBasicSchemeCaseSensitive accepts only "Basic", not "basic".
	QuirkBasicSchemeCaseSensitive Quirk = "basic-scheme-case-sensitive"
	// QuirkClientIDWithBasicRejected refuses a client_id parameter next to
	// HTTP Basic.
	QuirkClientIDWithBasicRejected Quirk = "client-id-with-basic-rejected"
	// QuirkScopeRequired refuses requests without scope as invalid_request.
	QuirkScopeRequired Quirk = "scope-required"
	// QuirkScopeCaseInsensitive folds scope tokens to lower case.
	QuirkScopeCaseInsensitive Quirk = "scope-case-insensitive"
	// QuirkStatus201 answers success with 201 Created.
	QuirkStatus201 Quirk = "status-201"
	// QuirkDuplicateMember writes token_type twice in the success body.
	QuirkDuplicateMember Quirk = "duplicate-member"
	// QuirkAccessTokenNonASCII appends a non-ASCII character to tokens.
	QuirkAccessTokenNonASCII Quirk = "access-token-non-ascii"
	// QuirkExpiresInFraction sends a fractional expires_in.
	QuirkExpiresInFraction Quirk = "expires-in-fraction"
	// QuirkScopeArray sends the granted scope as a JSON array.
	QuirkScopeArray Quirk = "scope-array"
	// QuirkEchoSecret puts the presented client secret into error
	// descriptions.
	QuirkEchoSecret Quirk = "echo-secret"
	// QuirkFixedJTI gives every token the same jti.
	QuirkFixedJTI Quirk = "fixed-jti"
	// QuirkErrorCodeChars answers an unknown grant with an error code
	// holding '"' characters.
	QuirkErrorCodeChars Quirk = "error-code-chars"
	// QuirkBadErrorURI adds an error_uri with a space in it.
	QuirkBadErrorURI Quirk = "bad-error-uri"
	// QuirkNoRealm sends a Basic challenge without realm.
	QuirkNoRealm Quirk = "no-realm"
	// QuirkTokenInError adds "refresh_token": null to error bodies.
	QuirkTokenInError Quirk = "token-in-error"
	// QuirkIssuerMismatch publishes the issuer with a trailing slash in the
	// metadata while tokens carry it without.
	QuirkIssuerMismatch Quirk = "issuer-mismatch"
	// QuirkMethods501 answers PUT, PATCH and DELETE with 501 Not
	// Implemented. Conformant: RFC 9110 §15.6.2 names 501 for a method the
	// server does not recognise.
	QuirkMethods501 Quirk = "methods-501"
	// QuirkNoClientCredentials refuses the client_credentials grant to
	// every client.
	QuirkNoClientCredentials Quirk = "no-client-credentials"
	// QuirkJWTClientIDOther names another client in the client_id claim.
	QuirkJWTClientIDOther Quirk = "jwt-client-id-other"
	// QuirkJWTAudEmpty gives tokens requested without resource an empty
	// aud.
	QuirkJWTAudEmpty Quirk = "jwt-aud-empty"
	// QuirkPost401NoChallenge answers a failed body-credential
	// authentication with 401 but no WWW-Authenticate.
	QuirkPost401NoChallenge Quirk = "post-401-no-challenge"
	// QuirkClientIDAloneInvalidRequest answers client_id without a secret
	// with invalid_request.
	QuirkClientIDAloneInvalidRequest Quirk = "client-id-alone-invalid-request"
	// QuirkScopeNarrowedHidden grants only the first of several requested
	// scopes and leaves scope out of the response.
	QuirkScopeNarrowedHidden Quirk = "scope-narrowed-hidden"
	// QuirkIssuerOtherPath publishes an issuer with a path the document's
	// own URL was not built from.
	QuirkIssuerOtherPath Quirk = "issuer-other-path"
	// QuirkIssuerQuery publishes an issuer with a query component.
	QuirkIssuerQuery Quirk = "issuer-query"
	// QuirkMetadataNoTokenEndpoint leaves token_endpoint out of the
	// metadata.
	QuirkMetadataNoTokenEndpoint Quirk = "metadata-no-token-endpoint"
	// QuirkMetadataWrongTokenEndpoint advertises another token endpoint URL.
	QuirkMetadataWrongTokenEndpoint Quirk = "metadata-wrong-token-endpoint"
	// QuirkMetadataTokenEndpointFragment advertises a token endpoint with a
	// fragment.
	QuirkMetadataTokenEndpointFragment Quirk = "metadata-token-endpoint-fragment"
	// QuirkMetadataNoGrantTypes omits grant_types_supported.
	QuirkMetadataNoGrantTypes Quirk = "metadata-no-grant-types"
	// QuirkMetadataAlgNone advertises none as a token endpoint signing alg.
	QuirkMetadataAlgNone Quirk = "metadata-alg-none"
	// QuirkMetadataNoJWKSURI omits jwks_uri although tokens are JWTs.
	QuirkMetadataNoJWKSURI Quirk = "metadata-no-jwks-uri"
	// QuirkJWTAlgNone issues unsigned (alg none) access tokens.
	QuirkJWTAlgNone Quirk = "jwt-alg-none"
	// QuirkJWTMissingClaims leaves client_id and jti out of tokens.
	QuirkJWTMissingClaims Quirk = "jwt-missing-claims"
	// QuirkJWTSubNotClient puts another identifier than the client into sub.
	QuirkJWTSubNotClient Quirk = "jwt-sub-not-client"
	// QuirkJWTExpMismatch makes exp disagree with expires_in.
	QuirkJWTExpMismatch Quirk = "jwt-exp-mismatch"
	// QuirkJWTNoAud leaves aud out of tokens.
	QuirkJWTNoAud Quirk = "jwt-no-aud"
	// QuirkJWTScopeArray writes the scope claim as an array.
	QuirkJWTScopeArray Quirk = "jwt-scope-array"
	// QuirkJWKSWrongKey publishes a key that does not verify the tokens.
	QuirkJWKSWrongKey Quirk = "jwks-wrong-key"
	// QuirkJWKSPrivateKey publishes the private key in the JWKS.
	QuirkJWKSPrivateKey Quirk = "jwks-private-key"
	// QuirkResourceIgnored accepts resource but leaves it out of aud.
	QuirkResourceIgnored Quirk = "resource-ignored"
	// QuirkResourceUnchecked accepts any resource value: relative, with a
	// fragment, or unknown.
	QuirkResourceUnchecked Quirk = "resource-unchecked"
	// QuirkResourceWrongError answers an unknown resource with
	// invalid_request instead of invalid_target.
	QuirkResourceWrongError Quirk = "resource-wrong-error"
	// QuirkResourceRepeatRejected treats a second resource as a repeated
	// parameter.
	QuirkResourceRepeatRejected Quirk = "resource-repeat-rejected"
	// QuirkMetadataPostFirst lists client_secret_post before
	// client_secret_basic in token_endpoint_auth_methods_supported.
	// Conformant in itself; it reproduces servers that list body credentials
	// first.
	QuirkMetadataPostFirst Quirk = "metadata-post-first"
	// QuirkCrashOnBadEscape drops the connection without any response when
	// an HTTP Basic id or secret holds an invalid %-escape.
	QuirkCrashOnBadEscape Quirk = "crash-on-bad-escape"
	// QuirkCrashOnBadEscape500 answers an HTTP Basic id or secret holding an
	// invalid %-escape with 500 server_error instead of invalid_client.
	QuirkCrashOnBadEscape500 Quirk = "crash-on-bad-escape-500"
	// QuirkPasswordAccessDenied answers grant_type=password with 403
	// access_denied, a code of the authorization endpoint (RFC 6749
	// §4.1.2.1), instead of unsupported_grant_type.
	QuirkPasswordAccessDenied Quirk = "password-access-denied"
	// QuirkPasswordInvalidRequest answers grant_type=password with
	// invalid_request instead of unsupported_grant_type.
	QuirkPasswordInvalidRequest Quirk = "password-invalid-request"
	// QuirkJSONBody401 answers a JSON request body with 401
	// unsupported_grant_type and a Basic challenge instead of 400
	// invalid_request.
	QuirkJSONBody401 Quirk = "json-body-401"
	// QuirkMultiMethodBodyWins accepts HTTP Basic and a body client_id
	// together and issues the token to the body's client, checking neither
	// its secret nor the Basic credentials.
	QuirkMultiMethodBodyWins Quirk = "multi-method-body-wins"
	// QuirkJWKSJWKSetType serves the JWKS as application/jwk-set+json, the
	// registered type (RFC 7517 §8.5). Conformant; it reproduces real
	// servers.
	QuirkJWKSJWKSetType Quirk = "jwks-jwk-set-type"
	// QuirkScopeEmptyString answers a request granted exactly the scope it
	// asked for with "scope": "" instead of the scope.
	QuirkScopeEmptyString Quirk = "scope-empty-string"
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
	QuirkAnyMethod:                     "PUT, PATCH, DELETE and OPTIONS requests get tokens like POST (RFC 6749 §3.2)",
	QuirkAcceptJSONBody:                "a JSON request body is accepted as the parameters (RFC 6749 §4.4.2)",
	QuirkStrictContentType:             "Content-Type must equal application/x-www-form-urlencoded exactly: no charset, no other case",
	QuirkEmptyValuesKept:               "grant_type= and scope= count as present values, not as omitted (RFC 6749 §3.2)",
	QuirkDefaultGrantType:              "a missing grant_type is taken to mean client_credentials",
	QuirkAnyGrantType:                  "any grant_type, password included, yields a client credentials token",
	QuirkGrantTypesNotEnforced:         "clients get client_credentials tokens whatever grant types they are allowed",
	QuirkNoClientAuth:                  "a request without any client credentials gets a token",
	QuirkMissingAuthInvalidRequest:     "missing client credentials are answered invalid_request, not invalid_client",
	QuirkClientIDAlone:                 "client_id without a secret authenticates a confidential client (RFC 6749 §3.2.1)",
	QuirkNoBasic:                       "HTTP Basic is refused although the metadata advertises client_secret_basic (RFC 6749 §2.3.1)",
	QuirkNoPost:                        "body credentials are refused although the metadata advertises client_secret_post",
	QuirkBasicSchemeCaseSensitive:      "the scheme must be written Basic; basic is refused (RFC 9110 §11.1)",
	QuirkClientIDWithBasicRejected:     "a client_id parameter next to HTTP Basic is refused as a second method (RFC 6749 §3.2.1)",
	QuirkScopeRequired:                 "a request without scope is refused as invalid_request (RFC 6749 §3.3)",
	QuirkScopeCaseInsensitive:          "scope tokens are folded to lower case, so READ is granted as read (RFC 6749 §3.3)",
	QuirkStatus201:                     "successful token responses use 201 Created (RFC 6749 §5.1)",
	QuirkDuplicateMember:               "the success body has token_type twice (RFC 6749 §3.2)",
	QuirkAccessTokenNonASCII:           "access tokens end in a non-ASCII character (RFC 6749 Appendix A.12)",
	QuirkExpiresInFraction:             "expires_in is a fraction of seconds (RFC 6749 Appendix A.14)",
	QuirkScopeArray:                    "the granted scope is a JSON array, not a string (RFC 6749 §3.3)",
	QuirkEchoSecret:                    "error descriptions repeat the client secret the request presented (RFC 6749 §10.8)",
	QuirkFixedJTI:                      "every access token carries the same jti (RFC 6749 §10.10, RFC 9068)",
	QuirkErrorCodeChars:                "an unknown grant is answered with an error code holding '\"' (RFC 6749 Appendix A.7)",
	QuirkBadErrorURI:                   "error responses carry an error_uri with a space (RFC 6749 Appendix A.9)",
	QuirkNoRealm:                       "the Basic challenge has no realm (RFC 7617 §2)",
	QuirkTokenInError:                  "error bodies carry a refresh_token member (RFC 6749 §5.2)",
	QuirkIssuerMismatch:                "the metadata issuer has a trailing slash the tokens' iss lacks (RFC 8414 §3.3)",
	QuirkMethods501:                    "PUT, PATCH and DELETE are answered 501 Not Implemented (conformant: RFC 9110 §15.6.2), not 405",
	QuirkNoClientCredentials:           "every client_credentials request is refused with unauthorized_client, whatever the client (RFC 6749 §4.4)",
	QuirkJWTClientIDOther:              "the client_id claim names another client than the one authenticated (RFC 9068 §2.2)",
	QuirkJWTAudEmpty:                   "tokens requested without resource carry an empty aud (RFC 9068 §3: a default audience is required)",
	QuirkPost401NoChallenge:            "a failed body-credential authentication is answered 401 without WWW-Authenticate (RFC 9110 §15.5.2)",
	QuirkClientIDAloneInvalidRequest:   "client_id without a secret is answered invalid_request, not invalid_client",
	QuirkScopeNarrowedHidden:           "of several requested scopes only the first is granted, and scope is left out of the response (RFC 6749 §5.1)",
	QuirkIssuerOtherPath:               "the metadata names an issuer with another path than the one its URL was built from (RFC 8414 §3.3)",
	QuirkIssuerQuery:                   "the metadata issuer has a query component (RFC 8414 §2)",
	QuirkMetadataNoTokenEndpoint:       "the metadata omits token_endpoint (RFC 8414 §2)",
	QuirkMetadataWrongTokenEndpoint:    "the metadata advertises a token endpoint other than the real one",
	QuirkMetadataTokenEndpointFragment: "the metadata token_endpoint has a fragment (RFC 6749 §3.2)",
	QuirkMetadataNoGrantTypes:          "the metadata omits grant_types_supported, whose default excludes client_credentials",
	QuirkMetadataAlgNone:               "the metadata lists none among token endpoint signing algorithms (RFC 8414 §2)",
	QuirkMetadataNoJWKSURI:             "the metadata omits jwks_uri although tokens are JWTs",
	QuirkJWTAlgNone:                    "access tokens are unsigned JWTs with alg none (RFC 9068 §2.1)",
	QuirkJWTMissingClaims:              "access tokens lack the client_id and jti claims (RFC 9068 §2.2)",
	QuirkJWTSubNotClient:               "the sub claim is not the client's identifier (RFC 9068 §2.2)",
	QuirkJWTExpMismatch:                "exp - iat of access tokens is twice expires_in",
	QuirkJWTNoAud:                      "access tokens have no aud claim (RFC 9068 §3)",
	QuirkJWTScopeArray:                 "the scope claim is an array, not a string (RFC 9068 §2.2.3)",
	QuirkJWKSWrongKey:                  "the JWKS publishes a key that does not verify the tokens",
	QuirkJWKSPrivateKey:                "the JWKS publishes the private signing key",
	QuirkResourceIgnored:               "resource is accepted but ignored: neither checked nor put into aud (RFC 8707 §2)",
	QuirkResourceUnchecked:             "any resource value is accepted: relative, with a fragment, or unknown (RFC 8707 §2)",
	QuirkResourceWrongError:            "an unknown resource is answered invalid_request, not invalid_target (RFC 8707 §2)",
	QuirkResourceRepeatRejected:        "two resource parameters are refused as a repeated parameter (RFC 8707 §2 allows several)",
	QuirkMetadataPostFirst:             "the metadata lists client_secret_post before client_secret_basic, as servers preferring body credentials do (conformant)",
	QuirkCrashOnBadEscape:              "an invalid %-escape in HTTP Basic credentials closes the connection without any response, not 401 invalid_client (RFC 6749 §5.2)",
	QuirkCrashOnBadEscape500:           "an invalid %-escape in HTTP Basic credentials is answered 500 server_error, not 401 invalid_client (RFC 6749 §5.2)",
	QuirkPasswordAccessDenied:          "grant_type=password is answered 403 access_denied, an authorization endpoint code, not unsupported_grant_type (RFC 6749 §5.2)",
	QuirkPasswordInvalidRequest:        "grant_type=password is answered invalid_request, not unsupported_grant_type (RFC 6749 §5.2)",
	QuirkJSONBody401:                   "a JSON request body is answered 401 unsupported_grant_type with a Basic challenge, not 400 invalid_request (RFC 6749 §5.2)",
	QuirkMultiMethodBodyWins:           "HTTP Basic plus a body client_id issues the token to the body's client, checking no secret (RFC 6749 §2.3)",
	QuirkJWKSJWKSetType:                "the JWKS is served as application/jwk-set+json, the registered type (RFC 7517 §8.5), as some servers do (conformant)",
	QuirkScopeEmptyString:              "a response granting exactly the requested scope carries scope as an empty string (RFC 6749 §3.3, §5.1)",
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

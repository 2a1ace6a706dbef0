// Package rfc6749 holds the wire vocabulary of OAuth 2.0 (RFC 6749 and the
// RFCs around its token endpoint): parameter names, grant types, error codes,
// client authentication method names, and the character-set rules of
// Appendix A. Both the reference server and the conformance suite speak
// through it, so the two can never disagree on a spelling.
package rfc6749

import "strings"

// Token request parameter names (RFC 6749 §4.4.2, §2.3.1; RFC 7521 §4.2; RFC 8707 §2).
const (
	ParamGrantType           = "grant_type"
	ParamScope               = "scope"
	ParamClientID            = "client_id"
	ParamClientSecret        = "client_secret"
	ParamClientAssertion     = "client_assertion"
	ParamClientAssertionType = "client_assertion_type"
	ParamResource            = "resource"
)

// Grant types (RFC 6749 §4).
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
)

// Error codes of the token endpoint (RFC 6749 §5.2) and registered extensions.
const (
	ErrInvalidRequest       = "invalid_request"
	ErrInvalidClient        = "invalid_client"
	ErrInvalidGrant         = "invalid_grant"
	ErrUnauthorizedClient   = "unauthorized_client"
	ErrUnsupportedGrantType = "unsupported_grant_type"
	ErrInvalidScope         = "invalid_scope"
	ErrInvalidTarget        = "invalid_target"         // RFC 8707 §2
	ErrUnsupportedTokenType = "unsupported_token_type" // RFC 7009 §2.2.1
	ErrServerError          = "server_error"           // RFC 6749 §4.1.2.1, seen at token endpoints
	ErrTemporarilyUnavail   = "temporarily_unavailable"
	ErrInvalidDPoPProof     = "invalid_dpop_proof" // RFC 9449 §5, §12.2
	ErrUseDPoPNonce         = "use_dpop_nonce"     // RFC 9449 §8, §12.2
)

// KnownErrorCodes lists the codes a token endpoint may legitimately return:
// the six of §5.2 plus registered extensions (RFC 6749 §8.5, §11.4).
var KnownErrorCodes = []string{
	ErrInvalidRequest, ErrInvalidClient, ErrInvalidGrant, ErrUnauthorizedClient,
	ErrUnsupportedGrantType, ErrInvalidScope, ErrInvalidTarget, ErrUnsupportedTokenType,
	ErrServerError, ErrTemporarilyUnavail, ErrInvalidDPoPProof, ErrUseDPoPNonce,
}

// Client authentication method names (RFC 7591 §2, RFC 8414 §2).
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthClientSecretJWT   = "client_secret_jwt"
	AuthPrivateKeyJWT     = "private_key_jwt"
	AuthNone              = "none"
)

// TokenTypeBearer is the token type of RFC 6750; compared case-insensitively (§5.1).
const TokenTypeBearer = "Bearer"

// TokenTypeDPoP is the token type of a DPoP-bound access token (RFC 9449
// §5); compared case-insensitively too.
const TokenTypeDPoP = "DPoP"

// HeaderDPoP carries a DPoP proof (RFC 9449 §4.1); HeaderDPoPNonce a
// server-provided nonce (§8).
const (
	HeaderDPoP      = "DPoP"
	HeaderDPoPNonce = "DPoP-Nonce"
)

// IsErrorChar reports whether c may appear in an error code or
// error_description: %x20-21 / %x23-5B / %x5D-7E (Appendix A.7, A.8).
func IsErrorChar(c byte) bool {
	return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
}

// IsScopeChar reports whether c may appear in a scope token:
// %x21 / %x23-5B / %x5D-7E (§3.3, Appendix A.4).
func IsScopeChar(c byte) bool {
	return c != 0x20 && IsErrorChar(c)
}

// ValidErrorText reports whether s uses only the characters Appendix A.7/A.8
// allow in error and error_description values.
func ValidErrorText(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsErrorChar(s[i]) {
			return false
		}
	}
	return true
}

// ValidErrorURI reports whether s uses only the characters Appendix A.9
// allows in error_uri: %x21 / %x23-5B / %x5D-7E.
func ValidErrorURI(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsScopeChar(s[i]) {
			return false
		}
	}
	return true
}

// ParseScope splits a scope parameter into its tokens. It reports false when
// the value breaks §3.3 syntax: an empty token (leading, trailing or doubled
// space) or a character outside the scope-token set. An empty string yields
// no tokens and true.
func ParseScope(s string) ([]string, bool) {
	if s == "" {
		return nil, true
	}
	toks := strings.Split(s, " ")
	for _, t := range toks {
		if t == "" {
			return nil, false
		}
		for i := 0; i < len(t); i++ {
			if !IsScopeChar(t[i]) {
				return nil, false
			}
		}
	}
	return toks, true
}

// ValidAccessTokenChars reports whether s is a non-empty run of the visible
// ASCII characters and spaces that Appendix A.12 allows in access_token.
func ValidAccessTokenChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

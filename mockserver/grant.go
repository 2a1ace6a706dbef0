package mockserver

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
)

// clientCredentialsOnly: the one grant this server supports (§5.2
// unsupported_grant_type).
func clientCredentialsOnly(x *exchange) *oauthError {
	g := x.req.params[rfc6749.ParamGrantType]
	if g != rfc6749.GrantClientCredentials {
		return &oauthError{Code: rfc6749.ErrUnsupportedGrantType, Status: http.StatusBadRequest,
			Description: "unsupported grant_type " + reasonQuote(g) + ": this server supports only client_credentials" + grantHint(g)}
	}
	return nil
}

// grantHint points out a near miss of client_credentials.
func grantHint(g string) string {
	const cc = rfc6749.GrantClientCredentials
	switch {
	case strings.TrimSpace(g) == cc:
		return " (the value has leading or trailing whitespace)"
	case strings.EqualFold(g, cc):
		return " (grant_type values are case-sensitive)"
	case strings.EqualFold(strings.NewReplacer("-", "_", " ", "_").Replace(g), cc):
		return " (spelled client_credentials, with an underscore)"
	}
	return ""
}

// clientMayUseGrant: an authenticated client not registered for the grant
// gets unauthorized_client (§5.2).
func clientMayUseGrant(_ *exchange, cl *client) *oauthError {
	if !cl.allowsGrant(rfc6749.GrantClientCredentials) {
		return &oauthError{Code: rfc6749.ErrUnauthorizedClient, Status: http.StatusBadRequest,
			Description: fmt.Sprintf("client %s is not registered for client_credentials (its grants: %s)", reasonQuote(cl.ID), reasonList(cl.GrantTypes, " ", 10))}
	}
	return nil
}

// grantScope applies §3.3: scope tokens separated by single spaces, each
// allowed for the client; no scope means the client's defaults.
func grantScope(x *exchange, cl *client) (scopes []string, hide bool, e *oauthError) {
	raw := x.req.params[rfc6749.ParamScope]
	toks, ok := rfc6749.ParseScope(raw)
	if !ok {
		return nil, false, errInvalidScope("invalid scope syntax (RFC 6749 section 3.3): %s", scopeSyntax(raw))
	}
	if len(toks) == 0 {
		return slices.Clone(cl.DefaultScopes), false, nil
	}
	granted := make([]string, 0, len(toks))
	for _, t := range toks {
		if slices.Contains(granted, t) {
			continue
		}
		if !cl.allowsScope(t) {
			return nil, false, errInvalidScope("scope %s is not allowed for client %s (allowed: %s)%s",
				reasonQuote(t), reasonQuote(cl.ID), reasonList(cl.Scopes, " ", 10), scopeHint(cl, t))
		}
		granted = append(granted, t)
	}
	return granted, false, nil
}

// scopeSyntax says what breaks §3.3 in a scope value ParseScope refused.
func scopeSyntax(s string) string {
	switch {
	case strings.HasPrefix(s, " "):
		return "it starts with a space; separate scope tokens with single spaces"
	case strings.HasSuffix(s, " "):
		return "it ends with a space; separate scope tokens with single spaces"
	case strings.Contains(s, "  "):
		return "it has two spaces in a row; separate scope tokens with single spaces"
	}
	for _, t := range strings.Split(s, " ") {
		for i := 0; i < len(t); i++ {
			if !rfc6749.IsScopeChar(t[i]) {
				return "token " + reasonQuote(t) + " holds " + charName(t[i]) + ", which a scope token may not (allowed: %x21 / %x23-5B / %x5D-7E)"
			}
		}
	}
	return "it is malformed"
}

// charName names a byte that a description cannot show.
func charName(c byte) string {
	switch {
	case c == '"':
		return "a double quote"
	case c == '\\':
		return "a backslash"
	case c == '\t':
		return "a tab"
	case c < 0x20 || c == 0x7F:
		return fmt.Sprintf("the control character 0x%02X", c)
	case c >= 0x80:
		return "a non-ASCII character"
	}
	return fmt.Sprintf("the character 0x%02X", c)
}

// scopeHint points out a near miss of an allowed scope: another case, or
// commas for spaces.
func scopeHint(cl *client, t string) string {
	for _, s := range cl.Scopes {
		if strings.EqualFold(s, t) {
			return "; scope tokens are case-sensitive: did you mean " + reasonQuote(s) + "?"
		}
	}
	if strings.Contains(t, ",") {
		return "; separate scope tokens with spaces, not commas"
	}
	return ""
}

func joinScopes(s []string) string { return strings.Join(s, " ") }

// audienceFor applies RFC 8707 §2: resource values are absolute URIs
// without fragment, and must be among the client's audiences when it has
// any. Without resource the audience is the client's, the server's, or
// the issuer (RFC 9068 §3: a default audience).
func (a *Authority) audienceFor(x *exchange, cl *client) ([]string, *oauthError) {
	var uniq []string
	for _, res := range x.req.resources {
		if why := resourceSyntax(res); why != "" {
			return nil, errInvalidTarget("resource %s must be an absolute URI without a fragment (RFC 8707 section 2): %s", reasonQuote(res), why)
		}
		if len(cl.Audience) > 0 && !slices.Contains(cl.Audience, res) {
			return nil, errInvalidTarget("resource %s is not in the audience of client %s (allowed: %s)%s",
				reasonQuote(res), reasonQuote(cl.ID), reasonList(cl.Audience, " ", 5), resourceHint(cl, res))
		}
		if !slices.Contains(uniq, res) {
			uniq = append(uniq, res)
		}
	}
	switch {
	case len(uniq) > 0:
		return uniq, nil
	case len(cl.Audience) > 0:
		return cl.Audience, nil
	case len(a.audience) > 0:
		return a.audience, nil
	}
	return []string{a.Issuer()}, nil
}

// resourceSyntax says why a resource value is not an absolute URI without
// a fragment; "" when it is one.
func resourceSyntax(res string) string {
	if checkAbsoluteURI(res) == nil {
		return ""
	}
	u, err := url.Parse(res)
	switch {
	case err != nil:
		return "it does not parse as a URI"
	case !u.IsAbs():
		return "it is relative (no scheme)"
	}
	return "it has a fragment"
}

// resourceHint points out an allowed resource that differs only in a
// trailing slash.
func resourceHint(cl *client, res string) string {
	for _, aud := range cl.Audience {
		if strings.TrimSuffix(aud, "/") == strings.TrimSuffix(res, "/") {
			return "; resource values are compared exactly: did you mean " + reasonQuote(aud) + "?"
		}
	}
	return ""
}

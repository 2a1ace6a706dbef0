package mockserver

import (
	"net/http"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
)

// clientCredentialsOnly: the one grant this server supports (§5.2
// unsupported_grant_type).
func clientCredentialsOnly(x *exchange) *oauthError {
	if x.req.params[rfc6749.ParamGrantType] != rfc6749.GrantClientCredentials {
		return &oauthError{Code: rfc6749.ErrUnsupportedGrantType, Status: http.StatusBadRequest,
			Description: "this server supports only the client_credentials grant"}
	}
	return nil
}

// clientMayUseGrant: an authenticated client not registered for the grant
// gets unauthorized_client (§5.2).
func clientMayUseGrant(_ *exchange, cl *client) *oauthError {
	if !cl.allowsGrant(rfc6749.GrantClientCredentials) {
		return &oauthError{Code: rfc6749.ErrUnauthorizedClient, Status: http.StatusBadRequest,
			Description: "this client may not use the client_credentials grant"}
	}
	return nil
}

// grantScope applies §3.3: scope tokens separated by single spaces, each
// allowed for the client; no scope means the client's defaults.
func grantScope(x *exchange, cl *client) (scopes []string, hide bool, e *oauthError) {
	toks, ok := rfc6749.ParseScope(x.req.params[rfc6749.ParamScope])
	if !ok {
		return nil, false, errInvalidScope("scope must be scope tokens separated by single spaces (RFC 6749 section 3.3)")
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
			return nil, false, errInvalidScope("scope %s is not allowed for this client", clip(t))
		}
		granted = append(granted, t)
	}
	return granted, false, nil
}

func joinScopes(s []string) string { return strings.Join(s, " ") }

// audienceFor applies RFC 8707 §2: resource values are absolute URIs
// without fragment, and must be among the client's audiences when it has
// any. Without resource the audience is the client's, the server's, or
// the issuer (RFC 9068 §3: a default audience).
func (a *Authority) audienceFor(x *exchange, cl *client) ([]string, *oauthError) {
	var uniq []string
	for _, res := range x.req.resources {
		if err := checkAbsoluteURI(res); err != nil {
			return nil, errInvalidTarget("resource must be an absolute URI without a fragment (RFC 8707 section 2)")
		}
		if len(cl.Audience) > 0 && !slices.Contains(cl.Audience, res) {
			return nil, errInvalidTarget("resource %s is not available to this client", clip(res))
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

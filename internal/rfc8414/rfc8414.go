// Package rfc8414 holds the one rule of RFC 8414 §3.1 (and OpenID
// Connect Discovery 1.0 §4) that the CLI, the harness and the mock share:
// where an issuer's metadata lives, and which issuer a metadata URL names.
package rfc8414

import (
	"net/url"
	"strings"
)

// The well-known suffixes: RFC 8414 §3.1 inserts its segment between the
// issuer's host and path; OpenID discovery appends its segment to the
// issuer.
const (
	WellKnownOAuth  = "/.well-known/oauth-authorization-server"
	WellKnownOpenID = "/.well-known/openid-configuration"
)

// MetadataURLs are the places an issuer's metadata may be, in the order
// to try them: RFC 8414's, then OpenID discovery's. The issuer must be an
// absolute http(s) URL without query or fragment (RFC 8414 §2); ok is
// false otherwise.
func MetadataURLs(issuer string) (urls []string, ok bool) {
	u, err := url.Parse(strings.TrimSuffix(issuer, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, false
	}
	path := strings.TrimSuffix(u.Path, "/")
	oauth, oidc := *u, *u
	oauth.Path = WellKnownOAuth + path
	oidc.Path = path + WellKnownOpenID
	return []string{oauth.String(), oidc.String()}, true
}

// IssuerFromMetadataURL is the issuer a metadata URL was built from, by
// either rule; empty when the URL follows neither.
func IssuerFromMetadataURL(metadataURL string) string {
	u, err := url.Parse(metadataURL)
	if err != nil {
		return ""
	}
	for _, wk := range []string{WellKnownOAuth, WellKnownOpenID} {
		switch {
		case strings.HasPrefix(u.Path, wk):
			u.Path = strings.TrimPrefix(u.Path, wk)
		case strings.HasSuffix(u.Path, wk): // OpenID style: the issuer's path first
			u.Path = strings.TrimSuffix(u.Path, wk)
		default:
			continue
		}
		u.RawQuery, u.Fragment = "", ""
		return strings.TrimSuffix(u.String(), "/")
	}
	return ""
}

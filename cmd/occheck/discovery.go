package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/occheck/occheck/suites"
)

// discovered is what the metadata says about the target.
type discovered struct {
	metadataURL   string
	issuer        string
	tokenEndpoint string
	authMethods   []string
}

// metadataURLs are the places to look for an issuer's metadata: RFC 8414
// §3.1 (well-known segment inserted before the issuer's path), then OpenID
// discovery (appended after it).
func metadataURLs(issuer string) ([]string, error) {
	u, err := url.Parse(strings.TrimSuffix(issuer, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, usagef("--issuer: %q is not an absolute http(s) URL", issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, usagef("--issuer: %q must not have a query or fragment (RFC 8414 §2)", issuer)
	}
	path := strings.TrimSuffix(u.Path, "/")
	oauth := *u
	oauth.Path = "/.well-known/oauth-authorization-server" + path
	oidc := *u
	oidc.Path = path + "/.well-known/openid-configuration"
	return []string{oauth.String(), oidc.String()}, nil
}

// discover fetches the metadata and applies RFC 8414 §3.3: the document's
// issuer must be identical to the issuer asked for, or it must not be used.
func discover(ctx context.Context, client *http.Client, issuer, metadataURL string) (*discovered, error) {
	var candidates []string
	if metadataURL != "" {
		candidates = []string{metadataURL}
	} else {
		var err error
		if candidates, err = metadataURLs(issuer); err != nil {
			return nil, err
		}
	}
	var tried []string
	for _, mu := range candidates {
		doc, status, err := fetchJSON(ctx, client, mu)
		if err != nil {
			return nil, cannotf("discovery: %s: %v", mu, err)
		}
		if status == http.StatusNotFound && metadataURL == "" {
			tried = append(tried, fmt.Sprintf("%s (404)", mu))
			continue
		}
		if status != http.StatusOK || doc == nil {
			return nil, cannotf("discovery: %s answered %d, not a JSON metadata document", mu, status)
		}
		d := &discovered{metadataURL: mu}
		d.issuer, _ = doc["issuer"].(string)
		d.tokenEndpoint, _ = doc["token_endpoint"].(string)
		if ms, ok := doc["token_endpoint_auth_methods_supported"].([]any); ok {
			for _, m := range ms {
				if s, ok := m.(string); ok {
					d.authMethods = append(d.authMethods, s)
				}
			}
		}
		want := strings.TrimSuffix(issuer, "/")
		if issuer != "" && d.issuer != want && d.issuer != issuer {
			return nil, cannotf("discovery: %s names issuer %q, not %q; RFC 8414 §3.3 forbids using it", mu, d.issuer, issuer)
		}
		if issuer == "" {
			// Only a metadata URL: the issuer it was built from is the
			// one the document must name (RFC 8414 §3.1, §3.3).
			if built := suites.IssuerFromMetadataURL(mu); built != "" && d.issuer != built {
				return nil, cannotf("discovery: %s names issuer %q, but that URL belongs to issuer %q; RFC 8414 §3.3 forbids using it", mu, d.issuer, built)
			}
			if d.issuer == "" {
				return nil, cannotf("discovery: %s has no issuer", mu)
			}
		}
		if d.tokenEndpoint == "" {
			return nil, cannotf("discovery: %s has no token_endpoint; pass --token-url", mu)
		}
		return d, nil
	}
	return nil, cannotf("discovery: no metadata for %s at %s", issuer, strings.Join(tried, " or "))
}

func fetchJSON(ctx context.Context, client *http.Client, u string) (map[string]any, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, resp.StatusCode, err
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		doc = nil
	}
	return doc, resp.StatusCode, nil
}

// sameOrigin compares scheme, host and port (RFC 6454).
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Hostname(), ub.Hostname()) && port(ua) == port(ub)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

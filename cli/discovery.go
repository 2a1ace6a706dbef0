package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/occheck/occheck/internal/rfc8414"
)

// discovered is what the metadata says about the target.
type discovered struct {
	metadataURL   string
	issuer        string
	tokenEndpoint string
	authMethods   []string
	// expectIssuer is the issuer the document must name: as typed, or the
	// server's spelling when the two differ only by a terminating '/'.
	expectIssuer string
	// notes are metadata defects the run goes on with; the MD specs grade
	// them.
	notes []string
}

// metadataURLs are the places to look for an issuer's metadata: RFC 8414
// §3.1 (well-known segment inserted before the issuer's path), then OpenID
// discovery (appended after it).
func metadataURLs(issuer string) ([]string, error) {
	urls, ok := rfc8414.MetadataURLs(issuer)
	if !ok {
		return nil, usagef("--issuer: %q is not an absolute http(s) URL without query or fragment (RFC 8414 §2)", issuer)
	}
	return urls, nil
}

// discover fetches the metadata. A document that breaks RFC 8414 (an
// issuer other than the one asked for, a query in it, no token_endpoint)
// does not stop the run: the MD specs fail it, and the token endpoint
// specs run against --token-url or the document's token_endpoint. Only
// when no token endpoint is known at all is there nothing to run.
func discover(ctx context.Context, client *http.Client, issuer, metadataURL, tokenURL string) (*discovered, error) {
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
		switch {
		case err != nil:
			tried = append(tried, fmt.Sprintf("%s (%v)", mu, err))
			continue
		case status != http.StatusOK || doc == nil:
			tried = append(tried, fmt.Sprintf("%s (%d, not a JSON metadata document)", mu, status))
			continue
		}
		d := &discovered{metadataURL: mu, expectIssuer: issuer}
		d.issuer, _ = doc["issuer"].(string)
		d.tokenEndpoint, _ = doc["token_endpoint"].(string)
		if ms, ok := doc["token_endpoint_auth_methods_supported"].([]any); ok {
			for _, m := range ms {
				if s, ok := m.(string); ok {
					d.authMethods = append(d.authMethods, s)
				}
			}
		}
		switch {
		case issuer == "":
			// Only a metadata URL: MD-02 compares the document with the
			// issuer that URL was built from.
			if built := rfc8414.IssuerFromMetadataURL(mu); built != "" && d.issuer != built && d.issuer != built+"/" {
				d.notes = append(d.notes, fmt.Sprintf("%s names issuer %q, but that URL belongs to issuer %q: RFC 8414 §3.3 forbids using its data (MD-02 fails); the run goes on", mu, d.issuer, built))
			}
		case d.issuer == issuer:
		case strings.TrimSuffix(d.issuer, "/") == strings.TrimSuffix(issuer, "/"):
			// Both spellings build the same metadata URL (RFC 8414 §3.1):
			// the user need not guess the server's.
			d.expectIssuer = d.issuer
			d.notes = append(d.notes, fmt.Sprintf("issuer %s is spelled %s by the server; using the server's spelling", issuer, d.issuer))
		default:
			d.notes = append(d.notes, fmt.Sprintf("%s names issuer %q, not %q: RFC 8414 §3.3 forbids using its data (MD-02 fails); the run goes on", mu, d.issuer, issuer))
		}
		if d.tokenEndpoint == "" && tokenURL == "" {
			return nil, cannotf("discovery: %s has no token_endpoint (RFC 8414 §2 requires it) and no --token-url was given: there is no token endpoint to check", mu)
		}
		return d, nil
	}
	// No usable document: with --token-url the token endpoint is still
	// checked, without the specs that need metadata.
	if tokenURL != "" {
		return &discovered{expectIssuer: issuer, notes: []string{fmt.Sprintf("no usable metadata at %s; checking --token-url without it (the metadata specs are skipped)", strings.Join(tried, " or "))}}, nil
	}
	return nil, cannotf("discovery: no usable metadata at %s", strings.Join(tried, " or "))
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

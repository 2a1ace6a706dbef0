package rfc8414

import (
	"slices"
	"testing"
)

// TestRoundTrip: every metadata URL built from an issuer leads back to it.
func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		issuer string
		urls   []string
	}{
		{"https://as.example.com", []string{"https://as.example.com/.well-known/oauth-authorization-server", "https://as.example.com/.well-known/openid-configuration"}},
		{"https://as.example.com/tenant/1/", []string{"https://as.example.com/.well-known/oauth-authorization-server/tenant/1", "https://as.example.com/tenant/1/.well-known/openid-configuration"}},
	} {
		urls, ok := MetadataURLs(c.issuer)
		if !ok || !slices.Equal(urls, c.urls) {
			t.Errorf("MetadataURLs(%q) = %v %v, want %v", c.issuer, urls, ok, c.urls)
		}
		for _, u := range urls {
			if got, want := IssuerFromMetadataURL(u), c.issuer; got != want && got+"/" != want {
				t.Errorf("IssuerFromMetadataURL(%q) = %q, want %q", u, got, want)
			}
		}
	}
	for _, bad := range []string{"as.example.com", "ftp://as.example.com", "https://as.example.com?x=1", "https://as.example.com#f", "https://"} {
		if _, ok := MetadataURLs(bad); ok {
			t.Errorf("MetadataURLs(%q) accepted", bad)
		}
	}
	if got := IssuerFromMetadataURL("https://as.example.com/jwks"); got != "" {
		t.Errorf("a URL of neither form names issuer %q", got)
	}
}

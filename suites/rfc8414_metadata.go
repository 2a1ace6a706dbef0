package suites

import (
	"net/url"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/internal/rfc8414"
	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/specs"
)

// RFC 8414 (authorization server metadata), when a metadata URL is known.

// expectedIssuer is the issuer the metadata URL was built from (RFC 8414
// §3.1: the well-known segment sits between host and issuer path), or the
// configured one.
func expectedIssuer(t *Target) string {
	if t.Issuer != "" {
		return t.Issuer
	}
	return rfc8414.IssuerFromMetadataURL(t.MetadataURL)
}

func strList(v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	var out []string
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func init() {
	md := []Need{needMetadata}
	add(Spec{
		ID: "MD-01", RFC: "8414", Section: "3", Level: reports.Note,
		Title: "Metadata is published at the well-known location.", How: "GET the metadata URL.",
		Accepts: "Observation only.",
		Labels:  []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			r, _ := h.Metadata()
			if !strings.Contains(h.T.MetadataURL, rfc8414.WellKnownOAuth) {
				h.Note("metadata from %s (not the RFC 8414 location); status %d", h.T.MetadataURL, r.Status)
			}
		},
	})
	add(Spec{
		ID: "MD-02", RFC: "8414", Section: "3.3", Level: reports.Must,
		DependsOn: []string{"MD-03"},
		Title:     "The metadata issuer is identical to the issuer the URL was built from.",
		How:       "Exact string comparison with the configured issuer; with only a metadata URL, with the issuer that URL was built from.",
		Accepts:   "An identical string. With only a metadata URL, the issuer with or without a terminating '/' (RFC 8414 §3.1 removes it before building the URL, so both spellings lead to the same document); the tokens' iss must then match the document's spelling (ATJ-ISS-01).",
		Catches:   "Another host, path or scheme than the document's own URL names.",
		Labels:    []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			want := expectedIssuer(h.T)
			if want == "" {
				h.Skip("the metadata URL is not at a well-known location, so the issuer it was built from is unknown: pass --issuer to grade MD-02")
			}
			got, _ := meta["issuer"].(string)
			if h.T.Issuer == "" && want != "" && got == want+"/" {
				h.Note("the issuer is spelled %s, with a terminating '/': the same metadata URL (RFC 8414 §3.1)", got)
				return
			}
			h.Require(got == want, "issuer "+want, "issuer %v", meta["issuer"])
		},
	})
	add(Spec{
		ID: "MD-03", RFC: "8414", Section: "2", Level: reports.Must,
		Title: "The issuer is an https URL without query or fragment.", How: "URL parse of issuer.",
		Accepts: "https (http on loopback is noted), no query, no fragment.",
		Labels:  []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			iss, _ := meta["issuer"].(string)
			u, err := url.Parse(iss)
			h.Require(err == nil && u.IsAbs() && u.RawQuery == "" && !strings.Contains(iss, "#") && !strings.Contains(iss, "?"),
				"an absolute issuer without query or fragment", "issuer %q", iss)
			if u.Scheme != "https" {
				h.Require(isLoopbackHost(u.Hostname()), "an https issuer", "issuer %q", iss)
				h.Note("http issuer on loopback: accepted for local testing only")
			}
		},
	})
	add(Spec{
		ID: "MD-04", RFC: "8414", Section: "2", Level: reports.Must,
		Title: "token_endpoint is present.", How: "The token_endpoint member.",
		Accepts: "An absolute URL.",
		Labels:  []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			te, _ := meta["token_endpoint"].(string)
			u, err := url.Parse(te)
			h.Require(te != "" && err == nil && u.IsAbs(), "an absolute token_endpoint", "token_endpoint %#v", meta["token_endpoint"])
		},
	})
	add(Spec{
		ID: "MD-04-MATCH", RFC: "8414", Section: "2", Level: reports.Should,
		DependsOn: []string{"MD-04", "TE-URI-01"},
		Title:     "token_endpoint is the token URL under test.", How: "Compare with the configured token URL.",
		Accepts: "Identical URLs.",
		Labels:  []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			h.Require(meta["token_endpoint"] == h.T.TokenURL, "token_endpoint "+h.T.TokenURL, "token_endpoint %v", meta["token_endpoint"])
		},
	})
	add(Spec{
		ID: "MD-05", RFC: "8414", Section: "2", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Title:     "Every advertised secret-based client authentication method named for the client works.",
		How:       "token_endpoint_auth_methods_supported (default client_secret_basic): each of client_secret_basic and client_secret_post that is listed is tried for the client under test.",
		Accepts:   "A token for each listed method that --auth-method names. Under auto, a listed method refused for this client is noted, not failed: methods are registered per client (RFC 7591 §2).",
		Labels:    []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			methods, ok := strList(meta["token_endpoint_auth_methods_supported"])
			if !ok {
				methods = []string{rfc6749.AuthClientSecretBasic}
			}
			c := &h.T.Client
			base := h.baselineMethod()
			for _, m := range methods {
				switch {
				case m != rfc6749.AuthClientSecretBasic && m != rfc6749.AuthClientSecretPost:
					continue // the assertion methods are JWT-MD-01's
				case c.Secret == "":
					h.Note("advertised %s is not tried: the client under test has no secret", m)
					continue
				case !c.Auto() && !c.Uses(m):
					h.Note("advertised %s is not tried: --auth-method names %s", m, strings.Join(c.AuthMethods, ", "))
					continue
				case m == base:
					continue // CC-OK-01 got the baseline token with it
				}
				r := h.Send(h.scoped(), methodOpt(c, m))
				if !r.OK() && c.Auto() {
					h.Note("advertised %s is refused for this client (%s): it may be registered for %s only", m, r.Summary(), base)
					continue
				}
				h.Require(r.OK(), "a token with the advertised method "+m, "%s", r.Summary())
			}
		},
	})
	add(Spec{
		ID: "MD-06", RFC: "8414", Section: "2", Level: reports.Should,
		Title: "grant_types_supported lists client_credentials.", How: "The grant_types_supported member (its default omits client_credentials).",
		Accepts: "A list holding client_credentials.",
		Labels:  []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			gts, _ := strList(meta["grant_types_supported"])
			h.Require(slices.Contains(gts, rfc6749.GrantClientCredentials), "client_credentials advertised", "grant_types_supported %v", meta["grant_types_supported"])
		},
	})
	add(Spec{
		ID: "MD-07", RFC: "8414", Section: "2", Level: reports.Must,
		Title: "none is never an advertised token endpoint signing algorithm.", How: "token_endpoint_auth_signing_alg_values_supported.",
		Accepts: "Absent, or a list without none.",
		Labels:  []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			algs, _ := strList(meta["token_endpoint_auth_signing_alg_values_supported"])
			h.Require(!slices.Contains(algs, "none"), "no none", "%v", algs)
		},
	})
	add(Spec{
		ID: "MD-08", RFC: "8414", Section: "2", Level: reports.Should,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "jwks_uri is published when tokens are JWTs, and serves a JWK Set.", How: "jwks_uri fetched when the access token is a JWT.",
		Accepts: "A JWK Set with keys.",
		Labels:  []string{"metadata"}, Needs: md,
		Run: func(h *H) {
			_, meta := h.Metadata()
			_, obj := h.MustToken()
			at, _ := obj["access_token"].(string)
			if _, ok := jwtClaims(at); !ok {
				return
			}
			uri, _ := meta["jwks_uri"].(string)
			h.Require(uri != "", "a jwks_uri for JWT access tokens", "none")
			if u, err := url.Parse(uri); err == nil && u.Scheme != "https" {
				h.Must(isLoopbackHost(u.Hostname()), "an https jwks_uri (RFC 8414 §2)", "jwks_uri %s", uri)
				h.Note("http jwks_uri on loopback: accepted for local testing only")
			}
			r := h.getValidated(uri, specs.OpJWKS)
			obj2, err := r.JSON()
			ks, _ := obj2["keys"].([]any)
			h.Require(r.Status == 200 && err == nil && len(ks) > 0, "a JWK Set with keys", "%s", r.Summary())
		},
	})
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	return strings.HasPrefix(host, "127.") || host == "::1"
}

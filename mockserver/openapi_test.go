package mockserver

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/occheck/occheck/specs"
)

// TestResponsesMatchOpenAPI validates live responses of every endpoint
// against specs/openapi.yaml, the contract the conformance suite uses too.
func TestResponsesMatchOpenAPI(t *testing.T) {
	s := NewTestServer(t, testConfig())
	form := func(body, authz string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		return r
	}
	get := func(p string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, s.URL+p, nil)
		return r
	}
	tests := []struct {
		name   string
		op     specs.Operation
		req    *http.Request
		status int
	}{
		{"token 200", specs.OpToken, form(cc, basic(idA, secretA)), 200},
		{"token 200 scope", specs.OpToken, form(cc+"&scope=read+write&client_id="+url.QueryEscape(idA)+"&client_secret="+url.QueryEscape(secretA), ""), 200},
		{"token 400", specs.OpToken, form("grant_type=nope", basic(idA, secretA)), 400},
		{"token 400 scope", specs.OpToken, form(cc+"&scope=admin", basic(idA, secretA)), 400},
		{"token 401", specs.OpToken, form(cc, basic(idA, "wrong")), 401},
		{"metadata", specs.OpMetadata, get(PathMetadata), 200},
		{"jwks", specs.OpJWKS, get(PathJWKS), 200},
		{"healthz", specs.OpHealthz, get(PathHealthz), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := s.Client().Do(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if err := specs.ValidateResponse(t.Context(), tt.op, tt.req, resp.StatusCode, resp.Header, body); err != nil {
				t.Errorf("%v", err)
			}
		})
	}
}

// TestOpenAPIValidationCatchesQuirks makes sure the contract check itself
// bites: quirky responses must not validate.
func TestOpenAPIValidationCatchesQuirks(t *testing.T) {
	for _, q := range []Quirk{QuirkExpiresInString, QuirkNoCacheControl, QuirkFormResponse, QuirkNoTokenType} {
		t.Run(string(q), func(t *testing.T) {
			cfg := testConfig()
			cfg.Quirks = []Quirk{q}
			s := NewTestServer(t, cfg)
			r, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(cc))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", basic(idA, secretA))
			resp, err := s.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err := specs.ValidateResponse(t.Context(), specs.OpToken, r, resp.StatusCode, resp.Header, body); err == nil {
				t.Errorf("quirk %s: response validated: %d %s", q, resp.StatusCode, body)
			}
		})
	}
}

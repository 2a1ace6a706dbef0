package mockserver

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func getResource(t *testing.T, a *Authority, header map[string]string, method, body string) reply {
	t.Helper()
	return do(t, a, method, PathResource, body, header)
}

// TestProtectedResource: RFC 6750 end to end: a token from the token
// endpoint opens the resource; no token, a tampered or revoked one, two
// transports, and another audience are refused with the right challenge.
func TestProtectedResource(t *testing.T) {
	cfg := testConfig()
	cfg.Clients[0].Audience = nil // A's tokens name the server
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok := issueA(t, a)
	if got := getResource(t, a, map[string]string{"Authorization": "Bearer " + tok}, "GET", ""); got.status != 200 || got.body["client_id"] != idA {
		t.Fatalf("valid token: %d %s", got.status, got.raw)
	}
	if got := getResource(t, a, map[string]string{"Authorization": "bearer " + tok}, "GET", ""); got.status != 200 {
		t.Errorf("lower-case scheme: %d", got.status)
	}
	got := getResource(t, a, nil, "GET", "")
	if ch := got.header.Get("WWW-Authenticate"); got.status != 401 || !strings.HasPrefix(ch, "Bearer realm=") || strings.Contains(ch, "error=") {
		t.Errorf("no token: %d %q", got.status, ch)
	}
	for name, bad := range map[string]string{"garbage": "garbage", "tampered": tok[:len(tok)-2] + "AA"} {
		got := getResource(t, a, map[string]string{"Authorization": "Bearer " + bad}, "GET", "")
		if got.status != 401 || !strings.Contains(got.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("%s: %d %q", name, got.status, got.header.Get("WWW-Authenticate"))
		}
	}
	two := getResource(t, a, map[string]string{"Authorization": "Bearer " + tok, "Content-Type": formMediaType}, "POST", "access_token="+url.QueryEscape(tok))
	if two.status != 400 || two.body["error"] != "invalid_request" {
		t.Errorf("two transports: %d %s", two.status, two.raw)
	}
	if got := getResource(t, a, map[string]string{"Content-Type": formMediaType}, "POST", "access_token="+url.QueryEscape(tok)); got.status != 200 {
		t.Errorf("form body (RFC 6750 §2.2): %d %s", got.status, got.raw)
	}
	revoke(t, a, basic(idA, secretA), "token="+url.QueryEscape(tok))
	if got := getResource(t, a, map[string]string{"Authorization": "Bearer " + tok}, "GET", ""); got.status != 401 {
		t.Errorf("revoked token: %d", got.status)
	}
	// A token for another audience.
	other := do(t, a, "POST", PathToken, cc+"&resource="+url.QueryEscape("https://api.example.test"), map[string]string{"Authorization": basic(idA, secretA), "Content-Type": formMediaType})
	if o, _ := other.body["access_token"].(string); o != "" {
		if got := getResource(t, a, map[string]string{"Authorization": "Bearer " + o}, "GET", ""); got.status != 401 {
			t.Errorf("another audience: %d", got.status)
		}
	}
}

// TestRequireTokenMiddleware: a developer's handler behind RequireToken
// sees the claims; a token without the scope gets 403 insufficient_scope.
func TestRequireTokenMiddleware(t *testing.T) {
	cfg := testConfig()
	cfg.Clients[0].Audience = nil
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok := issueA(t, a) // scope read
	h := a.RequireToken("write")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(TokenClaims(r.Context())["client_id"].(string)))
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	h.ServeHTTP(rec, req)
	if ch := rec.Header().Get("WWW-Authenticate"); rec.Code != 403 || !strings.Contains(ch, `error="insufficient_scope"`) || !strings.Contains(ch, `scope="write"`) {
		t.Errorf("missing scope: %d %q", rec.Code, ch)
	}
	ok := httptest.NewRecorder()
	a.RequireToken("read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(TokenClaims(r.Context())["client_id"].(string)))
	})).ServeHTTP(ok, req)
	if ok.Code != 200 || ok.Body.String() != idA {
		t.Errorf("read scope: %d %s", ok.Code, ok.Body.String())
	}
}

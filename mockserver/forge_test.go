package mockserver

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestForgedTokens: a valid forged token opens the resource and is active
// at introspection; each defect is refused by the resource, the way a
// resource server's own tests would need it.
func TestForgedTokens(t *testing.T) {
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	call := func(tok string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", PathResource, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		a.ServeHTTP(rec, req)
		return rec.Code
	}
	good, err := a.ForgeToken(ForgeRequest{ClientID: "billing", Scope: "read"})
	if err != nil {
		t.Fatal(err)
	}
	if code := call(good); code != 200 {
		t.Fatalf("a valid forged token: %d", code)
	}
	if got := introspect(t, a, basic(idA, secretA), "token="+good); got.body["active"] != true || got.body["client_id"] != "billing" {
		t.Errorf("introspection of a forged token: %s", got.raw)
	}
	for _, d := range TokenDefects {
		tok, err := a.ForgeToken(ForgeRequest{Scope: "read", Defect: d})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		want := 401
		if d == DefectMissingScope {
			// The resource route needs no scope: a scoped route refuses it.
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/api", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			a.RequireToken("read")(nil).ServeHTTP(rec, req)
			if rec.Code != 403 {
				t.Errorf("%s on a read route: %d", d, rec.Code)
			}
			continue
		}
		if code := call(tok); code != want {
			t.Errorf("defect %s: the resource answers %d, want %d", d, code, want)
		}
	}
	if _, err := a.ForgeToken(ForgeRequest{Defect: "nonsense"}); err == nil {
		t.Error("an unknown defect is accepted")
	}
	// The admin API.
	cfg.Admin = true
	b, _ := New(cfg)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", PathAdmin+"tokens", strings.NewReader(`{"client_id":"billing","scope":"read","defect":"expired"}`))
	req.RemoteAddr, req.Host = "127.0.0.1:1234", "127.0.0.1"
	req.Header.Set("Content-Type", "application/json")
	b.ServeHTTP(rec, req)
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"access_token":"eyJ`) {
		t.Errorf("admin tokens: %d %s", rec.Code, rec.Body.String())
	}
}

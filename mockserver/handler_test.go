package mockserver

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Fixtures shared by the tests: client A has a secret full of characters
// that Appendix B encoding changes, client S an id with a colon.
const (
	idA     = "client-a"
	secretA = "p+ss w%rd&:x/=é"
	idS     = "svc:1"
	secretS = "s3 cr+t"
	idBasic = "basic-only"
	secretB = "b-secret"
	idNoCC  = "no-cc"
	secretN = "n-secret"
)

func testConfig() Config {
	return Config{Clients: []Client{
		{ID: idA, Secret: secretA, Scopes: []string{"read", "write"}, DefaultScopes: []string{"read"}, Audience: []string{"https://api.example.test"}},
		{ID: idS, Secret: secretS, Scopes: []string{"read"}},
		{ID: idBasic, Secret: secretB, AuthMethods: []string{rfc6749.AuthClientSecretBasic}, Scopes: []string{"read"}},
		{ID: idNoCC, Secret: secretN, GrantTypes: []string{"authorization_code"}, Scopes: []string{"read"}},
	}}
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func basicRaw(s string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(s))
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends one request straight to the handler.
func do(t *testing.T, a *Authority, method, target, body string, header map[string]string) reply {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" || method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		if v == "" {
			r.Header.Del(k)
			continue
		}
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	raw, _ := io.ReadAll(w.Result().Body)
	rep := reply{status: w.Code, header: w.Result().Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &rep.body)
	return rep
}

func newTestAuthority(t testing.TB, quirks ...Quirk) *Authority {
	t.Helper()
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.Quirks = quirks
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("Handler: %v", err)
	}
	return a
}

const cc = "grant_type=client_credentials"

func TestTokenEndpoint(t *testing.T) {
	a := newTestAuthority(t)
	hA := map[string]string{"Authorization": basic(idA, secretA)}
	tests := []struct {
		name      string
		method    string
		target    string
		body      string
		header    map[string]string
		status    int
		err       string // "" means a token
		scope     string // granted scope on success
		challenge bool   // WWW-Authenticate: Basic expected
	}{
		{name: "basic", body: cc, header: hA, status: 200, scope: "read"},
		{name: "basic lower-case scheme", body: cc, header: map[string]string{"Authorization": "basic " + strings.TrimPrefix(basic(idA, secretA), "Basic ")}, status: 200, scope: "read"},
		{name: "basic id with colon", body: cc, header: map[string]string{"Authorization": basic(idS, secretS)}, status: 200, scope: "read"},
		{name: "basic %20 for space", body: cc, header: map[string]string{"Authorization": basicRaw("svc%3A1:s3%20cr%2Bt")}, status: 200, scope: "read"},
		{name: "basic raw secret with reserved chars", body: cc, header: map[string]string{"Authorization": basicRaw(idS + ":" + secretS)}, status: 401, err: "invalid_client", challenge: true},
		{name: "post", body: cc + "&client_id=" + url.QueryEscape(idA) + "&client_secret=" + url.QueryEscape(secretA), status: 200, scope: "read"},
		{name: "charset parameter", body: cc, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}, status: 200, scope: "read"},
		{name: "media type case", body: cc, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "Application/X-WWW-Form-Urlencoded"}, status: 200, scope: "read"},
		{name: "scope read write", body: cc + "&scope=read+write", header: hA, status: 200, scope: "read write"},
		{name: "scope order kept", body: cc + "&scope=write%20read", header: hA, status: 200, scope: "write read"},
		{name: "empty scope is absent", body: cc + "&scope=", header: hA, status: 200, scope: "read"},
		{name: "unknown parameter ignored", body: cc + "&foo=bar", header: hA, status: 200, scope: "read"},
		{name: "client_id next to basic", body: cc + "&client_id=" + url.QueryEscape(idA), header: hA, status: 200, scope: "read"},
		{name: "resource", body: cc + "&resource=https%3A%2F%2Fapi.example.test", header: hA, status: 200, scope: "read"},

		{name: "GET", method: "GET", target: "/token?" + cc, header: hA, status: 405, err: "invalid_request"},
		{name: "PUT", method: "PUT", body: cc, header: hA, status: 405, err: "invalid_request"},
		{name: "JSON body", body: `{"grant_type":"client_credentials"}`, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "application/json"}, status: 400, err: "invalid_request"},
		{name: "no content type", body: cc, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": ""}, status: 400, err: "invalid_request"},
		{name: "latin-1 charset", body: cc, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}, status: 400, err: "invalid_request"},
		{name: "bad form encoding", body: cc + "&x=%zz", header: hA, status: 400, err: "invalid_request"},
		{name: "invalid utf-8", body: cc + "&x=%ff", header: hA, status: 400, err: "invalid_request"},
		{name: "body too large", body: cc + "&pad=" + strings.Repeat("a", MaxBodyBytes), header: hA, status: 400, err: "invalid_request"},
		{name: "missing grant_type", body: "scope=read", header: hA, status: 400, err: "invalid_request"},
		{name: "empty grant_type", body: "grant_type=", header: hA, status: 400, err: "invalid_request"},
		{name: "grant_type in query only", target: "/token?" + cc, body: "", header: hA, status: 400, err: "invalid_request"},
		{name: "repeated grant_type", body: cc + "&" + cc, header: hA, status: 400, err: "invalid_request"},
		{name: "repeated scope", body: cc + "&scope=read&scope=write", header: hA, status: 400, err: "invalid_request"},
		{name: "unknown grant", body: "grant_type=urn%3Aexample%3Anope", header: hA, status: 400, err: "unsupported_grant_type"},
		{name: "password grant", body: "grant_type=password&username=u&password=p", header: hA, status: 400, err: "unsupported_grant_type"},
		{name: "grant type case", body: "grant_type=Client_Credentials", header: hA, status: 400, err: "unsupported_grant_type"},
		{name: "client not allowed the grant", body: cc, header: map[string]string{"Authorization": basic(idNoCC, secretN)}, status: 400, err: "unauthorized_client"},
		{name: "no credentials", body: cc, status: 401, err: "invalid_client", challenge: true},
		{name: "client_id alone", body: cc + "&client_id=" + idBasic, status: 401, err: "invalid_client", challenge: true},
		{name: "client_secret alone", body: cc + "&client_secret=x", status: 401, err: "invalid_client", challenge: true},
		{name: "wrong secret basic", body: cc, header: map[string]string{"Authorization": basic(idA, "nope")}, status: 401, err: "invalid_client", challenge: true},
		{name: "wrong secret post", body: cc + "&client_id=" + idBasic + "&client_secret=nope", status: 401, err: "invalid_client", challenge: true},
		{name: "unknown client basic", body: cc, header: map[string]string{"Authorization": basic("nobody", "x")}, status: 401, err: "invalid_client", challenge: true},
		{name: "method not allowed for client", body: cc + "&client_id=" + idBasic + "&client_secret=" + secretB, status: 401, err: "invalid_client", challenge: true},
		{name: "bearer scheme", body: cc, header: map[string]string{"Authorization": "Bearer xyz"}, status: 401, err: "invalid_client", challenge: true},
		{name: "basic not base64", body: cc, header: map[string]string{"Authorization": "Basic !!!"}, status: 401, err: "invalid_client", challenge: true},
		{name: "basic no colon", body: cc, header: map[string]string{"Authorization": basicRaw("nocolon")}, status: 401, err: "invalid_client", challenge: true},
		{name: "basic empty", body: cc, header: map[string]string{"Authorization": "Basic"}, status: 401, err: "invalid_client", challenge: true},
		{name: "basic bad percent", body: cc, header: map[string]string{"Authorization": basicRaw("a%zz:b")}, status: 401, err: "invalid_client", challenge: true},
		{name: "two methods", body: cc + "&client_id=" + url.QueryEscape(idA) + "&client_secret=" + url.QueryEscape(secretA), header: hA, status: 400, err: "invalid_request"},
		{name: "basic and other client_id", body: cc + "&client_id=" + idBasic, header: hA, status: 400, err: "invalid_request"},
		{name: "credentials in query", target: "/token?client_id=" + idBasic + "&client_secret=" + secretB, body: cc, status: 400, err: "invalid_request"},
		{name: "client assertion", body: cc + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c", status: 401, err: "invalid_client", challenge: true},
		{name: "scope not allowed", body: cc + "&scope=admin", header: hA, status: 400, err: "invalid_scope"},
		{name: "scope partly allowed", body: cc + "&scope=read+admin", header: hA, status: 400, err: "invalid_scope"},
		{name: "scope with quote", body: cc + "&scope=read%22x", header: hA, status: 400, err: "invalid_scope"},
		{name: "scope with backslash", body: cc + "&scope=read%5Cx", header: hA, status: 400, err: "invalid_scope"},
		{name: "scope double space", body: cc + "&scope=read++write", header: hA, status: 400, err: "invalid_scope"},
		{name: "scope case-sensitive", body: cc + "&scope=READ", header: hA, status: 400, err: "invalid_scope"},
		{name: "relative resource", body: cc + "&resource=%2Frelative", header: hA, status: 400, err: "invalid_target"},
		{name: "resource with fragment", body: cc + "&resource=https%3A%2F%2Fapi.example.test%2F%23f", header: hA, status: 400, err: "invalid_target"},
		{name: "unknown resource", body: cc + "&resource=https%3A%2F%2Fother.example%2F", header: hA, status: 400, err: "invalid_target"},
		{name: "bad secret and bad grant: client first", body: "grant_type=bogus", header: map[string]string{"Authorization": basic(idA, "nope")}, status: 401, err: "invalid_client", challenge: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, target := tt.method, tt.target
			if method == "" {
				method = http.MethodPost
			}
			if target == "" {
				target = "/token"
			}
			got := do(t, a, method, target, tt.body, tt.header)
			if got.status != tt.status {
				t.Fatalf("status = %d, want %d; body %s", got.status, tt.status, got.raw)
			}
			if cc := got.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if p := got.header.Get("Pragma"); p != "no-cache" {
				t.Errorf("Pragma = %q, want no-cache", p)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
				t.Errorf("Content-Type = %q, want application/json;charset=UTF-8", ct)
			}
			if tt.err == "" {
				checkToken(t, got, tt.scope)
				return
			}
			if got.body["error"] != tt.err {
				t.Errorf("error = %v, want %s; body %s", got.body["error"], tt.err, got.raw)
			}
			if _, ok := got.body["access_token"]; ok {
				t.Errorf("error response carries access_token")
			}
			desc, _ := got.body["error_description"].(string)
			if desc == "" || !rfc6749.ValidErrorText(desc) {
				t.Errorf("error_description = %q, want non-empty, Appendix A.8 characters only", desc)
			}
			www := got.header.Get("WWW-Authenticate")
			if tt.challenge != strings.HasPrefix(www, `Basic realm="`) {
				t.Errorf("WWW-Authenticate = %q, want Basic challenge: %v", www, tt.challenge)
			}
			if tt.status == 405 && got.header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", got.header.Get("Allow"))
			}
		})
	}
}

func checkToken(t *testing.T, got reply, scope string) {
	t.Helper()
	if tok, _ := got.body["access_token"].(string); !rfc6749.ValidAccessTokenChars(tok) {
		t.Errorf("access_token = %q, want a token", tok)
	}
	if got.body["token_type"] != "Bearer" {
		t.Errorf("token_type = %v, want Bearer", got.body["token_type"])
	}
	if ei, ok := got.body["expires_in"].(float64); !ok || ei != 3600 {
		t.Errorf("expires_in = %#v, want the number 3600", got.body["expires_in"])
	}
	if got.body["scope"] != scope {
		t.Errorf("scope = %v, want %q", got.body["scope"], scope)
	}
	if _, ok := got.body["refresh_token"]; ok {
		t.Errorf("refresh_token present in a client credentials response")
	}
}

// TestMetadataAndJWKS: the issuer names the server; the endpoint URLs
// point where it is reached (here the request's host, as behind a caller's
// own listener). The openid-configuration alias serves the same document
// unless switched off.
func TestMetadataAndJWKS(t *testing.T) {
	cfg := testConfig()
	cfg.NoOpenIDAlias = true
	off, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := do(t, off, "GET", PathOpenIDMetadata, "", nil); got.status != 404 {
		t.Errorf("no_openid_alias: GET %s = %d, want 404", PathOpenIDMetadata, got.status)
	}
	a := newTestAuthority(t)
	for _, p := range []string{PathMetadata, PathOpenIDMetadata} {
		got := do(t, a, "GET", p, "", nil)
		if got.status != 200 {
			t.Fatalf("GET %s = %d", p, got.status)
		}
		want := map[string]any{
			"issuer":                                "https://as.example.test",
			"token_endpoint":                        "http://example.com/token",
			"jwks_uri":                              "http://example.com/jwks",
			"grant_types_supported":                 []any{"client_credentials"},
			"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_post"},
			"scopes_supported":                      []any{"read", "write"},
		}
		for k, v := range want {
			if g, _ := json.Marshal(got.body[k]); string(g) != mustJSON(v) {
				t.Errorf("GET %s: %s = %s, want %s", p, k, g, mustJSON(v))
			}
		}
	}
	got := do(t, a, "GET", PathJWKS, "", nil)
	keys, _ := got.body["keys"].([]any)
	if got.status != 200 || len(keys) != 1 {
		t.Fatalf("GET /jwks = %d %s, want one key", got.status, got.raw)
	}
	k := keys[0].(map[string]any)
	if k["kid"] != a.KeyID() || k["alg"] != "RS256" || k["use"] != "sig" || k["d"] != nil {
		t.Errorf("JWK = %v, want public RS256 signing key with kid %s", k, a.KeyID())
	}
	if got := do(t, a, "GET", PathHealthz, "", nil); got.status != 200 || got.body["status"] != "ok" {
		t.Errorf("GET /healthz = %d %s", got.status, got.raw)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestIssuerWithPath(t *testing.T) {
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test/tenant-1/"
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.Issuer() != "https://as.example.test/tenant-1" || a.TokenURL() != "https://as.example.test/tenant-1/token" {
		t.Errorf("Issuer, TokenURL = %s, %s", a.Issuer(), a.TokenURL())
	}
	if a.MetadataURL() != "https://as.example.test/.well-known/oauth-authorization-server/tenant-1" {
		t.Errorf("MetadataURL = %s", a.MetadataURL())
	}
	for _, p := range []string{"/.well-known/oauth-authorization-server/tenant-1", "/tenant-1/jwks", "/tenant-1/.well-known/openid-configuration"} {
		if got := do(t, a, "GET", p, "", nil); got.status != 200 {
			t.Errorf("GET %s = %d", p, got.status)
		}
	}
	for _, p := range []string{PathMetadata, PathOpenIDMetadata} {
		if got := do(t, a, "GET", p, "", nil); got.status != 404 {
			t.Errorf("GET %s = %d, want 404: that URL belongs to another issuer", p, got.status)
		}
	}
	if got := do(t, a, "POST", "/tenant-1/token", cc, map[string]string{"Authorization": basic(idA, secretA)}); got.status != 200 {
		t.Errorf("POST /tenant-1/token = %d %s", got.status, got.raw)
	}
}

func TestRequestsAreRedacted(t *testing.T) {
	a := newTestAuthority(t)
	do(t, a, "POST", "/token", cc, map[string]string{"Authorization": basic(idA, secretA)})
	do(t, a, "POST", "/token?client_secret=q", cc+"&client_id="+idBasic+"&client_secret="+secretB, nil)
	reqs := a.Requests()
	if len(reqs) != 2 {
		t.Fatalf("Requests() = %d, want 2", len(reqs))
	}
	if reqs[0].ClientID != idA || reqs[0].Status != 200 || reqs[1].Error != "invalid_request" {
		t.Errorf("Requests() = %+v", reqs)
	}
	dump, _ := json.Marshal(reqs)
	for _, secret := range []string{secretA, url.QueryEscape(secretA), strings.TrimPrefix(basic(idA, secretA), "Basic "), secretB, "client_secret=q"} {
		if strings.Contains(string(dump), secret) {
			t.Errorf("Requests() leaks %q: %s", secret, dump)
		}
	}
	if reqs[0].Header.Get("Authorization") != "Basic "+Redacted {
		t.Errorf("Authorization recorded as %q", reqs[0].Header.Get("Authorization"))
	}
}

func TestRequestLogIsBounded(t *testing.T) {
	cfg := testConfig()
	cfg.RequestLogSize = 3
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		do(t, a, "POST", "/token", "grant_type=n"+string(rune('0'+i)), map[string]string{"Authorization": basic(idA, secretA)})
	}
	reqs := a.Requests()
	if len(reqs) != 3 || reqs[0].Form.Get("grant_type") != "n2" || reqs[2].Form.Get("grant_type") != "n4" {
		t.Errorf("Requests() = %v, want the last three in order", reqs)
	}
}

package mockserver

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/occheck/occheck/internal/rfc6749"
)

// FuzzTokenRequest throws arbitrary bodies, Authorization headers and
// content types at the token endpoint. Invariants: no panic, never a 5xx,
// every rejection a §5.2 JSON error with 400, 401 or (wrong method) 405,
// and a token only for the right credentials.
func FuzzTokenRequest(f *testing.F) {
	f.Add("POST", "grant_type=client_credentials", basic(idA, secretA), "application/x-www-form-urlencoded")
	f.Add("POST", "grant_type=client_credentials&scope=read+write", basic(idS, secretS), "application/x-www-form-urlencoded; charset=utf-8")
	f.Add("POST", "grant_type=client_credentials&client_id=basic-only&client_secret=b-secret", "", "application/x-www-form-urlencoded")
	f.Add("POST", "grant_type=client_credentials&scope=%22", "Basic !!", "application/x-www-form-urlencoded")
	f.Add("POST", "grant_type=%zz&&&==", "Bearer x", "text/plain")
	f.Add("GET", "", basicRaw("a:b:c"), "")
	f.Add("POST", "resource=%2Fx&grant_type=client_credentials", basicRaw(":"), "application/x-www-form-urlencoded;;")
	// An assertion client too, so the fuzzer reaches the RFC 7523 path.
	key, err := GenerateClientKey(ES256)
	if err != nil {
		f.Fatal(err)
	}
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.Clients = append(cfg.Clients, key.Client("svc-jwt", "read"),
		Client{ID: "svc-hs", Secret: "a client_secret_jwt secret of 32+ bytes", AuthMethods: []string{"client_secret_jwt"}})
	jwt, _ := key.Assertion("svc-jwt", cfg.Issuer)
	hs, _ := SecretAssertion("svc-hs", "a client_secret_jwt secret of 32+ bytes", cfg.Issuer)
	typ := "&client_assertion_type=" + url.QueryEscape(AssertionType)
	f.Add("POST", "grant_type=client_credentials"+typ+"&client_assertion="+jwt, "", "application/x-www-form-urlencoded")
	f.Add("POST", "grant_type=client_credentials"+typ+"&client_assertion="+hs+"&client_id=svc-hs", "", "application/x-www-form-urlencoded")
	f.Add("POST", "grant_type=client_credentials"+typ+"&client_assertion=eyJhbGciOiJub25lIn0.e30.", "", "application/x-www-form-urlencoded")
	f.Add("POST", "grant_type=client_credentials"+typ+"&client_assertion="+jwt[:len(jwt)/2], basic(idA, secretA), "application/x-www-form-urlencoded")
	a, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, body, authz, ctype string) {
		if !validMethod(method) {
			method = http.MethodPost
		}
		r := httptest.NewRequest(method, "/token", strings.NewReader(body))
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		checkTokenResponse(t, w)
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

func checkTokenResponse(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("Pragma") != "no-cache" {
		t.Errorf("missing no-store headers: %v", w.Header())
	}
	body := w.Body.String()
	switch w.Code {
	case 200:
		if !strings.Contains(body, `"access_token"`) {
			t.Errorf("200 without a token: %s", body)
		}
	case 400, 401, 405:
		if !strings.HasPrefix(body, `{"error":"`) || strings.Contains(body, "access_token") {
			t.Errorf("%d body is not a §5.2 error: %s", w.Code, body)
		}
		for _, code := range rfc6749.KnownErrorCodes {
			if strings.HasPrefix(body, `{"error":"`+code+`"`) {
				return
			}
		}
		t.Errorf("%d with an unknown error code: %s", w.Code, body)
	default:
		t.Errorf("status %d: %s", w.Code, body)
	}
}

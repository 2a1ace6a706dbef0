package mockserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkMint is token issuance alone: claims, JSON, signature.
func BenchmarkMint(b *testing.B) {
	for _, alg := range SigningAlgs {
		b.Run(alg, func(b *testing.B) {
			cfg := testConfig()
			cfg.SigningAlg = alg
			a, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			a.setIssuer("https://as.example.test")
			cl := a.clients[idA]
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := a.sign(nil, a.newClaims(cl, []string{"read"}, []string{"https://api.example.test"})); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTokenRequest is a full token request through the handler:
// parsing, Basic with Appendix B decoding, constant-time secret check,
// scope, signature, response.
func BenchmarkTokenRequest(b *testing.B) {
	for _, alg := range append([]string{FormatOpaque}, SigningAlgs...) {
		b.Run(alg, func(b *testing.B) {
			cfg := testConfig()
			if alg == FormatOpaque {
				cfg.TokenFormat = FormatOpaque
			} else {
				cfg.SigningAlg = alg
			}
			cfg.Issuer = "https://as.example.test"
			a, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			auth := basic(idA, secretA)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if w := post(a, "/token", "grant_type=client_credentials&scope=read", auth); w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkErrorResponse is the cost of a refusal (no signature).
func BenchmarkErrorResponse(b *testing.B) {
	a, err := New(testConfig())
	if err != nil {
		b.Fatal(err)
	}
	auth := basic(idA, "wrong")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader("grant_type=client_credentials"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
	}
}

// BenchmarkAssertionTokenRequest is a full private_key_jwt token request
// through the handler: parsing the assertion, the client's key, the
// signature, the claims, the replay cache, then the token. Signing the
// assertion is the client's cost and is not timed.
func BenchmarkAssertionTokenRequest(b *testing.B) {
	for _, alg := range []string{ES256, RS256} {
		b.Run(alg, func(b *testing.B) {
			k, err := GenerateClientKey(alg)
			if err != nil {
				b.Fatal(err)
			}
			a, err := New(Config{Issuer: "https://as.example.test", PublicURL: "https://as.example.test", SigningAlg: ES256,
				ReplayCacheSize: 10_000_000, Clients: []Client{k.Client("c", "read")}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				jwt, err := k.Assertion("c", "https://as.example.test")
				if err != nil {
					b.Fatal(err)
				}
				r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader("grant_type=client_credentials&client_assertion_type="+
					"urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="+jwt))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				w := httptest.NewRecorder()
				b.StartTimer()
				a.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkReplayCache is the jti check of one assertion, with a cache
// already holding 100000 unexpired entries.
func BenchmarkReplayCache(b *testing.B) {
	c := newReplayCache(1 << 30)
	now := time.Now()
	for i := range 100_000 {
		c.claim("c", strconv.Itoa(i), now.Add(time.Hour), now)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if c.claim("c", "j"+strconv.Itoa(i), now.Add(time.Hour), now) != replayNew {
			b.Fatal("refused")
		}
	}
}

// BenchmarkIntrospect is an RFC 7662 request for an active token through
// the handler: caller authentication, the token's lookup, the answer.
func BenchmarkIntrospect(b *testing.B) {
	for _, format := range []string{FormatOpaque, FormatJWT} {
		b.Run(format, func(b *testing.B) {
			cfg := testConfig()
			cfg.TokenFormat = format
			cfg.SigningAlg = ES256
			cfg.Issuer = "https://as.example.test"
			a, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			auth := basic(idA, secretA)
			w := post(a, "/token", "grant_type=client_credentials&scope=read", auth)
			var tr struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &tr); err != nil {
				b.Fatal(err)
			}
			body := "token=" + url.QueryEscape(tr.AccessToken)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if w := post(a, PathIntrospect, body, auth); w.Code != 200 || !strings.Contains(w.Body.String(), `"active":true`) {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// post sends a form with an Authorization header straight to the handler.
func post(a *Authority, path, form, authz string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", authz)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	return w
}

// BenchmarkDPoPTokenRequest is a token request with an ES256 DPoP proof
// (RFC 9449 §4.3: parse, the checks, the signature, the jti replay cache)
// and an ES256 token bound with cnf.jkt. Making the proofs is outside
// the timer.
func BenchmarkDPoPTokenRequest(b *testing.B) {
	cfg := testConfig()
	cfg.SigningAlg = ES256
	cfg.Issuer = "https://as.example.test"
	a, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	proofs := make([]string, 1024)
	auth := basic(idA, secretA)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(proofs) == 0 {
			b.StopTimer()
			for j := range proofs {
				proofs[j] = newTestProof(a, http.MethodPost, a.TokenURL()).String()
			}
			b.StartTimer()
		}
		r := httptest.NewRequest(http.MethodPost, a.TokenURL(), strings.NewReader("grant_type=client_credentials&scope=read"))
		r.Header.Set("Content-Type", formMediaType)
		r.Header.Set("Authorization", auth)
		r.Header.Set("DPoP", proofs[i%len(proofs)])
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

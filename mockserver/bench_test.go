package mockserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
	for _, alg := range SigningAlgs {
		b.Run(alg, func(b *testing.B) {
			cfg := testConfig()
			cfg.SigningAlg = alg
			cfg.Issuer = "https://as.example.test"
			a, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			auth := basic(idA, secretA)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader("grant_type=client_credentials&scope=read"))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Authorization", auth)
				w := httptest.NewRecorder()
				a.ServeHTTP(w, r)
				if w.Code != 200 {
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

package mockserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// fetchJWKS gets the live key set over HTTP, as a resource server would.
func fetchJWKS(t *testing.T, s *Server) jose.JSONWebKeySet {
	t.Helper()
	resp, err := s.Client().Get(s.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	return set
}

// verify checks an access token the way an RFC 9068 resource server does.
func verify(t *testing.T, s *Server, set jose.JSONWebKeySet, token, alg string) map[string]any {
	t.Helper()
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	h := tok.Headers[0]
	if h.ExtraHeaders[jose.HeaderType] != "at+jwt" {
		t.Errorf("typ = %v, want at+jwt", h.ExtraHeaders[jose.HeaderType])
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in JWKS", h.KeyID, len(keys))
	}
	var claims map[string]any
	if err := tok.Claims(keys[0].Key, &claims); err != nil {
		t.Fatalf("signature does not verify against /jwks: %v", err)
	}
	return claims
}

func TestTokensVerifyAgainstJWKS(t *testing.T) {
	for _, alg := range SigningAlgs {
		t.Run(alg, func(t *testing.T) {
			cfg := testConfig()
			cfg.SigningAlg = alg
			cfg.Clients[0].Claims = map[string]any{"tenant": "acme"}
			cfg.Clients[0].TokenTTL = Duration(10 * time.Minute)
			s := NewTLSServer(cfg)
			defer s.Close()
			set := fetchJWKS(t, s)
			ccfg := s.ClientCredentials(idA, "read", "write")
			seen := map[any]bool{}
			for i := 0; i < 3; i++ {
				tok, err := ccfg.Token(s.OAuth2Context(t.Context()))
				if err != nil {
					t.Fatal(err)
				}
				c := verify(t, s, set, tok.AccessToken, alg)
				want := map[string]any{"iss": s.URL, "sub": idA, "client_id": idA, "aud": "https://api.example.test", "scope": "read write", "tenant": "acme"}
				for k, v := range want {
					if c[k] != v {
						t.Errorf("claim %s = %v, want %v", k, c[k], v)
					}
				}
				iat, _ := c["iat"].(float64)
				exp, _ := c["exp"].(float64)
				if exp-iat != 600 || time.Since(time.Unix(int64(iat), 0)) > time.Minute {
					t.Errorf("iat, exp = %v, %v, want now and now+600", iat, exp)
				}
				if seen[c["jti"]] || c["jti"] == nil {
					t.Errorf("jti %v repeated or missing", c["jti"])
				}
				seen[c["jti"]] = true
			}
		})
	}
}

func TestDefaultAudienceIsIssuer(t *testing.T) {
	s := NewTestServer(t, Config{})
	tok, err := s.ClientCredentials(DemoClientID).Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := verify(t, s, fetchJWKS(t, s), tok.AccessToken, RS256)
	if c["aud"] != s.Issuer() || c["scope"] != "read" {
		t.Errorf("aud, scope = %v, %v; want %s, read", c["aud"], c["scope"], s.Issuer())
	}
}

func TestKeyFileKeepsTokensValid(t *testing.T) {
	dir := t.TempDir()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	sec1, _ := x509.MarshalECPrivateKey(ecKey)
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: ecKey})
	files := []struct {
		name, alg string
		data      []byte
	}{
		{"pkcs8.pem", RS256, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})},
		{"pkcs1.pem", PS256, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})},
		{"sec1.pem", ES256, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})},
		{"key.jwk", ES256, jwk},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(dir, f.name)
			if err := os.WriteFile(path, f.data, 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := testConfig()
			cfg.KeyFile, cfg.SigningAlg = path, f.alg
			first := NewTestServer(t, cfg)
			tok, err := first.ClientCredentials(idA).Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			first.Close()
			second := NewTestServer(t, cfg) // a restart with the same key file
			if first.KeyID() != second.KeyID() {
				t.Errorf("kid changed across restarts: %s, %s", first.KeyID(), second.KeyID())
			}
			verify(t, second, fetchJWKS(t, second), tok.AccessToken, f.alg)
		})
	}
}

func TestKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ecKey)
	pubJWK, _ := json.Marshal(jose.JSONWebKey{Key: ecKey.Public()})
	cases := map[string][]byte{
		"garbage":  []byte("not a key"),
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}),
		"pub.jwk":  pubJWK,
		"ec-rs256": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
	}
	for name, data := range cases {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, data, 0o600)
		if _, err := New(Config{KeyFile: path, SigningAlg: RS256}); err == nil {
			t.Errorf("%s: Handler accepted an unusable key file", name)
		}
	}
	if _, err := New(Config{KeyFile: filepath.Join(dir, "missing")}); err == nil {
		t.Errorf("missing key file accepted")
	}
}

func TestServerMethods(t *testing.T) {
	s := NewUnstartedServer(Config{Issuer: "https://issuer.example.test"})
	s.StartTLS()
	defer s.Close()
	if s.Issuer() != "https://issuer.example.test" {
		t.Errorf("configured issuer replaced by %s", s.Issuer())
	}
	resp, err := s.Client().Get(s.URL + PathHealthz)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.Config.ReadHeaderTimeout != ReadHeaderTimeout {
		t.Errorf("healthz = %d, ReadHeaderTimeout = %v", resp.StatusCode, s.Config.ReadHeaderTimeout)
	}
}

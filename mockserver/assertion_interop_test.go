package mockserver

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Interoperability with an independent JOSE implementation: assertions
// made by github.com/golang-jwt/jwt are accepted by the mock, and the
// mock's verdict on each variant of an assertion agrees with that
// library's verification.

// jwtMethod is golang-jwt's signing method for alg.
func jwtMethod(alg string) jwt.SigningMethod { return jwt.GetSigningMethod(alg) }

func TestAssertionsFromAnotherLibraryAreAccepted(t *testing.T) {
	f := newAssertionFixture(t, "")
	for _, alg := range []string{ES256, RS256, PS256, EdDSA} {
		t.Run(alg, func(t *testing.T) {
			k := mustClientKey(t, alg)
			a, err := New(Config{Issuer: f.a.Issuer(), PublicURL: f.a.Issuer(), Clients: []Client{k.Client("c", "read")}})
			if err != nil {
				t.Fatal(err)
			}
			tok := jwt.NewWithClaims(jwtMethod(alg), jwt.RegisteredClaims{
				Issuer: "c", Subject: "c", Audience: jwt.ClaimStrings{a.TokenURL()},
				IssuedAt: jwt.NewNumericDate(time.Now()), ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Minute)), ID: newJTI(),
			})
			tok.Header["kid"] = k.KeyID
			s, err := tok.SignedString(k.Private)
			if err != nil {
				t.Fatal(err)
			}
			got := do(t, a, http.MethodPost, "/token", cc+"&client_assertion_type="+url.QueryEscape(AssertionType)+"&client_assertion="+s, nil)
			if got.status != http.StatusOK {
				t.Fatalf("status %d: %s", got.status, got.raw)
			}
		})
	}
	t.Run("HS256", func(t *testing.T) {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"iss": idJ2, "sub": idJ2, "aud": f.a.Issuer(), "exp": time.Now().Add(time.Minute).Unix(), "jti": newJTI(),
		}).SignedString([]byte(secretJ))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.post(t, s, "", nil); got.status != http.StatusOK {
			t.Fatalf("status %d: %s", got.status, got.raw)
		}
	})
}

func TestAssertionVerdictsAgreeWithAnotherLibrary(t *testing.T) {
	f := newAssertionFixture(t, "")
	now := time.Now()
	pubDER, _ := x509.MarshalPKIXPublicKey(f.ec.Private.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	stranger := mustClientKey(t, ES256)
	sameKid := *stranger
	sameKid.KeyID = f.ec.KeyID
	base := func() AssertionClaims { return f.claims(idJ) }
	variants := map[string]string{
		"baseline":        mustSign(t, f.ec, base(), ""),
		"aud token URL":   mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.Audience = f.a.TokenURL() }), ""),
		"expired":         mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.Expiry = now.Add(-10 * time.Minute).Unix() }), ""),
		"no exp":          mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.Expiry = 0 }), ""),
		"nbf ahead":       mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.NotBefore = now.Add(10 * time.Minute).Unix() }), ""),
		"within skew":     mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.NotBefore = now.Add(10 * time.Second).Unix() }), ""),
		"aud elsewhere":   mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.Audience = "https://evil.example" }), ""),
		"iss other":       mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.Issuer = idJR }), ""),
		"sub other":       mustSign(t, f.ec, with(base(), func(c *AssertionClaims) { c.Subject = idJR }), ""),
		"stranger key":    mustSign(t, &ClientKey{Alg: ES256, Private: stranger.Private}, base(), ""),
		"stranger, kid":   mustSign(t, &sameKid, base(), ""),
		"HS256 by pubkey": hs256(t, pubPEM, f.ec.KeyID, base()),
		"alg none":        unsigned(base()),
	}
	// The independent verdict: the client's one registered key, its
	// algorithm family only, iss = sub = the client, aud naming this
	// server, exp required, the mock's skew as leeway.
	registered := f.ec.Private.Public()
	verdict := func(s string) bool {
		for _, aud := range []string{f.a.Issuer(), f.a.TokenURL()} {
			_, err := jwt.Parse(s, func(*jwt.Token) (any, error) { return registered, nil },
				jwt.WithValidMethods([]string{"ES256"}), jwt.WithAudience(aud), jwt.WithIssuer(idJ), jwt.WithSubject(idJ),
				jwt.WithExpirationRequired(), jwt.WithLeeway(DefaultAssertionSkew))
			if err == nil {
				return true
			}
		}
		return false
	}
	for name, s := range variants {
		t.Run(name, func(t *testing.T) {
			want := verdict(s)
			got := f.post(t, s, "", nil)
			if (got.status == http.StatusOK) != want {
				t.Fatalf("mock status %d, golang-jwt accepts=%v; %s", got.status, want, got.raw)
			}
			if !want && got.body["error"] != rfc6749.ErrInvalidClient {
				t.Errorf("error %v, want invalid_client", got.body["error"])
			}
			if expectOK := name == "baseline" || name == "aud token URL" || name == "within skew"; want != expectOK {
				t.Errorf("golang-jwt's verdict %v on %q is not the expected one: the test itself is wrong", want, name)
			}
		})
	}
}

package mockserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// testProof is a DPoP proof under construction: every part can be bent.
type testProof struct {
	header map[string]any
	claims map[string]any
	key    any // signs; nil leaves the signature empty
	alg    string
	flip   bool
}

var dpopTestKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

// newTestProof is a valid proof for method and htu, by dpopTestKey, its
// jwk naming a kid (an optional member).
func newTestProof(a *Authority, method, htu string) *testProof {
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: dpopTestKey.Public(), KeyID: "k1"})
	var jm map[string]any
	_ = json.Unmarshal(jwk, &jm)
	return &testProof{
		header: map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": jm},
		claims: map[string]any{"jti": rand.Text(), "htm": method, "htu": htu, "iat": a.now().Unix()},
		key:    dpopTestKey, alg: "ES256",
	}
}

func (p *testProof) String() string {
	h, _ := json.Marshal(p.header)
	c, _ := json.Marshal(p.claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	if p.key == nil {
		return in + "."
	}
	sig, err := jwt.GetSigningMethod(p.alg).Sign(in, p.key)
	if err != nil {
		panic(err)
	}
	if p.flip {
		sig[len(sig)/2] ^= 1
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func dpopThumb() string {
	t, _ := (&jose.JSONWebKey{Key: dpopTestKey.Public()}).Thumbprint(crypto.SHA256)
	return base64.RawURLEncoding.EncodeToString(t)
}

// dpopToken asks for a token with the given DPoP header values.
func dpopToken(t *testing.T, a *Authority, proofs ...string) reply {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, a.TokenURL(), strings.NewReader(cc))
	r.Header.Set("Content-Type", formMediaType)
	r.Header.Set("Authorization", basic(idA, secretA))
	for _, p := range proofs {
		r.Header.Add("DPoP", p)
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	rep := reply{status: w.Code, header: w.Result().Header, raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &rep.body)
	return rep
}

// TestDPoPProofChecks: each RFC 9449 §4.3 defect gets 400
// invalid_dpop_proof from the reference and a token from the quirk that
// skips that check.
func TestDPoPProofChecks(t *testing.T) {
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	privJWK := func(p *testProof) {
		b, _ := json.Marshal(jose.JSONWebKey{Key: dpopTestKey, KeyID: "k1"})
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		p.header["jwk"] = m
	}
	cases := []struct {
		name  string
		bend  func(p *testProof, a *Authority)
		quirk Quirk
		two   bool
	}{
		{"two headers", nil, QuirkDPoPMultiHeader, true},
		{"no jti", func(p *testProof, _ *Authority) { delete(p.claims, "jti") }, QuirkDPoPClaimsOptional, false},
		{"no htm", func(p *testProof, _ *Authority) { delete(p.claims, "htm") }, QuirkDPoPClaimsOptional, false},
		{"no iat", func(p *testProof, _ *Authority) { delete(p.claims, "iat") }, QuirkDPoPClaimsOptional, false},
		{"typ JWT", func(p *testProof, _ *Authority) { p.header["typ"] = "JWT" }, QuirkDPoPTypUnchecked, false},
		{"alg none", func(p *testProof, _ *Authority) { p.header["alg"], p.key = "none", nil }, QuirkDPoPAlgLax, false},
		{"HS256", func(p *testProof, _ *Authority) {
			b, _ := json.Marshal(p.header["jwk"])
			p.header["alg"], p.alg, p.key = "HS256", "HS256", b
		}, QuirkDPoPAlgLax, false},
		{"private jwk", func(p *testProof, _ *Authority) { privJWK(p) }, QuirkDPoPPrivateJWK, false},
		{"other key signs", func(p *testProof, _ *Authority) { p.key = other }, QuirkDPoPSigUnchecked, false},
		{"flipped signature", func(p *testProof, _ *Authority) { p.flip = true }, QuirkDPoPSigUnchecked, false},
		{"htm GET", func(p *testProof, _ *Authority) { p.claims["htm"] = "GET" }, QuirkDPoPHtmUnchecked, false},
		{"htu elsewhere", func(p *testProof, _ *Authority) { p.claims["htu"] = "https://elsewhere.example.test/token" }, QuirkDPoPHtuUnchecked, false},
		{"iat an hour ago", func(p *testProof, a *Authority) { p.claims["iat"] = a.now().Add(-time.Hour).Unix() }, QuirkDPoPIatUnchecked, false},
		{"iat an hour ahead", func(p *testProof, a *Authority) { p.claims["iat"] = a.now().Add(time.Hour).Unix() }, QuirkDPoPIatUnchecked, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, q := range []Quirk{"", c.quirk} {
				a := newTestAuthority(t)
				if q != "" {
					a = newTestAuthority(t, q)
				}
				p := newTestProof(a, http.MethodPost, a.TokenURL())
				proofs := []string{p.String()}
				if c.two {
					proofs = append(proofs, newTestProof(a, http.MethodPost, a.TokenURL()).String())
				} else {
					c.bend(p, a)
					proofs = []string{p.String()}
				}
				got := dpopToken(t, a, proofs...)
				switch {
				case q == "" && (got.status != 400 || got.body["error"] != "invalid_dpop_proof"):
					t.Errorf("reference: %d %s, want 400 invalid_dpop_proof", got.status, got.raw)
				case q != "" && got.status != 200:
					t.Errorf("%s: %d %s, want a token", q, got.status, got.raw)
				}
			}
		})
	}
}

// TestDPoPBinding: a valid proof gives a DPoP token bound to the key's
// RFC 7638 thumbprint (not a hash over the JWK as sent), in the JWT and in
// introspection; the same proof again is refused; htu is normalised.
func TestDPoPBinding(t *testing.T) {
	a := newTestAuthority(t)
	p := newTestProof(a, http.MethodPost, a.TokenURL()).String()
	got := dpopToken(t, a, p)
	if got.status != 200 || got.body["token_type"] != "DPoP" {
		t.Fatalf("valid proof: %d %s", got.status, got.raw)
	}
	tok := got.body["access_token"].(string)
	claims := jwtPayload(t, tok)
	if cnf, _ := claims["cnf"].(map[string]any); cnf["jkt"] != dpopThumb() {
		t.Errorf("cnf %v, want jkt %s", claims["cnf"], dpopThumb())
	}
	in := introspect(t, a, basic(idA, secretA), "token="+tok)
	if in.body["token_type"] != "DPoP" || in.body["cnf"].(map[string]any)["jkt"] != dpopThumb() {
		t.Errorf("introspection: %s", in.raw)
	}
	for _, rec := range a.Requests() {
		if v := rec.Header.Get("DPoP"); v != "" && v != Redacted {
			t.Errorf("the journal keeps a DPoP proof: %.30s", v)
		}
	}
	if again := dpopToken(t, a, p); again.status != 400 || again.body["error"] != "invalid_dpop_proof" {
		t.Errorf("replayed proof: %d %s", again.status, again.raw)
	}
	upper := strings.Replace(a.TokenURL(), "https://as.example.test", "HTTPS://AS.Example.TEST:443", 1)
	if got := dpopToken(t, a, newTestProof(a, http.MethodPost, upper+"?x=1#f").String()); got.status != 200 {
		t.Errorf("htu %s: %d %s", upper, got.status, got.raw)
	}
	raw := newTestAuthority(t, QuirkDPoPHtuRaw)
	if got := dpopToken(t, raw, newTestProof(raw, http.MethodPost, upper).String()); got.status != 400 {
		t.Errorf("%s, htu %s: %d", QuirkDPoPHtuRaw, upper, got.status)
	}
	all := newTestAuthority(t, QuirkDPoPThumbprintAll)
	got = dpopToken(t, all, newTestProof(all, http.MethodPost, all.TokenURL()).String())
	if cnf, _ := jwtPayload(t, got.body["access_token"].(string))["cnf"].(map[string]any); cnf["jkt"] == dpopThumb() || cnf["jkt"] == nil {
		t.Errorf("%s: cnf %v", QuirkDPoPThumbprintAll, cnf)
	}
}

// TestDPoPNonce: with nonces on, a proof without one gets 400
// use_dpop_nonce and a DPoP-Nonce; the retry with it gets a token; a
// made-up nonce is refused; a nonce expires.
func TestDPoPNonce(t *testing.T) {
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.DPoPNonce = true
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := dpopToken(t, a, newTestProof(a, http.MethodPost, a.TokenURL()).String())
	nonce := got.header.Get("DPoP-Nonce")
	if got.status != 400 || got.body["error"] != "use_dpop_nonce" || nonce == "" || len(got.header.Values("DPoP-Nonce")) != 1 {
		t.Fatalf("without a nonce: %d %s %v", got.status, got.raw, got.header)
	}
	p := newTestProof(a, http.MethodPost, a.TokenURL())
	p.claims["nonce"] = nonce
	if got := dpopToken(t, a, p.String()); got.status != 200 {
		t.Errorf("with the nonce: %d %s", got.status, got.raw)
	}
	p = newTestProof(a, http.MethodPost, a.TokenURL())
	p.claims["nonce"] = "made-up"
	if got := dpopToken(t, a, p.String()); got.body["error"] != "use_dpop_nonce" {
		t.Errorf("a made-up nonce: %d %s", got.status, got.raw)
	}
	a.Clock().Advance(dpopNonceLife + time.Minute)
	p = newTestProof(a, http.MethodPost, a.TokenURL())
	p.claims["nonce"] = nonce
	if got := dpopToken(t, a, p.String()); got.body["error"] != "use_dpop_nonce" {
		t.Errorf("an expired nonce: %d %s", got.status, got.raw)
	}
}

// TestDPoPBoundClient: a client registered with dpop_bound_access_tokens
// gets no token without a proof.
func TestDPoPBoundClient(t *testing.T) {
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.Clients[0].DPoPBoundAccessTokens = true
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := dpopToken(t, a); got.status != 400 || got.body["error"] != "invalid_dpop_proof" {
		t.Errorf("no proof: %d %s", got.status, got.raw)
	}
	if got := dpopToken(t, a, newTestProof(a, http.MethodPost, a.TokenURL()).String()); got.status != 200 {
		t.Errorf("with a proof: %d %s", got.status, got.raw)
	}
}

// TestDPoPResource: the resource takes a bound token only under the DPoP
// scheme with a proof by the bound key, for this request, carrying ath;
// refusals carry a DPoP challenge.
func TestDPoPResource(t *testing.T) {
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.ResourceAudience = []string{"https://api.example.test"}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := dpopToken(t, a, newTestProof(a, http.MethodPost, a.TokenURL()).String())
	tok, _ := got.body["access_token"].(string)
	sum := sha256.Sum256([]byte(tok))
	ath := base64.RawURLEncoding.EncodeToString(sum[:])
	call := func(scheme string, proof *testProof) reply {
		h := map[string]string{"Authorization": scheme + " " + tok}
		if proof != nil {
			h["DPoP"] = proof.String()
		}
		return do(t, a, http.MethodGet, a.ResourceURL(), "", h)
	}
	good := func() *testProof {
		p := newTestProof(a, http.MethodGet, a.ResourceURL())
		p.claims["ath"] = ath
		return p
	}
	if r := call("DPoP", good()); r.status != 200 {
		t.Fatalf("DPoP with a proof: %d %s", r.status, r.raw)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherKey := good()
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: other.Public()})
	var jm map[string]any
	_ = json.Unmarshal(jwk, &jm)
	otherKey.header["jwk"], otherKey.key = jm, other
	wrongATH := good()
	wrongATH.claims["ath"] = "AAAA"
	for name, r := range map[string]reply{
		"Bearer":     call("Bearer", nil),
		"no proof":   call("DPoP", nil),
		"other key":  call("DPoP", otherKey),
		"wrong ath":  call("DPoP", wrongATH),
		"POST proof": call("DPoP", func() *testProof { p := good(); p.claims["htm"] = "POST"; return p }()),
	} {
		if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "DPoP ") {
			t.Errorf("%s: %d %s (WWW-Authenticate %q)", name, r.status, r.raw, r.header.Get("WWW-Authenticate"))
		}
	}
	cfg.Quirks = []Quirk{QuirkDPoPRSBearerDowngrade}
	lax, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got = dpopToken(t, lax, newTestProof(lax, http.MethodPost, lax.TokenURL()).String())
	if r := do(t, lax, http.MethodGet, lax.ResourceURL(), "", map[string]string{"Authorization": "Bearer " + got.body["access_token"].(string)}); r.status != 200 {
		t.Errorf("%s: Bearer got %d", QuirkDPoPRSBearerDowngrade, r.status)
	}
}

// jwtPayload decodes a JWT's claims without verifying it.
func jwtPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// FuzzDPoPProof: whatever the DPoP header holds, the token endpoint
// answers a §5.2 error or a token, never a 500 or a panic; and the
// resource answers a bound token's request with anything as a proof with
// 200, 400 or 401.
func FuzzDPoPProof(f *testing.F) {
	a := newTestAuthority(f)
	valid := newTestProof(a, http.MethodPost, a.TokenURL())
	f.Add(valid.String())
	f.Add("garbage")
	f.Add(valid.String() + "," + valid.String())
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiZHBvcCtqd3QifQ.e30.")
	for _, jwk := range []string{`{"kty":"oct","k":"AAAA"}`, `{"kty":"RSA","n":"AQAB","e":"AQAB"}`, `{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`, `{"kty":"OKP","crv":"Ed25519","x":"AA"}`, `[]`, `null`, `"x"`} {
		var m any
		_ = json.Unmarshal([]byte(jwk), &m)
		p := newTestProof(a, http.MethodPost, a.TokenURL())
		p.header["jwk"] = m
		f.Add(p.String())
		p.header["alg"] = "RS256"
		f.Add(p.String())
		p.header["alg"] = "EdDSA"
		f.Add(p.String())
	}
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.ResourceAudience = []string{"https://api.example.test"}
	res, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	tok := func() string {
		r := httptest.NewRequest(http.MethodPost, res.TokenURL(), strings.NewReader(cc))
		r.Header.Set("Content-Type", formMediaType)
		r.Header.Set("Authorization", basic(idA, secretA))
		r.Header.Set("DPoP", newTestProof(res, http.MethodPost, res.TokenURL()).String())
		w := httptest.NewRecorder()
		res.ServeHTTP(w, r)
		var body map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		s, _ := body["access_token"].(string)
		return s
	}()
	// The resource takes the token with a valid proof: the fuzzer starts
	// from the DPoP check, not from an audience refusal.
	rp := newTestProof(res, http.MethodGet, res.ResourceURL())
	rp.claims["ath"] = athOfTest(tok)
	f.Add(rp.String())
	check := httptest.NewRequest(http.MethodGet, res.ResourceURL(), nil)
	check.Header.Set("Authorization", "DPoP "+tok)
	check.Header.Set("DPoP", rp.String())
	if cw := httptest.NewRecorder(); func() int { res.ServeHTTP(cw, check); return cw.Code }() != 200 {
		f.Fatal("the resource refuses the bound token with a valid proof")
	}
	f.Fuzz(func(t *testing.T, proof string) {
		r := httptest.NewRequest(http.MethodPost, a.TokenURL(), strings.NewReader(cc))
		r.Header.Set("Content-Type", formMediaType)
		r.Header.Set("Authorization", basic(idA, secretA))
		r.Header["Dpop"] = []string{proof}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		checkTokenResponse(t, w)
		rr := httptest.NewRequest(http.MethodGet, res.ResourceURL(), nil)
		rr.Header.Set("Authorization", "DPoP "+tok)
		rr.Header["Dpop"] = []string{proof}
		rw := httptest.NewRecorder()
		res.ServeHTTP(rw, rr)
		if rw.Code != 200 && rw.Code != 400 && rw.Code != 401 {
			t.Errorf("resource: %d %s", rw.Code, rw.Body.String())
		}
	})
}

func athOfTest(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestDPoPKeyFitsAlgAndTargetIsOwn: an alg the key cannot make (ES512 by
// a P-256 key, RS256 by RSA-1024) is refused; htu is compared with the
// server's own URL, never with a Host header beyond loopback, and a
// resource behind a proxy takes its public URL.
func TestDPoPKeyFitsAlgAndTargetIsOwn(t *testing.T) {
	a := newTestAuthority(t)
	p := newTestProof(a, http.MethodPost, a.TokenURL())
	p.header["alg"], p.alg = "ES512", "ES256"
	if got := dpopToken(t, a, p.String()); got.status != 400 {
		t.Errorf("ES512 header signed by a P-256 key: %d %s", got.status, got.raw)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p = newTestProof(a, http.MethodPost, a.TokenURL())
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: small.Public()})
	var jm map[string]any
	_ = json.Unmarshal(jwk, &jm)
	p.header["jwk"], p.header["alg"], p.alg, p.key = jm, "RS256", "RS256", small
	if got := dpopToken(t, a, p.String()); got.status != 400 || !strings.Contains(got.raw, "1024") {
		t.Errorf("RS256 by RSA-1024: %d %s", got.status, got.raw)
	}

	// A proof for another server, with that server's name in Host.
	victim := "https://victim-as.example/token"
	r := httptest.NewRequest(http.MethodPost, victim, strings.NewReader(cc))
	r.Header.Set("Content-Type", formMediaType)
	r.Header.Set("Authorization", basic(idA, secretA))
	r.Header.Set("DPoP", newTestProof(a, http.MethodPost, victim).String())
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if w.Code != 400 {
		t.Errorf("a proof for %s with Host victim-as.example: %d %s", victim, w.Code, w.Body)
	}
	for _, htu := range []string{"https://as.example.test/./token", "https://as.example.test/%74oken"} {
		if got := dpopToken(t, a, newTestProof(a, http.MethodPost, htu).String()); got.status != 200 {
			t.Errorf("htu %s: %d %s", htu, got.status, got.raw)
		}
	}
	if got := dpopToken(t, a, newTestProof(a, http.MethodPost, "https://x@as.example.test/token").String()); got.status != 400 {
		t.Errorf("htu with userinfo: %d", got.status)
	}

	// Behind a TLS-terminating proxy: the request reaches the mock over
	// plain HTTP at an inner address; the proof names the public URL.
	cfg := testConfig()
	cfg.PublicURL = "https://as.example.test"
	cfg.ResourceAudience = []string{"https://api.example.test"}
	pa, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := dpopToken(t, pa, newTestProof(pa, http.MethodPost, pa.TokenURL()).String())
	tok, _ := got.body["access_token"].(string)
	rp := newTestProof(pa, http.MethodGet, pa.ResourceURL())
	rp.claims["ath"] = athOfTest(tok)
	rr := httptest.NewRequest(http.MethodGet, "http://10.0.0.5:8080/resource", nil)
	rr.Header.Set("Authorization", "DPoP "+tok)
	rr.Header.Set("DPoP", rp.String())
	rw := httptest.NewRecorder()
	pa.ServeHTTP(rw, rr)
	if rw.Code != 200 {
		t.Errorf("the resource behind a proxy: %d %s", rw.Code, rw.Body)
	}
}

// TestDPoPNonceAcrossReplicas: replicas that share a key file accept each
// other's nonces; a server with another key does not.
func TestDPoPNonceAcrossReplicas(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	key, err := GenerateClientKey(ES256)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key.Private)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	replica := func(keyFile string) *Authority {
		cfg := testConfig()
		cfg.Issuer, cfg.DPoPNonce, cfg.KeyFile, cfg.SigningAlg = "https://as.example.test", true, keyFile, ES256
		a, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, b, other := replica(keyFile), replica(keyFile), replica("")
	nonce := dpopToken(t, a, newTestProof(a, http.MethodPost, a.TokenURL()).String()).header.Get("DPoP-Nonce")
	if nonce == "" {
		t.Fatal("no nonce from replica A")
	}
	for name, s := range map[string]*Authority{"replica B": b, "a server with another key": other} {
		p := newTestProof(s, http.MethodPost, s.TokenURL())
		p.claims["nonce"] = nonce
		got := dpopToken(t, s, p.String())
		if want := name == "replica B"; (got.status == 200) != want {
			t.Errorf("%s with A's nonce: %d %s", name, got.status, got.raw)
		}
	}
}

package mockserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

const (
	idJ     = "svc-jwt"
	idJR    = "svc-jwt-rsa"
	idJ2    = "svc-secret-jwt"
	secretJ = "a client secret of thirty-two bytes or more, for HS256"
)

// assertionFixture is a server with private_key_jwt clients (EC and RSA
// keys) and a client_secret_jwt client.
type assertionFixture struct {
	a      *Authority
	ec, rs *ClientKey
}

func newAssertionFixture(t *testing.T, profile string, quirks ...Quirk) *assertionFixture {
	t.Helper()
	f := &assertionFixture{ec: mustClientKey(t, ES256), rs: mustClientKey(t, RS256)}
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.PublicURL = cfg.Issuer
	cfg.AssertionProfile = profile
	cfg.Quirks = quirks
	cfg.Clients = append(cfg.Clients,
		f.ec.Client(idJ, "read"),
		f.rs.Client(idJR, "read"),
		Client{ID: idJ2, Secret: secretJ, AuthMethods: []string{rfc6749.AuthClientSecretJWT}, Scopes: []string{"read"}},
	)
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.a = a
	return f
}

func mustClientKey(t testing.TB, alg string) *ClientKey {
	t.Helper()
	k, err := GenerateClientKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// claims are the baseline claims of client id to the issuer.
func (f *assertionFixture) claims(id string) AssertionClaims {
	now := time.Now()
	return AssertionClaims{Issuer: id, Subject: id, Audience: f.a.Issuer(), IssuedAt: now.Unix(), Expiry: now.Add(time.Minute).Unix(), ID: newJTI()}
}

func mustSign(t testing.TB, k *ClientKey, c AssertionClaims, typ string) string {
	t.Helper()
	s, err := k.Sign(c, typ)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// post sends an assertion request, plus extra form parameters.
func (f *assertionFixture) post(t *testing.T, jwt string, extra string, header map[string]string) reply {
	t.Helper()
	body := cc + "&client_assertion_type=" + url.QueryEscape(AssertionType) + "&client_assertion=" + url.QueryEscape(jwt)
	if extra != "" {
		body += "&" + extra
	}
	return do(t, f.a, http.MethodPost, "/token", body, header)
}

// hs256 MACs claims with key, with kid in the header when set.
func hs256(t *testing.T, key []byte, kid string, c AssertionClaims) string {
	t.Helper()
	s, err := signAssertion(jose.SigningKey{Algorithm: jose.HS256, Key: key}, kid, c, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// unsigned is c as an alg none JWT.
func unsigned(c AssertionClaims) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	p, _ := json.Marshal(c)
	return h + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

func wantRefused(t *testing.T, got reply, code string, reason string) {
	t.Helper()
	if got.status == http.StatusOK {
		t.Fatalf("accepted, want refused (%s)", reason)
	}
	if got.body["error"] != code {
		t.Errorf("error = %v, want %s; body %s", got.body["error"], code, got.raw)
	}
	if code == rfc6749.ErrInvalidClient && (got.status != http.StatusBadRequest || got.header.Get("WWW-Authenticate") != "") {
		t.Errorf("status %d with challenge %q, want 400 without (no Authorization header was used)", got.status, got.header.Get("WWW-Authenticate"))
	}
	if d, _ := got.body["error_description"].(string); !strings.Contains(d, reason) {
		t.Errorf("error_description = %q, want it to hold %q", d, reason)
	}
}

func TestClientAssertionAccepted(t *testing.T) {
	f := newAssertionFixture(t, "")
	for name, jwt := range map[string]string{
		"ES256 aud issuer":    mustSign(t, f.ec, f.claims(idJ), ""),
		"ES256 aud token URL": mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Audience = f.a.TokenURL() }), ""),
		"ES256 aud [issuer]":  mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Audience = []string{f.a.Issuer()} }), ""),
		"typed":               mustSign(t, f.ec, f.claims(idJ), TypClientAuthentication),
		"typ JWT":             mustSign(t, f.ec, f.claims(idJ), "JWT"),
		"RS256":               mustSign(t, f.rs, f.claims(idJR), ""),
		"no jti":              mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.ID = "" }), ""),
		"client_secret_jwt":   hs256(t, []byte(secretJ), "", f.claims(idJ2)),
	} {
		t.Run(name, func(t *testing.T) {
			got := f.post(t, jwt, "", nil)
			if got.status != http.StatusOK {
				t.Fatalf("status %d, body %s", got.status, got.raw)
			}
			if c := jwtClaimsFromBody(t, []byte(got.raw)); c["client_id"] == nil || !strings.HasPrefix(c["client_id"].(string), "svc-") {
				t.Errorf("token client_id = %v", c["client_id"])
			}
		})
	}
	t.Run("client_id naming the same client", func(t *testing.T) {
		if got := f.post(t, mustSign(t, f.ec, f.claims(idJ), ""), "client_id="+idJ, nil); got.status != http.StatusOK {
			t.Fatalf("status %d, body %s", got.status, got.raw)
		}
	})
	for _, alg := range []string{PS256, EdDSA} {
		t.Run(alg, func(t *testing.T) {
			k := mustClientKey(t, alg)
			a, err := New(Config{Issuer: "https://as.example.test", Clients: []Client{k.Client("c", "read")}})
			if err != nil {
				t.Fatal(err)
			}
			jwt, err := k.Assertion("c", a.Issuer())
			if err != nil {
				t.Fatal(err)
			}
			body := cc + "&client_assertion_type=" + url.QueryEscape(AssertionType) + "&client_assertion=" + jwt
			if got := do(t, a, http.MethodPost, "/token", body, nil); got.status != http.StatusOK {
				t.Fatalf("status %d, body %s", got.status, got.raw)
			}
		})
	}
}

func with(c AssertionClaims, change func(*AssertionClaims)) AssertionClaims {
	change(&c)
	return c
}

func TestClientAssertionRefused(t *testing.T) {
	f := newAssertionFixture(t, "")
	now := time.Now()
	good := func() string { return mustSign(t, f.ec, f.claims(idJ), "") }
	pubDER, _ := x509.MarshalPKIXPublicKey(f.ec.Private.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pubJWK, _ := json.Marshal(f.ec.PublicJWKS().Keys[0])
	stranger := mustClientKey(t, ES256)
	sameKid := *stranger
	sameKid.KeyID = f.ec.KeyID
	rsAsJ := *f.rs // client JR's key and kid, claiming to be J
	corrupt := []byte(good())
	i := len(corrupt) - 10 // inside the signature
	corrupt[i] = map[bool]byte{true: 'B', false: 'A'}[corrupt[i] == 'A']

	cases := []struct {
		name, jwt, extra string
		header           map[string]string
		code, reason     string
	}{
		{"expired", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Expiry = now.Add(-10 * time.Minute).Unix() }), ""), "", nil, "invalid_client", "expired"},
		{"no exp", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Expiry = 0 }), ""), "", nil, "invalid_client", "no exp"},
		{"nbf ahead", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.NotBefore = now.Add(10 * time.Minute).Unix() }), ""), "", nil, "invalid_client", "not valid before"},
		{"iat ahead", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.IssuedAt = now.Add(2 * time.Minute).Unix() }), ""), "", nil, "invalid_client", "in the future"},
		{"iat a day old", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.IssuedAt = now.Add(-24 * time.Hour).Unix() }), ""), "", nil, "invalid_client", "issued"},
		{"a year long", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Expiry = now.Add(365 * 24 * time.Hour).Unix() }), ""), "", nil, "invalid_client", "lifetime"},
		{"no aud", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Audience = nil }), ""), "", nil, "invalid_client", "no aud"},
		{"aud elsewhere", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Audience = "https://evil.example" }), ""), "", nil, "invalid_client", "does not name this server"},
		{"aud [elsewhere]", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Audience = []string{"https://evil.example"} }), ""), "", nil, "invalid_client", "does not name this server"},
		{"aud issuer with slash", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Audience = f.a.Issuer() + "/" }), ""), "", nil, "invalid_client", "does not name this server"},
		{"aud issuer upper case", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Audience = strings.ToUpper(f.a.Issuer()) }), ""), "", nil, "invalid_client", "does not name this server"},
		{"no iss", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Issuer = "" }), ""), "", nil, "invalid_client", "no iss"},
		{"no sub", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Subject = "" }), ""), "", nil, "invalid_client", "no sub"},
		{"iss another client", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Issuer = idJR }), ""), "", nil, "invalid_client", "differ"},
		{"sub another client", mustSign(t, f.ec, with(f.claims(idJ), func(c *AssertionClaims) { c.Subject = idJR }), ""), "", nil, "invalid_client", "differ"},
		{"unknown client", mustSign(t, f.ec, f.claims("nobody"), ""), "", nil, "invalid_client", "unknown client"},
		{"alg none", unsigned(f.claims(idJ)), "", nil, "invalid_client", "unsigned"},
		{"empty signature", strings.Join(strings.Split(good(), ".")[:2], ".") + ".", "", nil, "invalid_client", ""},
		{"corrupted signature", string(corrupt), "", nil, "invalid_client", "does not verify"},
		{"HS256 with public key PEM", hs256(t, pubPEM, f.ec.KeyID, f.claims(idJ)), "", nil, "invalid_client", "it used client_secret_jwt"},
		{"HS256 with public key DER", hs256(t, pubDER, f.ec.KeyID, f.claims(idJ)), "", nil, "invalid_client", "it used client_secret_jwt"},
		{"HS256 with public JWK", hs256(t, pubJWK, f.ec.KeyID, f.claims(idJ)), "", nil, "invalid_client", "it used client_secret_jwt"},
		{"unknown key, no kid", mustSign(t, &ClientKey{Alg: ES256, Private: stranger.Private}, f.claims(idJ), ""), "", nil, "invalid_client", "any key registered"},
		{"unknown key, registered kid", mustSign(t, &sameKid, f.claims(idJ), ""), "", nil, "invalid_client", "does not verify"},
		{"another client's key and kid", mustSign(t, &rsAsJ, f.claims(idJ), ""), "", nil, "invalid_client", "no registered key with kid"},
		{"secret JWT, wrong secret", hs256(t, []byte(secretJ+"x"), "", f.claims(idJ2)), "", nil, "invalid_client", "does not verify"},
		{"typ at+jwt", mustSign(t, f.ec, f.claims(idJ), "at+jwt"), "", nil, "invalid_client", "not a client assertion"},
		{"client_id another client", good(), "client_id=" + idJR, nil, "invalid_client", "does not name the client"},
		{"two JWTs", good() + "," + good(), "", nil, "invalid_client", "more than one"},
		{"a JWE", "a.b.c.d.e", "", nil, "invalid_client", "JWE"},
		{"assertion and Basic", good(), "", map[string]string{"Authorization": basic(idA, secretA)}, "invalid_request", "two client authentication methods"},
		{"assertion and client_secret", good(), "client_secret=x", nil, "invalid_request", "two client authentication methods"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRefused(t, f.post(t, c.jwt, c.extra, c.header), c.code, c.reason)
		})
	}
	t.Run("assertion types", func(t *testing.T) {
		for _, typ := range []string{"urn:example:other", strings.ToUpper(AssertionType), "urn:ietf:params:oauth:grant-type:jwt-bearer"} {
			body := cc + "&client_assertion_type=" + url.QueryEscape(typ) + "&client_assertion=" + good()
			wantRefused(t, do(t, f.a, http.MethodPost, "/token", body, nil), "invalid_client", "client_assertion_type")
		}
	})
	t.Run("client_assertion twice", func(t *testing.T) {
		got := f.post(t, good(), "client_assertion="+good(), nil)
		wantRefused(t, got, "invalid_request", "")
	})
}

func TestClientAssertionSingleUse(t *testing.T) {
	f := newAssertionFixture(t, "")
	jwt := mustSign(t, f.ec, f.claims(idJ), "")
	if got := f.post(t, jwt, "", nil); got.status != http.StatusOK {
		t.Fatalf("first use: %d %s", got.status, got.raw)
	}
	wantRefused(t, f.post(t, jwt, "", nil), "invalid_client", "used before")

	// A refused assertion does not use up its jti.
	c := f.claims(idJ)
	wantRefused(t, f.post(t, mustSign(t, f.ec, with(c, func(c *AssertionClaims) { c.Audience = "https://evil.example" }), ""), "", nil), "invalid_client", "aud")
	if got := f.post(t, mustSign(t, f.ec, c, ""), "", nil); got.status != http.StatusOK {
		t.Fatalf("jti after a refusal: %d %s", got.status, got.raw)
	}

	// Parallel replays of one fresh assertion: exactly one passes.
	jwt = mustSign(t, f.ec, f.claims(idJ), "")
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if f.post(t, jwt, "", nil).status == http.StatusOK {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d of 32 parallel replays passed, want 1", ok.Load())
	}
}

func TestReplayCacheBounded(t *testing.T) {
	c := newReplayCache(2)
	now := time.Now()
	for i, want := range []int{replayNew, replayNew, replayFull} {
		if got := c.claim("c", string(rune('a'+i)), now.Add(time.Minute), now); got != want {
			t.Fatalf("claim %d = %d, want %d", i, got, want)
		}
	}
	// Once the first two expire, there is room again.
	if got := c.claim("c", "z", now.Add(2*time.Minute), now.Add(90*time.Second)); got != replayNew || c.len() != 1 {
		t.Fatalf("after expiry: %d, %d entries", got, c.len())
	}
}

func TestAssertionProfiles(t *testing.T) {
	type try struct {
		name  string
		aud   any
		alg   string
		noJTI bool
		ok    bool
	}
	iss := "https://as.example.test"
	tok := iss + "/token"
	for profile, tries := range map[string][]try{
		ProfileRFC7523bis: {
			{"issuer", iss, ES256, false, true},
			{"[issuer]", []string{iss}, ES256, false, true},
			{"token URL", tok, ES256, false, false},
			{"[issuer, other]", []string{iss, "https://other.example"}, ES256, false, false},
		},
		ProfileFAPI2: {
			{"issuer", iss, ES256, false, true},
			{"[issuer]", []string{iss}, ES256, false, false},
			{"token URL", tok, ES256, false, false},
			{"RS256", iss, RS256, false, false},
			{"PS256", iss, PS256, false, true},
			{"no jti", iss, ES256, true, false},
		},
	} {
		for _, tr := range tries {
			t.Run(profile+"/"+tr.name, func(t *testing.T) {
				k := mustClientKey(t, tr.alg)
				a, err := New(Config{Issuer: iss, PublicURL: iss, AssertionProfile: profile, Clients: []Client{k.Client("c", "read")}})
				if err != nil {
					t.Fatal(err)
				}
				now := time.Now()
				c := AssertionClaims{Issuer: "c", Subject: "c", Audience: tr.aud, IssuedAt: now.Unix(), Expiry: now.Add(time.Minute).Unix(), ID: newJTI()}
				if tr.noJTI {
					c.ID = ""
				}
				body := cc + "&client_assertion_type=" + url.QueryEscape(AssertionType) + "&client_assertion=" + mustSign(t, k, c, "")
				got := do(t, a, http.MethodPost, "/token", body, nil)
				if (got.status == http.StatusOK) != tr.ok {
					t.Fatalf("status %d, want ok=%v; %s", got.status, tr.ok, got.raw)
				}
			})
		}
	}
}

func TestAssertionMetadata(t *testing.T) {
	f := newAssertionFixture(t, "")
	m := f.a.Metadata()
	methods := strings.Join(m["token_endpoint_auth_methods_supported"].([]string), " ")
	if methods != "client_secret_basic client_secret_post client_secret_jwt private_key_jwt" {
		t.Errorf("methods = %q", methods)
	}
	algs := m["token_endpoint_auth_signing_alg_values_supported"].([]string)
	if strings.Contains(strings.Join(algs, " "), "none") || algs[0] != "RS256" || algs[len(algs)-1] != "HS256" {
		t.Errorf("algs = %v", algs)
	}
	plain := newTestAuthority(t)
	if _, ok := plain.Metadata()["token_endpoint_auth_signing_alg_values_supported"]; ok {
		t.Error("a server without assertion clients lists signing algorithms")
	}
	// A FAPI 2.0 server advertises private_key_jwt only, with FAPI
	// algorithms; the quirk lists the secret methods again.
	fapi := newAssertionFixture(t, ProfileFAPI2).a.Metadata()
	if got := fmt.Sprint(fapi["token_endpoint_auth_methods_supported"], fapi["token_endpoint_auth_signing_alg_values_supported"]); got != "[private_key_jwt] [PS256 ES256 EdDSA]" {
		t.Errorf("fapi2 metadata lists %s", got)
	}
	lax := newAssertionFixture(t, ProfileFAPI2, QuirkAssertionNonFAPIMethods).a.Metadata()
	if got := fmt.Sprint(lax["token_endpoint_auth_methods_supported"]); got != "[client_secret_basic client_secret_post client_secret_jwt private_key_jwt]" {
		t.Errorf("fapi2 with %s lists %s", QuirkAssertionNonFAPIMethods, got)
	}
}

// TestMACForPrivateKeyQuirk: the reference refuses an HS256 assertion
// keyed with a private_key_jwt client's secret before any key is tried;
// the quirk takes it.
func TestMACForPrivateKeyQuirk(t *testing.T) {
	for _, qs := range [][]Quirk{nil, {QuirkAssertionMACForPrivateKey}} {
		f := newAssertionFixture(t, "", qs...)
		f.a.clients[idJ].Secret = secretJ
		got := f.post(t, hs256(t, []byte(secretJ), "", f.claims(idJ)), "", nil)
		if (got.status == 200) != (qs != nil) {
			t.Errorf("quirks %v: HS256 with the secret of a private_key_jwt client: %d %s", qs, got.status, got.body)
		}
	}
}

func TestClientKeysFromFileAndURI(t *testing.T) {
	k := mustClientKey(t, ES256)
	der, _ := x509.MarshalPKIXPublicKey(k.Private.Public())
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "client.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}

	// The client's own JWKS endpoint, whose keys it rotates.
	var current atomic.Pointer[ClientKey]
	current.Store(mustClientKey(t, ES256))
	var fetches atomic.Int32
	jwksSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_ = json.NewEncoder(w).Encode(current.Load().PublicJWKS())
	}))
	defer jwksSrv.Close()

	a, err := New(Config{Issuer: "https://as.example.test", Clients: []Client{
		{ID: "from-file", AuthMethods: []string{rfc6749.AuthPrivateKeyJWT}, JWKSFile: pemFile},
		{ID: "from-uri", JWKSURI: jwksSrv.URL},
	}})
	if err != nil {
		t.Fatal(err)
	}
	send := func(k *ClientKey, id string) int {
		jwt, err := k.Assertion(id, a.Issuer())
		if err != nil {
			t.Fatal(err)
		}
		return do(t, a, http.MethodPost, "/token", cc+"&client_assertion_type="+url.QueryEscape(AssertionType)+"&client_assertion="+jwt, nil).status
	}
	if st := send(k, "from-file"); st != http.StatusOK {
		t.Errorf("PEM file key: %d", st)
	}
	if st := send(current.Load(), "from-uri"); st != http.StatusOK {
		t.Errorf("jwks_uri key: %d", st)
	}
	// A rotated key has a new kid; the refetch on an unknown kid is rate
	// limited, so it is seen once the interval has passed.
	current.Store(mustClientKey(t, ES256))
	if st := send(current.Load(), "from-uri"); st != http.StatusOK {
		t.Logf("rotated key within the refetch interval: %d (allowed: fetches are rate limited)", st)
	}
	if n := fetches.Load(); n > 2 {
		t.Errorf("%d fetches of the jwks_uri, want at most 2", n)
	}
}

func TestAssertionConfigErrors(t *testing.T) {
	k := mustClientKey(t, ES256)
	for _, c := range []struct {
		cl   Client
		want string
	}{
		{Client{ID: "x", AuthMethods: []string{rfc6749.AuthPrivateKeyJWT}}, "needs the client's public keys"},
		{Client{ID: "x", Secret: "short", AuthMethods: []string{rfc6749.AuthClientSecretJWT}}, "at least 32 bytes"},
		{Client{ID: "x", JWKS: k.PublicJWKS(), JWKSURI: "https://c.example/jwks"}, "one way"},
		{Client{ID: "x", JWKSURI: "ftp://c.example/jwks"}, "jwks_uri"},
		{Client{ID: "x", JWKS: &KeySet{JSONWebKeySet: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.Private, KeyID: "p"}}}}}, "private key"},
		{Client{ID: "x", Secret: "s", AuthMethods: []string{"none"}}, "is not one of"},
	} {
		_, err := New(Config{Clients: []Client{c.cl}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.cl.AuthMethods, err, c.want)
		}
	}
	if _, err := ParseConfig([]byte("assertion_profile: fapi3\n")); err == nil || !strings.Contains(err.Error(), "assertion_profile") {
		t.Errorf("bad profile: %v", err)
	}
	cfg, err := ParseConfig([]byte("clients:\n  - id: c\n    jwks: '" + mustJSON(k.PublicJWKS()) + "'\n  - id: d\n    jwks:\n      keys:\n        - " + mustJSON(k.PublicJWKS().Keys[0]) + "\n"))
	if err != nil {
		t.Fatalf("jwks in YAML: %v", err)
	}
	if len(cfg.Clients[0].JWKS.Keys) != 1 || len(cfg.Clients[1].JWKS.Keys) != 1 {
		t.Errorf("jwks in YAML: %+v", cfg.Clients)
	}
}

// TestAssertionReviewCases covers inputs a first version mishandled.
func TestAssertionReviewCases(t *testing.T) {
	f := newAssertionFixture(t, "")
	signRaw := func(payload string, hdr map[string]any) string {
		opts := &jose.SignerOptions{}
		opts.WithHeader("kid", f.ec.KeyID)
		for k, v := range hdr {
			opts.WithHeader(jose.HeaderKey(k), v)
		}
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: f.ec.Private}, opts)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign([]byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		out, _ := jws.CompactSerialize()
		return out
	}
	c, _ := json.Marshal(f.claims(idJ))
	wantRefused(t, f.post(t, signRaw(string(c)+` {"x":1}`, nil), "", nil), "invalid_client", "not one JSON object")
	wantRefused(t, f.post(t, signRaw(string(c)+`}`, nil), "", nil), "invalid_client", "not one JSON object")
	wantRefused(t, f.post(t, signRaw(string(c), map[string]any{"typ": 5}), "", nil), "invalid_client", "typ header is not a string")
	big := with(f.claims(idJ), func(c *AssertionClaims) { c.Expiry = 1e15 })
	wantRefused(t, f.post(t, mustSign(t, f.ec, big, ""), "", nil), "invalid_client", "NumericDate")

	// The same bad request always gets the same reason.
	bad := signRaw(`{"iss":5,"sub":6,"jti":7}`, nil)
	first := f.post(t, bad, "", nil).body["error_description"]
	for range 10 {
		if got := f.post(t, bad, "", nil).body["error_description"]; got != first {
			t.Fatalf("reason changed: %v, then %v", first, got)
		}
	}
}

func TestClientKeyCurves(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewClientKey(p384, ES256); err == nil {
		t.Error("a P-384 key was accepted for ES256")
	}
	der, _ := x509.MarshalPKCS8PrivateKey(p384)
	path := filepath.Join(t.TempDir(), "p384.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadClientKey(path, "")
	if err != nil || k.Alg != "ES384" {
		t.Fatalf("P-384 key: %v, %v; want ES384", k, err)
	}
	if _, err := k.Assertion("c", "https://as.example.test"); err != nil {
		t.Errorf("ES384 assertion: %v", err)
	}
}

// TestJWKSURIOutageIsRateLimited: an unreachable jwks_uri is not fetched
// again for every request.
func TestJWKSURIOutageIsRateLimited(t *testing.T) {
	var fetches atomic.Int32
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer down.Close()
	k := mustClientKey(t, ES256)
	a, err := New(Config{Issuer: "https://as.example.test", PublicURL: "https://as.example.test", Clients: []Client{{ID: "c", JWKSURI: down.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		jwt, _ := k.Assertion("c", a.Issuer())
		got := do(t, a, http.MethodPost, "/token", cc+"&client_assertion_type="+url.QueryEscape(AssertionType)+"&client_assertion="+jwt, nil)
		if got.status != http.StatusBadRequest || got.body["error"] != "invalid_client" {
			t.Fatalf("status %d %s", got.status, got.raw)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches during the outage, want 1", n)
	}
}

// TestReplayCacheFullIsRetryable: a full jti cache refuses the assertion
// as temporarily_unavailable, 503 with Retry-After, never a token whose
// jti could not be remembered.
func TestReplayCacheFullIsRetryable(t *testing.T) {
	k := mustClientKey(t, ES256)
	cfg := testConfig()
	cfg.Issuer, cfg.PublicURL = "https://as.example.test", "https://as.example.test"
	cfg.ReplayCacheSize = 1
	cfg.Clients = append(cfg.Clients, k.Client(idJ, "read"))
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &assertionFixture{a: a, ec: k}
	if got := f.post(t, mustSign(t, k, f.claims(idJ), ""), "", nil); got.status != 200 {
		t.Fatalf("first assertion: %d %s", got.status, got.body)
	}
	got := f.post(t, mustSign(t, k, f.claims(idJ), ""), "", nil)
	if got.status != 503 || got.header.Get("Retry-After") != "1" || !strings.Contains(got.raw, "temporarily_unavailable") {
		t.Errorf("second assertion with a full cache: %d %q %s", got.status, got.header.Get("Retry-After"), got.raw)
	}
}

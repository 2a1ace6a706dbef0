package suites

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/reports"
)

// The fixtures of the requirement catalogue: client A (both secret
// methods), S (id and secret that change under form-encoding), C (not
// allowed client_credentials).
const (
	mockA, mockASecret = "occheck-a", "a-secret-0123456789"
	mockS, mockSSecret = "svc:1", "p+ss w%rd&:x"
	mockC, mockCSecret = "occheck-c", "c-secret-0123456789"
	mockD, mockDSecret = "occheck-d", "d-secret-0123456789"
	mockJ, mockJSecret = "occheck-j", "a secret occheck-j holds but may not use, 32+ bytes"
	mockJ2, mockJ2Sec  = "occheck-j2", "a client_secret_jwt secret of more than 32 bytes"
	mockJ3             = "occheck-j3"
	mockM, mockM2      = "occheck-m", "occheck-m2"
	mockM3             = "occheck-m3"
)

// mockJKey is the private_key_jwt key of client J, made once per test
// binary.
var mockJKey = func() *mockserver.ClientKey {
	k, err := mockserver.GenerateClientKey(mockserver.ES256)
	if err != nil {
		panic(err)
	}
	return k
}()

// mockM2Cert is the self-signed certificate of M2.
var mockM2Cert = func() *mockserver.SelfSignedCert {
	c, err := mockserver.GenerateSelfSignedCert("occheck-m2")
	if err != nil {
		panic(err)
	}
	return c
}()

// mockJ3Key is the key of J3, another private_key_jwt client, whose key
// must never verify J's assertions (JWT-KEY-02 (c)).
var mockJ3Key = func() *mockserver.ClientKey {
	k, err := mockserver.GenerateClientKey(mockserver.ES256)
	if err != nil {
		panic(err)
	}
	return k
}()

func mockConfig(quirks ...mockserver.Quirk) mockserver.Config {
	return mockserver.Config{
		SigningAlg: mockserver.ES256,
		Quirks:     quirks,
		// DPoP with server nonces, so that DPOP-NONCE-* run too.
		DPoPNonce: true,
		// The resource of the RS-* specs: A's tokens name this audience.
		ResourceAudience: []string{"https://api.example.test"},
		Clients: []mockserver.Client{
			{ID: mockA, Secret: mockASecret, Scopes: []string{"read", "write"}, DefaultScopes: []string{"read"}, Audience: []string{"https://api.example.test", "https://other.example.test"}},
			{ID: mockS, Secret: mockSSecret, Scopes: []string{"read"}},
			{ID: mockC, Secret: mockCSecret, GrantTypes: []string{rfc6749.GrantAuthorizationCode}, Scopes: []string{"read"}},
			withSecret(mockJKey.Client(mockJ, "read", "write"), mockJSecret),
			{ID: mockJ2, Secret: mockJ2Sec, AuthMethods: []string{rfc6749.AuthClientSecretJWT}, Scopes: []string{"read", "write"}},
			mockJ3Key.Client(mockJ3, "read"),
			{ID: mockM, AuthMethods: []string{mockserver.AuthTLSClient}, TLSClientAuthSubjectDN: "CN=occheck-m, O=Example", Scopes: []string{"read", "write"}, CertificateBoundTokens: true, Audience: []string{"https://api.example.test", "https://other.example.test"}},
			{ID: mockM3, AuthMethods: []string{mockserver.AuthTLSClient}, TLSClientAuthSANDNS: "m3.example.test", Scopes: []string{"read"}},
			mockM2Cert.Client(mockM2, "read"),
			{ID: mockD, Secret: mockDSecret, Scopes: []string{"read"}, DPoPBoundAccessTokens: true},
		},
	}
}

func mockTarget(s *mockserver.Server) Target {
	both := []string{rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost}
	return Target{
		TokenURL:         s.TokenURL(),
		Client:           Client{ID: mockA, Secret: mockASecret, SecretEnv: EnvClientSecret, AuthMethods: both},
		Scope:            "read write",
		ForbiddenScope:   "admin",
		Resource:         "https://api.example.test",
		SpecialClient:    &Client{ID: mockS, Secret: mockSSecret, SecretEnv: EnvSpecialSecret, AuthMethods: both},
		NoGrantClient:    &Client{ID: mockC, Secret: mockCSecret, SecretEnv: EnvNoGrantSecret, AuthMethods: both},
		MetadataURL:      s.MetadataURL(),
		HTTPClient:       s.Client(),
		Profiles:         []string{ProfileRFC9068},
		AssertionClient:  &AssertionClient{ID: mockJ, Key: mockJKey.Private, KeyID: mockJKey.KeyID, Secret: mockJSecret},
		SecretJWTClient:  &Client{ID: mockJ2, Secret: mockJ2Sec, SecretEnv: EnvSecretJWTSecret},
		OtherClientKey:   &AssertionClient{ID: mockJ3, Key: mockJ3Key.Private, KeyID: mockJ3Key.KeyID},
		MTLSClients:      mockMTLSClients(s),
		ResourceURL:      s.ResourceURL(),
		ResourceScopeURL: s.ResourceURL() + "/admin",
		OtherResource:    "https://other.example.test",
		OtherClientCert:  mockOtherCert(s),
		DPoPClient:       &Client{ID: mockD, Secret: mockDSecret, SecretEnv: EnvDPoPSecret, AuthMethods: both},
	}
}

// mockMTLSClients are the mTLS clients of a TLS mock: M (tls_client_auth,
// a certificate its CA issues) and M2 (self-signed); none over plain HTTP.
func mockMTLSClients(s *mockserver.Server) []*MTLSClient {
	if !strings.HasPrefix(s.URL, "https://") {
		return nil
	}
	cert, err := s.ClientCertificate(mockM)
	if err != nil {
		panic(err)
	}
	return []*MTLSClient{
		{ID: mockM, Method: AuthTLSClient, Cert: cert},
		{ID: mockM2, Method: AuthSelfSignedTLSClient, Cert: mockM2Cert.TLS},
	}
}

// mockOtherCert is M3's valid certificate: trusted, but not M's.
func mockOtherCert(s *mockserver.Server) *tls.Certificate {
	if !strings.HasPrefix(s.URL, "https://") {
		return nil
	}
	cert, err := s.ClientCertificate(mockM3)
	if err != nil {
		panic(err)
	}
	return &cert
}

// withSecret gives a private_key_jwt client a secret it may not use for
// the token endpoint (JWT-ALG-01 (a) checks that it cannot).
func withSecret(c mockserver.Client, secret string) mockserver.Client {
	c.Secret = secret
	return c
}

// requireClean fails the test for every spec that is not pass, info or an
// expected skip.
func requireClean(t *testing.T, run *reports.Run) {
	t.Helper()
	if len(run.Specs) < 60 {
		t.Errorf("only %d specs ran", len(run.Specs))
	}
	for _, s := range run.Specs {
		switch s.Verdict {
		case reports.Pass, reports.Info:
		default:
			t.Errorf("%s %s: %s\n%s", s.ID, s.Verdict, s.Title, failureText(s))
		}
	}
}

func TestSuitePassesTheMockOverHTTP(t *testing.T) {
	if os.Getenv(EnvTokenURL) != "" {
		t.Skip("OCCHECK_TOKEN_URL is set: TestExternalTarget checks that server instead")
	}
	cfg := mockConfig()
	withShortLivedClient(&cfg)
	s := mockserver.NewTestServer(t, cfg)
	target := mockTarget(s)
	quirkTargets["introspect-ignores-exp"](&target)
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// mTLS needs HTTPS: over plain HTTP the mock advertises no mTLS
	// method and the MTLS-* specs skip, saying why.
	var rest []reports.SpecResult
	for _, r := range run.Specs {
		if strings.HasPrefix(r.ID, "MTLS-") && r.Verdict == reports.Skip && strings.Contains(r.Message.Detail, "needs a client registered for") {
			continue
		}
		rest = append(rest, r)
	}
	run.Specs = rest
	requireClean(t, run)
}

func TestSuitePassesTheMockOverHTTPS(t *testing.T) {
	if os.Getenv(EnvTokenURL) != "" {
		t.Skip("OCCHECK_TOKEN_URL is set: TestExternalTarget checks that server instead")
	}
	cfg := mockConfig()
	withShortLivedClient(&cfg)
	s := mockserver.NewTLSServer(cfg)
	defer s.Close()
	if !strings.HasPrefix(s.TokenURL(), "https://") {
		t.Fatalf("token URL %s is not https", s.TokenURL())
	}
	target := mockTarget(s)
	quirkTargets["introspect-ignores-exp"](&target)
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	requireClean(t, run)
}

// TestExternalTarget checks the server OCCHECK_TOKEN_URL and friends name.
func TestExternalTarget(t *testing.T) {
	target, ok, err := TargetFromEnv(os.Getenv)
	if !ok {
		t.Skip("set OCCHECK_TOKEN_URL (and OCCHECK_CLIENT_ID, OCCHECK_CLIENT_SECRET, ...) to check an external server")
	}
	if err != nil {
		t.Fatal(err)
	}
	run, err := Run(t.Context(), *target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range run.Specs {
		switch s.Verdict {
		case reports.Fail, reports.Error:
			t.Errorf("%s", failureText(s))
		case reports.Warn:
			t.Logf("warning: %s", failureText(s))
		}
	}
}

// TestAssertionSpecsPassEveryKeyAndProfile: the reference server passes
// every JWT-* spec whatever the assertion client's key type, and under
// each assertion profile when the server follows the same one.
func TestAssertionSpecsPassEveryKeyAndProfile(t *testing.T) {
	type tc struct{ alg, profile string }
	cases := []tc{{mockserver.RS256, ""}, {mockserver.PS256, ""}, {mockserver.EdDSA, ""},
		{mockserver.ES256, ProfileRFC7523bis}, {mockserver.ES256, ProfileFAPI2}}
	for _, c := range cases {
		t.Run(c.alg+"/"+c.profile, func(t *testing.T) {
			key, err := mockserver.GenerateClientKey(c.alg)
			if err != nil {
				t.Fatal(err)
			}
			cfg := mockConfig()
			cfg.AssertionProfile = c.profile
			for i := range cfg.Clients {
				if cfg.Clients[i].ID == mockJ {
					cfg.Clients[i] = withSecret(key.Client(mockJ, "read", "write"), mockJSecret)
				}
			}
			s := mockserver.NewTLSServer(cfg)
			defer s.Close()
			target := mockTarget(s)
			target.AssertionClient = &AssertionClient{ID: mockJ, Key: key.Private, KeyID: key.KeyID, Alg: c.alg, Secret: mockJSecret}
			if c.profile != "" {
				target.Profiles = append(target.Profiles, c.profile)
			}
			run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt || client_secret_jwt"})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range run.Specs {
				if strings.HasPrefix(r.ID, "JWT-") {
					n++
				}
				if r.Verdict != reports.Pass && r.Verdict != reports.Info {
					t.Errorf("%s %s: %s", r.ID, r.Verdict, failureText(r))
				}
			}
			if n < 20 {
				t.Errorf("only %d JWT-* specs ran", n)
			}
		})
	}
}

// TestAssertionSpecsOnADifferentButConformantServer: the assertion client
// may hold fewer scopes than the client under test, and the server may
// take only its issuer as audience (rfc7523bis rules under the default
// profile): nothing fails, JWT-OK-01 finds what works.
func TestAssertionSpecsOnADifferentButConformantServer(t *testing.T) {
	cfg := mockConfig()
	cfg.AssertionProfile = mockserver.ProfileRFC7523bis
	for i := range cfg.Clients {
		switch cfg.Clients[i].ID {
		case mockJ:
			cfg.Clients[i] = mockJKey.Client(mockJ, "read")
			cfg.Clients[i].DefaultScopes = []string{"read"}
		case mockJ2:
			cfg.Clients[i].Scopes = []string{"read"}
		}
	}
	s := mockserver.NewTestServer(t, cfg)
	run, err := Run(t.Context(), mockTarget(s), RunOptions{LabelFilter: "private_key_jwt || client_secret_jwt"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range run.Specs {
		if r.Verdict != reports.Pass && r.Verdict != reports.Info {
			t.Errorf("%s %s: %s", r.ID, r.Verdict, failureText(r))
		}
		if r.ID == "JWT-OK-01" && !strings.Contains(strings.Join(r.Notes, " "), "aud "+s.Issuer()+" was accepted") {
			t.Errorf("JWT-OK-01 notes %q, want the issuer as the audience that worked", r.Notes)
		}
	}
}

// TestAssertionKeyMustSuitTheAlgorithm: a key that cannot sign the
// assertion algorithm is a configuration error before any request.
func TestAssertionKeyMustSuitTheAlgorithm(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	target := Target{TokenURL: "https://as.example.test/token", Client: Client{ID: "a", Secret: "s"},
		AssertionClient: &AssertionClient{ID: "j", Key: p384, Alg: "ES256"}}
	if err := target.Validate(); err == nil || !strings.Contains(err.Error(), "cannot sign ES256") {
		t.Errorf("P-384 key with ES256: %v", err)
	}
	target.AssertionClient.Alg = ""
	if err := target.Validate(); err != nil || target.AssertionClient.alg() != "ES384" {
		t.Errorf("P-384 key, alg from the key: %v, %s", err, target.AssertionClient.alg())
	}
}

// TestUntypedRefusedWarnsUnderRFC7523bis: rfc7523bis makes rejecting
// untyped assertions NOT RECOMMENDED, so a server that demands the type
// warns there (and fails JWT-OK-01 elsewhere, whose baseline is untyped).
func TestUntypedRefusedWarnsUnderRFC7523bis(t *testing.T) {
	cfg := mockConfig(mockserver.QuirkAssertionTypRequired)
	cfg.AssertionProfile = mockserver.ProfileRFC7523bis
	s := mockserver.NewTestServer(t, cfg)
	target := mockTarget(s)
	target.Profiles = append(target.Profiles, ProfileRFC7523bis)
	run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range run.Specs {
		want := reports.Pass
		if r.ID == "JWT-TYP-01" {
			want = reports.Warn
		}
		if r.Verdict != want && !(want == reports.Pass && r.Verdict == reports.Info) {
			t.Errorf("%s %s, want %s: %s", r.ID, r.Verdict, want, failureText(r))
		}
	}
}

// TestAssertionNegativesUseTheFoundScope: with an assertion client that
// may not have the main client's scopes, a negative is refused for its
// defect, not for the scope, so a deviation is still caught.
func TestAssertionNegativesUseTheFoundScope(t *testing.T) {
	cfg := mockConfig(mockserver.QuirkAssertionAnyType)
	for i := range cfg.Clients {
		if cfg.Clients[i].ID == mockJ {
			cfg.Clients[i] = mockJKey.Client(mockJ, "read")
		}
	}
	s := mockserver.NewTestServer(t, cfg)
	run, err := Run(t.Context(), mockTarget(s), RunOptions{LabelFilter: "private_key_jwt"})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(run, "JWT-TYPE-01"); r.Verdict != reports.Fail {
		t.Errorf("JWT-TYPE-01 %s under assertion-any-type, want fail: %s", r.Verdict, failureText(r))
	}
}

// TestStricterProfilesCatchALaxServer: the reference server under its
// default rfc7523 rules accepts what rfc7523bis and FAPI 2.0 forbid; the
// specs graded by those profiles say so, and only those.
func TestStricterProfilesCatchALaxServer(t *testing.T) {
	for profile, want := range map[string]map[string]reports.Verdict{
		ProfileRFC7523bis: {"JWT-AUD-02": reports.Fail},
		ProfileFAPI2:      {"JWT-AUD-02": reports.Fail, "JWT-AUD-03": reports.Fail, "JWT-ALG-02": reports.Fail, "JWT-JTI-02": reports.Warn, "JWT-MD-01": reports.Warn, "JWT-MD-02": reports.Warn},
	} {
		t.Run(profile, func(t *testing.T) {
			s := mockserver.NewTestServer(t, mockConfig())
			target := mockTarget(s)
			target.Profiles = append(target.Profiles, profile)
			run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt || client_secret_jwt"})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range run.Specs {
				w, listed := want[r.ID]
				switch {
				case listed && r.Verdict != w:
					t.Errorf("%s %s, want %s: %s", r.ID, r.Verdict, w, failureText(r))
				case !listed && r.Verdict != reports.Pass && r.Verdict != reports.Info:
					t.Errorf("%s %s, want pass: %s", r.ID, r.Verdict, failureText(r))
				}
			}
		})
	}
}

// TestFAPI2TimestampWindow: under fapi2 a server must take timestamps a
// few seconds ahead and refuse those minutes ahead; a server with no
// leeway, or with minutes of it, fails JWT-IAT-02 and nothing else.
func TestFAPI2TimestampWindow(t *testing.T) {
	for name, skew := range map[string]time.Duration{"no leeway": time.Nanosecond, "5 minutes of leeway": 5 * time.Minute} {
		t.Run(name, func(t *testing.T) {
			cfg := mockConfig()
			cfg.AssertionProfile = mockserver.ProfileFAPI2
			cfg.AssertionSkew = mockserver.Duration(skew)
			s := mockserver.NewTestServer(t, cfg)
			target := mockTarget(s)
			target.Profiles = append(target.Profiles, ProfileFAPI2)
			run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt || client_secret_jwt"})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range run.Specs {
				want := r.ID == "JWT-IAT-02"
				if got := r.Verdict == reports.Fail; got != want || (!want && r.Verdict != reports.Pass && r.Verdict != reports.Info) {
					t.Errorf("%s %s: %s", r.ID, r.Verdict, failureText(r))
				}
			}
		})
	}
}

// assertionMainTarget makes an assertion client the client under test:
// J (private_key_jwt only, no secret) or J2 (client_secret_jwt).
func assertionMainTarget(t *testing.T, id string, methods []string) Target {
	t.Helper()
	cfg := mockConfig()
	for i := range cfg.Clients {
		c := &cfg.Clients[i]
		switch c.ID {
		case mockJ:
			*c = mockJKey.Client(mockJ, "read", "write")
		case mockJ2:
		default:
			continue
		}
		c.DefaultScopes = []string{"read"}
		c.Audience = []string{"https://api.example.test", "https://other.example.test"}
	}
	s := mockserver.NewTestServer(t, cfg)
	target := mockTarget(s)
	target.Client = Client{ID: id, AuthMethods: methods}
	if id == mockJ {
		target.AssertionClient = &AssertionClient{ID: mockJ, Key: mockJKey.Private, KeyID: mockJKey.KeyID}
	} else {
		target.Client.Secret = mockJ2Sec
	}
	return target
}

// TestClientUnderTestWithAnAssertion: a client that authenticates with a
// client assertion is a client under test like any other, named with
// --auth-method or (private_key_jwt) found by auto from the metadata:
// nothing fails, and only the specs that need its secret (J has none) or
// another method are skipped, each saying why.
func TestClientUnderTestWithAnAssertion(t *testing.T) {
	secretSpecs := []string{"AUTH-BASIC-01", "AUTH-BASIC-02", "AUTH-BASIC-04", "AUTH-BASIC-05", "AUTH-MULTI-01", "AUTH-MULTI-02",
		"AUTH-MULTI-03", "AUTH-MULTI-03-OTHER", "AUTH-POST-01", "AUTH-POST-02", "AUTH-SCHEME-01", "JWT-ALG-01", "TE-CT-01"}
	for _, c := range []struct {
		name, id, method string
		methods          []string
		skipped          []string
	}{
		{"private_key_jwt/auto", mockJ, rfc6749.AuthPrivateKeyJWT, nil, secretSpecs},
		{"private_key_jwt/named", mockJ, rfc6749.AuthPrivateKeyJWT, []string{rfc6749.AuthPrivateKeyJWT}, secretSpecs},
		{"client_secret_jwt/named", mockJ2, rfc6749.AuthClientSecretJWT, []string{rfc6749.AuthClientSecretJWT},
			[]string{"AUTH-BASIC-01", "AUTH-BASIC-02", "AUTH-BASIC-04", "AUTH-BASIC-05", "AUTH-MULTI-03", "AUTH-MULTI-03-OTHER", "AUTH-POST-01", "TE-CT-01"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := assertionMainTarget(t, c.id, c.methods)
			run, skipped := runClean(t, target, func(id string) bool { return strings.HasPrefix(id, "MTLS-") }) // plain HTTP: no mTLS
			if !slices.Equal(skipped, c.skipped) {
				t.Errorf("skipped %v, want %v", skipped, c.skipped)
			}
			if !strings.HasPrefix(run.Target.BaselineRequest, c.method+":") {
				t.Errorf("baseline %q, want %s", run.Target.BaselineRequest, c.method)
			}
		})
	}
}

// TestAssertionClientUnderTestStillCatchesTwoMethods: when the assertion
// client is the client under test, JWT-MULTI-01 still fails a server that
// takes a broken assertion next to a wrong Basic secret.
func TestAssertionClientUnderTestStillCatchesTwoMethods(t *testing.T) {
	target := assertionMainTarget(t, mockJ, nil)
	cfg := mockConfig(mockserver.QuirkAssertionMultiWins)
	for i := range cfg.Clients {
		if cfg.Clients[i].ID == mockJ {
			cfg.Clients[i] = mockJKey.Client(mockJ, "read", "write")
		}
	}
	s := mockserver.NewTestServer(t, cfg)
	target.TokenURL, target.MetadataURL, target.HTTPClient = s.TokenURL(), s.MetadataURL(), s.Client()
	run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt"})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(run, "JWT-MULTI-01"); r.Verdict != reports.Fail || !strings.Contains(failureText(r), "neither credential verified") {
		t.Errorf("JWT-MULTI-01 %s, want fail for a broken assertion plus a wrong secret: %s", r.Verdict, failureText(r))
	}
}

// TestAssertionAudienceForms: --assertion-aud fixes the audience of the
// harness's assertions; every form RFC 7523 allows passes the reference
// server, and the stricter profiles refuse a form other than the issuer
// before any request.
func TestAssertionAudienceForms(t *testing.T) {
	s := mockserver.NewTestServer(t, mockConfig())
	for aud, want := range map[string]string{AudIssuer: `aud ` + s.Issuer() + ` was`, AudTokenEndpoint: `aud ` + s.TokenURL() + ` was`, AudBoth: `aud [` + s.Issuer() + `, ` + s.TokenURL() + `] was`} {
		t.Run(aud, func(t *testing.T) {
			target := mockTarget(s)
			target.AssertionAud = aud
			run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt"})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range run.Specs {
				if r.Verdict != reports.Pass && r.Verdict != reports.Info {
					t.Errorf("%s %s: %s", r.ID, r.Verdict, failureText(r))
				}
			}
			if r := result(run, "JWT-OK-01"); !strings.Contains(strings.Join(r.Notes, " "), want) {
				t.Errorf("JWT-OK-01 notes %q, want %q", r.Notes, want)
			}
		})
	}
	target := mockTarget(s)
	target.AssertionAud, target.Profiles = AudTokenEndpoint, []string{ProfileFAPI2}
	if err := target.Validate(); err == nil || !strings.Contains(err.Error(), "only the issuer") {
		t.Errorf("token-endpoint audience under fapi2: %v", err)
	}
	target.AssertionAud = "everything"
	if err := target.Validate(); err == nil {
		t.Error("an unknown audience form validates")
	}
}

// TestRS256UnderFAPI2: a FAPI 2.0 server must refuse RS256 even with the
// client's registered RSA key (registered without an alg, so only the
// profile can refuse it); JWT-ALG-01 fails one that accepts it.
func TestRS256UnderFAPI2(t *testing.T) {
	key, err := mockserver.GenerateClientKey(mockserver.PS256)
	if err != nil {
		t.Fatal(err)
	}
	for _, quirk := range []mockserver.Quirk{"", mockserver.QuirkAssertionMACForPrivateKey} {
		t.Run(string(quirk), func(t *testing.T) {
			cfg := mockConfig()
			if quirk != "" {
				cfg.Quirks = []mockserver.Quirk{quirk}
			}
			cfg.AssertionProfile = mockserver.ProfileFAPI2
			for i := range cfg.Clients {
				if cfg.Clients[i].ID == mockJ {
					c := key.Client(mockJ, "read", "write")
					c.JWKS.Keys[0].Algorithm = ""
					cfg.Clients[i] = c
				}
			}
			s := mockserver.NewTestServer(t, cfg)
			target := mockTarget(s)
			target.Profiles = append(target.Profiles, ProfileFAPI2)
			target.AssertionClient = &AssertionClient{ID: mockJ, Key: key.Private, KeyID: key.KeyID, Alg: mockserver.PS256}
			run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt"})
			if err != nil {
				t.Fatal(err)
			}
			r := result(run, "JWT-ALG-01")
			want := reports.Pass
			if quirk != "" {
				want = reports.Fail
			}
			if r.Verdict != want || (want == reports.Fail && !strings.Contains(failureText(r), "RS256")) {
				t.Errorf("JWT-ALG-01 %s, want %s: %s", r.Verdict, want, failureText(r))
			}
		})
	}
}

// TestReplayWarnsForAnOpenIDProvider: RFC 7523 leaves replay protection
// optional, but a server discovered through openid-configuration is an
// OpenID Provider, whose assertions are single use (OpenID Connect Core
// §9): a replay accepted there warns, and is only recorded elsewhere.
func TestReplayWarnsForAnOpenIDProvider(t *testing.T) {
	for _, quirks := range [][]mockserver.Quirk{nil, {mockserver.QuirkAssertionReplay}} {
		s := mockserver.NewTestServer(t, mockConfig(quirks...))
		for _, oidc := range []bool{false, true} {
			target := mockTarget(s)
			if oidc {
				target.MetadataURL = s.Issuer() + "/.well-known/openid-configuration"
			}
			run, err := Run(t.Context(), target, RunOptions{LabelFilter: "private_key_jwt"})
			if err != nil {
				t.Fatal(err)
			}
			want := reports.Pass
			switch {
			case quirks != nil && oidc:
				want = reports.Warn
			case quirks != nil:
				want = reports.Info
			}
			for _, r := range run.Specs {
				w := reports.Pass
				if r.ID == "JWT-JTI-01" {
					w = want
				}
				if r.Verdict != w && !(w == reports.Pass && r.Verdict == reports.Info) {
					t.Errorf("quirks %v, openid-configuration %v: %s %s, want %s: %s", quirks, oidc, r.ID, r.Verdict, w, failureText(r))
				}
			}
		}
	}
}

// TestClientUnderTestWithMTLS: a client that authenticates only with its
// certificate is a client under test like any other, named with
// --auth-method or found by auto from the metadata: nothing fails, every
// spec authenticates over mTLS, and only the specs that need its secret
// are skipped.
func TestClientUnderTestWithMTLS(t *testing.T) {
	s := mockserver.NewTLSServer(mockConfig())
	defer s.Close()
	for name, methods := range map[string][]string{"auto": nil, "named": {AuthTLSClient}} {
		t.Run(name, func(t *testing.T) {
			target := mockTarget(s)
			target.Client = Client{ID: mockM, AuthMethods: methods}
			run, skipped := runClean(t, target, nil)
			want := []string{"AUTH-BASIC-01", "AUTH-BASIC-02", "AUTH-BASIC-04", "AUTH-BASIC-05", "AUTH-MULTI-01", "AUTH-MULTI-02",
				"AUTH-MULTI-03", "AUTH-MULTI-03-OTHER", "AUTH-POST-01", "AUTH-POST-02", "AUTH-SCHEME-01", "TE-CT-01"}
			if !slices.Equal(skipped, want) {
				t.Errorf("skipped %v, want %v", skipped, want)
			}
			if !strings.HasPrefix(run.Target.BaselineRequest, AuthTLSClient+":") {
				t.Errorf("baseline %q, want tls_client_auth", run.Target.BaselineRequest)
			}
			r := result(run, "CC-OK-01")
			if last := r.Exchanges[len(r.Exchanges)-1]; !strings.Contains(last.ClientCert, "x5t#S256") || strings.Contains(last.RequestBody, "client_secret") {
				t.Errorf("CC-OK-01's request is not an mTLS one: %+v", last)
			}
		})
	}
}

// runClean runs the whole catalogue against target and returns the run
// and the sorted IDs of the skipped specs (ignore drops some); any verdict
// other than pass, info or skip is an error.
func runClean(t *testing.T, target Target, ignore func(id string) bool) (*reports.Run, []string) {
	t.Helper()
	if err := target.Validate(); err != nil {
		t.Fatal(err)
	}
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, r := range run.Specs {
		switch r.Verdict {
		case reports.Pass, reports.Info:
		case reports.Skip:
			// INT-07 needs a client with short-lived tokens, which these
			// targets leave out (it waits seconds): TestExpiryIsWatched
			// and the embedded run prove it.
			if r.ID != "INT-07" && (ignore == nil || !ignore(r.ID)) {
				skipped = append(skipped, r.ID)
			}
		default:
			t.Errorf("%s %s: %s", r.ID, r.Verdict, failureText(r))
		}
	}
	slices.Sort(skipped)
	return run, skipped
}

// TestTargetFromEnvReadsTheNewCredentials: the environment names a key
// for private_key_jwt, an mTLS certificate and the introspection,
// revocation and resource endpoints.
func TestTargetFromEnvReadsTheNewCredentials(t *testing.T) {
	dir := t.TempDir()
	keyFile, certFile := dir+"/k.pem", dir+"/c.pem"
	der, _ := x509.MarshalPKCS8PrivateKey(mockJKey.Private)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	_ = os.WriteFile(certFile, mockM2Cert.PEM(), 0o600)
	certKeyFile := dir + "/ck.pem"
	cder, _ := x509.MarshalPKCS8PrivateKey(mockM2Cert.TLS.PrivateKey)
	_ = os.WriteFile(certKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: cder}), 0o600)
	env := map[string]string{EnvTokenURL: "https://as.example.test/token", EnvClientID: "c", EnvClientKeyFile: keyFile,
		EnvClientCert: certFile, EnvClientCertKey: certKeyFile, EnvIntrospectionURL: "https://as.example.test/introspect",
		EnvRevocationURL: "https://as.example.test/revoke", EnvResourceURL: "https://api.example.test/r"}
	target, ok, err := TargetFromEnv(func(k string) string { return env[k] })
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	if target.ClientKey() == nil || target.ClientKey().KeyID != mockJKey.KeyID {
		t.Errorf("key: %+v", target.AssertionClient)
	}
	if c := target.ClientCert(); c == nil || c.Method != AuthSelfSignedTLSClient {
		t.Errorf("certificate: %+v", c)
	}
	if target.IntrospectionURL == "" || target.RevocationURL == "" || target.ResourceURL == "" {
		t.Errorf("endpoints: %+v", target)
	}
}

// TestDPoPConformantButDifferent: servers whose DPoP differs from the
// reference mock's legitimately pass every DPOP-* spec: RSA proofs only
// (the harness's "other" key must then be another RSA key), no nonces,
// opaque tokens read through introspection. A --dpop-key-file key the
// server does not list skips the specs and says why, rather than failing
// the server.
func TestDPoPConformantButDifferent(t *testing.T) {
	for name, tweak := range map[string]func(*mockserver.Config){
		"PS256 only": func(c *mockserver.Config) { c.DPoPSigningAlgs = []string{"PS256"} },
		"no nonces":  func(c *mockserver.Config) { c.DPoPNonce = false },
		"opaque":     func(c *mockserver.Config) { c.TokenFormat = mockserver.FormatOpaque },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := mockConfig()
			tweak(&cfg)
			s := mockserver.NewTLSServer(cfg)
			defer s.Close()
			run, err := Run(t.Context(), mockTarget(s), RunOptions{LabelFilter: "dpop"})
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Specs) < 18 {
				t.Fatalf("%d specs ran", len(run.Specs))
			}
			for _, r := range run.Specs {
				if r.Verdict != reports.Pass && r.Verdict != reports.Info && !(name == "no nonces" && strings.HasPrefix(r.ID, "DPOP-NONCE") && r.Verdict == reports.Skip) {
					t.Errorf("%s %s\n%s", r.ID, r.Verdict, failureText(r))
				}
			}
		})
	}
	t.Run("the client under test is DPoP-bound", func(t *testing.T) {
		// Conformant (RFC 9449 §5.2): the run cannot be made, and says
		// why, instead of failing CC-OK-01.
		cfg := mockConfig()
		cfg.Clients[0].DPoPBoundAccessTokens = true
		s := mockserver.NewTLSServer(cfg)
		defer s.Close()
		run, err := Run(t.Context(), mockTarget(s), RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range run.Specs {
			if r.Verdict == reports.Fail {
				t.Errorf("%s failed: %s", r.ID, failureText(r))
			}
			if r.ID == idBaseline && (r.Verdict != reports.Error || !strings.Contains(r.Message.Detail, "--dpop-client-id")) {
				t.Errorf("CC-OK-01 %s: %s", r.Verdict, r.Message.Detail)
			}
		}
	})
	t.Run("an RSA key file for a server that lists ES256", func(t *testing.T) {
		cfg := mockConfig()
		cfg.DPoPSigningAlgs = []string{"ES256"}
		s := mockserver.NewTLSServer(cfg)
		defer s.Close()
		target := mockTarget(s)
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		target.DPoPKey = key
		run, err := Run(t.Context(), target, RunOptions{LabelFilter: "dpop"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range run.Specs {
			if r.Verdict != reports.Skip || !strings.Contains(r.Message.Detail, "--dpop-key-file holds a key for PS256") && !strings.Contains(r.Message.Detail, "DPOP-") {
				t.Errorf("%s %s: %s", r.ID, r.Verdict, r.Message.Detail)
			}
		}
	})
}

// TestDPoPResourceNonce: a resource server with nonces of its own (RFC
// 9449 §9: 401, use_dpop_nonce, DPoP-Nonce) gets the request again with
// its nonce, and DPOP-RS-01 passes.
func TestDPoPResourceNonce(t *testing.T) {
	s := mockserver.NewTestServer(t, mockConfig())
	up, _ := url.Parse(s.URL)
	proxy := httputil.NewSingleHostReverseProxy(up)
	var asked, retried atomic.Int32
	rs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Authorization"), "DPoP ") && r.Header.Get("DPoP") != "" {
			claims, _ := jwtClaims(r.Header.Get("DPoP"))
			if claims["nonce"] != "rs-nonce-1" {
				asked.Add(1)
				w.Header().Set("DPoP-Nonce", "rs-nonce-1")
				w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			retried.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	defer rs.Close()
	target := mockTarget(s)
	target.ResourceURL, target.ResourceScopeURL = rs.URL+"/resource", rs.URL+"/resource/admin"
	run, err := Run(t.Context(), target, RunOptions{LabelFilter: "dpop"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range run.Specs {
		if r.ID == "DPOP-RS-01" && r.Verdict != reports.Pass {
			t.Errorf("DPOP-RS-01 %s\n%s", r.Verdict, failureText(r))
		}
	}
	if asked.Load() == 0 || retried.Load() == 0 {
		t.Errorf("the resource asked for its nonce %d times and saw it %d times", asked.Load(), retried.Load())
	}
}

package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/mockserver"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binary is the occheck command built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "occheck-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "occheck")
	if e2eKey, err = mockserver.GenerateClientKey(mockserver.ES256); err != nil {
		panic(err)
	}
	e2eKeyFile = filepath.Join(dir, "client-key.pem")
	der, _ := x509.MarshalPKCS8PrivateKey(e2eKey.Private)
	if err := os.WriteFile(e2eKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		panic(err)
	}
	build := exec.Command("go", "build", "-o", binary, "../cmd/occheck")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build occheck: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// occheck runs the built binary with env added to a clean environment.
func occheck(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return result{exitCode(t, cmd.Run()), out.String(), errb.String()}
}

// exitCode is a finished command's exit code; a command that could not
// start fails the test.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

const (
	e2eID     = "e2e-client"
	e2eSecret = "e2e S3cr3t+/=:%ü"
)

func e2eServer(t *testing.T, quirks ...mockserver.Quirk) *mockserver.Server {
	t.Helper()
	return mockserver.NewTestServer(t, mockserver.Config{
		Quirks:           quirks,
		ResourceAudience: []string{"https://api.example.test"},
		DPoPNonce:        true,
		Clients: []mockserver.Client{
			{ID: e2eID, Secret: e2eSecret, Scopes: []string{"read", "write"}, Audience: []string{"https://api.example.test", "https://other.example.test"}},
			{ID: "svc:2", Secret: "p+ss w%rd&:x", Scopes: []string{"read"}},
			{ID: "nocc", Secret: "nocc-secret", GrantTypes: []string{rfc6749.GrantAuthorizationCode}},
			e2eJWTClient(e2eKey),
			{ID: "secret-jwt", Secret: e2eSecretJWT, AuthMethods: []string{rfc6749.AuthClientSecretJWT}, Scopes: []string{"read"}},
			{ID: "short", Secret: "short-secret", Scopes: []string{"read"}, TokenTTL: mockserver.Duration(2 * time.Second)},
			{ID: "dpop", Secret: "dpop-secret", Scopes: []string{"read"}, DPoPBoundAccessTokens: true},
		},
	})
}

// The private_key_jwt client of the end-to-end server: its key, and the
// PEM file the runs read it from.
var (
	e2eKey     *mockserver.ClientKey
	e2eKeyFile string
)

func targetArgs(s *mockserver.Server) []string {
	return []string{"run", "--token-url", s.TokenURL(), "--client-id", e2eID, "--scope", "read write", "--forbidden-scope", "admin", "--resource", "https://api.example.test",
		"--special-client-id", "svc:2", "--nogrant-client-id", "nocc", "--metadata-url", s.MetadataURL(), "--profile", "rfc9068", "--no-color",
		"--assertion-client-id", "jwt-client", "--client-key-file", e2eKeyFile, "--secret-jwt-client-id", "secret-jwt", "--resource-url", s.ResourceURL(),
		"--resource-scope-url", s.ResourceURL() + "/admin", "--other-resource", "https://other.example.test", "--dpop-client-id", "dpop"}
}

var secretEnv = []string{
	"OCCHECK_CLIENT_SECRET=" + e2eSecret,
	"OCCHECK_SPECIAL_CLIENT_SECRET=p+ss w%rd&:x",
	"OCCHECK_NOGRANT_CLIENT_SECRET=nocc-secret",
	"OCCHECK_SECRET_JWT_CLIENT_SECRET=" + e2eSecretJWT,
	"OCCHECK_ASSERTION_CLIENT_SECRET=" + e2eJWTSecret,
	"OCCHECK_SHORT_LIVED_CLIENT_SECRET=short-secret",
	"OCCHECK_DPOP_CLIENT_SECRET=dpop-secret",
}

// e2eJWTSecret is a secret the private_key_jwt client holds but may not
// authenticate with (JWT-ALG-01).
const e2eJWTSecret = "the end-to-end private_key_jwt client's unusable secret"

// e2eJWTClient is the private_key_jwt client of the end-to-end servers.
func e2eJWTClient(k *mockserver.ClientKey) mockserver.Client {
	c := k.Client("jwt-client", "read", "write")
	c.Secret = e2eJWTSecret
	return c
}

// e2eSecretJWT is the client_secret_jwt client's secret.
const e2eSecretJWT = "an end-to-end client_secret_jwt secret, 32+ bytes"

// noSecrets fails when any form of the client secret or an issued token
// appears in the output.
func noSecrets(t *testing.T, r result) {
	t.Helper()
	all := r.stdout + r.stderr
	forms := []string{e2eSecret, url.QueryEscape(e2eSecret), url.PathEscape(e2eSecret),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(e2eID) + ":" + url.QueryEscape(e2eSecret))),
		base64.StdEncoding.EncodeToString([]byte(e2eID + ":" + e2eSecret))}
	for _, f := range forms {
		if strings.Contains(all, f) {
			t.Errorf("output leaks the secret as %q", f)
		}
	}
	if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.`).FindString(all); m != "" {
		t.Errorf("output leaks an access token: %s", m)
	}
}

func TestDefaultRunChecksTheEmbeddedServer(t *testing.T) {
	r := occheck(t, nil)
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: CONFORMANT") || !strings.Contains(r.stdout, "checking the embedded reference server") {
		t.Fatalf("occheck = %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`\d+ specs in .*: \d+ pass, 0 fail, 0 warn, \d+ info, 0 skip, 0 error`).MatchString(r.stdout) {
		t.Errorf("no summary line:\n%s", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestRunAgainstAConformantServer(t *testing.T) {
	s := e2eServer(t)
	// With a client of 2 s tokens, INT-07 runs too (it waits 3 s).
	r := occheck(t, secretEnv, append(targetArgs(s), "--short-lived-client-id", "short")...)
	// Over plain HTTP nothing mTLS applies: those specs, and only those,
	// are skipped (TestMockMTLSDemoAndVendorRun runs them over HTTPS).
	skips := regexp.MustCompile(`SKIP\s+(\S+)`).FindAllStringSubmatch(r.stdout, -1)
	for _, m := range skips {
		if !strings.HasPrefix(m[1], "MTLS-") {
			t.Errorf("%s skipped", m[1])
		}
	}
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: CONFORMANT") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	noSecrets(t, r)
}

func TestRunCatchesADeviation(t *testing.T) {
	s := e2eServer(t, mockserver.QuirkBasic400)
	r := occheck(t, secretEnv, targetArgs(s)...)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
	}
	for _, want := range []string{
		"  FAIL  ERR-401-01         MUST   Failed HTTP Basic authentication is 401 invalid_client with a Basic challenge.",
		"expected:    401 with a WWW-Authenticate: Basic challenge",
		"> Authorization: Basic [REDACTED]",
		"< 400",
		`reproduce:   curl -sS -i -X POST`,
		"verdict: NOT CONFORMANT (1 failure)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	noSecrets(t, r)
	if t.Failed() {
		t.Log(r.stdout)
	}
}

func TestVerboseRunLeaksNothing(t *testing.T) {
	s := e2eServer(t, mockserver.QuirkEchoSecret)
	r := occheck(t, secretEnv, append(targetArgs(s), "-v")...)
	if r.code != 1 || !strings.Contains(r.stdout, "RESP-NOLEAK-01") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	noSecrets(t, r)
}

func TestStrictTurnsWarningsIntoFailures(t *testing.T) {
	s := e2eServer(t, mockserver.QuirkRefreshToken)
	r := occheck(t, secretEnv, targetArgs(s)...)
	if r.code != 0 || !strings.Contains(r.stdout, "WARN   CC-RT-01") && !strings.Contains(r.stdout, "WARN  CC-RT-01") {
		t.Fatalf("without --strict: exit %d\n%s", r.code, r.stdout)
	}
	r = occheck(t, secretEnv, append(targetArgs(s), "--strict")...)
	if r.code != 1 {
		t.Fatalf("with --strict: exit %d, want 1", r.code)
	}
}

func TestBaseline(t *testing.T) {
	s := e2eServer(t, mockserver.QuirkNoPragma)
	dir := t.TempDir()
	path := filepath.Join(dir, "baseline.yaml")
	r := occheck(t, secretEnv, append([]string{"baseline"}, append(targetArgs(s)[1:], "-o", path)...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "1 known deviations") {
		t.Fatalf("occheck baseline: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "id: RESP-HDR-02") {
		t.Fatalf("baseline file:\n%s", data)
	}
	r = occheck(t, secretEnv, append(targetArgs(s), "--baseline", path)...)
	if r.code != 0 || !strings.Contains(r.stdout, "(baseline: expected)") {
		t.Errorf("expected deviation: exit %d\n%s", r.code, r.stdout)
	}
	clean := e2eServer(t)
	r = occheck(t, secretEnv, append(targetArgs(clean), "--baseline", path)...)
	if r.code != 1 || !strings.Contains(r.stdout, "STALE") || !strings.Contains(r.stdout, "1 stale baseline entries") {
		t.Errorf("stale entry: exit %d\n%s", r.code, r.stdout)
	}
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("deviations:\n  - id: NOPE-1\n    reason: x\n"), 0o600)
	r = occheck(t, secretEnv, append(targetArgs(clean), "--baseline", bad)...)
	if r.code != 2 || !strings.Contains(r.stderr, `unknown spec ID "NOPE-1"`) {
		t.Errorf("bad baseline: exit %d\n%s", r.code, r.stderr)
	}
}

func TestSelection(t *testing.T) {
	s := e2eServer(t)
	r := occheck(t, secretEnv, append(targetArgs(s), "--run", "AUTH-BASIC,5.2", "--skip", "ERR-401-02")...)
	if r.code != 0 || !strings.Contains(r.stdout, "AUTH-BASIC-01") || !strings.Contains(r.stdout, "ERR-400-01") ||
		strings.Contains(r.stdout, "PASS  ERR-401-02") || strings.Contains(r.stdout, "CC-OK-01") {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}

func TestDiscovery(t *testing.T) {
	s := e2eServer(t)
	args := []string{"run", "--issuer", s.Issuer(), "--client-id", e2eID, "--scope", "read", "--no-color", "--run", "CC-OK-01,MD-02"}
	r := occheck(t, secretEnv, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "token endpoint  "+s.TokenURL()) {
		t.Fatalf("discovery: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// The issuer typed with or without a terminating '/': both build the
	// same metadata URL, and the server's spelling is used.
	slash := e2eServer(t, mockserver.QuirkIssuerMismatch)
	r = occheck(t, secretEnv, "run", "--issuer", slash.Issuer(), "--client-id", e2eID, "--scope", "read", "--no-color", "--run", "CC-OK-01,MD-02")
	if r.code != 0 || !strings.Contains(r.stdout, "is spelled "+slash.Issuer()+"/ by the server") || !strings.Contains(r.stdout, "PASS  MD-02") {
		t.Errorf("issuer spelled with a slash: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// Metadata defects fail their MD specs; the token endpoint specs
	// still run (RFC 8414 conformance is not a precondition).
	for _, tc := range []struct {
		quirk mockserver.Quirk
		extra []string
		fail  string
	}{
		{mockserver.QuirkIssuerOtherPath, nil, "FAIL  MD-02"},
		{mockserver.QuirkIssuerQuery, nil, "FAIL  MD-03"},
		{mockserver.QuirkMetadataNoTokenEndpoint, []string{"--token-url", ""}, "FAIL  MD-04"},
	} {
		srv := e2eServer(t, tc.quirk)
		args := []string{"run", "--issuer", srv.Issuer(), "--client-id", e2eID, "--scope", "read", "--no-color"}
		if tc.extra != nil {
			args = append(args, "--token-url", srv.TokenURL())
		}
		r = occheck(t, secretEnv, args...)
		if r.code != 1 || !strings.Contains(r.stdout, tc.fail) || !strings.Contains(r.stdout, "PASS  CC-OK-01") || !strings.Contains(r.stdout, "PASS  RESP-HDR-01") {
			t.Errorf("%s: exit %d, want 1 with %s and the token endpoint specs run\n%s\n%s", tc.quirk, r.code, tc.fail, r.stdout, r.stderr)
		}
	}
	// Without --token-url and without token_endpoint nothing can run.
	none := e2eServer(t, mockserver.QuirkMetadataNoTokenEndpoint)
	r = occheck(t, secretEnv, "run", "--issuer", none.Issuer(), "--client-id", e2eID)
	if r.code != 3 || !strings.Contains(r.stderr, "no token_endpoint") {
		t.Errorf("no token endpoint: exit %d\n%s", r.code, r.stderr)
	}

	// Metadata that sends the token endpoint to another origin.
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	meta := httptest.NewUnstartedServer(nil)
	metaURL := "http://" + meta.Listener.Addr().String()
	meta.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"` + metaURL + `","token_endpoint":"` + other.URL + `/token"}`))
	})
	meta.Start()
	defer meta.Close()
	r = occheck(t, secretEnv, "run", "--issuer", metaURL, "--client-id", e2eID)
	if r.code != 3 || !strings.Contains(r.stderr, "--allow-cross-origin") || hits.Load() != 0 {
		t.Errorf("cross-origin: exit %d, %d requests to the other origin\n%s", r.code, hits.Load(), r.stderr)
	}
}

// TestMetadataURLCannotRedirectCredentials: a metadata document reached by
// --metadata-url may not name another issuer than its URL belongs to, so it
// cannot send the token endpoint (and the secret) elsewhere.
func TestMetadataURLCannotRedirectCredentials(t *testing.T) {
	s := mockserver.NewTestServer(t, mockserver.Config{Issuer: "http://127.0.0.1:9", PublicURL: "http://127.0.0.1:9", Clients: []mockserver.Client{{ID: e2eID, Secret: e2eSecret}}})
	r := occheck(t, secretEnv, "run", "--metadata-url", s.URL+mockserver.PathMetadata, "--client-id", e2eID)
	if r.code != 3 || !strings.Contains(r.stderr, "--allow-cross-origin") || len(s.Requests()) != 0 {
		t.Errorf("exit %d, %d token requests\n%s", r.code, len(s.Requests()), r.stderr)
	}
}

// TestBasicOnlyServer: body credentials are a MAY, so a server that only
// does HTTP Basic is conformant when nothing advertises client_secret_post.
func TestBasicOnlyServer(t *testing.T) {
	s := mockserver.NewTestServer(t, mockserver.Config{Clients: []mockserver.Client{
		{ID: e2eID, Secret: e2eSecret, AuthMethods: []string{rfc6749.AuthClientSecretBasic}, Scopes: []string{"read"}}}})
	r := occheck(t, secretEnv, "run", "--token-url", s.TokenURL(), "--client-id", e2eID, "--scope", "read", "--no-color")
	if r.code != 0 || !strings.Contains(r.stdout, "baseline request: client_secret_basic: RFC 6749 §2.3.1 requires") ||
		!strings.Contains(r.stdout, "SKIP  AUTH-POST-01") {
		t.Errorf("exit %d\n%s", r.code, r.stdout)
	}
}

func TestUnreachableTarget(t *testing.T) {
	ln := httptest.NewServer(http.NotFoundHandler())
	u := ln.URL
	ln.Close() // nothing listens there now
	r := occheck(t, secretEnv, "run", "--token-url", u+"/token", "--client-id", e2eID, "--no-color")
	if r.code != 3 || !strings.Contains(r.stdout, "COULD NOT RUN") || !strings.Contains(r.stdout, "connection refused") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	s := e2eServer(t)
	dir := t.TempDir()
	badCfg := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(badCfg, []byte("tokn-url: x\n"), 0o600)
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"run", "--nope"}, "flag provided but not defined: -nope"},
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"no secret", nil, []string{"run", "--token-url", s.TokenURL(), "--client-id", "x"}, "no client secret: set OCCHECK_CLIENT_SECRET"},
		{"no client", nil, []string{"run", "--token-url", s.TokenURL()}, "--client-id is required"},
		{"bad run", secretEnv, []string{"run", "--token-url", s.TokenURL(), "--client-id", "x", "--run", "ZZZ"}, `--run "ZZZ": no spec`},
		{"bad method", secretEnv, []string{"run", "--token-url", s.TokenURL(), "--client-id", "x", "--auth-method", "tls"}, "--auth-method"},
		{"bad config", secretEnv, []string{"run", "--config", badCfg}, `unknown key "tokn-url"`},
		{"missing config", secretEnv, []string{"run", "--config", filepath.Join(dir, "none.yaml")}, "no such file"},
		{"bad profile", secretEnv, []string{"run", "--profile", "x"}, "--profile"},
		{"bad url", secretEnv, []string{"run", "--token-url", "ftp://x", "--client-id", "x"}, "not an absolute http(s) URL"},
		{"blank scope", secretEnv, []string{"run", "--token-url", s.TokenURL(), "--client-id", "x", "--scope", "  "}, "holds no scope token"},
		{"mock bad addr", nil, []string{"mock", "--addr", "bogus"}, "--addr"},
		{"version flag", nil, []string{"version", "--bogus"}, "flag provided but not defined"},
		{"explain unknown", nil, []string{"explain", "NOPE"}, `no spec "NOPE"`},
		{"list format", nil, []string{"list", "--format", "xml"}, "--format"},
		{"mock bad config", nil, []string{"mock", "--config", badCfg}, "field tokn-url not found"},
		{"mock bad quirk", nil, []string{"mock", "--quirk", "nope"}, `unknown quirk "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := occheck(t, tt.env, tt.args...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 2 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q on the first line", r.code, r.stderr, tt.want)
			}
			if tt.name != "unknown command" && len(lines) != 1 {
				t.Errorf("stderr has %d lines, want one: %q", len(lines), r.stderr)
			}
		})
	}
}

func TestConfigFile(t *testing.T) {
	s := e2eServer(t)
	cfg := filepath.Join(t.TempDir(), "occheck.yaml")
	_ = os.WriteFile(cfg, []byte("token-url: ${TARGET}\nclient_id: "+e2eID+"\nscope: read\nrun: [CC-OK-01, AUTH-BASIC-01]\nno-color: true\n"), 0o600)
	r := occheck(t, append(secretEnv, "TARGET="+s.TokenURL()), "run", "--config", cfg, "--run", "CC-OK-01")
	// The file names two specs; the flag overrides it with one.
	if r.code != 0 || !strings.Contains(r.stdout, "CC-OK-01") || strings.Contains(r.stdout, "AUTH-BASIC-01") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = occheck(t, append(secretEnv, "TARGET="+s.TokenURL()), "run", "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "CC-OK-01") || !strings.Contains(r.stdout, "AUTH-BASIC-01") || strings.Contains(r.stdout, "\x1b[") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestSecretFile(t *testing.T) {
	s := e2eServer(t)
	f := filepath.Join(t.TempDir(), "secret")
	_ = os.WriteFile(f, []byte(e2eSecret+"\n"), 0o600)
	r := occheck(t, nil, "run", "--token-url", s.TokenURL(), "--client-id", e2eID, "--client-secret-file", f, "--run", "CC-OK-01", "--no-color")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// golden compares output with testdata/NAME, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; review and run with -update:\n%s", name, got)
	}
}

func TestGoldenOutputs(t *testing.T) {
	for name, args := range map[string][]string{
		"usage.golden":        {"help"},
		"run-usage.golden":    {"run", "-h"},
		"list.golden":         {"list"},
		"list-md.golden":      {"list", "--format", "markdown", "--run", "5.1"},
		"explain.golden":      {"explain", "ERR-401-01"},
		"list-quirks.golden":  {"mock", "--list-quirks"},
		"mock-usage.golden":   {"mock", "-h"},
		"explain-app.golden":  {"explain", "resp-at-01"},
		"list-section.golden": {"list", "--run", "§2.3.1"},
	} {
		t.Run(name, func(t *testing.T) {
			r := occheck(t, nil, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden(t, name, r.stdout)
		})
	}
}

func TestVersion(t *testing.T) {
	r := occheck(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "occheck ") || !strings.Contains(r.stdout, "catalogue 20") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}

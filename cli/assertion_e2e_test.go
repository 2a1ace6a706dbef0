package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/mockserver"
)

// TestAssertionClientEndToEnd is the vendor's path: occheck keygen, the
// printed JWK Set registered at the server, then a run with the key. Every
// JWT-* spec runs; neither the key nor an assertion shows in the console
// (verbose) or in any report.
func TestAssertionClientEndToEnd(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "client-key.pem")
	kg := occheck(t, nil, "keygen", "--alg", "ES256", "-o", keyFile)
	if kg.code != 0 {
		t.Fatalf("keygen: %d %s", kg.code, kg.stderr)
	}
	var set mockserver.KeySet
	if err := json.Unmarshal([]byte(kg.stdout), &set.JSONWebKeySet); err != nil {
		t.Fatal(err)
	}
	for name, quirks := range map[string][]mockserver.Quirk{"conformant": nil, "no signature check": {mockserver.QuirkAssertionNoSignature}} {
		t.Run(name, func(t *testing.T) {
			s := mockserver.NewTestServer(t, mockserver.Config{
				Quirks: quirks,
				Clients: []mockserver.Client{
					{ID: e2eID, Secret: e2eSecret, Scopes: []string{"read", "write"}, Audience: []string{"https://api.example.test"}},
					{ID: "svc:2", Secret: "p+ss w%rd&:x", Scopes: []string{"read"}},
					{ID: "nocc", Secret: "nocc-secret", GrantTypes: []string{rfc6749.GrantAuthorizationCode}},
					{ID: "jwt-client", JWKS: &set, Secret: e2eJWTSecret, AuthMethods: []string{rfc6749.AuthPrivateKeyJWT}, Scopes: []string{"read", "write"}},
					{ID: "secret-jwt", Secret: e2eSecretJWT, AuthMethods: []string{rfc6749.AuthClientSecretJWT}, Scopes: []string{"read"}},
				},
			})
			reportDir := filepath.Join(t.TempDir(), "reports")
			args := append(targetArgs(s), "--assertion-client-id", "jwt-client", "--client-key-file", keyFile, "-v", "--report-dir", reportDir, "--run", "JWT")
			r := occheck(t, secretEnv, args...)
			if quirks == nil && (r.code != 0 || strings.Contains(r.stdout, "SKIP")) {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if quirks != nil && (r.code != 1 || !regexp.MustCompile(`FAIL\s+JWT-SIG-01`).MatchString(r.stdout)) {
				t.Fatalf("exit %d, want JWT-SIG-01 to fail\n%s", r.code, r.stdout)
			}
			if !strings.Contains(r.stdout, "JWT-OK-01") {
				t.Fatalf("JWT-OK-01 did not run:\n%s", r.stdout)
			}
			if files, _ := filepath.Glob(filepath.Join(reportDir, "*")); len(files) < 4 {
				t.Fatalf("reports: %v", files)
			}
			noKeyOrJWT(t, r, reportDir, keyFile, e2eJWTSecret)
		})
	}
}

func TestAssertionFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--assertion-client-id", "j"}, "needs --client-key-file"},
		{[]string{"--client-key-file", "/nonexistent/k.pem"}, "--client-key-file"},
		{[]string{"--assertion-client-secret-file", "s.txt"}, "needs --assertion-client-id"},
		{[]string{"--assertion-aud", "everywhere"}, "assertion audience"},
		{[]string{"--other-client-key-file", "o.pem"}, "--other-client-key-file needs --client-key-file"},
		{[]string{"--auth-method", "private_key_jwt"}, "private_key_jwt needs its private key"},
		{[]string{"--auth-method", "client_secret_jwt"}, "at least 32 bytes"},
		{[]string{"--assertion-client-id", "j", "--client-key-file", "/nonexistent/k.pem"}, "--client-key-file"},
		{[]string{"--client-key-id", "x"}, "need --client-key-file"},
	} {
		r := occheck(t, secretEnv, append([]string{"run", "--token-url", "http://127.0.0.1:1/token", "--client-id", "a"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestClientUnderTestWithPrivateKeyJWTEndToEnd: a vendor whose client
// authenticates only with its key passes --client-id and --client-key-file
// and no secret; auto finds private_key_jwt from the metadata, every
// spec that does not need a secret runs and passes, and neither the key
// nor an assertion shows anywhere.
func TestClientUnderTestWithPrivateKeyJWTEndToEnd(t *testing.T) {
	s := e2eServer(t)
	for _, method := range []string{"auto", rfc6749.AuthPrivateKeyJWT} {
		t.Run(method, func(t *testing.T) {
			reportDir := filepath.Join(t.TempDir(), "reports")
			r := occheck(t, []string{"OCCHECK_SPECIAL_CLIENT_SECRET=p+ss w%rd&:x", "OCCHECK_NOGRANT_CLIENT_SECRET=nocc-secret"},
				"run", "--token-url", s.TokenURL(), "--metadata-url", s.MetadataURL(), "--client-id", "jwt-client", "--client-key-file", e2eKeyFile,
				"--auth-method", method, "--scope", "read write", "--forbidden-scope", "admin",
				"--special-client-id", "svc:2", "--nogrant-client-id", "nocc", "--no-color", "-v", "--report-dir", reportDir)
			if r.code != 0 || !strings.Contains(r.stdout, "verdict: CONFORMANT") {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "private_key_jwt: ") {
				t.Errorf("the console does not say the baseline is private_key_jwt:\n%.2000s", r.stdout)
			}
			if !regexp.MustCompile(`SKIP\s+AUTH-BASIC-01`).MatchString(r.stdout) || !strings.Contains(r.stdout, "it has none") && !strings.Contains(r.stdout, "has no secret") {
				t.Errorf("AUTH-BASIC-01 is not skipped for want of a secret:\n%.3000s", r.stdout)
			}
			noKeyOrJWT(t, r, reportDir, e2eKeyFile)
		})
	}
}

// noKeyOrJWT fails when the console output or any report file holds the
// body of the private key in keyFile, a JWT (an assertion or a token), or
// one of the extra secrets.
func noKeyOrJWT(t *testing.T, r result, reportDir, keyFile string, extra ...string) {
	t.Helper()
	texts := []string{r.stdout, r.stderr}
	files, _ := filepath.Glob(filepath.Join(reportDir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		texts = append(texts, string(b))
	}
	key, _ := os.ReadFile(keyFile)
	keyBody := strings.Split(strings.TrimSpace(string(key)), "\n")[1]
	for i, text := range texts {
		if strings.Contains(text, keyBody) {
			t.Errorf("output %d holds the private key", i)
		}
		for _, s := range extra {
			if strings.Contains(text, s) {
				t.Errorf("output %d holds a secret", i)
			}
		}
		if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.`).FindString(text); m != "" {
			t.Errorf("output %d holds a JWT (an assertion or a token): %.40s...", i, m)
		}
	}
}

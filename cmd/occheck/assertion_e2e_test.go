package main

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
					{ID: "jwt-client", JWKS: &set, Scopes: []string{"read", "write"}},
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
			texts := []string{r.stdout, r.stderr}
			files, _ := filepath.Glob(filepath.Join(reportDir, "*"))
			if len(files) < 4 {
				t.Fatalf("reports: %v", files)
			}
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
				if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.`).FindString(text); m != "" {
					t.Errorf("output %d holds a JWT (an assertion or a token): %.40s...", i, m)
				}
			}
		})
	}
}

func TestAssertionFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--assertion-client-id", "j"}, "needs --client-key-file"},
		{[]string{"--client-key-file", "k.pem"}, "needs --assertion-client-id"},
		{[]string{"--assertion-client-id", "j", "--client-key-file", "/nonexistent/k.pem"}, "--client-key-file"},
		{[]string{"--client-key-id", "x"}, "need --assertion-client-id"},
	} {
		r := occheck(t, secretEnv, append([]string{"run", "--token-url", "http://127.0.0.1:1/token", "--client-id", "a"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

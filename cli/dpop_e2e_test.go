package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/occheck/occheck/mockserver"
)

// TestDPoPVendorRun is a vendor's DPoP run: a server that advertises DPoP
// and demands nonces, the proof key from occheck keygen, the client
// registered with dpop_bound_access_tokens. Every DPOP-* spec passes, and
// neither the key nor a proof shows anywhere: console, transcripts or
// reports.
func TestDPoPVendorRun(t *testing.T) {
	s := mockserver.NewTestServer(t, mockserver.Config{
		DPoPNonce:        true,
		ResourceAudience: []string{"https://api.example.test"},
		Clients: []mockserver.Client{
			{ID: e2eID, Secret: e2eSecret, Scopes: []string{"read"}, Audience: []string{"https://api.example.test"}},
			{ID: "bound", Secret: "bound-secret", Scopes: []string{"read"}, DPoPBoundAccessTokens: true},
		},
	})
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "dpop.pem")
	if kg := occheck(t, nil, "keygen", "--alg", "ES256", "-o", keyFile); kg.code != 0 {
		t.Fatalf("keygen: %d %s", kg.code, kg.stderr)
	}
	reportDir := filepath.Join(dir, "reports")
	env := []string{"OCCHECK_CLIENT_SECRET=" + e2eSecret, "OCCHECK_DPOP_CLIENT_SECRET=bound-secret"}
	r := occheck(t, env, "run", "--issuer", strings.TrimSuffix(s.TokenURL(), "/token"), "--client-id", e2eID, "--scope", "read",
		"--dpop-key-file", keyFile, "--dpop-client-id", "bound", "--resource-url", s.ResourceURL(),
		"--run", "DPOP", "--no-color", "-v", "--report-dir", reportDir)
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: CONFORMANT") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, id := range []string{"OK-01", "HDR-01", "JWT-01", "TYP-01", "ALG-01", "JWK-01", "SIG-01", "HTM-01", "HTU-01", "IAT-01", "NONCE-01", "NONCE-02", "ERR-01", "CNF-01", "MD-01", "REQ-01", "RS-01"} {
		if !regexp.MustCompile(`PASS\s+DPOP-` + id + `\b`).MatchString(r.stdout) {
			t.Errorf("DPOP-%s did not pass", id)
		}
	}
	if !strings.Contains(r.stdout, "> DPoP: [REDACTED] sha256:") {
		t.Errorf("the transcript does not show proofs redacted:\n%s", r.stdout)
	}
	noKeyOrJWT(t, r, reportDir, keyFile, "bound-secret")
}

// TestDPoPSkippedUnlessAdvertised: without metadata nothing advertises
// DPoP, so the DPOP-* specs skip and say how to run them; --dpop runs
// them with a fresh key.
func TestDPoPSkippedUnlessAdvertised(t *testing.T) {
	s := e2eServer(t)
	env := []string{"OCCHECK_CLIENT_SECRET=" + e2eSecret}
	args := []string{"run", "--token-url", s.TokenURL(), "--client-id", e2eID, "--scope", "read", "--run", "DPOP-OK-01,DPOP-TYP-01", "--no-color"}
	r := occheck(t, env, args...)
	if r.code != 0 || strings.Count(r.stdout, "SKIP  DPOP-") != 2 || !strings.Contains(r.stdout, "--dpop runs these specs anyway") {
		t.Fatalf("without --dpop: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = occheck(t, env, append(args, "--dpop")...)
	if r.code != 0 || !regexp.MustCompile(`PASS\s+DPOP-OK-01`).MatchString(r.stdout) || !regexp.MustCompile(`PASS\s+DPOP-TYP-01`).MatchString(r.stdout) {
		t.Fatalf("with --dpop: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestDPoPKeyFileErrors: an unusable --dpop-key-file is one line and exit
// code 2.
func TestDPoPKeyFileErrors(t *testing.T) {
	env := []string{"OCCHECK_CLIENT_SECRET=x"}
	for _, file := range []string{filepath.Join(t.TempDir(), "missing.pem"), "testdata/run-usage.golden"} {
		r := occheck(t, env, "run", "--token-url", "http://127.0.0.1:1/token", "--client-id", "c", "--dpop-key-file", file)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "--dpop-key-file") {
			t.Errorf("%s: exit %d, stderr %q", file, r.code, r.stderr)
		}
	}
}

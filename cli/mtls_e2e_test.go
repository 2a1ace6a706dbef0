package cli

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/occheck/occheck/mockserver"
)

// TestMockMTLSDemoAndVendorRun is both users' path: occheck mock --mtls
// writes a client CA, certificate and key; a client gets a bound token
// with them, and occheck run checks the server as that mTLS client
// (auto finds tls_client_auth from the metadata). The private key shows
// nowhere.
func TestMockMTLSDemoAndVendorRun(t *testing.T) {
	dir := t.TempDir()
	_, banner, _ := startMock(t, "--addr", "127.0.0.1:0", "--mtls", "--mtls-dir", dir)
	defer os.Remove(banner["CA PEM"])
	certFile, keyFile := filepath.Join(dir, "demo-mtls-client.pem"), filepath.Join(dir, "demo-mtls-client-key.pem")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(keyFile); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	issuer := strings.TrimSuffix(banner["token URL"], "/token")
	reportDir := filepath.Join(t.TempDir(), "reports")
	r := occheck(t, nil, "run", "--issuer", issuer, "--ca-file", banner["CA PEM"], "--client-id", "demo-mtls-client",
		"--client-cert", certFile, "--client-cert-key", keyFile, "--scope", "read", "--no-color", "-v", "--report-dir", reportDir)
	if r.code != 0 || !strings.Contains(r.stdout, "verdict: CONFORMANT") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"baseline request: tls_client_auth:", "PASS  MTLS-01", "PASS  MTLS-02", "PASS  MTLS-04", "PASS  MTLS-05", "PASS  MTLS-07",
		"* TLS client certificate: subject CN=demo-mtls-client"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	noKeyOrJWT(t, r, reportDir, keyFile)
	leaf, _ := x509.ParseCertificate(pair.Certificate[0])
	if !strings.Contains(r.stdout, mockserver.CertThumbprint(leaf)) {
		t.Errorf("the transcript does not name the certificate's thumbprint %s", mockserver.CertThumbprint(leaf))
	}
}

// TestSelfSignedVendorRun: occheck keygen --self-signed-cert writes a key
// and a certificate and prints the JWK Set with x5c; registered at the
// server, occheck run with that certificate finds
// self_signed_tls_client_auth and passes.
func TestSelfSignedVendorRun(t *testing.T) {
	dir := t.TempDir()
	keyFile, certFile := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem")
	kg := occheck(t, nil, "keygen", "-o", keyFile, "--self-signed-cert", certFile, "--subject", "svc-self")
	if kg.code != 0 || !strings.Contains(kg.stdout, `"x5c"`) {
		t.Fatalf("keygen: %d %s %s", kg.code, kg.stdout, kg.stderr)
	}
	jwksFile := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(jwksFile, []byte(kg.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	s := mockserver.NewUnstartedServer(mockserver.Config{Clients: []mockserver.Client{
		{ID: "svc-self", AuthMethods: []string{mockserver.AuthSelfSignedTLSClient}, JWKSFile: jwksFile, Scopes: []string{"read"}},
	}})
	s.StartTLS()
	defer s.Close()
	caFile := filepath.Join(dir, "server-ca.pem")
	if err := os.WriteFile(caFile, pemCert(s.Certificate()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := occheck(t, nil, "run", "--issuer", s.Issuer(), "--ca-file", caFile, "--client-id", "svc-self",
		"--client-cert", certFile, "--client-cert-key", keyFile, "--scope", "read", "--no-color")
	if r.code != 0 || !strings.Contains(r.stdout, "baseline request: self_signed_tls_client_auth:") || !strings.Contains(r.stdout, "PASS  MTLS-03") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestMTLSFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--client-cert", "c.pem"}, "--client-cert and --client-cert-key go together"},
		{[]string{"--client-cert", "/nonexistent/c.pem", "--client-cert-key", "/nonexistent/k.pem"}, "--client-cert"},
		{[]string{"--auth-method", "tls_client_auth"}, "needs --client-cert and --client-cert-key"},
		{[]string{"--other-client-cert", "o.pem"}, "--other-client-cert and --other-client-cert-key go together"},
	} {
		r := occheck(t, secretEnv, append([]string{"run", "--token-url", "https://127.0.0.1:1/token", "--client-id", "a"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if r := occheck(t, nil, "mock", "--mtls-dir", "x"); r.code != 2 || !strings.Contains(r.stderr, "--mtls-dir needs --mtls") {
		t.Errorf("mock --mtls-dir without --mtls: %d %q", r.code, r.stderr)
	}
}

// pemCert encodes a certificate as PEM.
func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

package probe

import (
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClientWithCA: a client given a server's CA reaches it; a missing
// file or one without a certificate is a clear error.
func TestClientWithCA(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer s.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := ClientWithCA(ca, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(s.URL)
	if err != nil {
		t.Fatalf("the CA's server: %v", err)
	}
	resp.Body.Close()
	if _, err := http.Get(s.URL); err == nil {
		t.Error("the default client trusts the test server: the check proves nothing")
	}
	empty := filepath.Join(dir, "empty.pem")
	_ = os.WriteFile(empty, []byte("not a certificate"), 0o600)
	for path, want := range map[string]string{filepath.Join(dir, "missing.pem"): "CA file:", empty: "no PEM certificate"} {
		if _, err := ClientWithCA(path, time.Second); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", filepath.Base(path), err, want)
		}
	}
}

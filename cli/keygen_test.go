package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/occheck/occheck/mockserver"
)

// TestKeygen writes a key, and the JWK Set it prints registers a client
// at the mock that then authenticates with assertions signed by the key.
func TestKeygen(t *testing.T) {
	for _, alg := range mockserver.SigningAlgs {
		t.Run(alg, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "client-key.pem")
			var out, errb bytes.Buffer
			if code := run(t.Context(), []string{"keygen", "--alg", alg, "-o", path}, &out, &errb, func(string) string { return "" }); code != exitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v %v", st, err)
			}
			if strings.Contains(out.String(), `"d"`) || strings.Contains(errb.String(), "PRIVATE KEY") {
				t.Fatal("private key material printed")
			}
			var set mockserver.KeySet
			if err := json.Unmarshal(out.Bytes(), &set.JSONWebKeySet); err != nil || len(set.Keys) != 1 {
				t.Fatalf("printed JWK Set: %v %s", err, out.String())
			}
			key, err := mockserver.LoadClientKey(path, alg)
			if err != nil {
				t.Fatal(err)
			}
			if key.KeyID != set.Keys[0].KeyID {
				t.Errorf("kid %s, printed %s", key.KeyID, set.Keys[0].KeyID)
			}
			srv := mockserver.NewTestServer(t, mockserver.Config{Clients: []mockserver.Client{{ID: "c", JWKS: &set}}})
			jwt, err := key.Sign(mockserver.AssertionClaims{Issuer: "c", Subject: "c", Audience: srv.Issuer(),
				Expiry: time.Now().Add(time.Minute).Unix()}, "")
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().PostForm(srv.TokenURL(), map[string][]string{
				"grant_type": {"client_credentials"}, "client_assertion_type": {mockserver.AssertionType}, "client_assertion": {jwt}})
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		})
	}
	t.Run("refuses to overwrite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "k.pem")
		_ = os.WriteFile(path, []byte("keep"), 0o600)
		var out, errb bytes.Buffer
		if code := run(t.Context(), []string{"keygen", "-o", path}, &out, &errb, func(string) string { return "" }); code != exitUsage || !strings.Contains(errb.String(), "--force") {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if b, _ := os.ReadFile(path); string(b) != "keep" {
			t.Fatal("existing file overwritten")
		}
	})
}

// TestKeygenForceMakesTheKeyPrivate: overwriting a world-readable file
// leaves a private key readable by its owner only.
func TestKeygenForceMakesTheKeyPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.pem")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"keygen", "--force", "-o", path}, &out, &errb, func(string) string { return "" }); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
}

package mockserver

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startRedis runs a throwaway redis-server on a free loopback port for the
// test and returns its URL. Without redis-server the test is skipped,
// saying how to get it.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (apt-get install redis-server): the Redis store tests need a real server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	u := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := NewRedisStore(context.Background(), u)
		if err == nil {
			s.Close()
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRedisFleet: two replicas with one signing key and one Redis store:
// a token minted by A is introspected by B, revoked through B, and then
// refused by A's resource and A's introspection; a client assertion
// replayed at the other replica is refused. For both token formats.
func TestRedisFleet(t *testing.T) {
	store := startRedis(t)
	keyFile := filepath.Join(t.TempDir(), "signing.pem")
	key, err := generateKey(ES256)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	ck := mustClientKey(t, ES256)
	for _, format := range []string{FormatJWT, FormatOpaque} {
		t.Run(format, func(t *testing.T) {
			replica := func() *Server {
				cfg := testConfig()
				cfg.Clients[0].Audience = nil
				cfg.Clients = append(cfg.Clients, ck.Client("jwt-client", "read"))
				cfg.Issuer, cfg.KeyFile, cfg.SigningAlg, cfg.StoreURL, cfg.TokenFormat = "https://as.fleet.test", keyFile, ES256, store, format
				s := NewServer(cfg)
				t.Cleanup(s.Close)
				return s
			}
			a, b := replica(), replica()
			post := func(s *Server, path, authz, form string) (int, string) {
				req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(form))
				req.Header.Set("Content-Type", formMediaType)
				if authz != "" {
					req.Header.Set("Authorization", authz)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				return resp.StatusCode, readAll(resp)
			}
			st, body := post(a, PathToken, basic(idA, secretA), "grant_type=client_credentials")
			if st != 200 {
				t.Fatalf("token from A: %d %s", st, body)
			}
			tok := jsonField(body, "access_token")
			form := "token=" + url.QueryEscape(tok)
			if _, body := post(b, PathIntrospect, basic(idS, secretS), form); !strings.Contains(body, `"active":true`) {
				t.Errorf("B introspects A's token: %s", body)
			}
			if st, body := post(b, PathRevoke, basic(idA, secretA), form); st != 200 {
				t.Errorf("revoke through B: %d %s", st, body)
			}
			if _, body := post(a, PathIntrospect, basic(idS, secretS), form); strings.TrimSpace(body) != `{"active":false}` {
				t.Errorf("A introspects the revoked token: %s", body)
			}
			req, _ := http.NewRequest("GET", a.URL+PathResource, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
				t.Errorf("A's resource takes the revoked token: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			// The replay cache is shared: an assertion used at A is refused at B.
			jwt := mustSign(t, ck, AssertionClaims{Issuer: "jwt-client", Subject: "jwt-client", Audience: "https://as.fleet.test", Expiry: time.Now().Add(time.Minute).Unix(), IssuedAt: time.Now().Unix(), ID: newJTI()}, "")
			af := "grant_type=client_credentials&client_assertion_type=" + url.QueryEscape(AssertionType) + "&client_assertion=" + jwt
			if st, body := post(a, PathToken, "", af); st != 200 {
				t.Fatalf("assertion at A: %d %s", st, body)
			}
			if st, _ := post(b, PathToken, "", af); st == 200 {
				t.Error("the same assertion is accepted again at B")
			}
		})
	}
}

func readAll(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func jsonField(body, name string) string {
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	s, _ := m[name].(string)
	return s
}

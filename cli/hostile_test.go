package cli

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// hostileRun runs the binary against url with a short timeout and checks
// the run's time and memory bounds.
func hostileRun(t *testing.T, bound time.Duration, url string, extra ...string) (result, int64) {
	t.Helper()
	args := append([]string{"run", "--token-url", url, "--client-id", e2eID, "--timeout", "500ms", "--no-color"}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, secretEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(bound + 30*time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("occheck did not finish within %v", bound+30*time.Second)
	}
	took := time.Since(start)
	if took > bound {
		t.Errorf("run took %v, bound %v", took, bound)
	}
	var maxRSS int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSS = ru.Maxrss * 1024
	}
	if maxRSS > 200<<20 {
		t.Errorf("peak RSS %d MiB, bound 200 MiB", maxRSS>>20)
	}
	r := result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stdout, "panic:") {
		t.Errorf("panic:\n%s%s", r.stdout, r.stderr)
	}
	noSecrets(t, r)
	return r, maxRSS
}

func quietServer(h http.Handler) *httptest.Server {
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Start()
	return s
}

func TestHostileServers(t *testing.T) {
	if testing.Short() {
		t.Skip("each case runs the whole suite against a broken server")
	}
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 256; i++ { // 256 MiB of zeros, about 250 KiB compressed
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	chunk := bytes.Repeat([]byte("x"), 64<<10)

	cases := []struct {
		name    string
		handler http.HandlerFunc
		code    int
		want    string
		bound   time.Duration
	}{
		{"100 MB body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < 1600; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, 1, "FAIL  CC-OK-01", 60 * time.Second},
		{"endless body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, 1, "FAIL  CC-OK-01", 60 * time.Second},
		{"gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb.Bytes())
		}, 1, "FAIL  CC-OK-01", 60 * time.Second},
		{"dripped body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			for i := 0; i < 30; i++ {
				if _, err := w.Write([]byte("{")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(time.Second):
				case <-r.Context().Done():
					return
				}
			}
		}, 3, "COULD NOT RUN", 20 * time.Second},
		{"never answers", func(w http.ResponseWriter, r *http.Request) {
			// Read the body so the server notices when occheck hangs up.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}, 3, "no answer within the timeout", 20 * time.Second},
		{"reset mid-body", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"access_")
			_ = buf.Flush()
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			conn.Close()
		}, 1, "FAIL  CC-OK-01", 20 * time.Second},
		{"invalid JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write([]byte(`{"access_token": "abc", "token_type": `))
		}, 1, "FAIL  CC-OK-01", 30 * time.Second},
		{"JSON of the wrong shape", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"access_token":"abc","token_type":"Bearer"}]`))
		}, 1, "FAIL  CC-OK-01", 30 * time.Second},
		{"200 with an error member", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		}, 1, "FAIL  CC-OK-01", 30 * time.Second},
		{"HTML error pages", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(400)
			_, _ = w.Write([]byte("<html><body><h1>400 Bad Request</h1></body></html>"))
		}, 1, "FAIL  CC-OK-01", 30 * time.Second},
		{"every request 500", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "internal error", 500)
		}, 1, "run stopped early: circuit open", 20 * time.Second},
		{"every request 429", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}, 3, "COULD NOT RUN: the baseline request (CC-OK-01) could not be made: POST", 20 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := quietServer(tc.handler)
			defer srv.Close()
			r, rss := hostileRun(t, tc.bound, srv.URL+"/token")
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s\n%s", r.code, tc.code, tc.want, tail(r.stdout, 30), r.stderr)
			}
			t.Logf("exit %d, peak RSS %d MiB", r.code, rss>>20)
		})
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestRedirectsKeepCredentialsHome: a token endpoint that redirects to
// another origin (or to itself) never gets the client's credentials
// followed there.
func TestRedirectsKeepCredentialsHome(t *testing.T) {
	var stolen atomic.Int32
	thief := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
	}))
	defer thief.Close()
	redirect := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+"/token", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	r, _ := hostileRun(t, 30*time.Second, redirect.URL+"/token")
	if r.code != 1 || stolen.Load() != 0 || !strings.Contains(r.stdout, "redirects are never followed") {
		t.Errorf("exit %d, %d requests reached the other origin\n%s", r.code, stolen.Load(), tail(r.stdout, 40))
	}
	loop := httptest.NewUnstartedServer(nil)
	loopURL := "http://" + loop.Listener.Addr().String()
	loop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loopURL+r.URL.Path, http.StatusFound)
	})
	loop.Config.ErrorLog = log.New(io.Discard, "", 0)
	loop.Start()
	defer loop.Close()
	r, _ = hostileRun(t, 30*time.Second, loopURL+"/token")
	if r.code != 1 {
		t.Errorf("redirect loop: exit %d\n%s", r.code, tail(r.stdout, 20))
	}
}

func TestTLSTrouble(t *testing.T) {
	unknownCA := httptest.NewUnstartedServer(http.NotFoundHandler())
	unknownCA.Config.ErrorLog = log.New(io.Discard, "", 0)
	unknownCA.StartTLS()
	defer unknownCA.Close()
	r, _ := hostileRun(t, 20*time.Second, unknownCA.URL+"/token")
	if r.code != 3 || !strings.Contains(r.stdout, "certificate signed by unknown authority (pass the CA with --ca-file)") {
		t.Errorf("unknown CA: exit %d\n%s", r.code, tail(r.stdout, 20))
	}

	// An expired certificate, trusted through --ca-file.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "expired"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	_ = os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	expired := httptest.NewUnstartedServer(http.NotFoundHandler())
	expired.Config.ErrorLog = log.New(io.Discard, "", 0)
	expired.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	expired.StartTLS()
	defer expired.Close()
	r, _ = hostileRun(t, 20*time.Second, expired.URL+"/token", "--ca-file", caFile)
	if r.code != 3 || !strings.Contains(r.stdout, "expired") {
		t.Errorf("expired certificate: exit %d\n%s", r.code, tail(r.stdout, 20))
	}

	plain := quietServer(http.NotFoundHandler())
	defer plain.Close()
	r, _ = hostileRun(t, 20*time.Second, strings.Replace(plain.URL, "http://", "https://", 1)+"/token")
	if r.code != 3 || !strings.Contains(r.stdout, "server gave HTTP response to HTTPS client") {
		t.Errorf("plain http behind https: exit %d\n%s", r.code, tail(r.stdout, 20))
	}
}

// TestMTLSHandshakeRefused: a server that refuses every client
// certificate in the handshake (it trusts no client CA) gives a bounded,
// explained COULD NOT RUN for an mTLS client, never the client's key.
func TestMTLSHandshakeRefused(t *testing.T) {
	dir := t.TempDir()
	keyFile, certFile := filepath.Join(dir, "k.pem"), filepath.Join(dir, "c.pem")
	if kg := occheck(t, nil, "keygen", "-o", keyFile, "--self-signed-cert", certFile); kg.code != 0 {
		t.Fatalf("keygen: %s", kg.stderr)
	}
	s := httptest.NewUnstartedServer(http.NotFoundHandler())
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: x509.NewCertPool()}
	s.StartTLS()
	defer s.Close()
	caFile := filepath.Join(dir, "ca.pem")
	_ = os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o600)
	r, _ := hostileRun(t, 20*time.Second, s.URL+"/token", "--ca-file", caFile, "--client-cert", certFile, "--client-cert-key", keyFile,
		"--auth-method", "self_signed_tls_client_auth")
	if r.code != 3 || !strings.Contains(r.stdout, "COULD NOT RUN") || !strings.Contains(strings.ToLower(r.stdout), "tls") {
		t.Errorf("handshake refused: exit %d\n%s", r.code, tail(r.stdout, 20))
	}
	key, _ := os.ReadFile(keyFile)
	if body := strings.Split(strings.TrimSpace(string(key)), "\n")[1]; strings.Contains(r.stdout+r.stderr, body) {
		t.Error("the output holds the client's private key")
	}
}

package cli

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/occheck/occheck/mockserver"
)

// startMock runs occheck mock and returns its banner lines once the ready
// line and the curl line are printed.
func startMock(t *testing.T, args ...string) (*exec.Cmd, map[string]string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"mock"}, args...)...)
	out, _ := cmd.StdoutPipe()
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	banner := map[string]string{}
	sc := bufio.NewScanner(out)
	kv := regexp.MustCompile(`^\s{2}(token URL|issuer|JWKS URL|metadata URL|CA PEM)\s+(\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		line := sc.Text()
		if m := kv.FindStringSubmatch(line); m != nil {
			banner[m[1]] = m[2]
		}
		if strings.Contains(line, "curl -s") || strings.Contains(line, "clients ") {
			banner["curl"] = strings.TrimSpace(line)
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if banner["token URL"] == "" {
		t.Fatalf("no banner; stderr: %s", stderr.String())
	}
	return cmd, banner, stderr
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestMockCommandServesTLSAndStopsCleanly(t *testing.T) {
	cmd, banner, stderr := startMock(t, "--addr", "127.0.0.1:0", "--tls", "--log-format", "json")
	pem, err := os.ReadFile(banner["CA PEM"])
	if err != nil {
		t.Fatalf("CA PEM %q: %v", banner["CA PEM"], err)
	}
	defer os.Remove(banner["CA PEM"])
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {mockserver.DemoClientID}, "client_secret": {mockserver.DemoClientSecret}}
	resp, err := client.PostForm(banner["token URL"], form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"token_type":"Bearer"`) || !strings.HasPrefix(banner["issuer"], "https://127.0.0.1:") {
		t.Fatalf("token over TLS: %d %s (banner %v)", resp.StatusCode, body, banner)
	}
	if !strings.Contains(banner["curl"], "--cacert") {
		t.Errorf("curl hint lacks --cacert: %s", banner["curl"])
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not stop on SIGTERM")
	}
	log := stderr.String()
	if !strings.Contains(log, `"msg":"request"`) || strings.Contains(log, mockserver.DemoClientSecret) || strings.Contains(log, url.QueryEscape(mockserver.DemoClientSecret)) {
		t.Errorf("access log: %s", log)
	}
}

func TestMockWarnsOffLoopbackWithoutTLS(t *testing.T) {
	_, _, stderr := startMock(t, "--addr", "0.0.0.0:0")
	time.Sleep(50 * time.Millisecond)
	if !strings.Contains(stderr.String(), "WARNING: listening on") || !strings.Contains(stderr.String(), "in clear text") {
		t.Errorf("no warning: %q", stderr.String())
	}
	_, _, quiet := startMock(t, "--addr", "127.0.0.1:0")
	time.Sleep(50 * time.Millisecond)
	if strings.Contains(quiet.String(), "WARNING") {
		t.Errorf("warning on loopback: %q", quiet.String())
	}
}

func TestMockQuirkFlag(t *testing.T) {
	_, banner, _ := startMock(t, "--addr", "127.0.0.1:0", "--quirk", "no-pragma", "--quirk", "refresh-token")
	resp, err := http.PostForm(banner["token URL"], url.Values{"grant_type": {"client_credentials"}, "client_id": {mockserver.DemoClientID}, "client_secret": {mockserver.DemoClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Pragma") != "" || !strings.Contains(string(body), "refresh_token") {
		t.Errorf("quirks not on: Pragma %q body %s", resp.Header.Get("Pragma"), body)
	}
}

// TestMockAdminFlag: the admin API is off unless asked for; with --admin a
// test in any language schedules a fault over HTTP and sees it hit.
func TestMockAdminFlag(t *testing.T) {
	_, banner, _ := startMock(t, "--addr", "127.0.0.1:0")
	base := strings.TrimSuffix(banner["token URL"], "/token")
	resp, err := http.Get(base + "/_occheck/faults")
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("admin API without --admin: %v %v", err, resp)
	}
	resp.Body.Close()

	dir := t.TempDir()
	tokenFile := dir + "/admin-token"
	if err := os.WriteFile(tokenFile, []byte("t0k3n-for-admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, banner, _ = startMock(t, "--addr", "127.0.0.1:0", "--admin", "--admin-token-file", tokenFile)
	base = strings.TrimSuffix(banner["token URL"], "/token")
	post := func(token string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+"/_occheck/faults", strings.NewReader(`{"endpoint":"token","action":"unavailable","times":1}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(""); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	if resp := post("t0k3n-for-admin"); resp.StatusCode != 201 {
		t.Fatalf("with token: %d", resp.StatusCode)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {mockserver.DemoClientID}, "client_secret": {mockserver.DemoClientSecret}}
	for _, want := range []int{503, 200} {
		resp, err := http.PostForm(banner["token URL"], form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("token request = %d, want %d", resp.StatusCode, want)
		}
	}
}

package mockserver

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFaultLeavesTruncatedBodiesAlone: with a fault scheduled (for another
// endpoint, even), a request body cut short is still refused as unreadable,
// never parsed as a shorter, complete form.
func TestFaultLeavesTruncatedBodiesAlone(t *testing.T) {
	s := NewTestServer(t, testConfig())
	mustAddFault(t, s.Authority, Fault{Endpoint: EndpointToken, ClientID: "someone-else", Action: FaultDrop})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := cc + "&scope=read&resource=https://api.example.test"
	sent := cc + "&scope=read"
	_, _ = conn.Write([]byte("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: " + basic(idA, secretA) +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + sent))
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == 200 {
		t.Errorf("a truncated body was taken as a complete form: %d", resp.StatusCode)
	}
}

// TestFaultJournal: the journal says what the client got from a fault.
func TestFaultJournal(t *testing.T) {
	s := NewTestServer(t, testConfig())
	mustAddFault(t, s.Authority, Fault{Action: FaultError, Status: 400, Error: "invalid_scope", Times: 1})
	mustAddFault(t, s.Authority, Fault{Endpoint: EndpointToken, Action: FaultTruncate, Times: 1})
	_, _, _ = tokenPost(t, s)
	_, _, _ = tokenPost(t, s)
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Status != 400 || reqs[0].Error != "invalid_scope" || reqs[0].Claimed != idA ||
		reqs[1].Status != 0 || reqs[1].Fault == "" {
		t.Errorf("journal %+v", reqs)
	}
	mustAddFault(t, s.Authority, Fault{Endpoint: EndpointJWKS, Action: FaultMalformedJSON, Times: 1})
	resp, err := s.Client().Get(s.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	jw := s.RequestsFor(RequestFilter{Endpoint: EndpointJWKS})
	if len(jw) != 1 || jw[0].Fault == "" || jw[0].Error != "malformed_json" {
		t.Errorf("JWKS journal %+v", jw)
	}
	if _, err := s.AddFault(Fault{Endpoint: EndpointToken, Action: FaultQuirk, Quirk: QuirkJWKSWrongKey}); err == nil {
		t.Errorf("a quirk that changes only the JWKS was accepted as a token fault")
	}
}

// TestAdminRefusesWebPages: without a token the admin API serves local
// tests only: not a web page (Origin), not a proxied request, not a Host
// that DNS rebinding would send, and not a form post (no JSON type).
func TestAdminRefusesWebPages(t *testing.T) {
	cfg := testConfig()
	cfg.Admin = true
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	call := func(mod func(r *http.Request)) int {
		r := httptest.NewRequest("POST", "http://127.0.0.1/_occheck/faults", strings.NewReader(`{"action":"drop"}`))
		r.RemoteAddr = "127.0.0.1:5555"
		r.Header.Set("Content-Type", "application/json")
		mod(r)
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		return w.Code
	}
	if got := call(func(r *http.Request) {}); got != 201 {
		t.Fatalf("local test: %d", got)
	}
	for name, mod := range map[string]func(r *http.Request){
		"Origin":          func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") },
		"X-Forwarded-For": func(r *http.Request) { r.Header.Set("X-Forwarded-For", "192.0.2.9") },
		"rebound Host":    func(r *http.Request) { r.Host = "evil.example:8080" },
	} {
		if got := call(mod); got != 403 {
			t.Errorf("%s: %d, want 403", name, got)
		}
	}
	if got := call(func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }); got != 415 {
		t.Errorf("text/plain: %d, want 415", got)
	}
}

// TestShortRSAKeyRefused: a key file with an RSA key under 2048 bits is a
// configuration error (RFC 7518 §3.3), named as such.
func TestShortRSAKeyRefused(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "short.pem")
	der := x509.MarshalPKCS1PrivateKey(k)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{KeyFile: path, SigningAlg: RS256}); err == nil || !strings.Contains(err.Error(), "2048") {
		t.Errorf("err = %v, want a refusal naming 2048 bits", err)
	}
}

package mockserver

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// wellBehaved asks for a token and reports how long it took.
func wellBehaved(t *testing.T, s *Server) time.Duration {
	t.Helper()
	start := time.Now()
	c := &http.Client{Timeout: 5 * time.Second}
	req, _ := http.NewRequest("POST", s.TokenURL(), strings.NewReader(cc))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basic(idA, secretA))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("well-behaved client: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("well-behaved client: status %d", resp.StatusCode)
	}
	return time.Since(start)
}

// TestHostileClients opens many idle and slow connections, sends an
// oversized header and body, and checks a well-behaved client is still
// served promptly and the hostile ones get a 4xx or a closed connection.
func TestHostileClients(t *testing.T) {
	if testing.Short() {
		t.Skip("opens hundreds of connections")
	}
	cfg := testConfig()
	cfg.SigningAlg = ES256
	s := NewUnstartedServer(cfg)
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Config.ReadHeaderTimeout = 500 * time.Millisecond // the real limit is 5s; shortened to keep the test quick
	s.Start()
	defer s.Close()
	addr := strings.TrimPrefix(s.URL, "http://")

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Idle connections that never send a byte, and slowloris ones that
	// send a header line now and then.
	for i := 0; i < 2000; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
		if i%2 == 0 {
			fmt.Fprintf(c, "POST /token HTTP/1.1\r\nHost: x\r\n")
		}
	}
	if d := wellBehaved(t, s); d > time.Second {
		t.Errorf("with 2000 idle and slow connections a token took %v", d)
	}
	// The slow ones are cut off by ReadHeaderTimeout.
	time.Sleep(700 * time.Millisecond)
	closed := 0
	for i, c := range conns {
		if i%2 != 0 {
			continue
		}
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err == io.EOF || (err == nil) {
			closed++
		} else if ne, ok := err.(net.Error); ok && !ne.Timeout() {
			closed++
		}
		if i > 40 {
			break
		}
	}
	if closed == 0 {
		t.Errorf("slowloris connections stay open past ReadHeaderTimeout")
	}

	// A header flood: more than MaxHeaderBytes.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /token HTTP/1.1\r\nHost: x\r\nX-Flood: %s\r\n\r\n", strings.Repeat("a", 2*MaxHeaderBytes))
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("header flood: status %d, want 431", resp.StatusCode)
		}
		resp.Body.Close()
	}
	c.Close()

	// An oversized body: a clear 400, never a hang.
	big := cc + "&pad=" + strings.Repeat("a", 1<<20)
	req, _ := http.NewRequest("POST", s.TokenURL(), strings.NewReader(big))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basic(idA, secretA))
	r2, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err == nil {
		if r2.StatusCode != 400 {
			t.Errorf("1 MiB body: status %d, want 400", r2.StatusCode)
		}
		r2.Body.Close()
	}
	if d := wellBehaved(t, s); d > time.Second {
		t.Errorf("after the floods a token took %v", d)
	}
}

// TestConcurrentTokens hammers the server from many goroutines: no error,
// every jti unique, the request log bounded.
func TestConcurrentTokens(t *testing.T) {
	cfg := testConfig()
	cfg.SigningAlg = ES256
	s := NewServer(cfg)
	defer s.Close()
	const workers, each = 32, 64
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var mu sync.Mutex
	jtis := map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				req, _ := http.NewRequest("POST", s.TokenURL(), strings.NewReader(cc))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", basic(idA, secretA))
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				var body struct {
					AccessToken string `json:"access_token"`
				}
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d: %v", resp.StatusCode, err)
					return
				}
				payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(body.AccessToken, ".")[1])
				var claims struct{ JTI string }
				_ = json.Unmarshal(payload, &claims)
				mu.Lock()
				if jtis[claims.JTI] {
					errs <- fmt.Errorf("jti %s repeated", claims.JTI)
				}
				jtis[claims.JTI] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(jtis) != workers*each {
		t.Errorf("%d unique jti, want %d", len(jtis), workers*each)
	}
	if n := len(s.Requests()); n != defaultRequestLogSize {
		t.Errorf("request log holds %d, want the bound %d", n, defaultRequestLogSize)
	}
}

// TestAccessLogNeverHoldsSecrets logs every kind of request and searches
// the log for the secret in any form.
func TestAccessLogNeverHoldsSecrets(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	cfg := testConfig()
	cfg.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	do(t, a, "POST", "/token", cc, map[string]string{"Authorization": basic(idA, secretA)})
	do(t, a, "POST", "/token?client_secret="+url.QueryEscape(secretA), cc+"&client_id="+idA+"&client_secret="+url.QueryEscape(secretA), nil)
	do(t, a, "POST", "/token", cc, map[string]string{"Authorization": basicRaw(idA + ":" + secretA)})
	mu.Lock()
	defer mu.Unlock()
	log := buf.String()
	if strings.Count(log, `"msg":"request"`) != 3 {
		t.Fatalf("log:\n%s", log)
	}
	for _, s := range []string{secretA, url.QueryEscape(secretA), strings.TrimPrefix(basic(idA, secretA), "Basic "), "eyJ"} {
		if strings.Contains(log, s) {
			t.Errorf("access log holds %q:\n%s", s, log)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

package probe

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestDroppedIsTheServersFault: a connection the server closes or resets
// mid-exchange is Dropped (the server's failure); a refused connection, a
// TLS failure or a timeout is not (the network's or the harness's).
func TestDroppedIsTheServersFault(t *testing.T) {
	abort := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler) // closes the connection without a response
	}))
	defer abort.Close()
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"acc")
		_ = buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		conn.Close()
	}))
	defer reset.Close()
	done := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	defer slow.Close()
	defer close(done)
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	// A TLS port that answers plain HTTP with a TLS alert record, and one
	// that closes during the handshake: protocol trouble, not a crash.
	alert := rawServer(t, func(c net.Conn) { _, _ = c.Write([]byte("\x15\x03\x01\x00\x02\x02\x28")) })
	handshake := rawServer(t, func(c net.Conn) {})

	for _, tc := range []struct {
		name    string
		url     string
		client  *http.Client
		dropped bool
	}{
		{"closed without a response", abort.URL, nil, true},
		{"reset mid-body", reset.URL, nil, true},
		{"connection refused", closed, nil, false},
		{"a TLS alert to plain HTTP", "http://" + alert, nil, false},
		{"closed during the TLS handshake", "https://" + handshake, nil, false},
		{"timeout", slow.URL, nil, false},
		{"unknown certificate authority", tlsSrv.URL, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Prober{Client: tc.client, Timeout: 300 * time.Millisecond}
			_, ex, err := p.Do(context.Background(), Request{Method: http.MethodPost, URL: tc.url, Body: "grant_type=client_credentials"})
			if err == nil {
				t.Fatalf("no error; exchange %+v", ex)
			}
			if got := IsDropped(err); got != tc.dropped {
				t.Errorf("IsDropped(%v) = %v, want %v", err, got, tc.dropped)
			}
		})
	}
}

// rawServer accepts connections, reads a little, lets f answer, closes.
func rawServer(t *testing.T, f func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 512)
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			_, _ = c.Read(buf)
			f(c)
			c.Close()
		}
	}()
	return ln.Addr().String()
}

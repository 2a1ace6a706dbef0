package mockserver

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Server is an authorization server listening on a loopback port, for
// tests. It embeds *httptest.Server, so URL, Close, Client, Certificate and
// the rest behave exactly as they do there.
type Server struct {
	*httptest.Server
	// Authority is the handler behind the listener.
	*Authority
}

// NewServer starts a server for cfg on a loopback port over plain HTTP.
// Like httptest.NewServer it panics when it cannot start; an invalid
// configuration also panics. Use New to get the error instead.
func NewServer(cfg Config) *Server {
	s := NewUnstartedServer(cfg)
	s.Start()
	return s
}

// NewTLSServer starts a server for cfg over HTTPS with httptest's
// certificate; Client trusts it.
func NewTLSServer(cfg Config) *Server {
	s := NewUnstartedServer(cfg)
	s.StartTLS()
	return s
}

// NewUnstartedServer returns a server that is not yet listening; change
// its httptest fields, then call Start or StartTLS.
func NewUnstartedServer(cfg Config) *Server {
	a, err := New(cfg)
	if err != nil {
		panic("mockserver: " + err.Error())
	}
	s := &Server{Server: httptest.NewUnstartedServer(a), Authority: a}
	ApplyTimeouts(s.Config)
	return s
}

// Start starts the server over HTTP. The issuer, when not configured, and
// the base URL, when no public URL is, are the server's URL.
func (s *Server) Start() {
	s.Server.Start()
	s.setIssuer(s.URL)
	s.setBase(s.URL)
}

// StartTLS starts the server over HTTPS. It asks every client for a
// certificate without requiring one (RFC 8705 clients send theirs; others
// connect as before), unless the httptest TLS config says otherwise.
func (s *Server) StartTLS() {
	if s.Server.TLS == nil {
		s.Server.TLS = &tls.Config{}
	}
	if s.Server.TLS.ClientAuth == tls.NoClientCert {
		s.Server.TLS.ClientAuth = tls.RequestClientCert
	}
	// Plain HTTP to this port gets the plain side's answer (TwinListener).
	s.Server.Listener = TwinListener(s.Server.Listener, s.Authority)
	s.Server.StartTLS()
	s.setIssuer(s.URL)
	s.setBase(s.URL)
}

// NewTestServer starts a server for cfg over plain HTTP and closes it when
// tb's test ends. A bad configuration fails the test.
func NewTestServer(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	a, err := New(cfg)
	if err != nil {
		tb.Fatalf("mockserver: %v", err)
	}
	s := &Server{Server: httptest.NewUnstartedServer(a), Authority: a}
	ApplyTimeouts(s.Config)
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

// ClientCredentials returns a ready golang.org/x/oauth2 client credentials
// configuration for the registered client id, pointed at this server. The
// HTTP client the returned TokenSource uses must trust the server; with
// TLS pass ctx from OAuth2Context.
func (s *Server) ClientCredentials(clientID string, scopes ...string) *clientcredentials.Config {
	cfg := &clientcredentials.Config{ClientID: clientID, TokenURL: s.TokenURL(), Scopes: scopes}
	if cl, ok := s.clients[clientID]; ok {
		cfg.ClientSecret = cl.Secret
	}
	return cfg
}

// OAuth2Context returns ctx carrying the server's HTTP client, so
// golang.org/x/oauth2 token sources reach a TLS server without certificate
// errors.
func (s *Server) OAuth2Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.Client())
}

// Handler timeouts for servers exposed to clients nobody here wrote: slow
// or flooding clients get a closed connection, never a hang.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 60 * time.Second
	MaxHeaderBytes    = 16 << 10
)

// ApplyTimeouts sets the server's timeouts and header limit.
func ApplyTimeouts(srv *http.Server) {
	srv.ReadHeaderTimeout = ReadHeaderTimeout
	srv.ReadTimeout = ReadTimeout
	srv.WriteTimeout = WriteTimeout
	srv.IdleTimeout = IdleTimeout
	srv.MaxHeaderBytes = MaxHeaderBytes
}

// ClientWithCertificate returns an HTTP client that trusts the server (as
// Client does) and presents cert in the TLS handshake.
func (s *Server) ClientWithCertificate(cert tls.Certificate) *http.Client {
	base := s.Client()
	tr, ok := base.Transport.(*http.Transport)
	if !ok {
		tr = http.DefaultTransport.(*http.Transport)
	}
	tr = tr.Clone()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	return &http.Client{Transport: tr, Timeout: base.Timeout}
}

// MTLSClient returns an HTTP client that authenticates as the
// tls_client_auth client id: it presents a certificate the server's
// client CA issues for that client's registered attribute.
func (s *Server) MTLSClient(id string) (*http.Client, error) {
	cert, err := s.ClientCertificate(id)
	if err != nil {
		return nil, err
	}
	return s.ClientWithCertificate(cert), nil
}

package cli

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/occheck/occheck/mockserver"
)

func runMock(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mock", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	configFile := fs.String("config", "", "YAML file describing the server and its clients")
	issuer := fs.String("issuer", "", "issuer URL, the iss of every token (default: derived from --addr and the scheme)")
	publicURL := fs.String("public-url", "", "URL clients reach the server at, when not the listener (behind a proxy); the metadata's endpoints are built on it")
	alg := fs.String("signing-alg", "", "access token signing algorithm: RS256, PS256, ES256 or EdDSA (overrides the config file)")
	keyFile := fs.String("key-file", "", "PEM or JWK file with the signing key (overrides the config file)")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a fresh self-signed certificate; its PEM is written to a file")
	certFile := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM); needs --tls-key")
	keyPEM := fs.String("tls-key", "", "private key (PEM) for --tls-cert")
	logFormat := fs.String("log-format", "text", "access log format on stderr: text or json")
	store := fs.String("store", "", "where opaque tokens, revocations and the assertion replay cache live: memory (default) or redis://HOST:PORT/DB, shared by replicas (give them one --key-file)")
	mtls := fs.Bool("mtls", false, "mutual TLS (RFC 8705): serve HTTPS (as --tls), register "+demoMTLSClientID+" (tls_client_auth, certificate-bound tokens), and write a client CA, its certificate and key")
	dpopNonce := fs.Bool("dpop-nonce", false, "demand a server nonce in every DPoP proof (RFC 9449 §8): use_dpop_nonce and a DPoP-Nonce header first, then a token")
	mtlsDir := fs.String("mtls-dir", "", "directory for the files --mtls writes (default: a fresh temporary directory)")
	var quirks listFlag
	fs.Var(&quirks, "quirk", "switch on deliberate deviations from the RFC (comma-separated, repeatable; see --list-quirks)")
	listQuirks := fs.Bool("list-quirks", false, "print the quirks, one per line, and exit")
	admin := fs.Bool("admin", false, "serve the admin API under /_occheck/ (faults, clock, keys, quirks, journal): loopback clients only, unless a token is set")
	adminTokenFile := fs.String("admin-token-file", "", "file holding the bearer token the admin API demands (also $OCCHECK_ADMIN_TOKEN); opens it to non-loopback clients")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if *listQuirks {
		for _, q := range mockserver.KnownQuirks() {
			fmt.Fprintf(stdout, "%-34s %s\n", q, q.Description())
		}
		return exitOK
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "occheck mock: "+format+"\n", a...)
		return exitUsage
	}
	if *logFormat != "text" && *logFormat != "json" {
		return usageErr("--log-format: want text or json, got %q", *logFormat)
	}
	if (*certFile == "") != (*keyPEM == "") {
		return usageErr("--tls-cert and --tls-key go together")
	}
	if *useTLS && *certFile != "" {
		return usageErr("--tls makes its own certificate; drop it or drop --tls-cert/--tls-key")
	}
	if *mtlsDir != "" && !*mtls {
		return usageErr("--mtls-dir needs --mtls")
	}
	if *mtls && *certFile == "" {
		*useTLS = true // a client certificate needs TLS
	}
	var cfg mockserver.Config
	if *configFile != "" {
		c, err := mockserver.LoadConfig(*configFile)
		if err != nil {
			return usageErr("%v", err)
		}
		cfg = c
	}
	if *publicURL != "" {
		cfg.PublicURL = *publicURL
	}
	if *admin {
		cfg.Admin = true
	}
	if *adminTokenFile != "" {
		b, err := os.ReadFile(*adminTokenFile)
		if err != nil {
			return usageErr("--admin-token-file: %v", unwrapPath(err))
		}
		cfg.AdminToken = strings.TrimSpace(string(b))
		if cfg.AdminToken == "" {
			return usageErr("--admin-token-file: %s is empty", *adminTokenFile)
		}
	} else if tok := strings.TrimSpace(os.Getenv("OCCHECK_ADMIN_TOKEN")); tok != "" && cfg.AdminToken == "" && cfg.Admin {
		cfg.AdminToken = tok
	}
	if cfg.AdminToken != "" && !cfg.Admin {
		return usageErr("an admin token needs --admin (or admin: true in the config file)")
	}
	if *issuer != "" {
		cfg.Issuer = *issuer
	}
	if *alg != "" {
		cfg.SigningAlg = *alg
	}
	if *keyFile != "" {
		cfg.KeyFile = *keyFile
	}
	if *store != "" {
		cfg.StoreURL = *store
	}
	if *dpopNonce {
		cfg.DPoPNonce = true
	}
	for _, q := range quirks {
		for _, name := range strings.Split(q, ",") {
			if name = strings.TrimSpace(name); name != "" {
				cfg.Quirks = append(cfg.Quirks, mockserver.Quirk(name))
			}
		}
	}
	if path := os.Getenv("OCCHECK_CPUPROFILE"); path != "" {
		// For performance work: bench/load.sh -cpuprofile sets it.
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
		}
	}
	userClients := cfg.Clients // the banner names these; --mtls adds its own line
	if *mtls {
		if len(cfg.Clients) == 0 {
			cfg.Clients = []mockserver.Client{mockserver.DemoClient()}
		}
		cfg.Clients = append(cfg.Clients, mockserver.Client{ID: demoMTLSClientID, AuthMethods: []string{mockserver.AuthTLSClient},
			TLSClientAuthSubjectDN: "CN=" + demoMTLSClientID, Scopes: []string{"read"}, CertificateBoundTokens: true})
	}
	secure := *useTLS || *certFile != ""
	// The access log is buffered and flushed every 100 ms (and at exit):
	// one write per request would be a system call per token under load.
	logOut := newFlushWriter(stderr, 100*time.Millisecond)
	defer logOut.Close()
	var handler slog.Handler = slog.NewTextHandler(logOut, nil)
	if *logFormat == "json" {
		handler = slog.NewJSONHandler(logOut, nil)
	}
	cfg.Logger = slog.New(handler)

	if _, err := net.ResolveTCPAddr("tcp", *addr); err != nil {
		return usageErr("--addr %q: %v", *addr, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "occheck mock: listen on %s: %v\n", *addr, err)
		return exitCannotGo
	}
	defer ln.Close()
	scheme := "http"
	if secure {
		scheme = "https"
	}
	if cfg.Issuer == "" {
		cfg.Issuer = scheme + "://" + displayAddr(ln.Addr())
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = scheme + "://" + displayAddr(ln.Addr())
	}
	auth, err := mockserver.New(cfg)
	if err != nil && strings.HasPrefix(cfg.StoreURL, "redis") && strings.HasPrefix(err.Error(), "store ") {
		fmt.Fprintf(stderr, "occheck mock: %v\n", err) // the store is unreachable: not a usage error
		return exitCannotGo
	}
	if err != nil {
		return usageErr("%v", err)
	}
	srv := &http.Server{Handler: auth, ErrorLog: slog.NewLogLogger(handler, slog.LevelWarn)}
	mockserver.ApplyTimeouts(srv)

	caPath := ""
	if secure {
		var cert tls.Certificate
		if *useTLS {
			cert, caPath, err = selfSignedCert(ln.Addr(), cfg.Issuer)
		} else {
			cert, err = tls.LoadX509KeyPair(*certFile, *keyPEM)
		}
		if err != nil {
			fmt.Fprintf(stderr, "occheck mock: TLS: %v\n", err)
			return exitUsage
		}
		// Clients may present a certificate (RFC 8705); none is required.
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, ClientAuth: tls.RequestClientCert}
	}

	bannerCfg := cfg
	bannerCfg.Clients = userClients
	printBanner(stdout, auth, bannerCfg, caPath)
	if *mtls {
		files, err := writeMTLSDemo(auth, *mtlsDir)
		if err != nil {
			fmt.Fprintf(stderr, "occheck mock: --mtls: %v\n", err)
			return exitCannotGo
		}
		curlCA := ""
		if caPath != "" {
			curlCA = " --cacert " + shellQuote(caPath)
		}
		fmt.Fprintf(stdout, "  mTLS client   id %s (tls_client_auth, subject CN=%s, bound tokens); client CA %s\n", demoMTLSClientID, demoMTLSClientID, files.ca)
		fmt.Fprintln(stdout, "  try it (the certificate authenticates; client_id names the client):")
		fmt.Fprintf(stdout, "    curl -s%s --cert %s --key %s -d grant_type=client_credentials -d client_id=%s %s\n",
			curlCA, shellQuote(files.cert), shellQuote(files.key), demoMTLSClientID, auth.TokenURL())
	}
	if !secure && !isLoopback(ln.Addr()) {
		fmt.Fprintf(stderr, "occheck mock: WARNING: listening on %s without TLS: client secrets and tokens cross the network in clear text (RFC 6749 section 2.3.1 requires TLS); use --tls\n", ln.Addr())
	}

	errc := make(chan error, 1)
	go func() {
		if secure {
			// Plain HTTP to the TLS port gets a refusal, not a handshake error.
			errc <- srv.ServeTLS(mockserver.TwinListener(ln, auth), "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "occheck mock: %v\n", err)
		return exitCannotGo
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "occheck mock: shutdown: %v\n", err)
	}
	fmt.Fprintln(stdout, "occheck mock: stopped")
	return exitOK
}

// displayAddr turns a wildcard listen address into one a client can dial.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP != nil && tcp.IP.IsLoopback()
}

func printBanner(w io.Writer, auth *mockserver.Authority, cfg mockserver.Config, caPath string) {
	fmt.Fprintln(w, "occheck mock: reference authorization server ready")
	fmt.Fprintf(w, "  issuer        %s\n", auth.Issuer())
	fmt.Fprintf(w, "  token URL     %s\n", auth.TokenURL())
	fmt.Fprintf(w, "  JWKS URL      %s\n", auth.JWKSURL())
	fmt.Fprintf(w, "  metadata URL  %s\n", auth.MetadataURL())
	if caPath != "" {
		fmt.Fprintf(w, "  CA PEM        %s\n", caPath)
	}
	if q := auth.Quirks(); len(q) > 0 {
		fmt.Fprintf(w, "  QUIRKS ON     %v (deliberately non-conformant)\n", q)
	}
	if cfg.Admin {
		who := "loopback clients only"
		if cfg.AdminToken != "" {
			who = "clients bearing the admin token"
		}
		fmt.Fprintf(w, "  admin API     %s%s (%s)\n", auth.BaseURL(), mockserver.PathAdmin, who)
	}
	curlTLS := ""
	if caPath != "" {
		curlTLS = " --cacert " + shellQuote(caPath)
	}
	if len(cfg.Clients) == 0 {
		fmt.Fprintf(w, "  demo client   id %s, secret %q\n", mockserver.DemoClientID, mockserver.DemoClientSecret)
		fmt.Fprintln(w, "  try it (HTTP Basic, id and secret form-encoded per RFC 6749 Appendix B):")
		fmt.Fprintf(w, "    curl -s%s -u %s -d grant_type=client_credentials %s\n", curlTLS,
			shellQuote(url.QueryEscape(mockserver.DemoClientID)+":"+url.QueryEscape(mockserver.DemoClientSecret)), auth.TokenURL())
		return
	}
	ids := make([]string, 0, len(cfg.Clients))
	for _, c := range cfg.Clients {
		ids = append(ids, fmt.Sprintf("%q", c.ID))
	}
	fmt.Fprintf(w, "  clients       %s (secrets from the config file)\n", strings.Join(ids, ", "))
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// demoMTLSClientID is the tls_client_auth client occheck mock --mtls adds.
const demoMTLSClientID = "demo-mtls-client"

// mtlsFiles are the files occheck mock --mtls writes.
type mtlsFiles struct{ ca, cert, key string }

// writeMTLSDemo writes the server's client CA and a certificate and key
// for the demo mTLS client (the key with mode 0600) into dir, or a fresh
// temporary directory.
func writeMTLSDemo(auth *mockserver.Authority, dir string) (mtlsFiles, error) {
	cert, err := auth.ClientCertificate(demoMTLSClientID)
	if err != nil {
		return mtlsFiles{}, err
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "occheck-mock-mtls-*"); err != nil {
			return mtlsFiles{}, err
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return mtlsFiles{}, err
	}
	dir, _ = filepath.Abs(dir)
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return mtlsFiles{}, err
	}
	f := mtlsFiles{ca: filepath.Join(dir, "client-ca.pem"), cert: filepath.Join(dir, demoMTLSClientID+".pem"), key: filepath.Join(dir, demoMTLSClientID+"-key.pem")}
	for _, w := range []struct {
		path, typ string
		der       []byte
		mode      os.FileMode
	}{
		{f.ca, "CERTIFICATE", auth.ClientCA().Cert.Raw, 0o644},
		{f.cert, "CERTIFICATE", cert.Certificate[0], 0o644},
		{f.key, "PRIVATE KEY", keyDER, 0o600},
	} {
		if err := os.WriteFile(w.path, pem.EncodeToMemory(&pem.Block{Type: w.typ, Bytes: w.der}), w.mode); err != nil {
			return mtlsFiles{}, unwrapPath(err)
		}
	}
	return f, nil
}

// selfSignedCert makes a certificate for the listen address, localhost and
// the issuer's host, and writes it as a PEM CA file clients can trust.
func selfSignedCert(addr net.Addr, issuer string) (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "occheck mock"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP != nil && !tcp.IP.IsUnspecified() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, tcp.IP)
	}
	if u, err := url.Parse(issuer); err == nil {
		if ip := net.ParseIP(u.Hostname()); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if u.Hostname() != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, u.Hostname())
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	f, err := os.CreateTemp("", "occheck-mock-ca-*.pem")
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("write CA PEM: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(certPEM); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("write CA PEM: %w", err)
	}
	path, _ := filepath.Abs(f.Name())
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path, nil
}

// flushWriter buffers writes and flushes them on a timer and at Close.
type flushWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newFlushWriter(w io.Writer, every time.Duration) *flushWriter {
	f := &flushWriter{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				f.flush()
			case <-f.stop:
				f.flush()
				return
			}
		}
	}()
	return f
}

func (f *flushWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w.Write(p)
}

func (f *flushWriter) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	_ = f.w.Flush()
}

// Close flushes what is left and stops the timer.
func (f *flushWriter) Close() {
	close(f.stop)
	<-f.done
}

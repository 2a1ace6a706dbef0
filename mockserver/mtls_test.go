package mockserver

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/occheck/occheck/internal/rfc6749"
)

const (
	idM  = "svc-mtls"
	idM3 = "svc-mtls-other"
	idM2 = "svc-self-signed"
)

// mtlsFixture is an HTTPS server with two tls_client_auth clients (one by
// subject DN, bound tokens; one by SAN DNS) and a self-signed client.
type mtlsFixture struct {
	s    *Server
	self *SelfSignedCert
}

func newMTLSFixture(t *testing.T, quirks ...Quirk) *mtlsFixture {
	t.Helper()
	self, err := GenerateSelfSignedCert("svc-self-signed")
	if err != nil {
		t.Fatal(err)
	}
	ss := self.Client(idM2, "read")
	cfg := Config{Quirks: quirks, Clients: []Client{
		{ID: idM, AuthMethods: []string{AuthTLSClient}, TLSClientAuthSubjectDN: "CN=svc-mtls, O=Example Corp, C=DE", Scopes: []string{"read"}, CertificateBoundTokens: true},
		{ID: idM3, AuthMethods: []string{AuthTLSClient}, TLSClientAuthSANDNS: "other.example.test", Scopes: []string{"read"}},
		ss,
		{ID: "secret-client", Secret: "secret-client-secret", Scopes: []string{"read"}},
	}}
	s := NewUnstartedServer(cfg)
	s.StartTLS()
	t.Cleanup(s.Close)
	return &mtlsFixture{s: s, self: self}
}

// post sends a client credentials request with client_id, over a client
// presenting cert (none when nil), plus extra headers.
func (f *mtlsFixture) post(t *testing.T, cert *tls.Certificate, clientID string, header map[string]string) (int, map[string]any) {
	t.Helper()
	c := f.s.Client()
	if cert != nil {
		c = f.s.ClientWithCertificate(*cert)
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if clientID != "" {
		form.Set("client_id", clientID)
	}
	req, _ := http.NewRequest(http.MethodPost, f.s.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &body)
	return resp.StatusCode, body
}

// tokenCnf reads cnf x5t#S256 from an access token, "" without one.
func tokenCnf(t *testing.T, body map[string]any) string {
	t.Helper()
	tok, _ := body["access_token"].(string)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %v", body)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Cnf map[string]string `json:"cnf"`
	}
	_ = json.Unmarshal(raw, &claims)
	return claims.Cnf["x5t#S256"]
}

func TestTLSClientAuth(t *testing.T) {
	f := newMTLSFixture(t)
	cert, err := f.s.ClientCertificate(idM)
	if err != nil {
		t.Fatal(err)
	}
	st, body := f.post(t, &cert, idM, nil)
	if st != 200 {
		t.Fatalf("tls_client_auth: %d %v", st, body)
	}
	if got, want := tokenCnf(t, body), CertThumbprint(cert.Leaf); got != want {
		t.Errorf("cnf x5t#S256 = %q, want %q", got, want)
	}
	other, err := f.s.ClientCertificate(idM3)
	if err != nil {
		t.Fatal(err)
	}
	if st, body := f.post(t, &other, idM3, nil); st != 200 || tokenCnf(t, body) != "" {
		t.Errorf("SAN DNS client: %d %v (tokens of an unbound client carry no cnf)", st, body)
	}
	// The same DN written with other spacing and name case still matches.
	ca := f.s.ClientCA()
	respaced, err := ca.Issue(&x509.Certificate{Subject: pkix.Name{CommonName: "svc-mtls", Organization: []string{"Example Corp"}, Country: []string{"DE"}}})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := f.post(t, &respaced, idM, nil); st != 200 {
		t.Errorf("same DN from pkix.Name: %d %v", st, body)
	}
	untrusted, _ := NewClientCA("untrusted")
	forged, _ := untrusted.Issue(cert.Leaf)
	for name, c := range map[string]struct {
		cert *tls.Certificate
		id   string
	}{
		"no certificate":                 {nil, idM},
		"another client's certificate":   {&other, idM},
		"an untrusted CA, same subject":  {&forged, idM},
		"a self-signed certificate":      {&f.self.TLS, idM},
		"the right certificate, no id":   {&cert, ""},
		"a certificate for a secret one": {&cert, "secret-client"},
	} {
		st, body := f.post(t, c.cert, c.id, nil)
		if st != 400 && st != 401 || body["error"] != rfc6749.ErrInvalidClient || body["access_token"] != nil {
			t.Errorf("%s: %d %v, want invalid_client", name, st, body)
		}
	}
}

func TestSelfSignedTLSClientAuth(t *testing.T) {
	f := newMTLSFixture(t)
	if st, body := f.post(t, &f.self.TLS, idM2, nil); st != 200 {
		t.Fatalf("self_signed_tls_client_auth: %d %v", st, body)
	}
	same, _ := GenerateSelfSignedCert(f.self.Cert.Subject.CommonName)
	if st, body := f.post(t, &same.TLS, idM2, nil); st == 200 {
		t.Errorf("another certificate with the registered subject: %d %v", st, body)
	}
	// The quirk compares subjects only.
	q := newMTLSFixture(t, QuirkMTLSSelfSignedSubject)
	same2, _ := GenerateSelfSignedCert(q.self.Cert.Subject.CommonName)
	if st, _ := q.post(t, &same2.TLS, idM2, nil); st != 200 {
		t.Errorf("%s: %d, want 200", QuirkMTLSSelfSignedSubject, st)
	}
}

// TestCertificateHeadersAreNotTrusted: a certificate header sent by a
// client is never a certificate; only a configured trusted proxy's header
// (RFC 9440 Client-Cert) is.
func TestCertificateHeadersAreNotTrusted(t *testing.T) {
	f := newMTLSFixture(t)
	cert, _ := f.s.ClientCertificate(idM)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Leaf.Raw}))
	headers := map[string]string{
		"X-SSL-Client-Cert":       url.QueryEscape(pemText),
		"X-Forwarded-Client-Cert": `Hash=abc;Cert="` + url.QueryEscape(pemText) + `"`,
		"Client-Cert":             ":" + base64.StdEncoding.EncodeToString(cert.Leaf.Raw) + ":",
	}
	for h, v := range headers {
		if st, body := f.post(t, nil, idM, map[string]string{h: v}); st == 200 {
			t.Errorf("%s honoured: %v", h, body)
		}
	}
	q := newMTLSFixture(t, QuirkMTLSTrustCertHeader)
	qcert, _ := q.s.ClientCertificate(idM)
	qpem := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: qcert.Leaf.Raw}))
	if st, _ := q.post(t, nil, idM, map[string]string{"X-SSL-Client-Cert": url.QueryEscape(qpem)}); st != 200 {
		t.Errorf("%s: %d, want 200", QuirkMTLSTrustCertHeader, st)
	}

	// A trusted proxy (here: loopback) forwarding Client-Cert.
	ca, _ := NewClientCA("proxy-ca")
	proxied := NewServer(Config{ClientCA: ca, ClientCertHeader: "Client-Cert", TrustedProxies: []string{"127.0.0.1", "::1"},
		Clients: []Client{{ID: idM, AuthMethods: []string{AuthTLSClient}, TLSClientAuthSANDNS: "svc.example.test", Scopes: []string{"read"}}}})
	defer proxied.Close()
	pc, _ := proxied.ClientCertificate(idM)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {idM}}
	for name, want := range map[string]int{"Client-Cert": 200, "X-SSL-Client-Cert": 400} {
		v := ":" + base64.StdEncoding.EncodeToString(pc.Leaf.Raw) + ":"
		if name == "X-SSL-Client-Cert" {
			v = url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pc.Leaf.Raw})))
		}
		req, _ := http.NewRequest(http.MethodPost, proxied.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(name, v)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("trusted proxy, %s: %d, want %d", name, resp.StatusCode, want)
		}
	}
}

func TestMTLSMetadata(t *testing.T) {
	f := newMTLSFixture(t)
	m := f.s.Metadata()
	methods := strings.Join(m["token_endpoint_auth_methods_supported"].([]string), " ")
	if !strings.Contains(methods, AuthTLSClient) || !strings.Contains(methods, AuthSelfSignedTLSClient) {
		t.Errorf("methods %q", methods)
	}
	if m["tls_client_certificate_bound_access_tokens"] != true {
		t.Errorf("tls_client_certificate_bound_access_tokens = %v", m["tls_client_certificate_bound_access_tokens"])
	}
	if al, _ := m["mtls_endpoint_aliases"].(map[string]any); al["token_endpoint"] != f.s.TokenURL() {
		t.Errorf("mtls_endpoint_aliases = %v", m["mtls_endpoint_aliases"])
	}
}

func TestMTLSConfigErrors(t *testing.T) {
	for name, c := range map[string]Client{
		"no attribute":  {ID: "m", AuthMethods: []string{AuthTLSClient}},
		"two":           {ID: "m", AuthMethods: []string{AuthTLSClient}, TLSClientAuthSANDNS: "a.test", TLSClientAuthSANEmail: "a@test"},
		"bad IP":        {ID: "m", AuthMethods: []string{AuthTLSClient}, TLSClientAuthSANIP: "not-an-ip"},
		"bad DN":        {ID: "m", AuthMethods: []string{AuthTLSClient}, TLSClientAuthSubjectDN: "just text"},
		"self, no keys": {ID: "m", AuthMethods: []string{AuthSelfSignedTLSClient}},
	} {
		if _, err := New(Config{Clients: []Client{c}}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := New(Config{ClientCertHeader: "Client-Cert"}); err == nil {
		t.Error("a certificate header without trusted proxies is accepted")
	}
}

func TestParseDN(t *testing.T) {
	a, err := parseDN(`CN=svc\, one,O=Example  Corp+OU=ops,C=DE`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseDN(`cn = SVC\2C ONE , ou=ops+o=example corp, c=de`)
	if err != nil {
		t.Fatal(err)
	}
	if !a.equal(b) {
		t.Errorf("%v != %v", a, b)
	}
	c, _ := parseDN("CN=svc one,O=Example Corp,C=DE")
	if a.equal(c) {
		t.Error("a missing OU compares equal")
	}
}

// TestMTLSInteropStdlibAndOAuth2: a client built only from crypto/tls and
// golang.org/x/oauth2 gets a certificate-bound token, and the cnf
// thumbprint is the one it computes itself over its certificate's DER.
func TestMTLSInteropStdlibAndOAuth2(t *testing.T) {
	f := newMTLSFixture(t)
	issued, err := f.s.ClientCertificate(idM)
	if err != nil {
		t.Fatal(err)
	}
	// What a client has on disk: a PEM certificate and key.
	keyDER, err := x509.MarshalPKCS8PrivateKey(issued.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issued.Certificate[0]})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})

	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(f.s.Certificate())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}}}}
	cfg := clientcredentials.Config{ClientID: idM, TokenURL: f.s.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}
	tok, err := cfg.Token(context.WithValue(t.Context(), oauth2.HTTPClient, hc))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(certPEM)
	sum := sha256.Sum256(block.Bytes)
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	if got := tokenCnf(t, map[string]any{"access_token": tok.AccessToken}); got != want {
		t.Errorf("cnf x5t#S256 = %q, the client computes %q", got, want)
	}
}

// TestPlainHTTPOnTheTLSPort: plain HTTP to a TLS server's port is refused
// as Go's TLS server refuses it; the tls-http-twin quirk serves the token
// endpoint there instead.
func TestPlainHTTPOnTheTLSPort(t *testing.T) {
	for _, quirks := range [][]Quirk{nil, {QuirkTLSHTTPTwin}} {
		s := NewUnstartedServer(Config{Quirks: quirks})
		s.StartTLS()
		plain := strings.Replace(s.TokenURL(), "https://", "http://", 1)
		resp, err := http.PostForm(plain, url.Values{"grant_type": {"client_credentials"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if quirks == nil && (resp.StatusCode != 400 || !strings.Contains(string(body), "HTTP request to an HTTPS server")) {
			t.Errorf("plain HTTP: %d %s", resp.StatusCode, body)
		}
		if quirks != nil && (resp.StatusCode != 401 || !strings.Contains(string(body), "invalid_client")) {
			t.Errorf("%s: %d %s", QuirkTLSHTTPTwin, resp.StatusCode, body)
		}
		// TLS on the same port still works.
		if r, err := s.Client().Get(s.JWKSURL()); err != nil || r.StatusCode != 200 {
			t.Errorf("TLS beside the twin: %v %v", r, err)
		} else {
			r.Body.Close()
		}
		s.Close()
	}
}

// TestSubjectDNIsComparedAttributeByAttribute: the certificate's subject
// is read from its DER encoding, so extra, repeated, reordered or
// multi-valued attributes do not pass for the registered DN, and types
// Go's pkix.Name drops (DC, UID) still match.
func TestSubjectDNIsComparedAttributeByAttribute(t *testing.T) {
	ca, err := NewClientCA("dn-ca")
	if err != nil {
		t.Fatal(err)
	}
	issue := func(dnText string) *x509.Certificate {
		name, err := parseDN(dnText)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := name.asn1()
		if err != nil {
			t.Fatal(err)
		}
		c, err := ca.Issue(&x509.Certificate{RawSubject: raw})
		if err != nil {
			t.Fatal(err)
		}
		return c.Leaf
	}
	cl := &client{Client: Client{ID: "svc", TLSClientAuthSubjectDN: "CN=svc,O=Acme"}}
	for dnText, want := range map[string]bool{
		"CN=svc,O=Acme":              true,
		"cn = SVC , o=acme":          true,
		"UID=mallory,CN=svc,O=Acme":  false,
		"DC=evil,CN=svc,O=Acme":      false,
		"CN=svc,CN=mallory,O=Acme":   false,
		"O=Acme,CN=svc":              false,
		"CN=svc+O=Acme":              false,
		"CN=svc,O=Acme,C=DE":         false,
		"CN=svc,O=Acme,DC=evil":      false,
		"CN=svc\\,O=Acme":            false,
		"CN=svc,O=Acme+OU=extra":     false,
		"CN=svc,O=Acme,OU=extra,C=X": false,
	} {
		if got := matchAttribute(cl, issue(dnText)) == nil; got != want {
			t.Errorf("registered CN=svc,O=Acme, certificate %s: matched %v, want %v", dnText, got, want)
		}
	}
	dc := &client{Client: Client{ID: "dc", TLSClientAuthSubjectDN: "CN=svc,DC=example,DC=com"}}
	if matchAttribute(dc, issue("CN=svc,DC=example,DC=com")) != nil {
		t.Error("a DN with DC attributes does not match its own certificate")
	}
	if _, err := parseDN("E=a@example.test,NONSENSE=x"); err == nil {
		t.Error("an unknown attribute type is accepted")
	}
}

// TestForwardedCertificateHeaderTakesTheProxysElement: in
// X-Forwarded-Client-Cert the nearest proxy's element is the last, and a
// Cert= inside a quoted value is not a certificate.
func TestForwardedCertificateHeaderTakesTheProxysElement(t *testing.T) {
	ca, _ := NewClientCA("xfcc")
	real, _ := ca.Issue(&x509.Certificate{Subject: pkix.Name{CommonName: "real"}})
	forged, _ := ca.Issue(&x509.Certificate{Subject: pkix.Name{CommonName: "forged"}})
	enc := func(c tls.Certificate) string {
		return url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})))
	}
	for name, v := range map[string]string{
		"appended by the proxy":  `Cert="` + enc(forged) + `";By=spiffe://x,Hash=ab;Cert="` + enc(real) + `"`,
		"quoted Cert in Subject": `Subject="CN=x;Cert=` + enc(forged) + `";Cert="` + enc(real) + `"`,
	} {
		c, err := certFromHeader("X-Forwarded-Client-Cert", v)
		if err != nil || c.Subject.CommonName != "real" {
			t.Errorf("%s: %v %v", name, c, err)
		}
	}
}

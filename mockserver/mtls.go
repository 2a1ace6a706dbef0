package mockserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Mutual-TLS client authentication and certificate-bound access tokens
// (RFC 8705): tls_client_auth against the client CAs, with the client
// matched on exactly one registered certificate attribute (§2.1);
// self_signed_tls_client_auth against the certificates or keys in the
// client's JWK Set (§2.2); cnf x5t#S256 in the tokens of bound clients
// (§3). The certificate is the one of the TLS connection; certificate
// headers are never read unless a trusted proxy is configured.

// The RFC 8705 client authentication methods.
const (
	AuthTLSClient           = "tls_client_auth"
	AuthSelfSignedTLSClient = "self_signed_tls_client_auth"
)

// CertThumbprint is the x5t#S256 of a certificate: the unpadded base64url
// SHA-256 of its DER encoding (RFC 8705 §3.1).
func CertThumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ClientCA is a certificate authority for client certificates: the mock
// trusts it for tls_client_auth and, holding its key, issues certificates
// that fit a client's registration (IssueFor).
type ClientCA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// Key signs the certificates it issues; nil for a CA loaded without
	// its key, which can be trusted but issue nothing.
	Key crypto.Signer
}

// NewClientCA makes a fresh CA (ECDSA P-256, valid for a year) named cn.
func NewClientCA(cn string) (*ClientCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"occheck"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	cert, err := createCert(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return &ClientCA{Cert: cert, Key: key}, nil
}

// createCert signs tmpl for pub with the parent's key and parses it.
func createCert(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// LoadClientCA reads a CA certificate (PEM) and, when keyFile is set, its
// private key (PEM or JWK), so that it can issue certificates.
func LoadClientCA(certFile, keyFile string) (*ClientCA, error) {
	data, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	certs, err := parseCertsPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", certFile, err)
	}
	ca := &ClientCA{Cert: certs[0]}
	if keyFile != "" {
		k, err := LoadClientKey(keyFile, "")
		if err != nil {
			return nil, err
		}
		ca.Key = k.Private
	}
	return ca, nil
}

// parseCertsPEM reads every CERTIFICATE block.
func parseCertsPEM(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate in it")
	}
	return out, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// Issue signs a client certificate (ECDSA P-256, valid for a day, client
// authentication only) for the subject and SANs in tmpl.
func (ca *ClientCA) Issue(tmpl *x509.Certificate) (tls.Certificate, error) {
	if ca.Key == nil {
		return tls.Certificate{}, errors.New("the client CA was loaded without its key (client_ca_key_file), so it cannot issue certificates")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	t := *tmpl
	t.SerialNumber = serial()
	t.NotBefore, t.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	t.KeyUsage = x509.KeyUsageDigitalSignature
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	leaf, err := createCert(&t, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// IssueFor issues a certificate that fits a tls_client_auth client's one
// registered attribute (RFC 8705 §2.1.2).
func (ca *ClientCA) IssueFor(c Client) (tls.Certificate, error) {
	tmpl, err := c.certTemplate()
	if err != nil {
		return tls.Certificate{}, err
	}
	return ca.Issue(tmpl)
}

// certTemplate is a certificate that carries the client's registered
// attribute, and a common name of its id otherwise.
func (c Client) certTemplate() (*x509.Certificate, error) {
	t := &x509.Certificate{Subject: pkix.Name{CommonName: c.ID}}
	switch {
	case c.TLSClientAuthSubjectDN != "":
		name, err := parseDN(c.TLSClientAuthSubjectDN)
		if err != nil {
			return nil, err
		}
		t.Subject = pkix.Name{}
		t.RawSubject, err = name.asn1()
		if err != nil {
			return nil, err
		}
	case c.TLSClientAuthSANDNS != "":
		t.DNSNames = []string{c.TLSClientAuthSANDNS}
	case c.TLSClientAuthSANURI != "":
		u, err := url.Parse(c.TLSClientAuthSANURI)
		if err != nil {
			return nil, err
		}
		t.URIs = []*url.URL{u}
	case c.TLSClientAuthSANIP != "":
		t.IPAddresses = []net.IP{net.ParseIP(c.TLSClientAuthSANIP)}
	case c.TLSClientAuthSANEmail != "":
		t.EmailAddresses = []string{c.TLSClientAuthSANEmail}
	default:
		return nil, fmt.Errorf("client %q registers no tls_client_auth attribute", c.ID)
	}
	return t, nil
}

// SelfSignedCert is a self-signed client certificate and its key, for
// self_signed_tls_client_auth (RFC 8705 §2.2).
type SelfSignedCert struct {
	// TLS presents the certificate in a handshake.
	TLS tls.Certificate
	// Cert is the parsed certificate.
	Cert *x509.Certificate
}

// GenerateSelfSignedCert makes a self-signed client certificate (ECDSA
// P-256, valid for a year) with common name cn.
func GenerateSelfSignedCert(cn string) (*SelfSignedCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return SelfSign(key, cn, 365*24*time.Hour)
}

// SelfSign makes a self-signed client certificate for key.
func SelfSign(key crypto.Signer, cn string, validity time.Duration) (*SelfSignedCert, error) {
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	cert, err := createCert(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return &SelfSignedCert{TLS: tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}, Cert: cert}, nil
}

// JWKS is the certificate as a JWK Set with x5c, to register for the
// client (RFC 8705 §2.2).
func (s *SelfSignedCert) JWKS() *KeySet {
	set := KeySetOf(s.Cert.PublicKey)
	set.Keys[0].Certificates = []*x509.Certificate{s.Cert}
	return set
}

// Client is a client registered for self_signed_tls_client_auth with this
// certificate.
func (s *SelfSignedCert) Client(id string, scopes ...string) Client {
	return Client{ID: id, AuthMethods: []string{AuthSelfSignedTLSClient}, JWKS: s.JWKS(), Scopes: scopes}
}

// PEM is the certificate, PEM-encoded.
func (s *SelfSignedCert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Cert.Raw})
}

// initMTLS sets up the client CAs (the configured ones, or a fresh CA when
// a tls_client_auth client needs one), token binding and the trusted
// proxies.
func (a *Authority) initMTLS(cfg Config) error {
	a.boundGlobal = cfg.CertificateBoundTokens
	needCA := false
	for _, cl := range a.clients {
		a.anyBound = a.anyBound || cl.CertificateBoundTokens
		needCA = needCA || cl.mtlsMethod() == AuthTLSClient
	}
	a.clientCAs = x509.NewCertPool()
	switch {
	case cfg.ClientCA != nil:
		a.clientCA = cfg.ClientCA
		a.clientCAs.AddCert(cfg.ClientCA.Cert)
	case cfg.ClientCAFile != "":
		data, err := os.ReadFile(cfg.ClientCAFile)
		if err != nil {
			return fmt.Errorf("client_ca_file: %w", err)
		}
		certs, err := parseCertsPEM(data)
		if err != nil {
			return fmt.Errorf("client_ca_file %s: %w", cfg.ClientCAFile, err)
		}
		for _, c := range certs {
			a.clientCAs.AddCert(c)
		}
		a.clientCA = &ClientCA{Cert: certs[0]}
		if cfg.ClientCAKeyFile != "" {
			k, err := LoadClientKey(cfg.ClientCAKeyFile, "")
			if err != nil {
				return fmt.Errorf("client_ca_key_file: %w", err)
			}
			a.clientCA.Key = k.Private
		}
	case needCA:
		ca, err := NewClientCA("occheck mock client CA")
		if err != nil {
			return err
		}
		a.clientCA = ca
		a.clientCAs.AddCert(ca.Cert)
	}
	a.certHeader = cfg.ClientCertHeader
	for _, p := range cfg.TrustedProxies {
		prefix, err := parsePrefix(p)
		if err != nil {
			return err
		}
		a.trustedProxies = append(a.trustedProxies, prefix)
	}
	return nil
}

// parsePrefix reads a CIDR or a single address.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()), nil
}

// mtlsAttributes are the registered attribute of a tls_client_auth client,
// by metadata name; exactly one must be set (RFC 8705 §2.1.2).
func (c *Client) mtlsAttributes() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{
		"tls_client_auth_subject_dn": c.TLSClientAuthSubjectDN, "tls_client_auth_san_dns": c.TLSClientAuthSANDNS,
		"tls_client_auth_san_uri": c.TLSClientAuthSANURI, "tls_client_auth_san_ip": c.TLSClientAuthSANIP,
		"tls_client_auth_san_email": c.TLSClientAuthSANEmail,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// validateMTLS checks a tls_client_auth registration: exactly one
// attribute, well-formed.
func (c *Client) validateMTLS() error {
	attrs := c.mtlsAttributes()
	if len(attrs) != 1 {
		return fmt.Errorf("tls_client_auth needs exactly one of tls_client_auth_subject_dn, _san_dns, _san_uri, _san_ip, _san_email (RFC 8705 §2.1.2); %d are set", len(attrs))
	}
	switch {
	case c.TLSClientAuthSubjectDN != "":
		if _, err := parseDN(c.TLSClientAuthSubjectDN); err != nil {
			return fmt.Errorf("tls_client_auth_subject_dn: %w", err)
		}
	case c.TLSClientAuthSANIP != "":
		if net.ParseIP(c.TLSClientAuthSANIP) == nil {
			return fmt.Errorf("tls_client_auth_san_ip: %q is not an IP address", c.TLSClientAuthSANIP)
		}
	case c.TLSClientAuthSANURI != "":
		if u, err := url.Parse(c.TLSClientAuthSANURI); err != nil || !u.IsAbs() {
			return fmt.Errorf("tls_client_auth_san_uri: %q is not an absolute URI", c.TLSClientAuthSANURI)
		}
	}
	return nil
}

// mtlsMethod is the client's mTLS method, "" for none.
func (c *client) mtlsMethod() string {
	for _, m := range c.AuthMethods {
		if m == AuthTLSClient || m == AuthSelfSignedTLSClient {
			return m
		}
	}
	return ""
}

// peerCertificate is the client certificate of the TLS connection, or,
// from a configured trusted proxy only, of its certificate header (RFC
// 9440). Other requests' certificate headers are never read: a client
// could forge one (RFC 9700 §4.13).
func (a *Authority) peerCertificate(x *exchange) *x509.Certificate { return a.requestCertificate(x.r) }

// requestCertificate is the client certificate of a request: its TLS
// connection's, or a trusted proxy's forwarded one.
func (a *Authority) requestCertificate(r *http.Request) *x509.Certificate {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return r.TLS.PeerCertificates[0]
	}
	if a.certHeader == "" || !a.fromTrustedProxy(r) {
		return nil
	}
	cert, _ := certFromHeader(a.certHeader, r.Header.Get(a.certHeader))
	return cert
}

// fromTrustedProxy reports whether the request's peer is a trusted proxy.
func (a *Authority) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	return slices.ContainsFunc(a.trustedProxies, func(p netip.Prefix) bool { return p.Contains(ip) })
}

// certFromHeader reads a forwarded client certificate: Client-Cert (RFC
// 9440, a structured-field byte sequence ":base64(DER):"),
// X-SSL-Client-Cert (URL-encoded PEM, nginx) or X-Forwarded-Client-Cert
// (Envoy, Cert="URL-encoded PEM").
func certFromHeader(name, v string) (*x509.Certificate, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, errors.New("empty")
	}
	switch strings.ToLower(name) {
	case "client-cert":
		if len(v) < 2 || v[0] != ':' || v[len(v)-1] != ':' {
			return nil, errors.New("not an RFC 9440 byte sequence")
		}
		der, err := base64.StdEncoding.DecodeString(v[1 : len(v)-1])
		if err != nil {
			return nil, err
		}
		return x509.ParseCertificate(der)
	case "x-forwarded-client-cert":
		// Elements are comma-separated, the last added by the nearest
		// proxy; pairs inside are ';'-separated; values may be quoted.
		elems := splitOutsideQuotes(v, ',')
		for _, part := range splitOutsideQuotes(elems[len(elems)-1], ';') {
			if k, val, ok := strings.Cut(strings.TrimSpace(part), "="); ok && strings.EqualFold(k, "Cert") {
				return certFromHeader("x-ssl-client-cert", strings.Trim(val, `"`))
			}
		}
		return nil, errors.New("no Cert element")
	}
	p, err := url.QueryUnescape(v)
	if err != nil {
		return nil, err
	}
	certs, err := parseCertsPEM([]byte(p))
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

// splitOutsideQuotes splits s at sep where it is not inside double quotes
// (a backslash escapes the next character inside quotes).
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// verifyMTLS authenticates a client registered for an mTLS method by the
// certificate of the connection; client_id named it (RFC 8705 §2).
func (a *Authority) verifyMTLS(x *exchange, cl *client, method string) (*client, *oauthError) {
	x.cred.method = method
	cert := x.s.clientCert(x)
	if cert == nil {
		return nil, errMTLS(fmt.Sprintf("client %s authenticates with %s, and the connection presented no client certificate (RFC 8705 section 2)", reasonQuote(cl.ID), method))
	}
	if e := x.s.mtlsCert(x, cl, method, cert); e != nil {
		return nil, e
	}
	return cl, nil
}

// mtlsCert is the reference check of a presented certificate: a chain to
// a client CA and the one registered attribute for tls_client_auth; a
// registered certificate or key for self_signed_tls_client_auth.
func (a *Authority) mtlsCert(x *exchange, cl *client, method string, cert *x509.Certificate) *oauthError {
	if method == AuthSelfSignedTLSClient {
		return a.registeredCert(x, cl, cert)
	}
	if e := a.chainToClientCA(x, cert); e != nil {
		return e
	}
	return matchAttribute(cl, cert)
}

// chainToClientCA validates the certificate's chain to a client CA, for
// client authentication (RFC 8705 §2.1).
func (a *Authority) chainToClientCA(x *exchange, cert *x509.Certificate) *oauthError {
	inter := x509.NewCertPool()
	if x.r.TLS != nil && len(x.r.TLS.PeerCertificates) > 1 {
		for _, c := range x.r.TLS.PeerCertificates[1:] {
			inter.AddCert(c)
		}
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: a.clientCAs, Intermediates: inter, CurrentTime: a.now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return errMTLS(fmt.Sprintf("the client certificate (%s) does not chain to a trusted client CA: %s", describeCert(cert), err))
	}
	return nil
}

// matchAttribute compares the certificate with the client's one registered
// attribute: the subject as a DN (RFC 4514, not as text), SANs exactly,
// IP addresses as binary (RFC 8705 §2.1.2).
func matchAttribute(cl *client, cert *x509.Certificate) *oauthError {
	ok, what := false, ""
	switch c := cl.Client; {
	case c.TLSClientAuthSubjectDN != "":
		want, _ := parseDN(c.TLSClientAuthSubjectDN)
		got, err := subjectDN(cert)
		ok, what = err == nil && want.equal(got), "subject DN "+c.TLSClientAuthSubjectDN
	case c.TLSClientAuthSANDNS != "":
		ok = slices.ContainsFunc(cert.DNSNames, func(d string) bool { return strings.EqualFold(d, c.TLSClientAuthSANDNS) })
		what = "DNS name " + c.TLSClientAuthSANDNS
	case c.TLSClientAuthSANURI != "":
		ok = slices.ContainsFunc(cert.URIs, func(u *url.URL) bool { return u.String() == c.TLSClientAuthSANURI })
		what = "URI " + c.TLSClientAuthSANURI
	case c.TLSClientAuthSANIP != "":
		want := net.ParseIP(c.TLSClientAuthSANIP)
		ok = slices.ContainsFunc(cert.IPAddresses, func(ip net.IP) bool { return ip.Equal(want) })
		what = "IP address " + c.TLSClientAuthSANIP
	case c.TLSClientAuthSANEmail != "":
		ok = slices.Contains(cert.EmailAddresses, c.TLSClientAuthSANEmail)
		what = "email address " + c.TLSClientAuthSANEmail
	}
	if !ok {
		return errMTLS(fmt.Sprintf("the client certificate (%s) does not carry client %s's registered %s (RFC 8705 section 2.1.2)", describeCert(cert), reasonQuote(cl.ID), what))
	}
	return nil
}

// registeredCert finds the certificate, or its public key, among the
// client's registered keys; the chain is not validated (RFC 8705 §2.2).
func (a *Authority) registeredCert(x *exchange, cl *client, cert *x509.Certificate) *oauthError {
	if cl.keys == nil {
		return errMTLS(fmt.Sprintf("client %s registers no certificates", reasonQuote(cl.ID)))
	}
	set, err := cl.keys.get(x.r.Context(), false)
	if err != nil {
		return errMTLS(fmt.Sprintf("client %s's keys could not be fetched: %s", reasonQuote(cl.ID), err))
	}
	if certInSet(set, cert) {
		return nil
	}
	if refreshed, err := cl.keys.get(x.r.Context(), true); err == nil && certInSet(refreshed, cert) {
		return nil
	}
	return errMTLS(fmt.Sprintf("the client certificate (%s) is not one registered for client %s (RFC 8705 section 2.2)", describeCert(cert), reasonQuote(cl.ID)))
}

// certInSet reports whether a JWK's x5c holds the certificate, or a JWK's
// key is the certificate's key.
func certInSet(set *jose.JSONWebKeySet, cert *x509.Certificate) bool {
	for _, k := range set.Keys {
		for _, c := range k.Certificates {
			if c.Equal(cert) {
				return true
			}
		}
		if pub, ok := k.Key.(interface{ Equal(crypto.PublicKey) bool }); ok && pub.Equal(cert.PublicKey) {
			return true
		}
	}
	return false
}

// errMTLS is a failed mTLS client authentication: invalid_client, 400
// without a challenge, as no Authorization header was used (no HTTP
// authentication scheme exists for a TLS certificate).
func errMTLS(desc string) *oauthError {
	return &oauthError{Code: rfc6749.ErrInvalidClient, Description: desc, Status: http.StatusBadRequest}
}

// describeCert names a certificate in a reason: subject and thumbprint.
func describeCert(cert *x509.Certificate) string {
	return "subject " + reasonQuote(cert.Subject.String()) + ", x5t#S256 " + CertThumbprint(cert)
}

// bindToken adds cnf x5t#S256 to the token of a client whose tokens are
// bound, when the connection presented a certificate (RFC 8705 §3). A
// request without one gets an unbound token (§3: binding needs mTLS).
func (a *Authority) bindToken(x *exchange, c *tokenClaims) {
	if !a.boundGlobal && !x.client.CertificateBoundTokens {
		return
	}
	if cert := x.s.clientCert(x); cert != nil {
		c.Cnf = map[string]any{"x5t#S256": CertThumbprint(cert)}
	}
}

// mtlsMetadata adds the RFC 8705 §3.3 and §5 members: bound tokens, and
// the token endpoint as the mTLS alias when it is served over HTTPS.
func (a *Authority) mtlsMetadata(m map[string]any, methods map[string]bool) {
	if a.boundGlobal || a.anyBound {
		m["tls_client_certificate_bound_access_tokens"] = true
	}
	if (methods[AuthTLSClient] || methods[AuthSelfSignedTLSClient] || a.boundGlobal || a.anyBound) && strings.HasPrefix(a.TokenURL(), "https://") {
		m["mtls_endpoint_aliases"] = map[string]any{"token_endpoint": a.TokenURL()}
	}
}

// ClientCA is the CA the server trusts for tls_client_auth: the one
// configured, or the one it made because none was; nil without
// tls_client_auth clients.
func (a *Authority) ClientCA() *ClientCA { return a.clientCA }

// ClientCertificate issues a certificate that authenticates the
// tls_client_auth client id, signed by the server's client CA.
func (a *Authority) ClientCertificate(id string) (tls.Certificate, error) {
	cl := a.clients[id]
	switch {
	case cl == nil:
		return tls.Certificate{}, fmt.Errorf("no client %q", id)
	case cl.mtlsMethod() != AuthTLSClient:
		return tls.Certificate{}, fmt.Errorf("client %q is not registered for tls_client_auth", id)
	case a.clientCA == nil:
		return tls.Certificate{}, errors.New("the server has no client CA")
	}
	return a.clientCA.IssueFor(cl.Client)
}

// dn is a distinguished name as a list of RDNs, each a list of
// type=value pairs normalised for comparison.
type dn [][]dnAttr

// dnAttr is one type=value pair: typ an OID, value normalised for
// comparison, raw as written.
type dnAttr struct{ typ, value, raw string }

// dnTypes maps RFC 4514 §3 names (and a few common ones) to their OIDs.
var dnTypes = map[string]string{
	"CN": "2.5.4.3", "SN": "2.5.4.4", "SERIALNUMBER": "2.5.4.5", "C": "2.5.4.6", "L": "2.5.4.7", "ST": "2.5.4.8",
	"STREET": "2.5.4.9", "O": "2.5.4.10", "OU": "2.5.4.11", "TITLE": "2.5.4.12", "POSTALCODE": "2.5.4.17",
	"DC": "0.9.2342.19200300.100.1.25", "UID": "0.9.2342.19200300.100.1.1", "EMAILADDRESS": "1.2.840.113549.1.9.1", "E": "1.2.840.113549.1.9.1",
}

// parseDN reads an RFC 4514 string: RDNs separated by ',', multi-valued
// RDNs by '+', backslash escapes (\, \+ \" \\ \< \> \; \= and \XX).
// Attribute names compare case-insensitively and map to OIDs; values are
// compared case-insensitively with runs of spaces folded.
func parseDN(s string) (dn, error) {
	var out dn
	var rdn []dnAttr
	var cur strings.Builder
	flush := func(endRDN bool) error {
		typ, val, ok := strings.Cut(cur.String(), "=")
		if !ok {
			return fmt.Errorf("%q is not of the form type=value (RFC 4514)", cur.String())
		}
		typ = strings.ToUpper(strings.TrimSpace(typ))
		if oid, ok := dnTypes[typ]; ok {
			typ = oid
		} else if _, err := parseOID(strings.TrimPrefix(typ, "OID.")); err == nil {
			typ = strings.TrimPrefix(typ, "OID.")
		} else {
			return fmt.Errorf("attribute type %q is neither a known name (%s) nor an OID", typ, "CN, O, OU, C, L, ST, STREET, DC, UID, SERIALNUMBER, EMAILADDRESS")
		}
		if typ == "" {
			return errors.New("an attribute type is empty")
		}
		rdn = append(rdn, dnAttr{typ, strings.ToLower(strings.Join(strings.Fields(val), " ")), strings.TrimSpace(val)})
		cur.Reset()
		if endRDN {
			sortRDN(rdn)
			out = append(out, rdn)
			rdn = nil
		}
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '\\':
			if i+1 >= len(s) {
				return nil, errors.New("a trailing backslash")
			}
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				b, _ := hex.DecodeString(s[i+1 : i+3])
				cur.Write(b)
				i += 2
				continue
			}
			cur.WriteByte(s[i+1])
			i++
		case ',', '+':
			if err := flush(ch == ','); err != nil {
				return nil, err
			}
		default:
			cur.WriteByte(ch)
		}
	}
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty")
	}
	if err := flush(true); err != nil {
		return nil, err
	}
	return out, nil
}

// subjectDN reads a certificate's subject from its DER encoding, every
// attribute as written (types Go's pkix.Name does not know, repeated and
// multi-valued ones included), most specific RDN first, as RFC 4514
// writes it.
func subjectDN(cert *x509.Certificate) (dn, error) {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(cert.RawSubject, &seq); err != nil || len(rest) > 0 {
		return nil, errors.New("the certificate's subject is not a valid DN")
	}
	var out dn
	for i := len(seq) - 1; i >= 0; i-- {
		var rdn []dnAttr
		for _, at := range seq[i] {
			v := fmt.Sprint(at.Value)
			rdn = append(rdn, dnAttr{typ: at.Type.String(), value: strings.ToLower(strings.Join(strings.Fields(v), " ")), raw: v})
		}
		sortRDN(rdn)
		out = append(out, rdn)
	}
	return out, nil
}

// sortRDN orders a multi-valued RDN's attributes, which are a set.
func sortRDN(rdn []dnAttr) {
	slices.SortFunc(rdn, func(a, b dnAttr) int {
		if c := strings.Compare(a.typ, b.typ); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// equal compares two DNs RDN by RDN.
func (d dn) equal(o dn) bool {
	return slices.EqualFunc(d, o, func(a, b []dnAttr) bool {
		return slices.EqualFunc(a, b, func(x, y dnAttr) bool { return x.typ == y.typ && x.value == y.value })
	})
}

// asn1 encodes the DN as a certificate subject, in RFC 4514 order
// reversed (the string names the most specific RDN first).
func (d dn) asn1() ([]byte, error) {
	var seq pkix.RDNSequence
	for i := len(d) - 1; i >= 0; i-- {
		var set pkix.RelativeDistinguishedNameSET
		for _, at := range d[i] {
			oid, err := parseOID(at.typ)
			if err != nil {
				return nil, err
			}
			set = append(set, pkix.AttributeTypeAndValue{Type: oid, Value: at.raw})
		}
		seq = append(seq, set)
	}
	return asn1.Marshal(seq)
}

// parseOID reads a dotted OID.
func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var oid asn1.ObjectIdentifier
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("attribute type %q is neither a known name nor an OID", s)
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return nil, fmt.Errorf("attribute type %q is neither a known name nor an OID", s)
	}
	return oid, nil
}

// methodNeedsCert reports whether m authenticates with a certificate.
func methodNeedsCert(m string) bool { return m == AuthTLSClient || m == AuthSelfSignedTLSClient }

package suites

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
)

// The mutual-TLS harness (RFC 8705): requests that present a client
// certificate go over their own connections, to the token endpoint's
// mTLS alias when the metadata names a usable one (§5).

// thumbprint is a certificate's x5t#S256: unpadded base64url of the
// SHA-256 of its DER encoding (RFC 8705 §3.1).
func thumbprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// describeCert is what a transcript shows of a certificate: never the key.
func describeCert(c *tls.Certificate) string {
	leaf := certLeaf(c)
	if leaf == nil {
		return "(unparseable)"
	}
	return "subject " + leaf.Subject.String() + ", x5t#S256 " + thumbprint(leaf)
}

// WithCert presents cert in the TLS handshake. A request to the token
// endpoint goes to its mTLS alias when the metadata names one.
func (h *H) WithCert(cert *tls.Certificate) Opt {
	alias := h.mtlsTokenURL()
	return func(r *req) {
		r.cert = cert
		if r.url == h.T.TokenURL {
			r.url, r.toAlias = alias, true
		}
	}
}

// withCertAt presents cert (nil: none) without changing the URL.
func (h *H) withCertAt(cert *tls.Certificate) Opt {
	return func(r *req) { r.cert = cert }
}

// mtlsTokenURL is mtls_endpoint_aliases.token_endpoint when the trusted
// metadata names an absolute https URL there (MTLS-12 grades the rest),
// else the token endpoint.
func (h *H) mtlsTokenURL() string {
	if h.T.MetadataURL == "" || !h.metadataTrusted() {
		return h.T.TokenURL
	}
	m, ok := h.metadataDoc()
	if !ok {
		return h.T.TokenURL
	}
	al, _ := m["mtls_endpoint_aliases"].(map[string]any)
	te, _ := al["token_endpoint"].(string)
	if u, err := url.Parse(te); err != nil || u.Scheme != "https" || u.Host == "" {
		return h.T.TokenURL
	}
	return te
}

// certClient is the target's HTTP client presenting cert, one per
// certificate for the run (connections are per certificate).
func (st *runState) certClient(cert *tls.Certificate) *http.Client {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c, ok := st.certClients[cert]; ok {
		return c
	}
	base := st.target.httpClient()
	tr, ok := base.Transport.(*http.Transport)
	if !ok || tr == nil {
		tr = http.DefaultTransport.(*http.Transport)
	}
	tr = tr.Clone()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	tr.TLSClientConfig.Certificates = []tls.Certificate{*cert}
	c := &http.Client{Transport: tr, Timeout: base.Timeout}
	if st.certClients == nil {
		st.certClients = map[*tls.Certificate]*http.Client{}
	}
	st.certClients[cert] = c
	return c
}

// mtlsOpt authenticates an mTLS client: client_id in the body (RFC 8705
// §2) and its certificate on the connection.
func (h *H) mtlsOpt(c *MTLSClient) Opt {
	cert := h.WithCert(&c.Cert)
	return func(r *req) {
		r.body = join(r.body, form(rfc6749.ParamClientID, c.ID))
		cert(r)
	}
}

// strangerCert is a certificate no server knows: self-signed, with
// subject cn, made once per run.
func (st *runState) strangerCert(cn string) *tls.Certificate {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c, ok := st.strangers[cn]; ok {
		return c
	}
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: cn}}
	c := selfSigned(tmpl, nil, nil)
	if st.strangers == nil {
		st.strangers = map[string]*tls.Certificate{}
	}
	st.strangers[cn] = c
	return c
}

// untrustedTwin is a certificate with the subject and SANs of leaf,
// issued by a throwaway CA that no server trusts (MTLS-07).
func untrustedTwin(leaf *x509.Certificate) *tls.Certificate {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "occheck throwaway CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	ca, _ := x509.ParseCertificate(caDER)
	tmpl := &x509.Certificate{RawSubject: leaf.RawSubject, DNSNames: leaf.DNSNames, URIs: leaf.URIs, IPAddresses: leaf.IPAddresses, EmailAddresses: leaf.EmailAddresses}
	return selfSigned(tmpl, ca, caKey)
}

// selfSigned issues a client certificate for a fresh P-256 key from tmpl,
// signed by parent (itself when nil), valid for an hour either side.
func selfSigned(tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) *tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 100))
	t := *tmpl
	t.SerialNumber = serial
	t.NotBefore, t.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	t.KeyUsage = x509.KeyUsageDigitalSignature
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if parent == nil {
		parent, parentKey = &t, key
	}
	der, err := x509.CreateCertificate(rand.Reader, &t, parent, key.Public(), parentKey)
	if err != nil {
		panic("suites: making a test certificate: " + err.Error()) // a harness bug: the template is ours
	}
	leaf, _ := x509.ParseCertificate(der)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

package mockserver

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"strings"
)

// Deviations of mutual-TLS client authentication and certificate-bound
// tokens (RFC 8705) that real servers and proxies show.
const (
	QuirkMTLSNoCertOK          Quirk = "mtls-no-cert-ok"
	QuirkMTLSAnyTrustedCert    Quirk = "mtls-any-trusted-cert"
	QuirkMTLSNoChainCheck      Quirk = "mtls-no-chain-check"
	QuirkMTLSSelfSignedSubject Quirk = "mtls-self-signed-by-subject"
	QuirkMTLSTrustCertHeader   Quirk = "mtls-trust-cert-header"
	QuirkMTLSNoCnf             Quirk = "mtls-no-cnf"
	QuirkMTLSBadThumbprint     Quirk = "mtls-bad-thumbprint"
	QuirkMTLSMetadataString    Quirk = "mtls-md-flag-string"
	QuirkMTLSMetadataAliasHTTP Quirk = "mtls-md-alias-http"
	QuirkMTLSClientIDOptional  Quirk = "mtls-client-id-optional"
	QuirkMTLSDNAsText          Quirk = "mtls-dn-as-text"
	QuirkMTLSRSUnbound         Quirk = "mtls-rs-unbound"
)

// forgeableCertHeaders are the headers proxies commonly forward a client
// certificate in.
var forgeableCertHeaders = []string{"X-SSL-Client-Cert", "X-Forwarded-Client-Cert", "Client-Cert"}

func init() {
	for q, d := range map[Quirk]quirkDef{
		QuirkMTLSNoCertOK: {"an mTLS client is authenticated by its client_id without a certificate (RFC 8705 §2)", func(s *steps, a *Authority) {
			next := s.verify
			s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
				if cl := a.clients[c.id]; c.method == "" && cl != nil && cl.mtlsMethod() != "" && x.s.clientCert(x) == nil {
					x.cred.method = cl.mtlsMethod()
					return cl, nil
				}
				return next(x, c)
			}
		}},
		QuirkMTLSAnyTrustedCert: {"any certificate from a trusted CA authenticates any tls_client_auth client: the registered attribute is not compared (RFC 8705 §2.1.2)", func(s *steps, a *Authority) {
			next := s.mtlsCert
			s.mtlsCert = func(x *exchange, cl *client, method string, cert *x509.Certificate) *oauthError {
				if method == AuthTLSClient {
					return a.chainToClientCA(x, cert)
				}
				return next(x, cl, method, cert)
			}
		}},
		QuirkMTLSNoChainCheck: {"tls_client_auth matches the registered attribute without validating the chain (RFC 8705 §2.1)", func(s *steps, a *Authority) {
			next := s.mtlsCert
			s.mtlsCert = func(x *exchange, cl *client, method string, cert *x509.Certificate) *oauthError {
				if method == AuthTLSClient {
					return matchAttribute(cl, cert)
				}
				return next(x, cl, method, cert)
			}
		}},
		QuirkMTLSSelfSignedSubject: {"self_signed_tls_client_auth compares the certificate's subject with the registered certificate's, not the certificate (RFC 8705 §2.2)", func(s *steps, a *Authority) {
			next := s.mtlsCert
			s.mtlsCert = func(x *exchange, cl *client, method string, cert *x509.Certificate) *oauthError {
				if method != AuthSelfSignedTLSClient || cl.keys == nil {
					return next(x, cl, method, cert)
				}
				if set, err := cl.keys.get(x.r.Context(), false); err == nil {
					for _, k := range set.Keys {
						for _, c := range k.Certificates {
							if c.Subject.String() == cert.Subject.String() {
								return nil
							}
						}
					}
				}
				return next(x, cl, method, cert)
			}
		}},
		QuirkMTLSTrustCertHeader: {"the client certificate is taken from X-SSL-Client-Cert, X-Forwarded-Client-Cert or Client-Cert sent by anyone (RFC 9700 §4.13)", func(s *steps, a *Authority) {
			next := s.clientCert
			s.clientCert = func(x *exchange) *x509.Certificate {
				if c := next(x); c != nil {
					return c
				}
				for _, h := range forgeableCertHeaders {
					if c, err := certFromHeader(h, x.r.Header.Get(h)); err == nil {
						return c
					}
				}
				return nil
			}
		}},
		QuirkMTLSDNAsText: {"tls_client_auth_subject_dn is compared with the certificate's subject as text, not as a DN (RFC 8705 §2.1.2)", func(s *steps, a *Authority) {
			next := s.mtlsCert
			s.mtlsCert = func(x *exchange, cl *client, method string, cert *x509.Certificate) *oauthError {
				if e := next(x, cl, method, cert); e != nil || method != AuthTLSClient || cl.TLSClientAuthSubjectDN == "" {
					return e
				}
				if cert.Subject.String() != cl.TLSClientAuthSubjectDN {
					return errMTLS("the certificate's subject " + reasonQuote(cert.Subject.String()) + " is not " + reasonQuote(cl.TLSClientAuthSubjectDN))
				}
				return nil
			}
		}},
		QuirkMTLSRSUnbound: {"the protected resource accepts a certificate-bound token without checking the connection's certificate (RFC 8705 §3)", func(s *steps, a *Authority) {
			next := s.resourceToken
			s.resourceToken = func(a *Authority, r *http.Request, tok string) *tokenState {
				st := next(a, r, tok)
				if cnf, ok := st.claimsCnf(); ok {
					// Forget the certificate binding: the certificate is
					// never compared (a DPoP binding stays).
					c := make(map[string]any, len(st.claims))
					for k, v := range st.claims {
						c[k] = v
					}
					rest := map[string]any{}
					for k, v := range cnf {
						if k != "x5t#S256" {
							rest[k] = v
						}
					}
					delete(c, "cnf")
					if len(rest) > 0 {
						c["cnf"] = rest
					}
					st = &tokenState{claims: c, id: st.id, exp: st.exp}
				}
				return st
			}
		}},
		QuirkMTLSNoCnf: {"certificate-bound tokens carry no cnf (RFC 8705 §3.1)", func(s *steps, a *Authority) {
			s.bind = func(*exchange, *tokenClaims) {}
		}},
		QuirkMTLSBadThumbprint: {"cnf x5t#S256 is the SHA-256 of the certificate's PEM text, not of its DER encoding (RFC 8705 §3.1)", func(s *steps, a *Authority) {
			next := s.bind
			s.bind = func(x *exchange, c *tokenClaims) {
				next(x, c)
				if c.Cnf != nil {
					cert := x.s.clientCert(x)
					sum := sha256.Sum256(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
					c.Cnf = map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])}
				}
			}
		}},
		QuirkMTLSMetadataString: {"tls_client_certificate_bound_access_tokens is the string \"true\", not a JSON boolean (RFC 8705 §3.3)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) {
				if m["tls_client_certificate_bound_access_tokens"] == true {
					m["tls_client_certificate_bound_access_tokens"] = "true"
				}
			})
		}},
		QuirkMTLSMetadataAliasHTTP: {"mtls_endpoint_aliases.token_endpoint is an http URL (RFC 8705 §5)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) {
				if al, ok := m["mtls_endpoint_aliases"].(map[string]any); ok {
					if u, ok := al["token_endpoint"].(string); ok {
						al["token_endpoint"] = "http://" + strings.TrimPrefix(u, "https://")
					}
				}
			})
		}},
		QuirkMTLSClientIDOptional: {"an mTLS client is found from its certificate when client_id is missing (RFC 8705 §2: the client sends client_id)", func(s *steps, a *Authority) {
			next := s.verify
			s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
				if c.method == "" && c.id == "" {
					if cert := x.s.clientCert(x); cert != nil {
						for _, id := range a.order {
							if cl := a.clients[id]; cl.mtlsMethod() != "" && x.s.mtlsCert(x, cl, cl.mtlsMethod(), cert) == nil {
								x.cred.method, x.cred.id = cl.mtlsMethod(), cl.ID
								return cl, nil
							}
						}
					}
				}
				return next(x, c)
			}
		}},
	} {
		quirkTable[q] = d
	}
}

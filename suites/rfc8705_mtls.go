package suites

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 8705 (mutual-TLS client authentication and certificate-bound access
// tokens), when an mTLS client is configured. Requests that present a
// certificate go to the mTLS alias of the token endpoint when the
// metadata names one (MTLS-12).

const (
	idMTLSBaseline       = "MTLS-01"
	idSelfSignedBaseline = "MTLS-03"
)

// needMTLS skips a spec without a client registered for method ("" for
// either).
func needMTLS(method string) Need {
	return func(t *Target) string {
		for _, c := range t.MTLSClients {
			if method == "" || c.Method == method {
				return ""
			}
		}
		what := method
		if what == "" {
			what = "tls_client_auth or self_signed_tls_client_auth"
		}
		return "needs a client registered for " + what + " (--client-cert and --client-cert-key)"
	}
}

// mtlsSpec declares a spec of this section.
func mtlsSpec(s Spec) {
	s.Labels = append(s.Labels, "mtls")
	add(s)
}

// anyMTLS is the mTLS client a spec about either method uses, with the
// spec that proves its baseline: the tls_client_auth client first.
func (h *H) anyMTLS() (*MTLSClient, string) {
	if c := h.T.mtlsClient(AuthTLSClient); c != nil {
		return c, idMTLSBaseline
	}
	return h.T.mtlsClient(AuthSelfSignedTLSClient), idSelfSignedBaseline
}

// requireBaseline skips when the baseline spec for an mTLS client did not
// pass: one root cause, one failure.
func (h *H) requireMTLSBaseline(id string) {
	if r := h.st.result(h.ctx, specByID(id)); r.Verdict != reports.Pass && r.Verdict != reports.Info && r.Verdict != reports.Warn {
		h.Skip(dependencyReason(id, r))
	}
}

// mtlsRefused grades an mTLS negative: no token (the spec's level); a
// handshake the server refuses is a refusal too. The code and status are
// graded one level down: invalid_client; 400, or 401 with a challenge.
func (h *H) mtlsRefused(send func() *Response, what string) {
	r, fault, err := h.soft(send)
	switch {
	case err != nil:
		h.Note("%s: no answer, the connection was refused (%v): no token", what, err)
		return
	case fault != "":
		h.Note("%s: %s (graded by ERR-5XX-01)", what, fault)
		return
	}
	h.ClientError(r, "for "+what)
	if !h.codeGradable() {
		return
	}
	h.Should(r.ErrorCode() == rfc6749.ErrInvalidClient, "error invalid_client for "+what+" (RFC 8705 §2)", "%s", r.Summary())
	h.Should(r.Status == 400 || r.Status == 401 && len(r.Header.Values("WWW-Authenticate")) > 0,
		"400, or 401 with WWW-Authenticate, for "+what+" (RFC 6749 §5.2)", "%s; WWW-Authenticate: %q", r.Summary(), r.Header.Values("WWW-Authenticate"))
}

// tokenX5t reads a token's certificate binding: the cnf x5t#S256 value
// (nil without one), the whole cnf for messages, and whether the token
// is a JWT at all.
func tokenX5t(tok string) (x5t, cnf any, isJWT bool) {
	claims, isJWT := jwtClaims(tok)
	m, _ := claims["cnf"].(map[string]any)
	return m["x5t#S256"], claims["cnf"], isJWT
}

// mtlsToken sends the valid request of an mTLS client.
func (h *H) mtlsToken(c *MTLSClient) *Response {
	return h.Send(h.scopedShared(), h.mtlsOpt(c))
}

func init() {
	mtlsSpec(Spec{
		ID: idMTLSBaseline, RFC: "8705", Section: "2.1", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Needs:     []Need{needMTLS(AuthTLSClient)},
		Title:     "tls_client_auth: a CA-issued client certificate and client_id authenticate the client.",
		How:       "The client credentials request with client_id and no other credential, over a connection presenting the client's certificate (to mtls_endpoint_aliases.token_endpoint when the metadata names one).",
		Accepts:   "200 with a token.",
		Run: func(h *H) {
			c := h.T.mtlsClient(AuthTLSClient)
			r := h.mtlsToken(c)
			h.Require(r.OK(), "a token for "+c.ID+" with its certificate ("+describeCert(&c.Cert)+")", "%s", r.Summary())
		},
	})
	mtlsSpec(Spec{
		ID: idSelfSignedBaseline, RFC: "8705", Section: "2.2", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Needs:     []Need{needMTLS(AuthSelfSignedTLSClient)},
		Title:     "self_signed_tls_client_auth: the registered certificate authenticates; another with the same subject does not.",
		How:       "(a) client_id and the client's registered self-signed certificate; (b) a fresh self-signed certificate with the same subject.",
		Accepts:   "(a) a token; (b) no token: the certificate (or its key) is compared, never the subject.",
		Catches:   "Servers that match self-signed certificates by subject, which anyone can copy.",
		Run: func(h *H) {
			c := h.T.mtlsClient(AuthSelfSignedTLSClient)
			r := h.mtlsToken(c)
			h.Require(r.OK(), "a token for "+c.ID+" with its registered certificate ("+describeCert(&c.Cert)+")", "%s", r.Summary())
			twin := &MTLSClient{ID: c.ID, Method: c.Method, Cert: *selfSigned(&x509.Certificate{RawSubject: c.leaf().RawSubject}, nil, nil)}
			r = h.mtlsToken(twin)
			h.Must(!r.HasToken(), "no token for another self-signed certificate with the registered subject", "%s", r.Summary())
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-02", RFC: "8705", Section: "2", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Needs:     []Need{needMTLS("")},
		Title:     "The server binds the client to its certificate: no certificate, or another client's, authenticates nobody.",
		How:       "The mTLS client's client_id (a) over a connection without a client certificate; (b) with another client's certificate (--other-client-cert, else a self-signed one no server knows).",
		Accepts:   "No token for either (a refused handshake too). The code is graded one level down: invalid_client, 400 or 401 with a challenge.",
		Catches:   "Servers that take client_id as authentication when the certificate is missing, or accept any certificate the CA issued.",
		Run: func(h *H) {
			c, base := h.anyMTLS()
			h.requireMTLSBaseline(base)
			h.mtlsRefused(func() *Response {
				return h.Send(h.scopedShared(rfc6749.ParamClientID, c.ID), h.WithCert(nil))
			}, "client_id "+c.ID+" without a client certificate")
			other := h.T.OtherClientCert
			if other == nil {
				other = h.st.strangerCert("occheck-stranger")
			}
			h.mtlsRefused(func() *Response {
				return h.Send(h.scopedShared(rfc6749.ParamClientID, c.ID), h.WithCert(other))
			}, "client_id "+c.ID+" with another client's certificate ("+describeCert(other)+")")
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-04", RFC: "9700", Section: "4.13", Level: reports.Must,
		// A server that takes client_id without a certificate (MTLS-02
		// (a)) would pass the forged headers for that reason alone.
		DependsOn: []string{idBaseline, "MTLS-02"},
		Needs:     []Need{needMTLS("")},
		Title:     "A client certificate in a request header is never a certificate: a client can forge one.",
		How:       "client_id of the mTLS client, no client certificate on the connection, and its certificate in X-SSL-Client-Cert (URL-encoded PEM), X-Forwarded-Client-Cert (Cert=) and Client-Cert (RFC 9440), one per request.",
		Accepts:   "No token for each.",
		Catches:   "A TLS-terminating proxy that forwards client-supplied certificate headers, or a server that trusts them from anyone.",
		Run: func(h *H) {
			c, base := h.anyMTLS()
			h.requireMTLSBaseline(base)
			der := c.leaf().Raw
			p := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
			for _, hv := range [][2]string{
				{"X-SSL-Client-Cert", url.QueryEscape(p)},
				{"X-Forwarded-Client-Cert", `Cert="` + url.QueryEscape(p) + `"`},
				{"Client-Cert", ":" + base64.StdEncoding.EncodeToString(der) + ":"},
			} {
				r := h.Send(h.scopedShared(rfc6749.ParamClientID, c.ID), h.WithCert(nil), Header(hv[0], hv[1]))
				h.Must(!r.HasToken(), "no token for "+c.ID+"'s certificate forged in "+hv[0]+" over a connection without one", "%s", r.Summary())
			}
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-05", RFC: "8705", Section: "3.1", Level: reports.Should,
		Needs:   []Need{needMTLS("")},
		Title:   "A certificate-bound JWT access token carries cnf x5t#S256, the thumbprint of the certificate used.",
		How:     "The token of the mTLS client's valid request: when it is a JWT with cnf, compare x5t#S256 with the harness's own SHA-256 over the certificate's DER; when the metadata announces bound tokens, require cnf.",
		Accepts: "cnf x5t#S256 equal to the thumbprint (another value, padding, hex or a hash of the PEM text fails). No cnf warns when tls_client_certificate_bound_access_tokens is true, and is recorded otherwise.",
		Catches: "Thumbprints over the PEM text, hex or padded; bound tokens without cnf.",
		Run: func(h *H) {
			c, base := h.anyMTLS()
			h.requireMTLSBaseline(base)
			r := h.mtlsToken(c)
			h.Require(r.OK(), "a token for the mTLS client", "%s", r.Summary())
			got, cnf, isJWT := tokenX5t(r.String("access_token"))
			if !isJWT {
				h.Note("the access token is not a JWT: its binding, if any, shows only through introspection (MTLS-10)")
				return
			}
			want := thumbprint(c.leaf())
			if got != nil {
				h.Must(got == want, "cnf x5t#S256 "+want+" (unpadded base64url SHA-256 of the certificate's DER, RFC 8705 §3.1)", "cnf x5t#S256 %v", got)
				h.Note("the token is bound to the certificate (x5t#S256 %s)", want)
				return
			}
			if m, ok := h.metadataDoc(); ok && m["tls_client_certificate_bound_access_tokens"] == true {
				h.Should(false, "cnf x5t#S256 in the token: the metadata says tls_client_certificate_bound_access_tokens is true", "no cnf x5t#S256 (cnf: %v)", cnf)
				return
			}
			h.Note("the token carries no cnf: it is not bound to the certificate")
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-06", RFC: "8705", Section: "2", Level: reports.Note,
		Needs:   []Need{needMTLS("")},
		Title:   "An mTLS request without client_id.",
		How:     "The mTLS client's certificate, no client_id.",
		Accepts: "Observation: RFC 8705 §2 has the client send client_id; a server may refuse without it, or find the client from the certificate.",
		Run: func(h *H) {
			c, base := h.anyMTLS()
			h.requireMTLSBaseline(base)
			r := h.Send(h.scopedShared(), h.WithCert(&c.Cert))
			if r.HasToken() {
				h.Note("without client_id: a token (the server finds the client from its certificate)")
				return
			}
			h.Note("without client_id: refused (%d %s)", r.Status, r.ErrorCode())
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-07", RFC: "8705", Section: "2.1", Level: reports.Must,
		Needs:   []Need{needMTLS(AuthTLSClient)},
		Title:   "tls_client_auth rests on a validated chain: a certificate with the client's subject from an untrusted CA authenticates nobody.",
		How:     "client_id of the tls_client_auth client and a certificate with its subject and SANs, issued by a throwaway CA.",
		Accepts: "No token (a refused handshake too).",
		Catches: "Servers (or proxies) that match the subject without validating the chain: the spoofing threat of RFC 8705 §7.4.",
		Run: func(h *H) {
			h.requireMTLSBaseline(idMTLSBaseline)
			c := h.T.mtlsClient(AuthTLSClient)
			twin := untrustedTwin(c.leaf())
			h.mtlsRefused(func() *Response {
				return h.Send(h.scopedShared(rfc6749.ParamClientID, c.ID), h.WithCert(twin))
			}, "a certificate with "+c.ID+"'s subject from an untrusted CA")
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-09", RFC: "8705", Section: "3", Level: reports.Must,
		// The resource must take tokens at all (RS-07) and refuse invalid
		// ones (RS-03) before a binding can be judged there.
		DependsOn: []string{"MTLS-05", "RESP-AT-01", "RS-07", "RS-03"},
		Needs:     []Need{needResourceURL},
		Title:     "The resource server checks the binding: a certificate-bound token works only with the same certificate.",
		How:       "The mTLS client's bound token (cnf x5t#S256) at --resource-url (a) with its certificate, (b) without a certificate, (c) with another certificate.",
		Accepts:   "(a) access; (b) and (c) no access. The status and code of the refusal are RS-03's to grade, and are recorded here.",
		Catches:   "Resource servers that accept a bound token from anyone who holds it, which makes the binding useless.",
		Run: func(h *H) {
			c, base := h.anyMTLS()
			h.requireMTLSBaseline(base)
			h.rsToken() // the same token defects as the RS-* specs skip it
			r := h.mtlsToken(c)
			if x5t, _, _ := tokenX5t(r.String("access_token")); x5t == nil {
				h.Skip("the mTLS client's token shows no certificate binding (cnf x5t#S256), so there is none to check at the resource")
			}
			tok := r.String("access_token")
			send := func(cert *tls.Certificate) *Response {
				return h.Send("", Method(http.MethodGet), URL(h.T.ResourceURL), Header("Authorization", "Bearer "+tok), h.withCertAt(cert))
			}
			ok := send(&c.Cert)
			h.Require(rsAccepted(ok), "access with the bound token and its certificate", "%s", ok.Summary())
			other := h.T.OtherClientCert
			if other == nil {
				other = h.st.strangerCert("occheck-stranger")
			}
			for _, t := range []struct {
				what string
				cert *tls.Certificate
			}{{"no certificate", nil}, {"another certificate", other}} {
				r := send(t.cert)
				h.Require(!rsAccepted(r), "no access with the bound token and "+t.what+" (RFC 8705 §3)", "%s", r.Summary())
				ch, _ := bearerChallenge(r)
				h.Note("%s: %d, error=%q", t.what, r.Status, ch.params["error"])
			}
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-10", RFC: "8705", Section: "3.2", Level: reports.Must,
		DependsOn: []string{"INT-02"},
		Needs:     []Need{needMTLS("")},
		Title:     "Introspection of a certificate-bound token returns cnf x5t#S256, the thumbprint of the certificate.",
		How:       "Introspect the mTLS client's fresh token (as the client under test).",
		Accepts:   "cnf x5t#S256 equal to the thumbprint (another value fails). No cnf warns when the token is bound (its JWT says so, or the metadata announces bound tokens), and is recorded otherwise.",
		Run: func(h *H) {
			c, base := h.anyMTLS()
			h.requireMTLSBaseline(base)
			r := h.mtlsToken(c)
			tok := r.String("access_token")
			if tok == "" {
				h.Skip("no token for the mTLS client: " + r.Summary())
			}
			ir := h.introspect(tok)
			obj, err := ir.JSON()
			h.Require(err == nil && obj["active"] == true, "an active introspection answer for the mTLS client's token", "%s", ir.Summary())
			want := thumbprint(c.leaf())
			cnf, _ := obj["cnf"].(map[string]any)
			if got, ok := cnf["x5t#S256"]; ok {
				h.Require(got == want, "cnf x5t#S256 "+want+" (RFC 8705 §3.2)", "cnf x5t#S256 %v", got)
				return
			}
			jwtX5t, _, _ := tokenX5t(tok)
			m, _ := h.metadataDoc()
			bound := jwtX5t != nil || m["tls_client_certificate_bound_access_tokens"] == true
			if bound {
				h.Should(false, "cnf x5t#S256 in the introspection of a bound token (RFC 8705 §3.2)", "no cnf (%v)", obj["cnf"])
				return
			}
			h.Note("the introspection shows no cnf: the token is not bound")
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-11", RFC: "8705", Section: "3.3", Level: reports.Must,
		Needs:   []Need{needMetadata},
		Labels:  []string{"metadata"},
		Title:   "tls_client_certificate_bound_access_tokens, when present, is a JSON boolean, and true only when tokens are bound.",
		How:     "Read the metadata; with an mTLS client, compare with what MTLS-05 found.",
		Accepts: "Absent, false or true. A string or other type fails; true while MTLS-05 saw an unbound JWT warns (that warning is MTLS-05's when it grades the token).",
		Run: func(h *H) {
			_, m := h.Metadata()
			v, present := m["tls_client_certificate_bound_access_tokens"]
			if !present {
				h.Note("tls_client_certificate_bound_access_tokens is absent (false)")
				return
			}
			_, isBool := v.(bool)
			h.Require(isBool, "a JSON boolean (RFC 8705 §3.3)", "%#v", v)
			if v != true || len(h.T.MTLSClients) == 0 {
				return
			}
			c, base := h.anyMTLS()
			if r := h.st.result(h.ctx, specByID(base)); r.Verdict == reports.Fail || r.Verdict == reports.Error || r.Verdict == reports.Skip {
				h.Note("whether tokens are bound is not checked: %s", dependencyReason(base, r))
				return
			}
			r := h.mtlsToken(c)
			x5t, cnf, isJWT := tokenX5t(r.String("access_token"))
			if !r.OK() || !isJWT {
				h.Note("whether tokens are bound is not visible here: %s", r.Summary())
				return
			}
			h.Should(x5t != nil, "a token bound to the certificate (cnf x5t#S256), as the metadata announces", "cnf: %v", cnf)
		},
	})
	mtlsSpec(Spec{
		ID: "MTLS-12", RFC: "8705", Section: "5", Level: reports.Must,
		Needs:   []Need{needMetadata},
		Labels:  []string{"metadata"},
		Title:   "mtls_endpoint_aliases, when present, is an object of absolute https URLs.",
		How:     "Read the metadata.",
		Accepts: "Absent, or an object whose token_endpoint (and other endpoint members) are absolute https URLs. The harness sends mTLS requests to its token_endpoint.",
		Run: func(h *H) {
			_, m := h.Metadata()
			v, present := m["mtls_endpoint_aliases"]
			if !present {
				h.Note("mtls_endpoint_aliases is absent: mTLS requests go to the token endpoint")
				return
			}
			al, ok := v.(map[string]any)
			h.Require(ok, "a JSON object (RFC 8705 §5)", "%#v", v)
			for k, e := range al {
				if !strings.HasSuffix(k, "_endpoint") {
					continue
				}
				s, _ := e.(string)
				u, err := url.Parse(s)
				h.Require(err == nil && u.Scheme == "https" && u.Host != "", "mtls_endpoint_aliases."+k+" an absolute https URL", "%#v", e)
			}
		},
	})
}

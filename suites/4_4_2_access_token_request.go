package suites

import (
	"fmt"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 6749 §4.4.2 (access token request) and the grant errors of §5.2.

func init() {
	add(Spec{
		ID: "CC-OK-01", RFC: "6749", Section: "4.4.2", Level: reports.Must,
		Title:   "A confidential client with grant_type=client_credentials obtains an access token.",
		How:     "POST grant_type=client_credentials with the configured scope. Methods tried in order: the configured ones, or (auto) client_secret_basic, then client_secret_post when Basic is refused and the metadata advertises it. The first that yields a token is the baseline every other spec uses.",
		Accepts: "A 2xx with an access_token for one of the methods tried (status, media type and members are graded by RESP-STATUS-01, RESP-CT-01, RESP-JSON-01 and RESP-TT-01).",
		Catches: "The root cause every dependent spec is skipped for, instead of failing one by one.",
		Run:     func(h *H) { h.findBaseline() },
	})
	add(Spec{
		ID: "CC-GT-01", RFC: "6749", Section: "4.4.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A request without grant_type is refused.",
		How:       "Valid client credentials, body without grant_type.",
		Accepts:   "A 4xx without a token.",
		Catches:   "Servers that assume client_credentials when grant_type is missing.",
		Run: func(h *H) {
			r := h.Send(form("x_occheck", "1"), h.As(&h.T.Client))
			h.ClientError(r, "without grant_type")
		},
	})
	add(Spec{
		ID: "CC-GT-01-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		DependsOn: []string{"CC-GT-01", "ERR-400-01", "ERR-JSON-01"},
		Title:     "A missing grant_type is invalid_request.",
		How:       "Valid client credentials, body without grant_type.",
		Accepts:   "400 invalid_request.",
		Catches:   "unsupported_grant_type or invalid_client for a missing parameter.",
		Run: func(h *H) {
			r := h.Send(form("x_occheck", "1"), h.As(&h.T.Client))
			h.ErrorCode(r, []int{400}, "invalid_request")
		},
	})
	add(Spec{
		ID: "CC-GT-02", RFC: "6749", Section: "4.4.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "An unknown grant_type never yields a token.",
		How:       "grant_type=urn:example:occheck:nope with valid client credentials.",
		Accepts:   "A 4xx without a token.",
		Catches:   "Servers that issue client credentials tokens whatever grant_type says.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(&h.T.Client))
			h.ClientError(r, "for an unknown grant type")
		},
	})
	add(Spec{
		ID: "CC-GT-02-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		DependsOn: []string{"CC-GT-02", "ERR-400-01", "ERR-JSON-01"},
		Title:     "An unknown grant_type is unsupported_grant_type.",
		How:       "grant_type=urn:example:occheck:nope with valid client credentials.",
		Accepts:   "400 unsupported_grant_type.",
		Catches:   "invalid_request, invalid_grant or unauthorized_client for an unknown grant.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(&h.T.Client))
			h.ErrorCode(r, []int{400}, "unsupported_grant_type")
		},
	})
	add(Spec{
		ID: "CC-GT-03", RFC: "6749", Section: "A.10", Level: reports.Note,
		DependsOn: []string{"CC-OK-01"},
		Title:     "grant_type values are matched exactly (Client_Credentials is another value).",
		How:       "grant_type=Client_Credentials with valid client credentials.",
		Accepts:   "Observation only: the RFC states no case rule for grant names.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "Client_Credentials"), h.As(&h.T.Client))
			if r.HasToken() {
				h.Note("grant_type is matched case-insensitively: Client_Credentials yields a token")
			}
		},
	})
	add(Spec{
		ID: "CC-UC-01", RFC: "6749", Section: "4.4", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A client not allowed the client_credentials grant gets no token.",
		How:       "The no-grant client, correctly authenticated, asks for client_credentials.",
		Accepts:   "A 4xx without a token.",
		Needs:     []Need{needNoGrant},
		Run: func(h *H) {
			r := h.Send(ccBody(), h.As(h.T.NoGrantClient))
			h.ClientError(r, "for a client not allowed client_credentials")
		},
	})
	add(Spec{
		ID: "CC-UC-01-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		DependsOn: []string{"CC-UC-01", "ERR-400-01", "ERR-JSON-01"},
		Title:     "A client not allowed the grant gets 400 unauthorized_client.",
		How:       "The no-grant client, correctly authenticated, asks for client_credentials.",
		Accepts:   "400 unauthorized_client.",
		Catches:   "403 Forbidden or invalid_client for an authenticated client.",
		Needs:     []Need{needNoGrant},
		Run: func(h *H) {
			r := h.Send(ccBody(), h.As(h.T.NoGrantClient))
			if r.ErrorCode() == rfc6749.ErrInvalidClient && h.T.NoGrantClient.Auto() {
				h.Skip("the no-grant client was refused authentication (invalid_client) with " + h.baselineMethod() + ": register it for the same method as the client under test, or name its method with --auth-method")
			}
			h.ErrorCode(r, []int{400}, "unauthorized_client")
		},
	})
	add(Spec{
		ID: "BCP-01", RFC: "9700", Section: "2.4", Level: reports.Must,
		DependsOn: []string{idBaseline, "TE-PARAM-02", "CC-GT-02"},
		Title:     "The resource owner password grant yields no token, and its refusal uses the token endpoint's codes.",
		How:       "grant_type=password&username=occheck&password=occheck with valid client credentials, compared with an unknown grant type.",
		Accepts:   "400 unsupported_grant_type or unauthorized_client, or the same answer as an unknown grant type (whose code CC-GT-02-CODE grades). A token fails (made-up user credentials, and RFC 9700 §2.4: the grant MUST NOT be used); another status or code warns (RFC 6749 §5.2).",
		Catches:   "403 access_denied (an authorization endpoint code); 400 invalid_request or invalid_grant.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "password", "username", "occheck", "password", "occheck"), h.As(&h.T.Client))
			h.Must(!r.HasToken(), "no access token for the password grant", "%s", r.Summary())
			code := r.ErrorCode()
			if !h.codeGradable() {
				return
			}
			// Refused exactly like an unknown grant: the code is then
			// CC-GT-02-CODE's to grade, so one deviation warns once.
			u := h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(&h.T.Client))
			if !u.HasToken() && u.Status == r.Status && u.ErrorCode() == code {
				return
			}
			h.Should(r.Status == 400 && (code == rfc6749.ErrUnsupportedGrantType || code == rfc6749.ErrUnauthorizedClient),
				"400 unsupported_grant_type or unauthorized_client (RFC 6749 §5.2)", "%s", r.Summary())
		},
	})
}

// findBaseline finds how the client under test gets a token and records it
// for every spec that depends on CC-OK-01.
func (h *H) findBaseline() {
	c := &h.T.Client
	b := &baseline{refused: map[string]*Response{}, auto: c.Auto()}
	var advertised []string
	candidates := c.AuthMethods
	if b.auto {
		advertised = h.advertisedMethods()
		candidates = h.T.AutoMethods(advertised)
	}
	defer func() {
		h.st.base = b
		h.st.sink.setBaseline(b.reason)
	}()
	var tried []string
	scopeRefused, dpopRefused, sent := 0, 0, 0
	for _, m := range candidates {
		var r *Response
		if isAssertionMethod(m) {
			var ok bool
			if r, ok = h.assertionBaseline(c, m); ok {
				b.method = m
				b.reason = baselineReason(m, b, advertised)
				return
			}
			if r == nil {
				tried = append(tried, m+": not tried, the issuer is unknown and this profile takes only the issuer as audience (--issuer)")
				continue
			}
		} else {
			r = h.Send(h.scoped(), h.authOpt(c, m))
			if r.OK() {
				b.method = m
				b.reason = baselineReason(m, b, advertised)
				return
			}
		}
		sent++
		b.refused[m] = r
		switch r.ErrorCode() {
		case rfc6749.ErrInvalidScope:
			scopeRefused++
		case rfc6749.ErrInvalidDPoPProof, rfc6749.ErrUseDPoPNonce:
			dpopRefused++
		}
		tried = append(tried, fmt.Sprintf("%s: %s", m, r.Summary()))
	}
	if h.T.Scope == "" && sent > 0 && scopeRefused == sent {
		// RFC 6749 §3.3 lets a server refuse a request without scope: that
		// is conformant, and the suite cannot go on without one.
		b.reason = "no scope configured, and the server requires one"
		h.transportError(fmt.Errorf("the server refuses a request without scope (invalid_scope), which RFC 6749 §3.3 allows: pass --scope with a scope the client may have (%s)", strings.Join(tried, "; ")))
	}
	if sent > 0 && dpopRefused == sent {
		// RFC 9449 §5.2: a client registered with dpop_bound_access_tokens
		// gets no token without a proof. Conformant, and the suite's
		// requests carry proofs only in the DPOP-* specs.
		b.reason = "the server requires DPoP proofs from the client under test"
		h.transportError(fmt.Errorf("the server requires a DPoP proof from %s (RFC 9449 §5.2 allows it for a client registered with dpop_bound_access_tokens): check a client registered without it, and name the DPoP-bound one with --dpop-client-id (%s)", c.ID, strings.Join(tried, "; ")))
	}
	hint := ""
	if b.auto && c.Secret != "" && !slices.Contains(candidates, rfc6749.AuthClientSecretPost) {
		hint = "; client_secret_post was not tried because the metadata does not advertise it (pass --auth-method client_secret_post if the client is registered for body credentials)"
	}
	b.reason = "no method yields a token"
	h.Must(false, "an access token for a valid client credentials request",
		"%s%s", strings.Join(tried, "; "), hint)
}

// assertionBaseline tries a client assertion method for the client under
// test with each audience the profile (or --assertion-aud) allows, and
// records the one accepted. It returns the last answer, nil when no
// audience can be formed.
func (h *H) assertionBaseline(c *Client, m string) (*Response, bool) {
	var last *Response
	for _, aud := range h.audCandidates() {
		h.setAssertionAud(aud)
		last = h.Send(h.scoped(), h.authOpt(c, m))
		if last.OK() {
			return last, true
		}
	}
	h.setAssertionAud(nil)
	return last, false
}

// baselineReason says why the baseline uses method m.
func baselineReason(m string, b *baseline, advertised []string) string {
	switch {
	case !b.auto:
		return m + ": the first configured method (--auth-method) that yields a token"
	case m == rfc6749.AuthPrivateKeyJWT && slices.Contains(advertised, m):
		return m + ": a key was given for the client under test, the metadata advertises private_key_jwt, and the server accepted the assertion"
	case m == rfc6749.AuthPrivateKeyJWT && len(b.refused) == 0:
		return m + ": a key and no secret were given for the client under test, and the server accepted the assertion"
	case isMTLSMethod(m) && slices.Contains(advertised, m):
		return m + ": a certificate was given for the client under test, the metadata advertises " + m + ", and the server accepted it"
	case isMTLSMethod(m) && len(b.refused) == 0:
		return m + ": a certificate and no secret were given for the client under test, and the server accepted it"
	case m == rfc6749.AuthClientSecretBasic:
		return m + ": RFC 6749 §2.3.1 requires servers to support HTTP Basic, and the server accepted it"
	}
	var why []string
	for _, prev := range []string{rfc6749.AuthPrivateKeyJWT, rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost} {
		if r := b.refused[prev]; r != nil {
			why = append(why, fmt.Sprintf("%s was refused (%d %s)", prev, r.Status, r.ErrorCode()))
		}
	}
	if len(why) == 0 {
		why = []string{"the methods before it were refused"}
	}
	adv := ""
	if slices.Contains(advertised, m) {
		adv = ", and the metadata advertises " + m
	}
	return fmt.Sprintf("%s: %s for this client%s", m, strings.Join(why, ", "), adv)
}

// advertisedMethods is token_endpoint_auth_methods_supported, or nil when
// there is no usable metadata; its absence is graded by the MD specs.
func (h *H) advertisedMethods() []string {
	if h.T.MetadataURL == "" || !h.metadataTrusted() {
		return nil
	}
	f := h.st.fetchMetadata(h)
	if f.err != nil || f.resp.Status != 200 {
		return nil
	}
	obj, err := f.resp.JSON()
	if err != nil {
		return nil
	}
	ms, _ := strList(obj["token_endpoint_auth_methods_supported"])
	return ms
}

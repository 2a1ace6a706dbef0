package suites

import (
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 7662 (token introspection) and RFC 7009 (token revocation), when
// the metadata names the endpoints or the configuration gives them. The
// client under test calls both, authenticated as at the token endpoint;
// every spec revokes or inspects a token of its own, fresh.

// introspectionURL is --introspection-url, else the trusted metadata's
// introspection_endpoint; "" when neither.
func (h *H) introspectionURL() string {
	return h.endpointURL(h.T.IntrospectionURL, "introspection_endpoint")
}

// revocationURL is --revocation-url, else the metadata's.
func (h *H) revocationURL() string { return h.endpointURL(h.T.RevocationURL, "revocation_endpoint") }

func (h *H) endpointURL(configured, member string) string {
	if configured != "" {
		return configured
	}
	if h.T.MetadataURL == "" || !h.metadataTrusted() {
		return ""
	}
	m, ok := h.metadataDoc()
	if !ok {
		return ""
	}
	s, _ := m[member].(string)
	return s
}

// needEndpoint skips a spec when the endpoint is not known, or when the
// metadata puts it on another origin than the token endpoint: client
// credentials go only there unless the user names the URL.
func (h *H) needEndpoint(u, what, flag string) string {
	h.knownEndpoint(u, what, flag)
	configured := u == h.T.IntrospectionURL || u == h.T.RevocationURL
	if !configured && !sameOrigin(u, h.T.TokenURL) {
		h.Skip("the metadata's " + what + " " + u + " is on another origin than the token endpoint; client credentials go only to the token endpoint's origin unless you name it with " + flag)
	}
	return u
}

// knownEndpoint skips a spec when the endpoint is not known.
func (h *H) knownEndpoint(u, what, flag string) string {
	if u == "" {
		h.Skip("the server names no " + what + " (metadata), and " + flag + " is not given")
	}
	return u
}

// sameOrigin compares scheme, host and port (default ports filled in).
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Hostname(), ub.Hostname()) && port(ua) == port(ub)
}

// introspect asks about tok as the client under test, with extra
// parameters.
func (h *H) introspect(tok string, kv ...string) *Response {
	u := h.needEndpoint(h.introspectionURL(), "introspection_endpoint", "--introspection-url")
	return h.Send(form(append([]string{"token", tok}, kv...)...), URL(u), h.As(&h.T.Client))
}

// revokeToken revokes tok as the client under test, with extra parameters.
func (h *H) revokeToken(tok string, kv ...string) *Response {
	u := h.needEndpoint(h.revocationURL(), "revocation_endpoint", "--revocation-url")
	return h.Send(form(append([]string{"token", tok}, kv...)...), URL(u), h.As(&h.T.Client))
}

// tokenDefects are the specs whose failure means the server cannot read
// back the tokens it issues (a malformed, unsigned or shared-jti token):
// introspection and revocation of such a token are that one defect.
var tokenDefects = []string{"ATJ-SIG-01", "ATJ-ALG-01", "ATJ-CID-01", "ATJ-CLM-01", "ATJ-JTI-01", "ATJ-TYP-01"}

// freshToken is a new access token of the client under test.
func (h *H) freshToken() string {
	for _, id := range tokenDefects {
		if r := h.st.result(h.ctx, specByID(id)); r.Verdict == reports.Fail {
			h.Skip(dependencyReason(id, r))
		}
	}
	_, obj := h.MustToken()
	s, _ := obj["access_token"].(string)
	return s
}

// tokenActive reports whether introspection says tok is active; known is
// false when there is no introspection endpoint or no usable answer.
func (h *H) tokenActive(tok string) (active, known bool) {
	u := h.introspectionURL()
	if u == "" || u != h.T.IntrospectionURL && !sameOrigin(u, h.T.TokenURL) {
		return false, false // not known, or not one to send credentials to
	}
	r := h.Send(form("token", tok), URL(u), h.As(&h.T.Client))
	obj, err := r.JSON()
	if r.Status != 200 || err != nil {
		return false, false
	}
	a, ok := obj["active"].(bool)
	return a, ok
}

// tlsURL grades a static endpoint URL: https, or http on loopback (noted).
func (h *H) tlsURL(u, what string) {
	p, err := url.Parse(u)
	h.Require(err == nil && p.Host != "", what+" an absolute URL", "%q", u)
	if p.Scheme == "https" {
		return
	}
	ip := net.ParseIP(p.Hostname())
	loopback := p.Hostname() == "localhost" || ip != nil && ip.IsLoopback()
	h.Require(loopback, what+" over https", "%s", u)
	h.Note("%s is plain http on loopback: accepted for local testing only", what)
}

// introspectionSpec and revocationSpec declare the specs of the section.
func introspectionSpec(s Spec) {
	s.Labels = append(s.Labels, "introspection")
	add(s)
}

func revocationSpec(s Spec) {
	s.Labels = append(s.Labels, "revocation")
	add(s)
}

func init() {
	introspectionSpec(Spec{
		ID: "INT-01", RFC: "7662", Section: "2.1", Level: reports.Must,
		DependsOn: []string{idJSONToken, "RESP-AT-01", "INT-08"},
		Title:     "Introspection demands that the caller authenticate.",
		How:       "POST token=<a fresh token of the client under test> to the introspection endpoint without credentials.",
		Accepts:   "A refusal; any 200 fails, whatever active says. Another status than 401 is noted (INT-05 grades it).",
		Catches:   "Introspection endpoints open to anyone who holds (or guesses) a token.",
		Run: func(h *H) {
			u := h.needEndpoint(h.introspectionURL(), "introspection_endpoint", "--introspection-url")
			r := h.Send(form("token", h.freshToken()), URL(u))
			h.Require(r.Status != 200, "a refusal of an unauthenticated introspection request (RFC 7662 §2.1)", "%s", r.Summary())
			if r.Status != 401 {
				h.Note("refused with %d (401 expected; the status of a failed caller authentication is INT-05's)", r.Status)
			}
		},
	})
	introspectionSpec(Spec{
		ID: "INT-02", RFC: "7662", Section: "2.2", Level: reports.Must,
		DependsOn: []string{idJSONToken, "RESP-AT-01", "INT-08"},
		Title:     "The introspection answer is a JSON object with a boolean active: true for the caller's fresh token.",
		How:       "Introspect a fresh token of the client under test, authenticated as it.",
		Accepts:   "200, application/json, \"active\": true (a JSON boolean).",
		Run: func(h *H) {
			r := h.introspect(h.freshToken())
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			h.Require(r.Status == 200 && mt == "application/json", "200 with application/json (RFC 7662 §2.2)", "%s; Content-Type %q", r.Summary(), r.Header.Get("Content-Type"))
			obj, err := r.JSON()
			h.Require(err == nil, "a JSON object", "%v", err)
			h.Require(obj["active"] == true, "\"active\": true (a JSON boolean) for a fresh token", "active %#v", obj["active"])
		},
	})
	introspectionSpec(Spec{
		ID: "INT-03", RFC: "7662", Section: "2.2", Level: reports.Must,
		DependsOn: []string{idBaseline, "INT-08"},
		Title:     "An unknown or malformed token is {\"active\":false} and nothing more.",
		How:       "Introspect token=occheck-not-a-token, authenticated as the client under test.",
		Accepts:   "200 with active false; other members warn (RFC 7662 §2.2: SHOULD NOT reveal more).",
		Run: func(h *H) {
			r := h.introspect("occheck-not-a-token")
			obj, err := r.JSON()
			h.Require(r.Status == 200 && err == nil && obj["active"] == false, "200 {\"active\":false} for an unknown token (RFC 7662 §2.2)", "%s", r.Summary())
			var extra []string
			for k := range obj {
				if k != "active" {
					extra = append(extra, k)
				}
			}
			h.Should(len(extra) == 0, "no other member for an inactive token", "also: %s", strings.Join(extra, ", "))
		},
	})
	introspectionSpec(Spec{
		ID: "INT-04", RFC: "7662", Section: "2.2", Level: reports.Should,
		DependsOn: []string{idJSONToken, "RESP-AT-01", "INT-02", "INT-08"},
		Title:     "Members of an active answer describe the token as issued, in their defined types.",
		How:       "Introspect a fresh token and compare scope, client_id, token_type, exp, iat, nbf, aud, iss with the token response and the JSON types of RFC 7662 §2.2.",
		Accepts:   "Each member present with its type and value; a wrong one warns.",
		Run: func(h *H) {
			tr, obj := h.MustToken()
			tok, _ := obj["access_token"].(string)
			r := h.introspect(tok)
			got, err := r.JSON()
			h.Require(r.Status == 200 && err == nil && got["active"] == true, "an active answer for a fresh token", "%s", r.Summary())
			if s, ok := got["scope"]; ok {
				str, isStr := s.(string)
				h.Should(isStr, "scope a space-separated string", "scope %#v", s)
				if want := tr.String("scope"); isStr && want != "" {
					h.Should(sameScopes(str, want), "scope "+want+" (the token response's)", "scope %q", str)
				}
			}
			if c, ok := got["client_id"]; ok {
				h.Should(c == h.T.Client.ID, "client_id "+h.T.Client.ID, "client_id %#v", c)
			}
			if tt, ok := got["token_type"]; ok {
				s, _ := tt.(string)
				h.Should(strings.EqualFold(s, tr.String("token_type")), "token_type as in the token response", "token_type %#v", tt)
			}
			for _, k := range []string{"exp", "iat", "nbf"} {
				if v, ok := got[k]; ok {
					n, isNum := v.(json.Number)
					_, err := n.Int64()
					h.Should(isNum && err == nil, k+" integer seconds", "%s %v", k, v)
				}
			}
			if a, ok := got["aud"]; ok {
				_, isStr := a.(string)
				_, isList := strList(a)
				h.Should(isStr || isList, "aud a string or an array of strings", "aud %#v", a)
			}
			for _, k := range []string{"iss", "sub", "jti"} {
				if v, ok := got[k]; ok {
					_, isStr := v.(string)
					h.Should(isStr, k+" a string", "%s %#v", k, v)
				}
			}
		},
	})
	introspectionSpec(Spec{
		ID: "INT-05", RFC: "7662", Section: "2.3", Level: reports.Must,
		// A wrong secret the token endpoint accepts too is AUTH-BASIC-06's.
		DependsOn: []string{idJSONToken, "RESP-AT-01", "AUTH-BASIC-06", "INT-08"},
		Title:     "A caller with invalid credentials gets 401.",
		How:       "Introspect a fresh token with HTTP Basic for the client under test and a wrong secret.",
		Accepts:   "401 invalid_client; a 200 fails; 400 warns.",
		Run: func(h *H) {
			u := h.needEndpoint(h.introspectionURL(), "introspection_endpoint", "--introspection-url")
			r := h.Send(form("token", h.freshToken()), URL(u), Basic(&Client{ID: h.T.Client.ID, Secret: wrongSecret}))
			h.Require(r.Status != 200, "a refusal of a caller with a wrong secret", "%s", r.Summary())
			h.Should(r.Status == 401 && r.ErrorCode() == rfc6749.ErrInvalidClient, "401 invalid_client (RFC 7662 §2.3)", "%s", r.Summary())
		},
	})
	introspectionSpec(Spec{
		ID: "INT-06", RFC: "7662", Section: "2.1", Level: reports.Must,
		DependsOn: []string{"INT-02", "INT-08"},
		Title:     "A wrong token_type_hint does not hide the token.",
		How:       "Introspect a fresh access token with token_type_hint=refresh_token.",
		Accepts:   "active true.",
		Run: func(h *H) {
			r := h.introspect(h.freshToken(), "token_type_hint", "refresh_token")
			obj, _ := r.JSON()
			h.Require(obj["active"] == true, "active true: the server searches every token type (RFC 7662 §2.1)", "%s", r.Summary())
		},
	})
	introspectionSpec(Spec{
		ID: "INT-07", RFC: "7662", Section: "4", Level: reports.Must,
		DependsOn: []string{idJSONToken, "RESP-AT-01", "INT-02", "INT-08"},
		Title:     "An expired token is inactive.",
		How: "A token that lives at most 120 s: the client under test's, else --short-lived-client-id's. Introspect it at once, as its own client, " +
			"then once a second from 1 s to 5 s (a margin for clock skew) after its expires_in has run out.",
		Accepts: "active true at first, active false by 5 s after the expiry. Skipped when no client gets tokens of 120 s or less.",
		Catches: "Introspection that answers from a token's record or signature without checking exp.",
		Run: func(h *H) {
			u := h.needEndpoint(h.introspectionURL(), "introspection_endpoint", "--introspection-url")
			c := &h.T.Client
			issued := time.Now()
			_, obj := h.MustToken()
			life, ok := lifetime(obj)
			if (!ok || life > maxWatchedLifetime) && h.T.ShortLivedClient != nil {
				c = h.T.ShortLivedClient
				issued = time.Now()
				r := h.Send(ccBody(), h.As(c))
				obj, _ = r.JSON()
				life, ok = lifetime(obj)
				if !r.OK() || !ok || life > maxWatchedLifetime {
					h.Skip(fmt.Sprintf("the short-lived client %s got no token of at most %d s (%s)", c.ID, maxWatchedLifetime, r.Summary()))
				}
			}
			if !ok || life > maxWatchedLifetime {
				h.Skip(fmt.Sprintf("tokens live %v s here; watching one expire needs a client whose tokens live at most %d s (--short-lived-client-id)", obj["expires_in"], maxWatchedLifetime))
			}
			tok, _ := obj["access_token"].(string)
			first := h.Send(form("token", tok), URL(u), h.As(c))
			fobj, _ := first.JSON()
			if fobj["active"] != true {
				h.Skip("the fresh token is not active to its own client (" + first.Summary() + "): INT-02 grades that; its expiry cannot be watched")
			}
			// From 1 s after the expiry, once a second, until 5 s after it
			// (the margin for clock skew): the first inactive answer passes.
			expiry := issued.Add(time.Duration(life) * time.Second)
			var after *Response
			for wait := 1; wait <= 5; wait++ {
				select {
				case <-time.After(time.Until(expiry.Add(time.Duration(wait) * time.Second))):
				case <-h.ctx.Done():
					h.Skip("the run was cancelled while the token was expiring")
				}
				after = h.Send(form("token", tok), URL(u), h.As(c))
				if aobj, _ := after.JSON(); after.Status == 200 && aobj["active"] == false {
					h.Note("inactive %d s after the %d s token's expiry", wait, life)
					return
				}
			}
			h.Require(false, "active false at the latest 5 s after the token's expires_in ran out (RFC 7662 §4)", "%s", after.Summary())
		},
	})
	introspectionSpec(Spec{
		ID: "INT-08", RFC: "7662", Section: "4", Level: reports.Must,
		Title:   "The introspection endpoint is served over TLS.",
		How:     "The introspection endpoint URL.",
		Accepts: "https; plain http on loopback is noted.",
		Run: func(h *H) {
			h.tlsURL(h.knownEndpoint(h.introspectionURL(), "introspection_endpoint", "--introspection-url"), "the introspection endpoint")
		},
	})

	revocationSpec(Spec{
		ID: "REV-01", RFC: "7009", Section: "2.1", Level: reports.Should,
		DependsOn: []string{idJSONToken, "RESP-AT-01", "REV-07"},
		Title:     "A client revokes its own access token.",
		How:       "POST token=<a fresh token>&token_type_hint=access_token to the revocation endpoint, authenticated as the client under test.",
		Accepts:   "200. 400 unsupported_token_type warns (revoking access tokens is a SHOULD); any other refusal fails.",
		Run: func(h *H) {
			r := h.revokeToken(h.freshToken(), "token_type_hint", "access_token")
			if r.Status == 400 && r.ErrorCode() == "unsupported_token_type" {
				h.Should(false, "access tokens revocable (RFC 7009 §2: SHOULD)", "%s", r.Summary())
				return
			}
			h.Must(r.Status == 200, "200 for the revocation of the client's own token", "%s", r.Summary())
		},
	})
	revocationSpec(Spec{
		ID: "REV-02", RFC: "7009", Section: "2.1", Level: reports.Must,
		DependsOn: []string{"REV-01", "INT-02", "REV-07"},
		Title:     "A revoked token is inactive at once.",
		How:       "Revoke a fresh token, then introspect it, and call the resource with it (--resource-url).",
		Accepts:   "active false (RFC 7662 §4 makes the revocation check mandatory); a resource that still takes the token warns.",
		Run: func(h *H) {
			tok := h.freshToken()
			if rv := h.revokeToken(tok); rv.Status != 200 {
				h.Skip("the revocation was refused (" + rv.Summary() + "): REV-01 grades it")
			}
			r := h.introspect(tok)
			obj, _ := r.JSON()
			h.Require(obj["active"] == false, "active false after the revocation was accepted", "%s", r.Summary())
			// A resource that takes invalid tokens at all is RS-03's.
			if h.T.ResourceURL != "" && h.st.result(h.ctx, specByID("RS-03")).Verdict != reports.Fail {
				rs := h.callResource("Bearer " + tok)
				h.Should(!rsAccepted(rs), "the resource refuses the revoked token too", "%s", rs.Summary())
			}
		},
	})
	revocationSpec(Spec{
		ID: "REV-03", RFC: "7009", Section: "2.2", Level: reports.Must,
		DependsOn: []string{idBaseline, "REV-07"},
		Title:     "Revoking an invalid or unknown token is not an error.",
		How:       "POST token=occheck-not-a-token, authenticated.",
		Accepts:   "200.",
		Run: func(h *H) {
			r := h.revokeToken("occheck-not-a-token")
			if r.ErrorCode() == "unsupported_token_type" {
				h.Note("unsupported_token_type for an unknown token: the server revokes no access tokens at all (REV-01's warning)")
				return
			}
			h.Expect(r).To(HaveStatus(200), "200 for an unknown token (RFC 7009 §2.2)")
		},
	})
	revocationSpec(Spec{
		ID: "REV-04", RFC: "7009", Section: "2.1", Level: reports.Must,
		DependsOn: []string{idJSONToken, "RESP-AT-01", "AUTH-BASIC-06", "REV-07"},
		Title:     "The revocation endpoint authenticates the client first; refusals are RFC 6749 §5.2 errors.",
		How:       "(a) no token parameter; (b) Basic with a wrong secret and a fresh token; (c) no credentials and a fresh token.",
		Accepts:   "(a) 400 invalid_request; (b) 401 invalid_client with a challenge; (c) a refusal (codes warn). In (b) and (c) the token must stay active.",
		Run: func(h *H) {
			u := h.needEndpoint(h.revocationURL(), "revocation_endpoint", "--revocation-url")
			r := h.Send("", URL(u), h.As(&h.T.Client))
			h.Should(r.Status == 400 && r.ErrorCode() == rfc6749.ErrInvalidRequest, "400 invalid_request without a token parameter", "%s", r.Summary())
			for _, c := range []struct {
				what string
				opts []Opt
			}{
				{"a wrong secret", []Opt{URL(u), Basic(&Client{ID: h.T.Client.ID, Secret: wrongSecret})}},
				{"no credentials", []Opt{URL(u)}},
			} {
				tok := h.freshToken()
				r := h.Send(form("token", tok), c.opts...)
				if active, known := h.tokenActive(tok); known {
					h.Must(active, "the token still active after a revocation request with "+c.what, "introspection says it is inactive (%s)", r.Summary())
				}
				h.Should(r.Status == 401 || r.Status == 400, "a refusal of a revocation request with "+c.what, "%s", r.Summary())
			}
		},
	})
	revocationSpec(Spec{
		ID: "REV-05", RFC: "7009", Section: "2.1", Level: reports.Must,
		DependsOn: []string{idJSONToken, "RESP-AT-01", "INT-02", "REV-07"},
		Needs:     []Need{needSpecial},
		Title:     "Another client cannot revoke a client's token.",
		How:       "The second client (--special-client-id) revokes a fresh token of the client under test; then introspect it.",
		Accepts:   "The token still active. An error is what RFC 7009 §2.1 describes; a 200 that changed nothing is recorded.",
		Run: func(h *H) {
			u := h.needEndpoint(h.revocationURL(), "revocation_endpoint", "--revocation-url")
			tok := h.freshToken()
			r := h.Send(form("token", tok), URL(u), h.As(h.T.SpecialClient))
			active, known := h.tokenActive(tok)
			if !known {
				h.Skip("the token's state cannot be read back (introspection gave no usable answer)")
			}
			h.Require(active, "the token still active after another client asked to revoke it", "introspection says inactive (%s)", r.Summary())
			if r.Status == 200 {
				h.Note("another client's revocation request: 200 without effect")
			}
		},
	})
	revocationSpec(Spec{
		ID: "REV-06", RFC: "7009", Section: "2.1", Level: reports.Must,
		DependsOn: []string{"REV-02", "REV-07"},
		Title:     "A hint that does not fit, or an unknown hint, never prevents the revocation.",
		How:       "Revoke a fresh access token with (a) token_type_hint=refresh_token, (b) token_type_hint=bogus; introspect each.",
		Accepts:   "Each revoked (inactive); an error answer to (b) warns.",
		Run: func(h *H) {
			for _, hint := range []string{"refresh_token", "occheck-bogus"} {
				tok := h.freshToken()
				r := h.revokeToken(tok, "token_type_hint", hint)
				if active, known := h.tokenActive(tok); known {
					h.Require(!active, "the token revoked despite token_type_hint="+hint+" (RFC 7009 §2.1: search all types)", "still active (%s)", r.Summary())
				}
				h.Should(r.Status == 200, "200 for token_type_hint="+hint, "%s", r.Summary())
			}
		},
	})
	revocationSpec(Spec{
		ID: "REV-07", RFC: "7009", Section: "2", Level: reports.Must,
		Title:   "The revocation endpoint is served over TLS.",
		How:     "The revocation endpoint URL.",
		Accepts: "https; plain http on loopback is noted.",
		Run: func(h *H) {
			h.tlsURL(h.knownEndpoint(h.revocationURL(), "revocation_endpoint", "--revocation-url"), "the revocation endpoint")
		},
	})
}

// sameScopes compares two space-separated scope strings as sets.
func sameScopes(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	if len(x) != len(y) {
		return false
	}
	seen := map[string]bool{}
	for _, s := range x {
		seen[s] = true
	}
	for _, s := range y {
		if !seen[s] {
			return false
		}
	}
	return true
}

// maxWatchedLifetime is the longest token lifetime INT-07 waits out.
const maxWatchedLifetime = 120

// lifetime reads a token response's expires_in as whole seconds.
func lifetime(obj map[string]any) (int64, bool) {
	n, ok := obj["expires_in"].(json.Number)
	if !ok {
		return 0, false
	}
	v, err := n.Int64()
	return v, err == nil && v >= 0
}

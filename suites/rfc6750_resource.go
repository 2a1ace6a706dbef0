package suites

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 6750: a protected resource (--resource-url) that takes the client
// under test's tokens. Each spec sends the resource a fresh token, or a
// defective one, and reads the answer and its Bearer challenge.

var needResourceURL = need(func(t *Target) bool { return t.ResourceURL != "" }, "needs a protected resource that accepts the client's tokens (--resource-url)")

// resourceSpec declares a spec of this section.
func resourceSpec(s Spec) {
	s.Needs = append([]Need{needResourceURL}, s.Needs...)
	s.Labels = append(s.Labels, "rs")
	add(s)
}

// callResource sends a GET to the resource with an Authorization header
// ("" for none), presenting the client's certificate when its tokens may
// be bound to it (RFC 8705 §3).
func (h *H) callResource(authz string, opts ...Opt) *Response {
	return h.callResourceAt(h.T.ResourceURL, authz, opts...)
}

// callResourceAt is callResource for another route.
func (h *H) callResourceAt(u, authz string, opts ...Opt) *Response {
	all := []Opt{Method(http.MethodGet), URL(u), Header("Authorization", authz)}
	if c := h.T.ClientCert(); c != nil {
		all = append(all, h.WithCert(&c.Cert))
	}
	return h.Send("", append(all, opts...)...)
}

// bearerChallenge is the first Bearer challenge of a response.
func bearerChallenge(r *Response) (challenge, bool) {
	for _, v := range r.Header.Values("WWW-Authenticate") {
		for _, c := range parseChallenges(v) {
			if strings.EqualFold(c.scheme, "Bearer") {
				return c, true
			}
		}
	}
	return challenge{}, false
}

// rsToken is a fresh token for the resource; a token whose audience is
// wrong (ATJ-AUD-01 failed) would be refused for that one defect.
func (h *H) rsToken() string {
	if r := h.st.result(h.ctx, specByID("ATJ-AUD-01")); r.Verdict == reports.Fail {
		h.Skip(dependencyReason("ATJ-AUD-01", r))
	}
	return h.freshToken()
}

// rsAccepted reports whether the resource let a request through.
func rsAccepted(r *Response) bool { return r.Status/100 == 2 }

func init() {
	resourceSpec(Spec{
		ID: "RS-07", RFC: "6750", Section: "2.1", Level: reports.Must,
		DependsOn: []string{idJSONToken, "RESP-AT-01"},
		Title:     "The resource accepts the client's token in Authorization: Bearer (the scheme in any case).",
		How:       "GET the resource with a fresh token of the client under test, as Bearer, then as bearer.",
		Accepts:   "2xx for both; a refusal of the lower-case scheme warns (RFC 9110 §11.1: scheme names are case-insensitive).",
		Run: func(h *H) {
			tok := h.rsToken()
			r := h.callResource("Bearer " + tok)
			h.Require(rsAccepted(r), "access with a fresh token in Authorization: Bearer", "%s", r.Summary())
			r = h.callResource("bearer " + tok)
			h.Should(rsAccepted(r), "access with the scheme written bearer", "%s", r.Summary())
		},
	})
	resourceSpec(Spec{
		ID: "RS-01", RFC: "6750", Section: "3", Level: reports.Must,
		DependsOn: []string{"RS-07"},
		Title:     "A request without a token gets a Bearer challenge without an error code.",
		How:       "GET the resource (a) with no Authorization header, (b) with Authorization: Basic (a scheme it does not take).",
		Accepts:   "401 with WWW-Authenticate: Bearer; an error attribute warns (RFC 6750 §3.1: SHOULD NOT).",
		Run: func(h *H) {
			for _, c := range []struct{ what, authz string }{
				{"no token", ""},
				{"a Basic credential", "Basic " + base64.StdEncoding.EncodeToString([]byte("occheck:occheck"))},
			} {
				r := h.callResource(c.authz)
				h.Require(!rsAccepted(r), "no access with "+c.what, "%s", r.Summary())
				ch, ok := bearerChallenge(r)
				h.Require(r.Status == 401 && ok, "401 with a Bearer challenge for "+c.what+" (RFC 6750 §3)", "%s; WWW-Authenticate %q", r.Summary(), r.Header.Values("WWW-Authenticate"))
				h.Should(ch.params["error"] == "", "no error attribute for "+c.what+" (RFC 6750 §3.1)", "error=%q", ch.params["error"])
			}
		},
	})
	resourceSpec(Spec{
		ID: "RS-03", RFC: "6750", Section: "3.1", Level: reports.Must,
		DependsOn: []string{"RS-07"},
		Title:     "A malformed, tampered or unsigned token gets no access and a challenge, ideally 401 invalid_token.",
		How:       "GET the resource with (a) garbage, (b) a fresh token with a changed signature, (c) its claims re-sent with alg none.",
		Accepts:   "No access and a Bearer challenge for each (MUST); 401 with error=\"invalid_token\" (SHOULD).",
		Run: func(h *H) {
			tok := h.rsToken()
			bad := []struct{ what, tok string }{{"garbage", "occheck-not-a-token"}, {"a changed signature", corruptSignature(tok)}}
			if parts := strings.Split(tok, "."); len(parts) == 3 {
				none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
				bad = append(bad, struct{ what, tok string }{"alg none", none + "." + parts[1] + "."})
			}
			// A resource that sends no challenge at all is RS-01's failure.
			noChallenges := h.st.result(h.ctx, specByID("RS-01")).Verdict == reports.Fail
			for _, b := range bad {
				r := h.callResource("Bearer " + b.tok)
				h.Require(!rsAccepted(r), "no access with "+b.what, "%s", r.Summary())
				ch, ok := bearerChallenge(r)
				if !ok && noChallenges {
					h.Note("no Bearer challenge for %s (RS-01 fails for the same reason)", b.what)
					continue
				}
				h.Require(ok, "a Bearer challenge for "+b.what+" (RFC 6750 §3)", "%s; WWW-Authenticate %q", r.Summary(), r.Header.Values("WWW-Authenticate"))
				h.Should(r.Status == 401 && ch.params["error"] == "invalid_token", "401 with error=\"invalid_token\" for "+b.what, "%d, error=%q", r.Status, ch.params["error"])
			}
		},
	})
	resourceSpec(Spec{
		ID: "RS-02", RFC: "6750", Section: "3", Level: reports.Must,
		DependsOn: []string{"RS-07"},
		Title:     "Bearer challenges are well formed: an auth-param at least; realm, scope, error, error_description, error_uri at most once, in their character sets.",
		How:       "Parse the Bearer challenges of a request without a token and of one with garbage.",
		Accepts:   "Each attribute once, error and error_description within RFC 6749 A.7/A.8; a bare Bearer warns.",
		Run: func(h *H) {
			for _, authz := range []string{"", "Bearer occheck-not-a-token"} {
				r := h.callResource(authz)
				for _, v := range r.Header.Values("WWW-Authenticate") {
					if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "bearer") {
						continue
					}
					h.Should(strings.TrimSpace(v) != "Bearer" && strings.Contains(v, "="), "Bearer followed by an auth-param (RFC 6750 §3)", "%q", v)
					for _, attr := range []string{"realm", "scope", "error", "error_description", "error_uri"} {
						h.Require(strings.Count(strings.ToLower(v), attr+"=")-strings.Count(strings.ToLower(v), "_"+attr+"=") <= 1, attr+" at most once (RFC 6750 §3)", "%q", v)
					}
					ch, _ := bearerChallenge(r)
					if e := ch.params["error"]; e != "" {
						h.Require(rfc6749.ValidErrorText(e), "an error code within RFC 6749 A.7", "%q", e)
					}
					if d := ch.params["error_description"]; d != "" {
						h.Require(rfc6749.ValidErrorText(d), "an error_description within RFC 6749 A.8", "%q", d)
					}
				}
			}
		},
	})
	resourceSpec(Spec{
		ID: "RS-05", RFC: "6750", Section: "2", Level: reports.Should,
		DependsOn: []string{"RS-07"},
		Title:     "Two token transports in one request make it malformed: 400 invalid_request.",
		How:       "POST the resource with the token in Authorization: Bearer and as access_token in a form body.",
		Accepts:   "400 with error invalid_request; access or another answer warns. Recorded only when the resource takes no form-body token at all.",
		Run: func(h *H) {
			tok := h.rsToken()
			all := []Opt{URL(h.T.ResourceURL), Header("Authorization", "Bearer "+tok)}
			if c := h.T.ClientCert(); c != nil {
				all = append(all, h.WithCert(&c.Cert))
			}
			// A resource that takes no form-body token never sees the second
			// one: RFC 6750 §2.2 is optional, and RS-05 does not apply.
			bodyOnly := []Opt{URL(h.T.ResourceURL)}
			if c := h.T.ClientCert(); c != nil {
				bodyOnly = append(bodyOnly, h.WithCert(&c.Cert))
			}
			if b := h.Send(form("access_token", tok), bodyOnly...); !rsAccepted(b) {
				h.Note("the resource takes no token in a form body (%d): a second transport is never seen", b.Status)
				return
			}
			r := h.Send(form("access_token", tok), all...)
			ch, _ := bearerChallenge(r)
			code := ch.params["error"]
			if code == "" {
				code = r.ErrorCode()
			}
			h.Should(r.Status == 400 && code == rfc6749.ErrInvalidRequest, "400 invalid_request for a token sent twice (RFC 6750 §2, §3.1)", "%s", r.Summary())
		},
	})
	resourceSpec(Spec{
		ID: "RS-04", RFC: "6750", Section: "3.1", Level: reports.Must,
		DependsOn: []string{"RS-07"},
		Needs:     []Need{need(func(t *Target) bool { return t.ResourceScopeURL != "" }, "needs a route that needs a scope the client's token lacks (--resource-scope-url)")},
		Title:     "A token without the scope a route needs gets no access: 403 insufficient_scope in a Bearer challenge.",
		How:       "GET --resource-scope-url with a fresh token of the client under test.",
		Accepts:   "No access and a Bearer challenge (MUST); 403 with error=\"insufficient_scope\" (SHOULD); the scope attribute naming what is needed is recorded.",
		Run: func(h *H) {
			r := h.callResourceAt(h.T.ResourceScopeURL, "Bearer "+h.rsToken())
			h.Require(!rsAccepted(r), "no access to a route that needs another scope", "%s", r.Summary())
			ch, ok := bearerChallenge(r)
			if !ok && h.st.result(h.ctx, specByID("RS-01")).Verdict == reports.Fail {
				h.Note("no Bearer challenge (RS-01 fails for the same reason)")
				return
			}
			h.Require(ok, "a Bearer challenge (RFC 6750 §3: the token does not grant access)", "%s; WWW-Authenticate %q", r.Summary(), r.Header.Values("WWW-Authenticate"))
			h.Should(r.Status == 403 && ch.params["error"] == "insufficient_scope", "403 with error=\"insufficient_scope\"", "%d, error=%q", r.Status, ch.params["error"])
			if ch.params["scope"] == "" {
				h.Note("the challenge does not name the scope needed (RFC 6750 §3: MAY)")
			}
		},
	})
	resourceSpec(Spec{
		ID: "RS-06", RFC: "9700", Section: "2.3", Level: reports.Must,
		DependsOn: []string{idJSONToken, "RS-07"},
		Needs:     []Need{need(func(t *Target) bool { return t.OtherResource != "" }, "needs a resource the client may ask for whose tokens the resource must refuse (--other-resource)")},
		Title:     "A token for another audience is refused.",
		How:       "A fresh token asked with resource=--other-resource (RFC 8707), sent to the resource.",
		Accepts:   "No access.",
		Catches:   "Resource servers that never check aud, so a token minted for one API opens another.",
		Run: func(h *H) {
			_, obj := h.MustToken("resource", h.T.OtherResource)
			tok, _ := obj["access_token"].(string)
			r := h.callResource("Bearer " + tok)
			h.Require(!rsAccepted(r), "no access with a token for "+h.T.OtherResource, "%s", r.Summary())
		},
	})
	resourceSpec(Spec{
		ID: "RS-08", RFC: "6750", Section: "2.3", Level: reports.Note,
		DependsOn: []string{"RS-07"},
		Title:     "The form-body and query transports of a token (optional).",
		How:       "POST the resource with access_token in a form body; GET it with access_token in the query.",
		Accepts:   "Recorded. A query token accepted with a 2xx that lacks Cache-Control private or no-store warns (RFC 6750 §2.3); under --profile fapi2 a query token accepted fails (FAPI 2.0 SP §5.3.4).",
		Run: func(h *H) {
			tok := h.rsToken()
			var opts []Opt
			if c := h.T.ClientCert(); c != nil {
				opts = append(opts, h.WithCert(&c.Cert))
			}
			r := h.Send(form("access_token", tok), append([]Opt{URL(h.T.ResourceURL)}, opts...)...)
			h.Note("form-body token (RFC 6750 §2.2): %s", map[bool]string{true: "accepted", false: "refused"}[rsAccepted(r)])
			q := h.Send("", append([]Opt{Method(http.MethodGet), URL(h.T.ResourceURL), Query(form("access_token", tok))}, opts...)...)
			if !rsAccepted(q) {
				h.Note("query token (RFC 6750 §2.3): refused")
				return
			}
			h.Note("query token (RFC 6750 §2.3): accepted")
			if h.T.Has(ProfileFAPI2) {
				h.Must(false, "no access with a token in the query (FAPI 2.0 Security Profile §5.3.4)", "%s", q.Summary())
			}
			cc := strings.ToLower(q.Header.Get("Cache-Control"))
			h.Should(strings.Contains(cc, "private") || strings.Contains(cc, "no-store"), "Cache-Control: private on a 2xx to a query token (RFC 6750 §2.3)", "Cache-Control %q", cc)
		},
	})
}

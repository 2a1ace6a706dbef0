package suites

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 6749 §2.3 and §2.3.1 (client password authentication), §3.2.1,
// Appendix B (form-encoding before HTTP Basic).

const wrongSecret = "occheck-wrong-secret"

func init() {
	add(Spec{
		ID: "CC-AUTH-01", RFC: "6749", Section: "3.2.1", Level: reports.Must,
		Title:   "A request without client authentication gets no token.",
		How:     "grant_type=client_credentials with no Authorization header and no client parameters.",
		Accepts: "A 4xx without a token.",
		Catches: "Endpoints left open by configuration.",
		Run: func(h *H) {
			r := h.Send(h.scoped())
			h.ClientError(r, "without client authentication")
		},
	})
	add(Spec{
		ID: "CC-AUTH-01-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		DependsOn: []string{"CC-AUTH-01", "ERR-400-01", "ERR-JSON-01"},
		Title:     "Missing client authentication is invalid_client.",
		How:       "grant_type=client_credentials with no credentials at all.",
		Accepts:   "400 or 401 invalid_client (a 401 with a challenge).",
		Catches:   "invalid_request for a missing credential.",
		Run: func(h *H) {
			r := h.Send(h.scoped())
			h.ErrorCode(r, []int{400, 401}, rfc6749.ErrInvalidClient)
		},
	})
	add(Spec{
		ID: "CC-AUTH-02", RFC: "6749", Section: "3.2.1", Level: reports.Must,
		Title:   "client_id alone identifies but does not authenticate a confidential client.",
		How:     "Body client_id=<client> without a secret or header.",
		Accepts: "A refusal without a token (the code is CC-AUTH-02-CODE's).",
		Run: func(h *H) {
			r := h.Send(ccBody("client_id", h.T.Client.ID))
			h.ClientError(r, "for client_id without a secret")
		},
	})
	add(Spec{
		ID: "CC-AUTH-02-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		DependsOn: []string{"CC-AUTH-02", "ERR-400-01", "ERR-JSON-01"},
		Title:     "client_id without a secret is invalid_client.",
		How:       "Body client_id=<client> without a secret or header.",
		Accepts:   "400 or 401 invalid_client (a 401 with a challenge).",
		Run: func(h *H) {
			r := h.Send(ccBody("client_id", h.T.Client.ID))
			h.InvalidClient(r, false)
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-01", RFC: "6749", Section: "2.3.1", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Title:     "HTTP Basic client authentication is supported.",
		How:       "A valid request with Authorization: Basic (id and secret form-encoded).",
		Accepts:   "200 with a token. With --auth-method auto, a refusal is a skip naming it: the client may be registered for client_secret_post only.",
		Labels:    []string{"basic"},
		Run:       func(h *H) { h.checkMethod(rfc6749.AuthClientSecretBasic) },
	})
	add(Spec{
		ID: "AUTH-BASIC-02", RFC: "6749", Section: "B", Level: reports.Must,
		DependsOn: []string{"AUTH-BASIC-01"},
		Title:     "Basic credentials are form-urldecoded: an encoded id and secret authenticate.",
		How:       "The special client with Basic base64(urlencode(id):urlencode(secret)).",
		Accepts:   "200 with a token.",
		Catches:   "Servers that skip the decoding step, or split after decoding.",
		Labels:    []string{"basic"},
		Needs:     []Need{needSpecial},
		Run: func(h *H) {
			r := h.specialToken(Basic(h.T.SpecialClient))
			h.Require(r.OK(), "a token", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-03", RFC: "6749", Section: "B", Level: reports.Note,
		Title:   "Raw (not form-encoded) Basic credentials with reserved characters.",
		How:     "The special client with Basic base64(id:secret), nothing encoded.",
		Accepts: "Observation only: Appendix B wants encoding, many clients send raw.",
		Labels:  []string{"basic"},
		Needs:   []Need{needSpecial},
		Run: func(h *H) {
			c := h.T.SpecialClient
			r := h.Send(ccBody(), BasicRaw(c.ID+":"+c.Secret))
			if r.HasToken() {
				h.Note("raw Basic credentials are accepted too (a lenient fallback)")
			} else {
				h.Note("raw Basic credentials are refused (%d %s), as Appendix B reads", r.Status, r.ErrorCode())
			}
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-04", RFC: "6749", Section: "B", Level: reports.Must,
		DependsOn: []string{"AUTH-BASIC-01"},
		Title:     "Form-decoding turns '+' and %20 into a space.",
		How:       "The special client (its secret or id holds a space) with the space sent as '+' and as %20.",
		Accepts:   "200 with a token for both.",
		Catches:   "Percent-decoding only (Go url.PathUnescape instead of QueryUnescape).",
		Labels:    []string{"basic"},
		Needs: []Need{needSpecial, func(t *Target) string {
			if !strings.Contains(t.SpecialClient.ID+t.SpecialClient.Secret, " ") {
				return "the special client's id and secret hold no space"
			}
			return ""
		}},
		Run: func(h *H) {
			c := h.T.SpecialClient
			plus := url.QueryEscape(c.ID) + ":" + url.QueryEscape(c.Secret)
			pct := strings.ReplaceAll(plus, "+", "%20")
			for _, cred := range []string{plus, pct} {
				r := h.specialToken(BasicRaw(cred))
				h.Require(r.OK(), "a token", "%s", r.Summary())
			}
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-05", RFC: "9110", Section: "11.1", Level: reports.Should,
		DependsOn: []string{"AUTH-BASIC-01"},
		Title:     "The auth scheme name is case-insensitive: 'basic' is Basic.",
		How:       "A valid request with Authorization: basic ...",
		Accepts:   "200 with a token.",
		Labels:    []string{"basic"},
		Run: func(h *H) {
			c := &h.T.Client
			cred := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.ID) + ":" + url.QueryEscape(c.Secret)))
			r := h.Send(h.scoped(), Header("Authorization", "basic "+cred))
			h.Require(r.OK(), "a token", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-06", RFC: "6749", Section: "2.3.1", Level: reports.Must,
		Title:   "A wrong secret sent with HTTP Basic never yields a token.",
		How:     "Basic with the client's id and a wrong secret.",
		Accepts: "A 4xx without a token (status and code are graded by ERR-401-01).",
		Catches: "Servers that check only the client id.",
		Labels:  []string{"basic"},
		Run: func(h *H) {
			r := h.Send(h.scoped(), Basic(&Client{ID: h.T.Client.ID, Secret: wrongSecret}))
			h.ClientError(r, "for a wrong secret")
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-07", RFC: "6749", Section: "5.2", Level: reports.Must,
		Title:   "A malformed Basic header is a failed client authentication, never a crash.",
		How:     "Basic with invalid base64, with no colon, and with nothing at all.",
		Accepts: "400 or 401 (invalid_client or invalid_request), no token, no 5xx.",
		Catches: "5xx from a panic while decoding the header.",
		Labels:  []string{"basic"},
		Run: func(h *H) {
			for _, v := range []string{"Basic !!!occheck", "Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon-here")), "Basic"} {
				r := h.Send(h.scoped(), Header("Authorization", v))
				h.Must(!r.HasToken(), "no access token for a malformed Basic header", "%s", r.Summary())
				h.ShouldCode(r, []int{400, 401}, rfc6749.ErrInvalidClient, rfc6749.ErrInvalidRequest)
			}
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-08", RFC: "6749", Section: "2.3.1", Level: reports.Must,
		Title:   "An unknown client id sent with HTTP Basic never yields a token.",
		How:     "Basic with an id no server has registered.",
		Accepts: "A refusal without a token (status and code are graded by ERR-401-01).",
		Labels:  []string{"basic"},
		Run: func(h *H) {
			r := h.Send(h.scoped(), Basic(&Client{ID: "occheck-unknown-client", Secret: wrongSecret}))
			h.ClientError(r, "for an unknown client")
		},
	})
	add(Spec{
		ID: "AUTH-BASIC-08-ENUM", RFC: "6749", Section: "10.10", Level: reports.Note,
		Title:   "Unknown client and wrong secret get the same answer (no client enumeration).",
		How:     "Compare the answers to AUTH-BASIC-06 and AUTH-BASIC-08 requests.",
		Accepts: "Observation only.",
		Labels:  []string{"basic"},
		Run: func(h *H) {
			wrong := h.Send(h.scoped(), Basic(&Client{ID: h.T.Client.ID, Secret: wrongSecret}))
			unknown := h.Send(h.scoped(), Basic(&Client{ID: "occheck-unknown-client", Secret: wrongSecret}))
			if wrong.Status != unknown.Status || wrong.ErrorCode() != unknown.ErrorCode() || wrong.String("error_description") != unknown.String("error_description") {
				h.Note("answers differ, so client ids can be enumerated: wrong secret %s; unknown client %s", wrong.Summary(), unknown.Summary())
			}
		},
	})
	add(Spec{
		ID: "AUTH-POST-01", RFC: "6749", Section: "2.3.1", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Title:     "client_secret_post works when the client uses it.",
		How:       "A valid request with client_id and client_secret in the body: when --auth-method names it, or (auto) when the metadata advertises it.",
		Accepts:   "200 with a token. With --auth-method auto, a refusal is a skip naming it: the client may be registered for client_secret_basic only.",
		Labels:    []string{"post"},
		Run:       func(h *H) { h.checkMethod(rfc6749.AuthClientSecretPost) },
	})
	add(Spec{
		ID: "AUTH-POST-02", RFC: "6749", Section: "2.3.1", Level: reports.Must,
		Title:   "Client credentials in the request URI are never honoured.",
		How:     "client_id and client_secret in the query, grant_type in the body, no header.",
		Accepts: "A 4xx without a token.",
		Catches: "Handlers that merge query and body.",
		Needs:   []Need{needSecret},
		Run: func(h *H) {
			c := &h.T.Client
			r := h.Send(h.scoped(), Query(form("client_id", c.ID, "client_secret", c.Secret)))
			h.ClientError(r, "for credentials in the query string")
		},
	})
	add(Spec{
		ID: "AUTH-POST-03", RFC: "6749", Section: "2.3.1", Level: reports.Must,
		Title:   "A wrong secret in the body never yields a token; the error is invalid_client.",
		How:     "client_id and a wrong client_secret in the body.",
		Accepts: "400 or 401 invalid_client without a token.",
		Labels:  []string{"post"},
		Run: func(h *H) {
			r := h.Send(h.scoped(), Post(&Client{ID: h.T.Client.ID, Secret: wrongSecret}))
			h.Must(!r.HasToken(), "no access token for a wrong secret", "%s", r.Summary())
			h.ShouldCode(r, []int{400, 401}, rfc6749.ErrInvalidClient)
		},
	})
	add(Spec{
		ID: "AUTH-MULTI-01", RFC: "6749", Section: "2.3", Level: reports.Should,
		DependsOn: []string{idBaseline},
		Title:     "Two authentication methods in one request are refused as invalid_request.",
		How:       "HTTP Basic and client_id/client_secret in the body, same client.",
		Accepts:   "400 invalid_request (invalid_client too). A token warns: RFC 6749 §2.3 puts the MUST NOT on the client, and the token went to the client that authenticated.",
		Catches:   "Servers silently preferring one method.",
		Labels:    []string{"basic", "post"},
		Needs:     []Need{needSecret},
		Run: func(h *H) {
			r := h.Send(h.scoped(), Basic(&h.T.Client), Post(&h.T.Client))
			if r.HasToken() {
				h.Should(false, "a refusal: a request with two client authentication methods is malformed (RFC 6749 §2.3, §5.2 invalid_request)",
					"a token: the server used one method and ignored the other")
				return
			}
			if !h.codeGradable() {
				return
			}
			h.Should(r.Status == 400 && (r.ErrorCode() == rfc6749.ErrInvalidRequest || r.ErrorCode() == rfc6749.ErrInvalidClient) ||
				r.Status == 401 && r.ErrorCode() == rfc6749.ErrInvalidClient,
				"400 invalid_request (or invalid_client)", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "AUTH-MULTI-02", RFC: "6749", Section: "2.3", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Title:     "With two methods naming different clients, a token only goes to a client whose own credential verified.",
		How:       "(a) Basic for the client under test plus the second client's body credentials; (b) Basic plus the second client's id with a wrong body secret; (c) the second client's id with a wrong secret in Basic plus the client under test's body credentials. The token's client is read from the JWT (client_id, azp, sub).",
		Accepts:   "A refusal. A token for a client whose credential verified warns (the MUST NOT binds the client); a token for a client whose credential did not verify fails; a token whose client cannot be seen (opaque) warns.",
		Catches:   "Servers that issue the token to the body's client without checking its secret.",
		Labels:    []string{"basic", "post"},
		Needs:     []Need{needSecret, needSpecial},
		Run: func(h *H) {
			a, b := &h.T.Client, h.T.SpecialClient
			wrongB := &Client{ID: b.ID, Secret: wrongSecret}
			h.tokenTo(h.Send(h.scopedShared(), Basic(a), Post(b)), "Basic for "+a.ID+" and body credentials for "+b.ID, []string{a.ID, b.ID}, nil)
			h.tokenTo(h.Send(h.scopedShared(), Basic(a), Post(wrongB)), "Basic for "+a.ID+" and "+b.ID+" with a wrong body secret", []string{a.ID}, []string{b.ID})
			h.tokenTo(h.Send(h.scopedShared(), Basic(wrongB), Post(a)), b.ID+" with a wrong secret in Basic and body credentials for "+a.ID, []string{a.ID}, []string{b.ID})
		},
	})
	add(Spec{
		ID: "AUTH-MULTI-03", RFC: "6749", Section: "3.2.1", Level: reports.Should,
		DependsOn: []string{"AUTH-BASIC-01"},
		Title:     "A client_id parameter naming the Basic-authenticated client is accepted.",
		How:       "HTTP Basic plus client_id=<same client> in the body.",
		Accepts:   "200 with a token.",
		Catches:   "Servers that call it a second authentication method.",
		Labels:    []string{"basic"},
		Run: func(h *H) {
			r := h.Send(h.scoped("client_id", h.T.Client.ID), Basic(&h.T.Client))
			h.Require(r.OK(), "a token", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "AUTH-MULTI-03-OTHER", RFC: "6749", Section: "3.2.1", Level: reports.Must,
		DependsOn: []string{"AUTH-BASIC-01"},
		Title:     "A client_id parameter naming another client than Basic never yields that client a token.",
		How:       "HTTP Basic for the client under test plus client_id=<the second client, or an unregistered id>.",
		Accepts:   "A refusal. A token for the Basic client warns (the conflicting client_id was ignored); a token for the client named in the body fails (it never authenticated); a token whose client cannot be seen warns.",
		Labels:    []string{"basic"},
		Run: func(h *H) {
			other := "occheck-other-client"
			if h.T.SpecialClient != nil {
				other = h.T.SpecialClient.ID
			}
			r := h.Send(h.scopedShared("client_id", other), Basic(&h.T.Client))
			h.tokenTo(r, "Basic for "+h.T.Client.ID+" and client_id="+other, []string{h.T.Client.ID}, []string{other})
		},
	})
	add(Spec{
		ID: "AUTH-SCHEME-01", RFC: "6749", Section: "2.3.1", Level: reports.Must,
		Title:   "Credentials under another Authorization scheme are not client authentication.",
		How:     "Authorization: Bearer <base64 of valid id:secret>.",
		Accepts: "A 4xx without a token (MUST); 400 or 401 with invalid_client or invalid_request (SHOULD). No Basic challenge is required: the client did not use Basic.",
		Catches: "Servers that decode any scheme as Basic.",
		Labels:  []string{"basic"},
		Needs:   []Need{needSecret},
		Run: func(h *H) {
			c := &h.T.Client
			cred := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.ID) + ":" + url.QueryEscape(c.Secret)))
			r := h.Send(h.scoped(), Header("Authorization", "Bearer "+cred))
			h.NoToken(r, "for a Bearer scheme")
			h.ShouldCode(r, []int{400, 401}, rfc6749.ErrInvalidClient, rfc6749.ErrInvalidRequest)
		},
	})
}

// checkMethod grades one client authentication method for the client
// under test: it must work when --auth-method names it; under auto, a
// method the server refuses for this client is a skip that says so, since
// clients are commonly registered for one method (RFC 7591 §2).
func (h *H) checkMethod(m string) {
	c := &h.T.Client
	base := h.baselineMethod()
	switch {
	case c.Secret == "":
		h.Skip("the client under test has no secret: it authenticates with " + base)
	case !c.Auto() && !c.Uses(m):
		h.Skip(fmt.Sprintf("the client under test is configured for %s, not %s", strings.Join(c.AuthMethods, ", "), m))

	case c.Auto() && m == rfc6749.AuthClientSecretPost && base != m && !slices.Contains(h.advertisedMethods(), m):
		where := "the metadata does not advertise it"
		if h.T.MetadataURL == "" {
			where = "there is no metadata to say it is supported"
		}
		h.Skip("client_secret_post is not tried: " + where + "; pass --auth-method client_secret_post to check it")
	}
	r := h.Send(h.scoped(), methodOpt(c, m))
	if r.OK() {
		return
	}
	if c.Auto() {
		h.Skip(fmt.Sprintf("%s is refused for this client (%s); the client may be registered for %s only: pass --auth-method %s to grade it", m, r.Summary(), base, m))
	}
	h.Require(false, "a token with "+m+" (named by --auth-method)", "%s", r.Summary())
}

// tokenTo grades the answer to a request carrying two client identities:
// a refusal passes; a token for one of verified warns (RFC 6749 §2.3 puts
// the MUST NOT on the client); a token for one of unverified fails; a
// token whose client cannot be seen warns.
func (h *H) tokenTo(r *Response, what string, verified, unverified []string) {
	if !r.HasToken() {
		return
	}
	got, seen := tokenClient(r, append(slices.Clone(verified), unverified...))
	switch {
	case seen && slices.Contains(unverified, got):
		h.Must(false, "no token for "+got+", whose credential did not verify ("+what+")", "a token for %s", got)
	case seen && slices.Contains(verified, got):
		h.Should(false, "a refusal of "+what+" (RFC 6749 §2.3, §5.2 invalid_request)", "a token for %s, which did authenticate", got)
	default:
		h.Should(false, "a refusal of "+what, "a token whose client cannot be seen (not a JWT naming one of the clients in client_id, azp or sub)")
	}
}

// tokenClient is the client a token was issued to, as far as the token
// shows it: the client_id or azp claim of a JWT access token, or its sub
// when sub names one of the candidates (many servers put another
// identifier there).
func tokenClient(r *Response, candidates []string) (string, bool) {
	claims, ok := jwtClaims(r.String("access_token"))
	if !ok {
		return "", false
	}
	for _, c := range []string{"client_id", "azp"} {
		if s, ok := claims[c].(string); ok && s != "" {
			return s, true
		}
	}
	if s, ok := claims["sub"].(string); ok && slices.Contains(candidates, s) {
		return s, true
	}
	return "", false
}

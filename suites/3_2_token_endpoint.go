package suites

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 6749 §3.2 (token endpoint), §4.4.2 and Appendix B (request
// encoding), §1.6/§10.9 (TLS).

func init() {
	add(Spec{
		ID: "TE-TLS-01", RFC: "6749", Section: "3.2", Level: reports.Must,
		Title:   "The token endpoint is served over TLS; client credentials never cross plain HTTP.",
		How:     "An https token URL: a request without credentials (none are ever sent over plain HTTP) to its http:// twin must not succeed. An http token URL fails unless the host is loopback (then it is noted).",
		Accepts: "An https URL whose http twin refuses the connection, redirects, or answers with an error (an OAuth error there is noted; a 401 with a Basic challenge, which asks for the client's password in clear text, fails); http on loopback (noted).",
		Catches: "Servers reachable over plain HTTP that issue tokens there.",
		Run: func(h *H) {
			u, _ := url.Parse(h.T.TokenURL)
			if u.Scheme == "http" {
				host := u.Hostname()
				ip := net.ParseIP(host)
				loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
				h.Require(loopback, "an https token endpoint (RFC 6749 §3.2, §2.3.1)", "plain http to %s", host)
				h.Note("plain http on loopback: accepted for local testing only")
				return
			}
			twin := *u
			twin.Scheme = "http"
			r, err := h.tryToken(twin.String())
			if err != nil {
				h.Note("the http twin %s is not answering (%v)", twin.String(), err)
				return
			}
			h.Require(!r.HasToken() && r.Status/100 != 2, "no token and no success from the plain-http twin "+twin.String(),
				"it answers as the token endpoint: %s", r.Summary())
			// A Basic challenge over plain HTTP asks the client to send its
			// password in clear text: the endpoint does not require TLS.
			h.Require(!(r.Status == 401 && hasChallenge(r.Header.Values("WWW-Authenticate"), "Basic")),
				"no request for credentials over plain HTTP at "+twin.String(),
				"it authenticates clients in clear text: %s with WWW-Authenticate %q", r.Summary(), r.Header.Values("WWW-Authenticate"))
			if r.ErrorCode() != "" {
				h.Note("the plain-http twin answers with an OAuth error (%d %s): it refuses, but the request reached the endpoint in clear text", r.Status, r.ErrorCode())
			}
		},
	})
	add(Spec{
		ID: "TE-POST-01", RFC: "6749", Section: "3.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Access tokens are requested with POST; a GET never yields a token.",
		How:       "GET token_url?grant_type=client_credentials with valid client credentials.",
		Accepts:   "Any status without an access token (405, 400, 404 are all seen).",
		Catches:   "Frameworks that route every method to the handler and read the query.",
		Run: func(h *H) {
			r := h.Send("", Method(http.MethodGet), Query(h.scoped()), h.As(&h.T.Client))
			h.NoToken(r, "for a GET request")
		},
	})
	add(Spec{
		ID: "TE-POST-02", RFC: "6749", Section: "3.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "PUT, PATCH and DELETE requests never yield a token.",
		How:       "Each method with a valid form body and valid client credentials.",
		Accepts:   "Any status without an access token.",
		Run: func(h *H) {
			for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
				r := h.Send(h.scoped(), Method(m), h.As(&h.T.Client))
				h.NoToken(r, "for a "+m+" request")
			}
		},
	})
	add(Spec{
		ID: "TE-POST-03", RFC: "9110", Section: "15.5.6", Level: reports.Note,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A 405 answer to another method names POST in Allow.",
		How:       "GET on the token endpoint; when the answer is 405, look at Allow.",
		Accepts:   "Observation only.",
		Run: func(h *H) {
			r := h.Send("", Method(http.MethodGet), h.As(&h.T.Client))
			if r.Status != http.StatusMethodNotAllowed {
				h.Note("GET is answered %d, not 405", r.Status)
				return
			}
			if !strings.Contains(r.Header.Get("Allow"), "POST") {
				h.Note("405 without Allow: POST (Allow: %q)", r.Header.Get("Allow"))
			}
		},
	})
	add(Spec{
		ID: "TE-CT-01", RFC: "6749", Section: "4.4.2", Level: reports.Should,
		DependsOn: []string{"AUTH-BASIC-01"},
		Title:     "Request parameters are form-encoded; a JSON body is refused as a malformed request.",
		How:       "The client credentials parameters as a JSON body with valid HTTP Basic.",
		Accepts:   "400 invalid_request, or 415. A token, another status (the client authenticated correctly, so 401 does not fit) or another code warns.",
		Catches:   "Gateways that accept JSON bodies as an extension; 401 unsupported_grant_type for a body the server cannot read.",
		Labels:    []string{"basic"},
		Run: func(h *H) {
			r := h.Send(`{"grant_type":"client_credentials"}`, ContentType("application/json"), Basic(&h.T.Client))
			if r.HasToken() {
				h.Should(false, "a refusal of a JSON body (RFC 6749 §4.4.2: parameters are form-encoded)", "a token: JSON is accepted as an extension")
				return
			}
			if r.Status == 415 || !h.codeGradable() {
				return
			}
			h.Should(r.Status == 400, "status 400 (a malformed request, RFC 6749 §5.2) or 415", "%s", r.Summary())
			h.Should(r.ErrorCode() == rfc6749.ErrInvalidRequest, "error invalid_request", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "TE-CT-02", RFC: "6749", Section: "B", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "The form media type with a charset parameter is accepted.",
		How:       "Content-Type: application/x-www-form-urlencoded; charset=UTF-8 on a valid request.",
		Accepts:   "200 with a token.",
		Catches:   "Exact string comparison of Content-Type.",
		Run: func(h *H) {
			r := h.Send(h.scoped(), h.As(&h.T.Client), ContentType("application/x-www-form-urlencoded; charset=UTF-8"))
			h.Require(r.OK(), "a token", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "TE-CT-02-CASE", RFC: "9110", Section: "8.3.1", Level: reports.Should,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Media types compare case-insensitively.",
		How:       "Content-Type: Application/X-WWW-Form-Urlencoded on a valid request.",
		Accepts:   "200 with a token.",
		Catches:   "Exact string comparison of Content-Type.",
		Run: func(h *H) {
			r := h.Send(h.scoped(), h.As(&h.T.Client), ContentType("Application/X-WWW-Form-Urlencoded"))
			h.Require(r.OK(), "a token", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "TE-BODY-01", RFC: "6749", Section: "4.4.2", Level: reports.Should,
		DependsOn: []string{"CC-OK-01", "CC-GT-01"},
		Title:     "Grant parameters are read from the body, not the URI query.",
		How:       "Valid HTTP Basic, empty body, grant_type=client_credentials in the query.",
		Accepts:   "A 4xx without a token (grant_type is missing from the body).",
		Catches:   "Handlers that merge query and body (Go r.FormValue, PHP $_REQUEST, servlet getParameter).",
		Labels:    []string{"basic"},
		Run: func(h *H) {
			r := h.Send("", Query(h.scoped()), h.As(&h.T.Client))
			h.ClientError(r, "when grant_type is only in the query")
		},
	})
	add(Spec{
		ID: "TE-PARAM-01", RFC: "6749", Section: "3.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A parameter sent with an empty value is treated as omitted (scope=).",
		How:       "A valid request with scope= compared with the same request without scope.",
		Accepts:   "The same outcome as omitting scope.",
		Catches:   "Servers that reject scope= as an empty, malformed scope.",
		Run: func(h *H) {
			without := h.Send(ccBody(), h.As(&h.T.Client))
			with := h.Send(ccBody()+"&scope=", h.As(&h.T.Client))
			h.Require(with.Status == without.Status && with.ErrorCode() == without.ErrorCode(),
				"the same answer as without scope: "+without.Summary(), "%s", with.Summary())
		},
	})
	add(Spec{
		ID: "TE-PARAM-01-GRANT", RFC: "6749", Section: "3.2", Level: reports.Should,
		DependsOn: []string{"CC-OK-01", "CC-GT-01"},
		Title:     "An empty grant_type= counts as missing: invalid_request, not unsupported_grant_type.",
		How:       "grant_type= with valid client credentials, compared with a request without grant_type.",
		Accepts:   "400 invalid_request, or the same answer as a missing grant_type (whose code CC-GT-01-CODE grades).",
		Run: func(h *H) {
			r := h.Send("grant_type=", h.As(&h.T.Client))
			h.Must(!r.HasToken(), "no token: an empty grant_type is a missing one (RFC 6749 §3.2)", "%s", r.Summary())
			missing := h.Send(form("x_occheck", "1"), h.As(&h.T.Client))
			if !r.HasToken() && r.Status == missing.Status && r.ErrorCode() == missing.ErrorCode() {
				return
			}
			h.ErrorCode(r, []int{400}, "invalid_request")
		},
	})
	add(Spec{
		ID: "TE-PARAM-02", RFC: "6749", Section: "3.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Unknown request parameters are ignored.",
		How:       "A valid request plus foo=bar&x_occheck=1.",
		Accepts:   "200 with a token.",
		Catches:   "Strict servers answering invalid_request for an unsupported parameter.",
		Run: func(h *H) {
			r := h.Token("foo", "bar", "x_occheck", "1")
			h.Require(r.OK(), "a token", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "TE-PARAM-03", RFC: "6749", Section: "3.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A parameter repeated with different values is refused.",
		How:       "scope repeated with two different allowed values (with only one allowed scope, the second is unknown and invalid_scope is accepted too).",
		Accepts:   "400 invalid_request without a token.",
		Catches:   "Stacks that silently take the first or last value (Go Values.Get).",
		Needs:     []Need{needScope},
		Run: func(h *H) {
			scopes := strings.Fields(h.T.Scope)
			if len(scopes) >= 2 {
				r := h.Send(ccBody("scope", scopes[0], "scope", scopes[1]), h.As(&h.T.Client))
				h.Must(!r.HasToken(), "no access token for a repeated parameter", "%s", r.Summary())
				h.ShouldCode(r, []int{400}, "invalid_request")
				return
			}
			// One allowed scope: the second value is also unknown, so
			// invalid_scope is an applicable answer too (two faults at once).
			r := h.Send(ccBody("scope", scopes[0], "scope", unknownScope), h.As(&h.T.Client))
			h.Must(!r.HasToken(), "no access token for a repeated parameter", "%s", r.Summary())
			h.ShouldCode(r, []int{400}, "invalid_request", "invalid_scope")
		},
	})
	add(Spec{
		ID: "TE-PARAM-03-SAME", RFC: "6749", Section: "3.2", Level: reports.Should,
		DependsOn: []string{"CC-OK-01", "ERR-400-01", "ERR-JSON-01"},
		Title:     "A parameter repeated with the same value is refused too.",
		How:       "grant_type=client_credentials twice.",
		Accepts:   "400 invalid_request without a token.",
		Run: func(h *H) {
			r := h.Send(ccBody("grant_type", "client_credentials"), h.As(&h.T.Client))
			h.ErrorCode(r, []int{400}, "invalid_request")
		},
	})
	add(Spec{
		ID: "TE-URI-01", RFC: "6749", Section: "3.2", Level: reports.Must,
		Title:   "The token endpoint URI has no fragment.",
		How:     "The configured token URL, and the metadata token_endpoint when known.",
		Accepts: "URLs without '#'.",
		Run: func(h *H) {
			h.Require(!strings.Contains(h.T.TokenURL, "#"), "a token URL without a fragment", "%s", h.T.TokenURL)
			meta, ok := h.metadataDoc()
			if !ok {
				return // no usable document: the MD specs say why
			}
			te, _ := meta["token_endpoint"].(string)
			h.Require(!strings.Contains(te, "#"), "a metadata token_endpoint without a fragment", "%s", te)
		},
	})
	add(Spec{
		ID: "BCP-06", RFC: "9700", Section: "2.6", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A CORS preflight (OPTIONS) never issues a token.",
		How:       "OPTIONS with Origin and Access-Control-Request-Method, valid credentials and a form body.",
		Accepts:   "Any answer without an access token.",
		Run: func(h *H) {
			r := h.Send(h.scoped(), Method(http.MethodOptions), h.As(&h.T.Client),
				Header("Origin", "https://app.example"), Header("Access-Control-Request-Method", "POST"))
			h.NoToken(r, "for an OPTIONS preflight")
		},
	})
}

// tryToken sends a client credentials request without credentials to
// another URL (secrets never go anywhere but the token endpoint), reporting
// transport failure as a value: a refused plain-http twin is the good
// outcome.
func (h *H) tryToken(u string) (*Response, error) {
	var r *Response
	var err error
	func() {
		defer func() {
			if rec := recover(); rec != nil {
				if _, ok := rec.(abort); !ok {
					panic(rec)
				}
				if h.verdict == reports.Error {
					err = errTwin(h.msg.Detail)
					h.verdict, h.msg = reports.Pass, reports.Message{}
				}
			}
		}()
		r = h.Send(ccBody(), URL(u))
	}()
	return r, err
}

type errTwin string

func (e errTwin) Error() string { return string(e) }

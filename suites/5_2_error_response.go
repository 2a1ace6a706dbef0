package suites

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 6749 §5.2 (error response) and Appendix A.7-A.9.

// errorTriggers are requests that must each produce a §5.2 error: one per
// 400 code, plus a wrong body secret. It returns the answers that carry no
// token: issuing one is graded by the spec of that request, and the error
// specs judge error responses only.
//
// The triggers are sent once per run and shared by every error spec; a
// trigger answered 5xx or dropped is ERR-400-01's failure alone (and
// ERR-5XX-01's), and the other specs judge the remaining answers.
func (h *H) errorTriggers() []*Response {
	st := h.st
	st.trigOnce.Do(func() { st.triggers = h.sendTriggers() })
	t := st.triggers
	h.exchanges = append(h.exchanges, t.exchanges...)
	if t.err != nil {
		h.transportError(t.err)
	}
	return t.answers
}

// triggerSet is the shared outcome of the error triggers.
type triggerSet struct {
	answers   []*Response
	exchanges []reports.Exchange
	faults    []string
	err       error
}

func (h *H) sendTriggers() (t *triggerSet) {
	t = &triggerSet{}
	before := len(h.exchanges)
	defer func() { t.exchanges = append([]reports.Exchange(nil), h.exchanges[before:]...) }()
	c := &h.T.Client
	reqs := []func() *Response{
		func() *Response { return h.Send(form("x_occheck", "1"), h.As(c)) },                          // invalid_request
		func() *Response { return h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(c)) },  // unsupported_grant_type
		func() *Response { return h.Send(ccBody("scope", `occheck"x`), h.As(c)) },                    // invalid_scope
		func() *Response { return h.Send(h.scoped(), Post(&Client{ID: c.ID, Secret: wrongSecret})) }, // invalid_client
	}
	if h.T.NoGrantClient != nil {
		reqs = append(reqs, func() *Response { return h.Send(ccBody(), h.As(h.T.NoGrantClient)) }) // unauthorized_client
	}
	for _, send := range reqs {
		r, fault, err := h.soft(send)
		switch {
		case err != nil:
			t.err = err
			return t
		case fault != "":
			t.faults = append(t.faults, fault)
		case !r.HasToken():
			t.answers = append(t.answers, r)
		}
	}
	return t
}

func init() {
	add(Spec{
		ID: "ERR-400-01", RFC: "6749", Section: "5.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Errors are 4xx answers, never 2xx or 5xx.",
		How:       "Requests that trigger invalid_request, unsupported_grant_type, invalid_scope, invalid_client and (with a no-grant client) unauthorized_client.",
		Accepts:   "A 4xx status for each.",
		Catches:   "200 with an error member; 500 for bad input.",
		Run: func(h *H) {
			answers := h.errorTriggers()
			h.Require(len(h.st.triggers.faults) == 0, "an error response, never a 5xx or a dropped connection", "%s", strings.Join(h.st.triggers.faults, "; "))
			for _, r := range answers {
				h.Require(r.Status >= 400 && r.Status < 500, "a 4xx status for an error", "%s", r.Summary())
			}
		},
	})
	add(Spec{
		ID: "ERR-400-01-STATUS", RFC: "6749", Section: "5.2", Level: reports.Note,
		DependsOn: []string{"ERR-400-01"},
		Title:     "Errors other than invalid_client use status 400.",
		How:       "The same triggers, invalid_client excepted.",
		Accepts:   "Observation only: each trigger's status is graded by its own spec (CC-GT-01-CODE, CC-GT-02-CODE, CC-SCOPE-04, CC-UC-01-CODE).",
		Catches:   "403 for unauthorized_client, 422 for bad input.",
		Run: func(h *H) {
			for _, r := range h.errorTriggers() {
				if r.ErrorCode() == rfc6749.ErrInvalidClient {
					continue
				}
				h.Require(r.Status == 400, "status 400", "%s", r.Summary())
			}
		},
	})
	add(Spec{
		ID: "ERR-JSON-01", RFC: "6749", Section: "5.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "An error body is a JSON object with a string error member.",
		How:       "Every error trigger's body is decoded.",
		Accepts:   "application/json with {\"error\": \"...\"}.",
		Catches:   "HTML error pages from frameworks.",
		Run: func(h *H) {
			for _, r := range h.errorTriggers() {
				obj, err := r.JSON()
				code, ok := obj["error"].(string)
				h.Require(err == nil && ok && code != "", "a JSON object with a string error member", "%s", r.Summary())
				h.Require(mediaType(r) == "application/json", "Content-Type application/json", "%q", r.Header.Get("Content-Type"))
			}
		},
	})
	add(Spec{
		ID: "ERR-CODE-01", RFC: "6749", Section: "A.7", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "error values use only %x20-21 / %x23-5B / %x5D-7E.",
		How:       "Character scan of every error member.",
		Accepts:   "Visible ASCII without '\"' and '\\'.",
		Run: func(h *H) {
			for _, r := range h.errorTriggers() {
				code := r.ErrorCode()
				h.Require(rfc6749.ValidErrorText(code), "an error code inside the Appendix A.7 set", "error %q", code)
			}
		},
	})
	add(Spec{
		ID: "ERR-CODE-02", RFC: "6749", Section: "5.2", Level: reports.Note,
		DependsOn: []string{"CC-OK-01"},
		Title:     "error values are codes the RFCs define or register.",
		How:       "Every error trigger's code against the registry (§5.2 plus registered extensions).",
		Accepts:   "Observation only: each trigger's code is graded by its own spec; an unregistered code is noted here (§5.2 plus registered extensions).",
		Catches:   "Vendor codes such as insufficient_scope or invalid_credentials.",
		Run: func(h *H) {
			for _, r := range h.errorTriggers() {
				code := r.ErrorCode()
				if code == "" {
					continue
				}
				h.Require(slices.Contains(rfc6749.KnownErrorCodes, code), "a registered error code", "error %q", code)
			}
		},
	})
	add(Spec{
		ID: "ERR-DESC-01", RFC: "6749", Section: "A.8", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "error_description uses only %x20-21 / %x23-5B / %x5D-7E.",
		How:       "Character scan of every error_description.",
		Accepts:   "No '\"', '\\', control or non-ASCII characters.",
		Catches:   "Quoted ids and localised messages.",
		Run: func(h *H) {
			for _, r := range h.errorTriggers() {
				d := r.String("error_description")
				h.Require(rfc6749.ValidErrorText(d), "error_description inside the Appendix A.8 set", "error_description %q", d)
			}
		},
	})
	add(Spec{
		ID: "ERR-URI-01", RFC: "6749", Section: "A.9", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "error_uri, when present, is a URI of %x21 / %x23-5B / %x5D-7E.",
		How:       "Character scan and URI parse of every error_uri.",
		Accepts:   "Absent, or a URI reference inside the set.",
		Run: func(h *H) {
			for _, r := range h.errorTriggers() {
				v, ok := r.Member("error_uri")
				if !ok {
					continue
				}
				s, isStr := v.(string)
				_, err := url.Parse(s)
				h.Require(isStr && err == nil && rfc6749.ValidErrorURI(s), "error_uri inside the Appendix A.9 set", "error_uri %#v", v)
			}
		},
	})
	add(Spec{
		ID: "ERR-401-01", RFC: "6749", Section: "5.2", Level: reports.Must,
		DependsOn: []string{"AUTH-BASIC-06"},
		Title:     "Failed HTTP Basic authentication is 401 invalid_client with a Basic challenge.",
		How:       "Basic with the client's id and a wrong secret.",
		Accepts:   "401, WWW-Authenticate with scheme Basic, error invalid_client.",
		Catches:   "400 after Basic; 401 without WWW-Authenticate; unauthorized_client or invalid_grant for a bad secret.",
		Labels:    []string{"basic"},
		Run: func(h *H) {
			r := h.Send(h.scoped(), Basic(&Client{ID: h.T.Client.ID, Secret: wrongSecret}))
			h.InvalidClient(r, true)
		},
	})
	add(Spec{
		ID: "ERR-401-02", RFC: "7617", Section: "2", Level: reports.Should,
		DependsOn: []string{"ERR-401-01"},
		Title:     "The Basic challenge names a realm.",
		How:       "The challenge of a failed Basic authentication is parsed.",
		Accepts:   `Basic realm="..."`,
		Labels:    []string{"basic"},
		Run: func(h *H) {
			r := h.Send(h.scoped(), Basic(&Client{ID: h.T.Client.ID, Secret: wrongSecret}))
			www := r.Header.Values("WWW-Authenticate")
			if !hasChallenge(www, "Basic") {
				return // no challenge at all is ERR-401-01's failure
			}
			found := false
			for _, v := range www {
				for _, c := range parseChallenges(v) {
					if _, ok := c.params["realm"]; ok && strings.EqualFold(c.scheme, "Basic") {
						found = true
					}
				}
			}
			h.Require(found, "a Basic challenge with a realm parameter", "WWW-Authenticate: %q", www)
		},
	})
	add(Spec{
		ID: "ERR-401-03", RFC: "9110", Section: "15.5.2", Level: reports.Should,
		Title:   "A 401 for body credentials carries WWW-Authenticate.",
		How:     "A wrong secret in the body; if the answer is 401 it must carry a challenge.",
		Accepts: "400, or 401 with WWW-Authenticate.",
		Labels:  []string{"post"},
		Run: func(h *H) {
			r := h.Send(h.scoped(), Post(&Client{ID: h.T.Client.ID, Secret: wrongSecret}))
			if r.Status == 401 {
				h.Require(len(r.Header.Values("WWW-Authenticate")) > 0, "WWW-Authenticate on a 401", "none")
			}
		},
	})
	add(Spec{
		ID: "ERR-NOTOK-01", RFC: "6749", Section: "5.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Error responses carry no token members.",
		How:       "Every error trigger's body.",
		Accepts:   "No access_token or refresh_token member.",
		Run: func(h *H) {
			c := &h.T.Client
			rs := append(h.errorTriggers(), h.Send(h.scoped(), Basic(&Client{ID: c.ID, Secret: wrongSecret})))
			for _, r := range rs {
				if r.Status/100 == 2 && r.ErrorCode() == "" {
					continue // a success, judged by the spec of its request
				}
				_, at := r.Member("access_token")
				_, rt := r.Member("refresh_token")
				h.Require(!at && !rt, "no token members in an error", "an error with members %v", keys(mustObj(r)))
			}
		},
	})
	add(Spec{
		ID: "ERR-ORDER-01", RFC: "6749", Section: "5.2", Level: reports.Note,
		DependsOn: []string{idBaseline},
		Title:     "With several faults at once, no token; which applicable error wins is recorded.",
		How:       "Wrong secret plus an unknown grant type; wrong secret plus an unknown scope.",
		Accepts:   "Any refusal without a token; the codes are noted (RFC 6749 is silent on which fault wins, and the codes themselves are graded by the single-fault specs).",
		Run: func(h *H) {
			bad := &Client{ID: h.T.Client.ID, Secret: wrongSecret}
			a := h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(bad))
			h.Must(!a.HasToken(), "no token for a wrong secret and an unknown grant type", "%s", a.Summary())
			b := h.Send(ccBody("scope", unknownScope), h.As(bad))
			h.Must(!b.HasToken(), "no token for a wrong secret and an unknown scope", "%s", b.Summary())
			h.Note("wrong secret + unknown grant: %d %s; wrong secret + unknown scope: %d %s", a.Status, a.ErrorCode(), b.Status, b.ErrorCode())
		},
	})
	add(Spec{
		ID: "RESP-HDR-03", RFC: "6749", Section: "5.1", Level: reports.Note,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Error responses carry Cache-Control: no-store too (recorded: RFC 6749 §5.1 requires it only on responses with tokens or credentials).",
		How:       "Every error trigger's headers.",
		Accepts:   "Observation only: the §5.2 example shows the header, but no rule requires it on a plain error.",
		Run: func(h *H) {
			for _, r := range h.errorTriggers() {
				h.Require(hasDirective(r.Header.Values("Cache-Control"), "no-store"), "Cache-Control: no-store on errors", "%d with Cache-Control %q", r.Status, r.Header.Values("Cache-Control"))
			}
		},
	})
	add(Spec{
		ID: "ERR-5XX-01", RFC: "6749", Section: "5.2", Level: reports.Must,
		Final:   true,
		Title:   "No request is answered with a 5xx or a dropped connection: every refusal is an error response.",
		How:     "Every exchange with the token endpoint in the run (this spec runs last): a 5xx status, or a connection closed or reset before a complete response. The spec that sent the request fails too.",
		Accepts: "4xx error responses and successes only. A 503 with Retry-After is the server asking for time: an error verdict for the spec that got it, not a failure.",
		Catches: "Handlers that panic on unexpected input: 500 for special characters in Basic, a dropped connection on a bad %-escape.",
		Run: func(h *H) {
			st := h.st
			st.mu.Lock()
			faults := append([]fault(nil), st.faults...)
			n, others := st.tokenExchanges, 0
			for id := range st.ran {
				if id != h.spec.ID {
					others++
				}
			}
			st.mu.Unlock()
			if others == 0 || n == 0 {
				h.Skip("grades the token endpoint exchanges of the other specs in the run; none ran")
			}
			if len(faults) == 0 {
				h.Note("%d token endpoint exchanges, none answered 5xx or dropped", n)
				return
			}
			var lines []string
			for i, f := range faults {
				if i < 10 {
					h.exchanges = append(h.exchanges, f.exchange)
				}
				if i == 0 {
					h.lastCurl = f.curl
				}
				lines = append(lines, f.spec+": "+f.what)
			}
			h.Require(false, "no 5xx and no dropped connection in any of "+fmt.Sprint(n)+" token endpoint exchanges (RFC 6749 §5.2)",
				"%d: %s", len(faults), strings.Join(lines, "; "))
		},
	})
}

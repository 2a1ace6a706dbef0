package suites

import (
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 6749 §3.3 (access token scope).

// unknownScope is a scope token no server defines.
const unknownScope = "occheck-nonexistent-scope"

func init() {
	add(Spec{
		ID: "CC-SCOPE-01", RFC: "6749", Section: "3.3", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Without scope the server applies a default or refuses with invalid_scope.",
		How:       "A valid request without scope.",
		Accepts:   "200 with a token, or 400 invalid_scope.",
		Catches:   "invalid_request 'scope is required'.",
		Run: func(h *H) {
			r := h.Send(ccBody(), h.As(&h.T.Client))
			if r.OK() {
				if s := r.String("scope"); s != "" {
					h.Note("default scope granted: %s", s)
				}
				return
			}
			h.ErrorCode(r, []int{400}, rfc6749.ErrInvalidScope)
		},
	})
	add(Spec{
		ID: "CC-SCOPE-02", RFC: "6749", Section: "3.3", Level: reports.Must,
		DependsOn: []string{idJSONToken},
		Title:     "A scope beyond the client's allowance is refused, or narrowed and reported.",
		How:       "scope=<allowed> <forbidden>.",
		Accepts:   "400 invalid_scope, or 200 whose scope member is present and lacks the forbidden scope.",
		Catches:   "Scopes granted unchecked; narrowing without telling the client.",
		Needs:     []Need{needScope, needForbiddenScope},
		Run: func(h *H) {
			allowed := strings.Fields(h.T.Scope)[0]
			r := h.Token("scope", allowed+" "+h.T.ForbiddenScope)
			h.narrowedOrRefused(r, h.T.ForbiddenScope)
		},
	})
	add(Spec{
		ID: "CC-SCOPE-03", RFC: "6749", Section: "3.3", Level: reports.Must,
		DependsOn: []string{idJSONToken},
		Title:     "An unknown scope is refused, or left out of the reported grant.",
		How:       "scope=" + unknownScope + ".",
		Accepts:   "400 invalid_scope, or 200 whose scope member lacks it.",
		Run: func(h *H) {
			r := h.Token("scope", unknownScope)
			h.narrowedOrRefused(r, unknownScope)
		},
	})
	add(Spec{
		ID: "CC-SCOPE-04", RFC: "6749", Section: "A.4", Level: reports.Should,
		DependsOn: []string{"CC-OK-01", "ERR-400-01", "ERR-JSON-01"},
		Title:     "Scope tokens outside the §3.3 character set are refused.",
		How:       `scope=occheck"x and scope=occheck\x (a quote and a backslash).`,
		Accepts:   "400 invalid_scope or invalid_request.",
		Run: func(h *H) {
			for _, s := range []string{`occheck"x`, `occheck\x`} {
				r := h.Token("scope", s)
				h.ErrorCode(r, []int{400}, rfc6749.ErrInvalidScope, rfc6749.ErrInvalidRequest)
			}
		},
	})
	add(Spec{
		ID: "CC-SCOPE-05", RFC: "6749", Section: "3.3", Level: reports.Should,
		DependsOn: []string{idJSONToken},
		Title:     "Scope tokens are case-sensitive and their order does not matter.",
		How:       "The allowed scope in upper case must not be granted as the allowed one; with two allowed scopes, both orders grant the same set.",
		Accepts:   "Upper case refused or not granted; equal sets for both orders.",
		Needs:     []Need{needScope},
		Run: func(h *H) {
			scopes := strings.Fields(h.T.Scope)
			upper := strings.ToUpper(scopes[0])
			if upper != scopes[0] {
				r := h.Token("scope", upper)
				if r.OK() {
					granted := scopeSet(r.String("scope"))
					h.Require(!granted[scopes[0]], "scope "+upper+" not granted as "+scopes[0], "granted %q", r.String("scope"))
				}
			}
			if len(scopes) >= 2 {
				a := h.Token("scope", scopes[0]+" "+scopes[1])
				b := h.Token("scope", scopes[1]+" "+scopes[0])
				h.Require(a.Status == b.Status && sameSet(grantedOrRequested(a, scopes[:2]), grantedOrRequested(b, scopes[:2])),
					"the same grant for both orders", "%s vs %s", a.Summary(), b.Summary())
			}
		},
	})
}

// grantedOrRequested is the granted scope set: the scope member, or the
// request when the member is omitted (§5.1 allows that only then).
func grantedOrRequested(r *Response, requested []string) map[string]bool {
	if s := r.String("scope"); s != "" {
		return scopeSet(s)
	}
	return scopeSet(strings.Join(requested, " "))
}

// narrowedOrRefused accepts invalid_scope, or a success whose scope member
// is present and lacks the scope that must not be granted.
func (h *H) narrowedOrRefused(r *Response, notGranted string) {
	if !r.OK() {
		h.Must(!r.HasToken(), "no token, or a 2xx reporting the narrowed grant", "%s", r.Summary())
		h.ShouldCode(r, []int{400}, rfc6749.ErrInvalidScope)
		return
	}
	scope, present := r.Member("scope")
	s, _ := scope.(string)
	h.Require(present && s != "", "a scope member saying what was granted (the grant differs from the request)", "no scope member: members %v", keys(mustObj(r)))
	h.Require(!scopeSet(s)[notGranted], "scope "+notGranted+" not granted", "granted %q", s)
}

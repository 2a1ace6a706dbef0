package suites

import (
	"net/url"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 8707 (resource indicators), when the target names a resource the
// client may ask for.

func init() {
	ri := []Need{needResource}
	add(Spec{
		ID: "RI-01", RFC: "8707", Section: "2", Level: reports.Should,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "A token asked for a resource is audience-restricted to it.",
		How:       "A valid request with resource=<the configured resource>; a JWT's aud must contain it.",
		Accepts:   "A token whose aud holds the resource (opaque tokens: noted, not decidable).",
		Catches:   "Servers that accept resource and ignore it.",
		Labels:    []string{"resource"}, Needs: ri,
		Run: func(h *H) {
			_, obj := h.MustToken("resource", h.T.Resource)
			at, _ := obj["access_token"].(string)
			claims, ok := jwtClaims(at)
			if !ok {
				h.Note("opaque token: its audience cannot be seen")
				return
			}
			if _, ok := claims["aud"]; !ok {
				h.Note("the token has no aud claim (graded by ATJ-CLM-01 under profile rfc9068)")
				return
			}
			h.Require(audHas(claims["aud"], h.T.Resource), "aud containing "+h.T.Resource, "aud %v", claims["aud"])
		},
	})
	add(Spec{
		ID: "RI-02", RFC: "8707", Section: "2", Level: reports.Should,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A resource that is relative or has a fragment is refused with invalid_target.",
		How:       "resource=/occheck-relative, and the configured resource with #occheck appended.",
		Accepts:   "400 invalid_target (invalid_request is accepted for the malformed value too).",
		Labels:    []string{"resource"}, Needs: ri,
		Run: func(h *H) {
			for _, bad := range []string{"/occheck-relative", h.T.Resource + "#occheck"} {
				r := h.Token("resource", bad)
				h.ErrorCode(r, []int{400}, rfc6749.ErrInvalidTarget, rfc6749.ErrInvalidRequest)
			}
		},
	})
	add(Spec{
		ID: "RI-03", RFC: "8707", Section: "2", Level: reports.Should,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A resource the server does not serve is refused with invalid_target.",
		How:       "resource=https://occheck-unknown-resource.example/ (same scheme as the configured one).",
		Accepts:   "400 invalid_target; a token is noted (the server may accept any resource).",
		Labels:    []string{"resource"}, Needs: ri,
		Run: func(h *H) {
			u, _ := url.Parse(h.T.Resource)
			r := h.Token("resource", u.Scheme+"://occheck-unknown-resource.example/")
			if r.OK() {
				h.Note("an unknown resource is accepted")
				return
			}
			h.ErrorCode(r, []int{400}, rfc6749.ErrInvalidTarget)
		},
	})
	add(Spec{
		ID: "RI-04", RFC: "8707", Section: "2", Level: reports.Should,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Several resource parameters are legal, not a repeated-parameter error.",
		How:       "resource given twice (the configured resource, twice).",
		Accepts:   "A token, or invalid_target by policy; not invalid_request.",
		Labels:    []string{"resource"}, Needs: ri,
		Run: func(h *H) {
			r := h.Token("resource", h.T.Resource, "resource", h.T.Resource)
			if r.OK() {
				return
			}
			h.ErrorCode(r, []int{400}, rfc6749.ErrInvalidTarget)
		},
	})
}

// audHas reports whether an aud claim (string or array) holds want.
func audHas(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, x := range a {
			if x == want {
				return true
			}
		}
	}
	return false
}

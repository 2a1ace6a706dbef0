package suites

import (
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// NoToken requires that r carries no access token.
func (h *H) NoToken(r *Response, when string) {
	h.Require(!r.HasToken(), "no access token "+when, "%s", r.Summary())
}

// ClientError requires a refusal: no token and no server error. The
// status and code of the refusal are graded by the specs about them
// (ERR-400-01 and the -CODE specs), so one deviation fails one spec.
func (h *H) ClientError(r *Response, when string) {
	h.NoToken(r, when)
	h.Require(r.Status < 500, "a refusal, not a server error, "+when, "%s", r.Summary())
}

// codeGradable reports whether the run's error responses can be graded at
// all: when ERR-400-01 or ERR-JSON-01 failed (errors are 2xx, 5xx or not
// §5.2 JSON), every code would be wrong for that one reason, so the code
// checks of other specs are noted, not graded.
func (h *H) codeGradable() bool {
	for _, id := range []string{"ERR-400-01", "ERR-JSON-01"} {
		s := specByID(id)
		if h.spec.ID == id || dependsOn(s, h.spec.ID) {
			continue
		}
		if r := h.st.result(h.ctx, s); r.Verdict == reports.Fail || r.Verdict == reports.Error {
			h.Note("the status and code of this refusal are not graded: %s failed", id)
			return false
		}
	}
	return true
}

// ErrorCode requires a §5.2 error with one of codes and one of statuses.
func (h *H) ErrorCode(r *Response, statuses []int, codes ...string) {
	h.NoToken(r, "in an error response")
	if !h.codeGradable() {
		return
	}
	code := r.ErrorCode()
	h.Require(slices.Contains(statuses, r.Status) && slices.Contains(codes, code),
		fmt.Sprintf("status %s with error %s", joinInts(statuses), strings.Join(codes, " or ")),
		"%s", r.Summary())
}

// ShouldCode grades the status and code of a refusal at SHOULD level:
// the MUST of a refusal spec is "no token"; which §5.2 code fits is graded
// one level down, so a server that refuses with another code warns.
func (h *H) ShouldCode(r *Response, statuses []int, codes ...string) {
	if !h.codeGradable() {
		return
	}
	h.Should(slices.Contains(statuses, r.Status) && slices.Contains(codes, r.ErrorCode()),
		fmt.Sprintf("status %s with error %s", joinInts(statuses), strings.Join(codes, " or ")),
		"%s", r.Summary())
}

// InvalidClient applies §5.2's rule for failed client authentication: 401
// with a WWW-Authenticate challenge for the scheme used when the client
// used the Authorization header; 400 or 401 otherwise.
func (h *H) InvalidClient(r *Response, usedHeader bool) {
	if usedHeader {
		h.NoToken(r, "in an error response")
		if !h.codeGradable() {
			return
		}
		www := r.Header.Values("WWW-Authenticate")
		h.Require(r.Status == 401 && hasChallenge(www, "Basic"), "401 with a WWW-Authenticate: Basic challenge", "%s; WWW-Authenticate: %q", r.Summary(), www)
		h.ErrorCode(r, []int{401}, rfc6749.ErrInvalidClient)
		return
	}
	h.ErrorCode(r, []int{400, 401}, rfc6749.ErrInvalidClient)
}

func hasChallenge(values []string, scheme string) bool {
	for _, v := range values {
		for _, c := range parseChallenges(v) {
			if strings.EqualFold(c.scheme, scheme) {
				return true
			}
		}
	}
	return false
}

// challenge is one WWW-Authenticate challenge (RFC 9110 §11.6.1).
type challenge struct {
	scheme string
	params map[string]string
}

// parseChallenges reads the challenges in one WWW-Authenticate value:
// schemes separated by commas, each with name=value or name="quoted"
// parameters.
func parseChallenges(v string) []challenge {
	var out []challenge
	s := strings.TrimSpace(v)
	for {
		s = strings.TrimLeft(s, " ,")
		if s == "" {
			break
		}
		i := strings.IndexAny(s, " ,")
		if i < 0 {
			out = append(out, challenge{scheme: s, params: map[string]string{}})
			break
		}
		c := challenge{scheme: s[:i], params: map[string]string{}}
		s = strings.TrimLeft(s[i:], " ")
		for s != "" {
			s = strings.TrimLeft(s, " ,")
			eq := strings.IndexByte(s, '=')
			sp := strings.IndexAny(s, " ,")
			if eq < 0 || (sp >= 0 && sp < eq) {
				break // the next challenge's scheme
			}
			name := strings.ToLower(strings.TrimSpace(s[:eq]))
			s = strings.TrimLeft(s[eq+1:], " ")
			var val string
			if strings.HasPrefix(s, `"`) {
				j, esc := 1, false
				var b strings.Builder
				for ; j < len(s); j++ {
					if esc {
						b.WriteByte(s[j])
						esc = false
						continue
					}
					if s[j] == '\\' {
						esc = true
						continue
					}
					if s[j] == '"' {
						break
					}
					b.WriteByte(s[j])
				}
				val = b.String()
				if j < len(s) {
					j++
				}
				s = s[j:]
			} else {
				k := strings.IndexAny(s, " ,")
				if k < 0 {
					k = len(s)
				}
				val, s = s[:k], s[k:]
			}
			c.params[name] = val
			s = strings.TrimLeft(s, " ")
			if !strings.HasPrefix(s, ",") {
				break
			}
		}
		out = append(out, c)
		s = strings.TrimLeft(s, " ,")
	}
	return out
}

func joinInts(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, " or ")
}

// scopeSet splits a scope string into a set.
func scopeSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(s) {
		m[t] = true
	}
	return m
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// mediaType is the response's media type, lower case, parameters dropped.
func mediaType(r *Response) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

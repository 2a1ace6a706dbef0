package suites

import (
	"encoding/json"
	"mime"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 6749 §4.4.3 and §5.1 (successful response), §10.3/§10.10 (token
// strength), §10.8 (credentials never echoed).

func init() {
	add(Spec{
		ID: "RESP-STATUS-01", RFC: "6749", Section: "5.1", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A successful token response uses status 200.", How: "A valid request.", Accepts: "200 (not 201, 202).",
		Run: func(h *H) {
			r := h.Token()
			h.Require(r.Status == 200, "status 200", "%s", r.Summary())
		},
	})
	add(Spec{
		ID: "RESP-CT-01", RFC: "6749", Section: "5.1", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "The success body is application/json.", How: "A valid request; the media type of Content-Type, parameters ignored.",
		Accepts: "application/json in any case, with or without a charset.",
		Catches: "Form-encoded or text/plain token responses.",
		Run: func(h *H) {
			r, _ := h.MustTokenLoose()
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			h.Require(err == nil && mt == "application/json", "Content-Type application/json", "Content-Type %q", r.Header.Get("Content-Type"))
		},
	})
	add(Spec{
		ID: "RESP-JSON-01", RFC: "6749", Section: "5.1", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "The success body is one JSON object with the members at its top level.", How: "A valid request; the body is decoded.",
		Accepts: "A JSON object holding access_token at the top level.",
		Catches: "Wrapped responses ({\"data\":{...}}), form bodies.",
		Run: func(h *H) {
			r, _ := h.MustTokenLoose()
			obj, err := r.JSON()
			h.Require(err == nil, "a JSON object", "%v: %s", err, r.Summary())
			_, ok := obj["access_token"]
			h.Require(ok, "access_token at the top level", "members %v", keys(obj))
		},
	})
	add(Spec{
		ID: "RESP-JSON-02", RFC: "6749", Section: "3.2", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "No member appears twice in a response.", How: "Success and error bodies are decoded with a duplicate-member check.",
		Accepts: "Objects without repeated members.",
		Catches: "Hand-built JSON that repeats a member; parsers disagree on which copy wins.",
		Run: func(h *H) {
			for _, r := range []*Response{h.Token(), h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(&h.T.Client))} {
				h.Require(len(r.Duplicates()) == 0, "no repeated member", "repeated: %v in %s", r.Duplicates(), r.Summary())
			}
		},
	})
	add(Spec{
		ID: "RESP-AT-01", RFC: "6749", Section: "A.12", Level: reports.Must,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "access_token is a non-empty string of visible ASCII characters.", How: "A valid request.",
		Accepts: "A JSON string of %x20-7E.",
		Run: func(h *H) {
			_, obj := h.MustToken()
			v, ok := obj["access_token"].(string)
			h.Require(ok && rfc6749.ValidAccessTokenChars(v), "a string of %x20-7E characters", "%T with characters outside the set", obj["access_token"])
		},
	})
	add(Spec{
		ID: "RESP-TT-01", RFC: "6749", Section: "5.1", Level: reports.Must,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "token_type is present; Bearer compares case-insensitively.", How: "A valid request.",
		Accepts: "A token_type string; Bearer in any case passes, another type is noted.",
		Catches: "Missing token_type.",
		Run: func(h *H) {
			_, obj := h.MustToken()
			tt, _ := obj["token_type"].(string)
			h.Require(tt != "", "a token_type string", "token_type %#v", obj["token_type"])
			if !strings.EqualFold(tt, rfc6749.TokenTypeBearer) {
				h.Note("token_type %q is not Bearer; the specs assume Bearer semantics", tt)
			}
		},
	})
	add(Spec{
		ID: "RESP-EXP-01", RFC: "6749", Section: "5.1", Level: reports.Should,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "expires_in is present as a JSON number.", How: "A valid request.",
		Accepts: "A JSON number.",
		Catches: `Strings such as "3600".`,
		Run: func(h *H) {
			_, obj := h.MustToken()
			v, ok := obj["expires_in"]
			h.Require(ok, "an expires_in member (RECOMMENDED)", "none")
			_, isNum := v.(json.Number)
			h.Require(isNum, "expires_in as a JSON number", "%T %v", v, v)
		},
	})
	add(Spec{
		ID: "RESP-EXP-01-INT", RFC: "6749", Section: "A.14", Level: reports.Must,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "expires_in is a non-negative whole number of seconds.", How: "A valid request; a number, or the content of a string.",
		Accepts: "1*DIGIT: no sign, no fraction, no exponent, no unit.",
		Run: func(h *H) {
			_, obj := h.MustToken()
			var digits string
			switch v := obj["expires_in"].(type) {
			case json.Number:
				digits = string(v)
			case string: // a string is RESP-EXP-01's warning; its content is judged here
				digits = v
			default:
				return
			}
			h.Require(digits != "" && strings.Trim(digits, "0123456789") == "", "digits only", "expires_in %q", digits)
		},
	})
	add(Spec{
		ID: "RESP-EXP-02", RFC: "6750", Section: "5.3", Level: reports.Note,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "Bearer tokens are short-lived (an hour or less).", How: "A valid request; expires_in is read.",
		Accepts: "Observation only.",
		Run: func(h *H) {
			_, obj := h.MustToken()
			if n, ok := obj["expires_in"].(json.Number); ok {
				if v, err := n.Int64(); err == nil && v > 3600 {
					h.Note("expires_in is %d s, longer than the hour RFC 6750 §5.3 suggests", v)
				}
			}
		},
	})
	add(Spec{
		ID: "RESP-SCOPE-01", RFC: "6749", Section: "5.1", Level: reports.Must,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "scope may be omitted only when the grant equals the request.",
		How:       "Request the allowed scope; when the response omits scope and the token is a JWT, its scope claim must equal the request.",
		Accepts:   "A scope member, or an omitted one with a matching token claim (opaque tokens: not decidable, noted).",
		Catches:   "Silently widened or narrowed grants.",
		Needs:     []Need{needScope},
		Run: func(h *H) {
			_, obj := h.MustToken("scope", h.T.Scope)
			if _, ok := obj["scope"]; ok {
				return
			}
			at, _ := obj["access_token"].(string)
			claims, ok := jwtClaims(at)
			if !ok {
				h.Note("scope omitted and the token is opaque: whether the grant equals the request cannot be seen")
				return
			}
			got, ok := claims["scope"].(string)
			if !ok {
				h.Note("scope omitted and the JWT has no scope string claim: whether the grant equals the request cannot be seen")
				return
			}
			h.Require(sameSet(scopeSet(got), scopeSet(h.T.Scope)), "the granted scope to equal the request "+h.T.Scope+" when scope is omitted", "the token's scope claim is %q", got)
		},
	})
	add(Spec{
		ID: "RESP-SCOPE-02", RFC: "6749", Section: "A.4", Level: reports.Must,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "A returned scope is one space-delimited string of scope tokens.", How: "A valid request with the allowed scope.",
		Accepts: "A JSON string matching scope-token *( SP scope-token ).",
		Catches: "Arrays and comma lists.",
		Needs:   []Need{needScope},
		Run: func(h *H) {
			_, obj := h.MustToken("scope", h.T.Scope)
			v, ok := obj["scope"]
			if !ok {
				return
			}
			s, isStr := v.(string)
			toks, valid := rfc6749.ParseScope(s)
			h.Require(isStr && valid && len(toks) > 0 && !strings.Contains(s, ","), "a space-delimited scope string", "scope %#v", v)
		},
	})
	add(Spec{
		ID: "RESP-HDR-01", RFC: "6749", Section: "5.1", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "A token response carries Cache-Control: no-store.", How: "A valid request; Cache-Control directives parsed case-insensitively.",
		Accepts: "no-store among the directives.",
		Run: func(h *H) {
			r, _ := h.MustTokenLoose()
			h.Expect(r).To(HaveNoStoreHeaders())
		},
	})
	add(Spec{
		ID: "RESP-HDR-02", RFC: "6749", Section: "5.1", Level: reports.Must,
		ProfileLevels: map[string]reports.Level{ProfileOAuth21: reports.Should},
		DependsOn:     []string{"CC-OK-01"},
		Title:         "A token response carries Pragma: no-cache.", How: "A valid request.",
		Accepts: "Pragma: no-cache (a warning only under profile oauth21).",
		Run: func(h *H) {
			r, _ := h.MustTokenLoose()
			h.Require(hasDirective(r.Header.Values("Pragma"), "no-cache"), "Pragma: no-cache", "Pragma: %q", r.Header.Values("Pragma"))
		},
	})
	add(Spec{
		ID: "CC-RT-01", RFC: "6749", Section: "4.4.3", Level: reports.Should,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "A client credentials response carries no refresh token.", How: "A valid request.",
		Accepts: "No refresh_token member.",
		Run: func(h *H) {
			_, obj := h.MustToken()
			_, ok := obj["refresh_token"]
			h.Require(!ok, "no refresh_token", "a refresh_token member")
		},
	})
	add(Spec{
		ID: "RESP-NOLEAK-01", RFC: "6749", Section: "10.8", Level: reports.Must,
		DependsOn: []string{"CC-OK-01"},
		Title:     "Client credentials are never echoed back.",
		How:       "A valid request and an erroneous one (unknown scope, bad grant) by the client; bodies and headers are searched for the secret in any encoding.",
		Accepts:   "No trace of the secret.",
		Run: func(h *H) {
			c := &h.T.Client
			rs := []*Response{
				h.Token(),
				h.Send(ccBody("scope", unknownScope), h.As(c)),
				h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(c)),
			}
			for _, r := range rs {
				h.Require(!leaks(r, c.Secret), "no trace of the client secret", "the secret is echoed in a %d response", r.Status)
			}
		},
	})
	add(Spec{
		ID: "TOK-ENT-01", RFC: "6749", Section: "10.10", Level: reports.Note,
		DependsOn: []string{idJSONToken},
		Title:     "Opaque access tokens look unguessable (recorded: a black-box estimate only).",
		How:       "Five tokens requested in a row: an opaque token shorter than 22 characters (under 128 bits even in base64), or a repeated one, is noted. JWTs are left to ATJ-JTI-01.",
		Accepts:   "Observation only: RFC 6749 §10.10 is about guessing, which a client cannot measure; uniqueness of JWT access tokens is ATJ-JTI-01's.",
		Run: func(h *H) {
			seen := map[string]bool{}
			for i := 0; i < 5; i++ {
				_, obj := h.MustToken()
				at, _ := obj["access_token"].(string)
				if _, isJWT := jwtClaims(at); isJWT {
					return
				}
				if seen[at] {
					h.Note("token %d repeats an earlier one", i+1)
				}
				seen[at] = true
				if len(at) < 22 {
					h.Note("an opaque token of %d characters may hold fewer than 128 bits", len(at))
				}
			}
		},
	})
}

// MustTokenLoose requires a 200 with an access token in any encoding, so
// specs about media type and headers can judge form-encoded successes too.
func (h *H) MustTokenLoose() (*Response, bool) {
	r := h.Token()
	h.Require(r.OK(), "an access token for a valid request", "%s", r.Summary())
	return r, true
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// hasDirective reports whether a comma-separated header holds directive.
func hasDirective(values []string, directive string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(d), "=")
			if strings.EqualFold(strings.TrimSpace(name), directive) {
				return true
			}
		}
	}
	return false
}

// leaks reports whether a response shows the secret, raw or encoded.
func leaks(r *Response, secret string) bool {
	if len(secret) < 3 {
		return false
	}
	forms := []string{secret, urlQueryEscape(secret), jsonEscape(secret)}
	hay := string(r.Body)
	for k, vs := range r.Header {
		hay += "\n" + k + ": " + strings.Join(vs, ", ")
	}
	for _, f := range forms {
		if strings.Contains(hay, f) {
			return true
		}
	}
	return false
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

package suites

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"
)

// Gomega matchers for the responses a spec receives (*Response), used by
// occheck's own specs through H.Expect and exported for specs of your
// own. A failure names what was expected and shows the response in one
// line (Response.Summary: a body that carries a token is never shown),
// and inside a run the harness redacts every configured secret from it.

// responseMatcher is a check of a *Response with its description.
type responseMatcher struct {
	// want says what a matching response is, for messages.
	want  string
	check func(r *Response) bool
	// got describes the part of a response the check reads (default:
	// Response.Summary).
	got func(r *Response) string
}

func (m responseMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*Response)
	if !ok || r == nil {
		return false, fmt.Errorf("an occheck matcher wants a *suites.Response, got %T", actual)
	}
	return m.check(r), nil
}

func (m responseMatcher) FailureMessage(actual any) string {
	return "expected " + m.want + "; got " + m.describe(actual)
}

func (m responseMatcher) NegatedFailureMessage(actual any) string {
	return "expected anything but " + m.want + "; got " + m.describe(actual)
}

// describe is the response part of a message, on one line: the harness
// reads the message back, and a server's body must not be able to add a
// line of its own.
func (m responseMatcher) describe(actual any) string {
	r, ok := actual.(*Response)
	var out string
	switch {
	case !ok || r == nil:
		out = fmt.Sprintf("%T", actual)
	case m.got != nil:
		out = m.got(r)
	default:
		out = r.Summary()
	}
	return strings.Join(strings.Fields(out), " ")
}

// splitMatcherMessage reads an occheck matcher's failure message back
// into what was expected and what came, and the description Gomega put
// before it (ok false for other messages). The matcher's message is the
// last line, and one line (describe), so text from the server cannot
// pose as it.
func splitMatcherMessage(msg string) (expected, actual, desc string, ok bool) {
	head, last := "", msg
	if i := strings.LastIndex(msg, "\n"); i >= 0 {
		head, last = msg[:i], msg[i+1:]
	}
	rest, found := strings.CutPrefix(strings.TrimSpace(last), "expected ")
	if !found {
		return "", "", "", false
	}
	expected, actual, ok = strings.Cut(rest, "; got ")
	return expected, actual, strings.Join(strings.Fields(head), " "), ok
}

// HaveStatus matches a response with the HTTP status code.
func HaveStatus(code int) types.GomegaMatcher {
	return responseMatcher{want: fmt.Sprintf("status %d", code), check: func(r *Response) bool { return r.Status == code }}
}

// BeOAuthError matches an RFC 6749 §5.2 error response: a 4xx status and
// a JSON object whose error member is code. Which 4xx is owed depends on
// the request (401 for invalid_client after an Authorization header):
// pair it with HaveStatus.
func BeOAuthError(code string) types.GomegaMatcher {
	return responseMatcher{want: fmt.Sprintf("a 4xx JSON error %q (RFC 6749 §5.2)", code), check: func(r *Response) bool {
		return r.Status/100 == 4 && isJSON(r) && r.ErrorCode() == code
	}}
}

// HaveBasicChallenge matches a response whose WWW-Authenticate offers
// the Basic scheme (RFC 6749 §5.2, RFC 7617), the scheme compared
// case-insensitively.
func HaveBasicChallenge() types.GomegaMatcher {
	return responseMatcher{want: "a WWW-Authenticate: Basic challenge", got: func(r *Response) string {
		return fmt.Sprintf("%d, WWW-Authenticate %q", r.Status, r.Header.Values("WWW-Authenticate"))
	}, check: func(r *Response) bool {
		for _, v := range r.Header.Values("WWW-Authenticate") {
			for _, ch := range strings.Split(v, ",") {
				if f := strings.Fields(ch); len(f) > 0 && strings.EqualFold(f[0], "Basic") {
					return true
				}
			}
		}
		return false
	}}
}

// HaveNoStoreHeaders matches a response with Cache-Control: no-store
// (RFC 6749 §5.1: every response carrying a token).
func HaveNoStoreHeaders() types.GomegaMatcher {
	return responseMatcher{want: "Cache-Control: no-store", got: func(r *Response) string {
		return fmt.Sprintf("Cache-Control %q", r.Header.Values("Cache-Control"))
	}, check: func(r *Response) bool { return hasDirective(r.Header.Values("Cache-Control"), "no-store") }}
}

// BeTokenResponse matches an RFC 6749 §5.1 success: 200, application/json,
// string access_token and token_type members.
func BeTokenResponse() types.GomegaMatcher {
	return responseMatcher{want: "200 application/json with access_token and token_type strings (RFC 6749 §5.1)", check: func(r *Response) bool {
		if r.Status != 200 || !isJSON(r) {
			return false
		}
		at, ok1 := r.Member("access_token")
		tt, ok2 := r.Member("token_type")
		_, s1 := at.(string)
		_, s2 := tt.(string)
		return ok1 && ok2 && s1 && s2
	}}
}

// HaveScope matches a response whose scope member (a space-separated
// string, RFC 6749 §3.3) names exactly these scopes, in any order.
func HaveScope(scopes ...string) types.GomegaMatcher {
	want := slices.Clone(scopes)
	slices.Sort(want)
	return responseMatcher{want: fmt.Sprintf("scope %q", strings.Join(scopes, " ")), got: func(r *Response) string {
		v, ok := r.Member("scope")
		if !ok {
			return "no scope member"
		}
		return fmt.Sprintf("scope %#v", v)
	}, check: func(r *Response) bool {
		v, ok := r.Member("scope")
		s, isStr := v.(string)
		if !ok || !isStr {
			return false
		}
		got := strings.Fields(s)
		slices.Sort(got)
		return slices.Equal(got, want)
	}}
}

// isJSON reports an application/json (or +json) response with a JSON
// object body.
func isJSON(r *Response) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return false
	}
	_, err = r.JSON()
	return err == nil
}

// BeJWTAccessToken matches a token response whose access_token is an RFC
// 9068 JWT access token in form: a compact JWS with typ at+jwt (or
// application/at+jwt, any case, §2.1) and the claims named, by default
// the ones §2.2 requires (iss, exp, aud, sub, client_id, iat, jti). It
// does not verify the signature (ATJ-SIG-01 does, against the JWKS); the
// failure message names what is missing, never the token.
func BeJWTAccessToken(claims ...string) types.GomegaMatcher {
	if len(claims) == 0 {
		claims = []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"}
	}
	problem := func(r *Response) string {
		tok := r.String("access_token")
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			return fmt.Sprintf("an access_token of %d dot-separated parts, not a compact JWS", len(parts))
		}
		var hdr, body map[string]any
		if decodeSegment(parts[0], &hdr) != nil || decodeSegment(parts[1], &body) != nil {
			return "an access_token whose header or payload is not base64url JSON"
		}
		typ, _ := hdr["typ"].(string)
		if t := strings.ToLower(typ); t != "at+jwt" && t != "application/at+jwt" {
			return fmt.Sprintf("typ %q", typ)
		}
		var missing []string
		for _, c := range claims {
			if _, ok := body[c]; !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			return "no " + strings.Join(missing, ", ") + " claim"
		}
		return ""
	}
	return responseMatcher{want: fmt.Sprintf("a JWT access token (typ at+jwt; claims %s)", strings.Join(claims, ", ")),
		got:   problem,
		check: func(r *Response) bool { return problem(r) == "" }}
}

// decodeSegment reads a base64url JSON segment of a JWS.
func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

package suites

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/onsi/gomega/types"
)

func resp(status int, hdr map[string]string, body string) *Response {
	h := http.Header{}
	for k, v := range hdr {
		h.Set(k, v)
	}
	return &Response{Status: status, Header: h, Body: []byte(body)}
}

// TestMatchers: each matcher takes what its rule allows and refuses the
// near misses, and its failure message names the expectation without
// ever showing a token.
func TestMatchers(t *testing.T) {
	jsonCT := map[string]string{"Content-Type": "application/json;charset=UTF-8"}
	tok := resp(200, map[string]string{"Content-Type": "application/json", "Cache-Control": "private, No-Store"},
		`{"access_token":"SECRET-TOKEN","token_type":"Bearer","scope":"write read"}`)
	for _, c := range []struct {
		name  string
		m     types.GomegaMatcher
		yes   []*Response
		no    []*Response
		wants string
	}{
		{"HaveStatus", HaveStatus(401), []*Response{resp(401, nil, "")}, []*Response{resp(400, nil, "")}, "status 401"},
		{"BeOAuthError", BeOAuthError("invalid_client"),
			[]*Response{resp(401, jsonCT, `{"error":"invalid_client"}`), resp(400, jsonCT, `{"error":"invalid_client","error_description":"x"}`)},
			[]*Response{resp(200, jsonCT, `{"error":"invalid_client"}`), resp(401, nil, `{"error":"invalid_client"}`), resp(401, jsonCT, `{"error":"invalid_request"}`), resp(401, jsonCT, `not json`)},
			`"invalid_client"`},
		{"HaveBasicChallenge", HaveBasicChallenge(),
			[]*Response{resp(401, map[string]string{"WWW-Authenticate": `basic realm="x"`}, ""), resp(401, map[string]string{"WWW-Authenticate": `Bearer realm="a", Basic realm="b"`}, "")},
			[]*Response{resp(401, nil, ""), resp(401, map[string]string{"WWW-Authenticate": `Bearer realm="Basic"`}, "")},
			"Basic challenge"},
		{"HaveNoStoreHeaders", HaveNoStoreHeaders(), []*Response{tok}, []*Response{resp(200, map[string]string{"Cache-Control": "no-cache"}, "")}, "no-store"},
		{"BeTokenResponse", BeTokenResponse(), []*Response{tok},
			[]*Response{resp(201, jsonCT, `{"access_token":"a","token_type":"Bearer"}`), resp(200, jsonCT, `{"access_token":"a"}`), resp(200, nil, `access_token=a&token_type=Bearer`)},
			"access_token"},
		{"HaveScope", HaveScope("read", "write"), []*Response{tok},
			[]*Response{resp(200, jsonCT, `{"scope":"read"}`), resp(200, jsonCT, `{"scope":["read","write"]}`), resp(200, jsonCT, `{}`)},
			`scope "read write"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range c.yes {
				if ok, err := c.m.Match(r); !ok || err != nil {
					t.Errorf("refuses %s (%v)", r.Summary(), err)
				}
			}
			for _, r := range c.no {
				if ok, _ := c.m.Match(r); ok {
					t.Errorf("takes %s", r.Summary())
				}
				msg := c.m.FailureMessage(r)
				if !strings.Contains(msg, c.wants) || strings.Contains(msg, "SECRET-TOKEN") {
					t.Errorf("message %q", msg)
				}
			}
			if msg := c.m.NegatedFailureMessage(tok); strings.Contains(msg, "SECRET-TOKEN") {
				t.Errorf("negated message shows the token: %q", msg)
			}
			if _, err := c.m.Match("not a response"); err == nil {
				t.Error("no error for a value that is not a *Response")
			}
		})
	}
}

// TestBeJWTAccessToken: the matcher reads the token's form and claims,
// and its message names the problem without the token.
func TestBeJWTAccessToken(t *testing.T) {
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	body := func(tok string) *Response {
		return resp(200, map[string]string{"Content-Type": "application/json"}, `{"access_token":"`+tok+`","token_type":"Bearer"}`)
	}
	full := seg(`{"iss":"i","exp":1,"aud":"a","sub":"s","client_id":"c","iat":1,"jti":"j"}`)
	good := body(seg(`{"alg":"ES256","typ":"at+JWT"}`) + "." + full + ".c2ln")
	if ok, _ := BeJWTAccessToken().Match(good); !ok {
		t.Error("refuses a well-formed at+jwt token")
	}
	for tok, want := range map[string]string{
		"opaque-token": "1 dot-separated parts",
		seg(`{"alg":"ES256","typ":"JWT"}`) + "." + full + ".c2ln":                          `typ "JWT"`,
		seg(`{"alg":"ES256","typ":"at+jwt"}`) + "." + seg(`{"iss":"i","exp":1}`) + ".c2ln": "no aud, sub, client_id, iat, jti claim",
		"a.b.c": "not base64url JSON",
	} {
		m := BeJWTAccessToken()
		r := body(tok)
		if ok, _ := m.Match(r); ok {
			t.Errorf("takes %q", tok)
		}
		if msg := m.FailureMessage(r); !strings.Contains(msg, want) || (len(tok) > 10 && strings.Contains(msg, tok)) {
			t.Errorf("message %q, want %q and never the token", msg, want)
		}
	}
	if ok, _ := BeJWTAccessToken("iss").Match(body(seg(`{"typ":"application/at+jwt"}`) + "." + seg(`{"iss":"i"}`) + ".x")); !ok {
		t.Error("a chosen claim list is not honoured")
	}
}

// TestMatcherMessageCannotBeForged: a body with newlines and its own
// "expected" line stays inside the actual part, whole.
func TestMatcherMessageCannotBeForged(t *testing.T) {
	r := resp(404, map[string]string{"Content-Type": "application/json"}, "{\n  \"error\": \"nope\"\n}\nexpected 404; got 404 -- all good")
	msg := "the description\n" + HaveStatus(200).FailureMessage(r)
	exp, act, desc, ok := splitMatcherMessage(msg)
	if !ok || exp != "status 200" || !strings.Contains(act, `"error": "nope"`) || !strings.Contains(act, "all good") || desc != "the description" {
		t.Errorf("split %q: expected %q, actual %q, desc %q, ok %v", msg, exp, act, desc, ok)
	}
}

package suites

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDecodeObject: whatever a server sends, the body decoder never
// panics, and it never calls something a JSON object that is not one:
// a parse failure can never turn into a pass.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"a","token_type":"Bearer","expires_in":3600}`,
		`{"a":1,"a":2}`, `[1,2]`, `{"x":{"y":[{"z":null}]}}`, `{"e":1e400}`, `{"access_token": "abc", "token_type": `,
		`{}garbage`, "\xff\xfe", `{"a":"\ud800"}`, ``, `null`, `"str"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, dups, err := decodeObject(body)
		if err != nil {
			if obj != nil {
				t.Fatalf("error %v with an object", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
			t.Fatalf("accepted a non-object %q", body)
		}
		for _, d := range dups {
			if _, ok := obj[d]; !ok {
				t.Fatalf("duplicate %q not in the object", d)
			}
		}
	})
}

// FuzzParseChallenges: WWW-Authenticate parsing never panics and only
// finds a Basic challenge where the header names it.
func FuzzParseChallenges(f *testing.F) {
	for _, s := range []string{
		`Basic realm="occheck", charset="UTF-8"`, `Basic`, `Bearer realm="x", error="invalid_token", Basic realm="y"`,
		`Basic realm="a\"b"`, `basic realm=x`, `Negotiate`, `, ,`, `Basic realm="unterminated`, `=`, `Basic ==`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cs := parseChallenges(v)
		for _, c := range cs {
			if c.scheme == "" || strings.ContainsAny(c.scheme, " ,") {
				t.Fatalf("scheme %q from %q", c.scheme, v)
			}
		}
		if hasChallenge([]string{v}, "Basic") && !strings.Contains(strings.ToLower(v), "basic") {
			t.Fatalf("Basic challenge found in %q", v)
		}
	})
}

// FuzzJWTParts: a token the suite cannot decode is never treated as a JWT.
func FuzzJWTParts(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(enc([]byte(`{"alg":"RS256","typ":"at+jwt"}`)) + "." + enc([]byte(`{"sub":"x","exp":1}`)) + ".c2ln")
	f.Add("a.b.c")
	f.Add("opaque-token")
	f.Add(enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`[]`)) + ".")
	f.Fuzz(func(t *testing.T, token string) {
		h, c, ok := jwtParts(token)
		if !ok {
			return
		}
		if strings.Count(token, ".") != 2 || h == nil || c == nil {
			t.Fatalf("%q accepted as a JWT with header %v claims %v", token, h, c)
		}
	})
}

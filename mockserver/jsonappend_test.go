package mockserver

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// TestAppendJSONMatchesMarshal: the hand-written claims and response
// documents are byte for byte what encoding/json writes, for the common
// shapes and for every value a deviation puts in them.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	strs := []string{"", "plain", "read write", `quote"d`, `back\slash`, "<html>&", "caf\u00e9", "tab\there", "\u2028", "\x7f"}
	for _, s := range strs {
		for _, aud := range []any{s, []string{s, "https://api.example.test"}, []string{}, []string(nil), nil} {
			for _, scope := range []any{nil, s, "", []string{"read", s}} {
				for _, cnf := range []map[string]any{nil, {}, {"x5t#S256": s}} {
					c := &tokenClaims{Aud: aud, ClientID: s, Exp: 1795352765, Iat: -3, Iss: "https://as.example.test/" + s, JTI: s, Scope: scope, Sub: s, Cnf: cnf}
					want, err := json.Marshal(c)
					if err != nil {
						t.Fatal(err)
					}
					if got, err := c.appendJSON(nil, true); err != nil || string(got) != string(want) {
						t.Errorf("claims\n got %s (%v)\nwant %s", got, err, want)
					}
					var m map[string]any
					_ = json.Unmarshal(want, &m)
					delete(m, "iat")
					delete(m, "exp")
					delete(m, "jti")
					got, err := c.appendJSON(nil, false)
					var gm map[string]any
					if err != nil || json.Unmarshal(got, &gm) != nil || !reflect.DeepEqual(gm, m) {
						t.Errorf("stored claims\n got %s (%v)\nwant %v", got, err, m)
					}
				}
				for _, exp := range []any{int64(3600), "3600", 3599.5, nil} {
					r := &successResponse{AccessToken: s, TokenType: s, ExpiresIn: exp, Scope: scope, RefreshToken: s}
					want, _ := json.Marshal(r)
					if got, err := r.appendJSON(nil); err != nil || string(got) != string(want) {
						t.Errorf("response\n got %s (%v)\nwant %s", got, err, want)
					}
				}
			}
		}
	}
}

// TestAppendJSONObjectMatchesMarshal: maps (the introspection answer, the
// metadata) encode as json.Marshal encodes them.
func TestAppendJSONObjectMatchesMarshal(t *testing.T) {
	for _, m := range []map[string]any{
		{},
		{"active": false},
		{"active": true, "scope": "read write", "exp": float64(1795352765), "iat": int64(-3), "aud": []string{"a", "b"},
			"cnf": map[string]any{"x5t#S256": "abc"}, "neg": math.Copysign(0, -1), "frac": 0.5, "big": 1e21, "small": 1e-7, "nil": nil,
			"list": []any{"x", 1.0, true}, "html": "<&>", "uni": "caf\u00e9", "n": json.Number("12"), "k\"ey": "v"},
	} {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := appendJSONObject(nil, m); err != nil || string(got) != string(want) {
			t.Errorf("\n got %s (%v)\nwant %s", got, err, want)
		}
	}
}

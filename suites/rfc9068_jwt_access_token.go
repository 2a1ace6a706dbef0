package suites

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/specs"
)

// RFC 9068 (JWT profile for access tokens), opt-in with profile rfc9068.

// jwtParts decodes the header and claims of a compact JWS without
// verifying it; ok is false when the token is not a JWT.
func jwtParts(token string) (header, claims map[string]any, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, false
	}
	dec := func(s string, v any) bool {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			return false
		}
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		return d.Decode(v) == nil
	}
	if !dec(parts[0], &header) || !dec(parts[1], &claims) {
		return nil, nil, false
	}
	return header, claims, true
}

func jwtClaims(token string) (map[string]any, bool) {
	_, c, ok := jwtParts(token)
	return c, ok
}

// jwt gets a token and its decoded parts, skipping the spec when the
// server issues opaque tokens.
func (h *H) jwt(kv ...string) (token string, header, claims map[string]any, resp map[string]any) {
	_, obj := h.MustToken(kv...)
	at, _ := obj["access_token"].(string)
	hd, cl, ok := jwtParts(at)
	if !ok {
		h.Skip("the access token is not a JWT")
	}
	return at, hd, cl, obj
}

func numClaim(c map[string]any, name string) (float64, bool) {
	n, ok := c[name].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func init() {
	jwtNeeds := []Need{needJWTProfile}
	add(Spec{
		ID: "ATJ-TYP-01", RFC: "9068", Section: "2.1", Level: reports.Must,
		Title: "The JWT header typ is at+jwt (or application/at+jwt), any case.", How: "A token's JOSE header.",
		Accepts: "at+jwt or application/at+jwt, compared case-insensitively.",
		Catches: "typ JWT or no typ, which lets ID tokens pass as access tokens.",
		Labels:  []string{"jwt"}, Needs: jwtNeeds,
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			_, hd, _, _ := h.jwt()
			typ, _ := hd["typ"].(string)
			t := strings.ToLower(typ)
			h.Require(t == "at+jwt" || t == "application/at+jwt", "typ at+jwt", "typ %q", typ)
		},
	})
	add(Spec{
		ID: "ATJ-ALG-01", RFC: "9068", Section: "2.1", Level: reports.Must,
		Title: "The token is signed: alg is not none and a signature is present.", How: "A token's JOSE header and signature part.",
		Accepts: "Any alg but none, with a signature.",
		Labels:  []string{"jwt"}, Needs: jwtNeeds,
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			at, hd, _, _ := h.jwt()
			alg, _ := hd["alg"].(string)
			h.Require(alg != "" && !strings.EqualFold(alg, "none") && !strings.HasSuffix(at, "."), "a signed token", "alg %q", alg)
		},
	})
	add(Spec{
		ID: "ATJ-CLM-01", RFC: "9068", Section: "2.2", Level: reports.Must,
		Title: "The claims iss, exp, aud, sub, client_id, iat and jti are present.", How: "A token's claims.",
		Accepts: "All seven claims.",
		Catches: "Vendor tokens without client_id (azp, cid) or jti.",
		Labels:  []string{"jwt"}, Needs: jwtNeeds,
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			_, _, cl, _ := h.jwt()
			var missing []string
			for _, c := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
				if _, ok := cl[c]; !ok {
					missing = append(missing, c)
				}
			}
			h.Require(len(missing) == 0, "all RFC 9068 §2.2 claims", "missing %v", missing)
		},
	})
	add(Spec{
		ID: "ATJ-CID-01", RFC: "9068", Section: "2.2", Level: reports.Must,
		Title: "The client_id claim names the authenticated client.", How: "A token's client_id claim.",
		Accepts: "client_id equal to the client under test.",
		Labels:  []string{"jwt"}, Needs: jwtNeeds,
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			_, _, cl, _ := h.jwt()
			if _, ok := cl["client_id"]; !ok {
				return // a missing claim is ATJ-CLM-01's
			}
			h.Require(cl["client_id"] == h.T.Client.ID, "client_id "+h.T.Client.ID, "client_id %v", cl["client_id"])
		},
	})
	add(Spec{
		ID: "ATJ-SUB-01", RFC: "9068", Section: "2.2", Level: reports.Should,
		Title: "With no resource owner, sub identifies the client.", How: "A token's sub claim.",
		Accepts: "sub equal to client_id.",
		Labels:  []string{"jwt"}, Needs: jwtNeeds,
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			_, _, cl, _ := h.jwt()
			h.Require(cl["sub"] == h.T.Client.ID, "sub "+h.T.Client.ID, "sub %v", cl["sub"])
		},
	})
	add(Spec{
		ID: "ATJ-ISS-01", RFC: "9068", Section: "2.2", Level: reports.Must,
		DependsOn: []string{idJSONToken, "MD-02"},
		Title:     "iss equals the issuer of the metadata.", How: "A token's iss against the metadata issuer, exactly.",
		Accepts: "An identical string.",
		Catches: "Trailing-slash mismatches.",
		Labels:  []string{"jwt", "metadata"}, Needs: append([]Need{needMetadata}, jwtNeeds...),
		Run: func(h *H) {
			_, meta := h.Metadata()
			_, _, cl, _ := h.jwt()
			h.Require(cl["iss"] == meta["issuer"], "iss equal to the metadata issuer "+str(meta["issuer"]), "iss %v", cl["iss"])
		},
	})
	add(Spec{
		ID: "ATJ-TIME-01", RFC: "9068", Section: "2.2", Level: reports.Should,
		Title: "iat is not in the future, exp is after iat, and exp - iat matches expires_in.", How: "A token's iat and exp against the clock and expires_in (5 s tolerance).",
		Accepts: "Consistent times.",
		Labels:  []string{"jwt"}, Needs: jwtNeeds,
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			_, _, cl, obj := h.jwt()
			iat, ok1 := numClaim(cl, "iat")
			exp, ok2 := numClaim(cl, "exp")
			h.Require(ok1 && ok2, "numeric iat and exp", "iat %v exp %v", cl["iat"], cl["exp"])
			now := float64(time.Now().Unix())
			h.Require(iat <= now+5 && exp > iat, "iat <= now and exp > iat", "iat %v exp %v now %v", iat, exp, now)
			if n, ok := obj["expires_in"].(json.Number); ok {
				ei, _ := n.Float64()
				h.Require(math.Abs((exp-iat)-ei) <= 5, "exp - iat equal to expires_in", "exp - iat = %v, expires_in = %v", exp-iat, ei)
			}
		},
	})
	add(Spec{
		ID: "ATJ-AUD-01", RFC: "9068", Section: "3", Level: reports.Must,
		Title: "Tokens carry an audience (a default one when no resource was named).", How: "A token's aud claim.",
		Accepts: "A non-empty string or array of strings.",
		Labels:  []string{"jwt"}, Needs: jwtNeeds,
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			_, _, cl, _ := h.jwt()
			if _, ok := cl["aud"]; !ok {
				return // a missing claim is ATJ-CLM-01's
			}
			ok := false
			switch a := cl["aud"].(type) {
			case string:
				ok = a != ""
			case []any:
				ok = len(a) > 0
			}
			h.Require(ok, "a non-empty aud", "aud %#v", cl["aud"])
		},
	})
	add(Spec{
		ID: "ATJ-SCOPE-01", RFC: "9068", Section: "2.2.3", Level: reports.Should,
		Title: "When scope was requested, the token has a space-delimited scope claim.", How: "A token requested with the allowed scope.",
		Accepts: "A scope claim that is a string.",
		Catches: "scp arrays.",
		Labels:  []string{"jwt"}, Needs: append([]Need{needScope}, jwtNeeds...),
		DependsOn: []string{idJSONToken},
		Run: func(h *H) {
			_, _, cl, _ := h.jwt("scope", h.T.Scope)
			s, ok := cl["scope"].(string)
			h.Require(ok && s != "", "a scope claim string", "scope %#v", cl["scope"])
		},
	})
	add(Spec{
		ID: "ATJ-JTI-01", RFC: "9068", Section: "2.2", Level: reports.Must,
		DependsOn: []string{idJSONToken},
		Title:     "Every JWT access token has its own jti.",
		How:       "Five tokens requested in a row; their jti claims are compared.",
		Accepts:   "Five distinct jti values (a missing jti is ATJ-CLM-01's).",
		Labels:    []string{"jwt"}, Needs: jwtNeeds,
		Run: func(h *H) {
			jtis := map[string]bool{}
			for i := 0; i < 5; i++ {
				_, _, cl, _ := h.jwt()
				jti, ok := cl["jti"].(string)
				if !ok {
					return
				}
				h.Require(!jtis[jti], "a fresh jti in every token", "token %d repeats jti %q", i+1, jti)
				jtis[jti] = true
			}
		},
	})
	add(Spec{
		ID: "ATJ-SIG-01", RFC: "9068", Section: "4", Level: reports.Must,
		DependsOn: []string{idJSONToken, "ATJ-ALG-01", "RESP-AT-01"},
		Title:     "The signature verifies with a key from the server's JWKS.", How: "jwks_uri from the metadata; the key named by kid (or each key) verifies the token.",
		Accepts: "A verifying key.",
		Labels:  []string{"jwt", "metadata"}, Needs: append([]Need{needMetadata}, jwtNeeds...),
		Run: func(h *H) {
			_, meta := h.Metadata()
			uri, _ := meta["jwks_uri"].(string)
			if uri == "" {
				h.Skip("the metadata has no jwks_uri (graded by MD-08)")
			}
			if !h.metadataTrusted() {
				h.Skip("the metadata failed MD-02, and RFC 8414 §3.3 forbids using its data: its jwks_uri is not used")
			}
			at, hd, _, _ := h.jwt()
			r := h.getValidated(uri, specs.OpJWKS)
			var set jose.JSONWebKeySet
			h.Require(r.Status == 200 && json.Unmarshal(r.Body, &set) == nil && len(set.Keys) > 0, "a JWK Set at "+uri, "%s", r.Summary())
			alg, _ := hd["alg"].(string)
			sig, err := jose.ParseSignedCompact(at, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			h.Require(err == nil, "a parseable JWS", "%v", err)
			keys := set.Keys
			if kid, _ := hd["kid"].(string); kid != "" {
				keys = set.Key(kid)
			}
			verified := false
			for _, k := range keys {
				if _, err := sig.Verify(k.Public().Key); err == nil {
					verified = true
				}
			}
			h.Require(verified, "a JWKS key that verifies the token", "no key in %s verifies it (kid %v)", uri, hd["kid"])
		},
	})
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

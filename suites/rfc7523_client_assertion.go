package suites

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 7523 §2.2 and §3 (JWT client assertions), with RFC 7521 §4.2, when
// an assertion client (private_key_jwt) is configured. Each negative
// changes one thing in the baseline assertion and requires "no token";
// the code and status of the refusal are JWT-ERR-01's and JWT-ERR-02's.

// assertionSpec declares a spec of this section: it needs the assertion
// client and builds on the working baseline assertion.
func assertionSpec(s Spec) {
	s.Needs = append([]Need{needAssertionClient}, s.Needs...)
	if s.ID != idAssertionBaseline {
		s.DependsOn = append([]string{idAssertionBaseline}, s.DependsOn...)
	}
	s.Labels = append(s.Labels, "private_key_jwt")
	add(s)
}

// otherClientID is a client id that is not the assertion client's.
func (h *H) otherClientID() string {
	if h.T.Client.ID != h.T.AssertionClient.ID {
		return h.T.Client.ID
	}
	return "occheck-other-client"
}

// keyMakes reports whether key can sign with the JWS algorithm alg.
func keyMakes(key crypto.Signer, alg string) bool {
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		return slices.Contains([]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}, alg)
	case *ecdsa.PublicKey:
		return alg == ecAlg(k)
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// freshKey is a new key of the assertion key's type, unknown to the server.
func (h *H) freshKey() (crypto.Signer, jose.SignatureAlgorithm) {
	alg := jose.SignatureAlgorithm(h.T.AssertionClient.alg())
	switch h.T.AssertionClient.Key.Public().(type) {
	case *rsa.PublicKey:
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		return k, alg
	case *ecdsa.PublicKey:
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return k, jose.ES256
	}
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	return k, jose.EdDSA
}

func init() {
	assertionSpec(Spec{
		ID: idAssertionBaseline, RFC: "7523", Section: "2.2", Level: reports.Must,
		// The grant must work at all before the assertion method is
		// judged: a server without client_credentials is CC-OK-01's failure.
		DependsOn: []string{idBaseline},
		Title:     "A well-formed client assertion authenticates the client (private_key_jwt).",
		How:       "The assertion client's JWT: iss = sub = its id, aud = the token endpoint URL, else the issuer (rfc7523bis, fapi2: the issuer only), exp = now+60, iat, a fresh jti, signed with its key.",
		Accepts:   "200 with a token for one of the audience values; the one that worked is used by every JWT-* spec.",
		Catches:   "Servers that refuse untyped assertions, or an audience RFC 7523 allows.",
		Run: func(h *H) {
			cands := h.audCandidates()
			if len(cands) == 0 {
				h.Skip("the issuer is unknown, and this profile accepts only the issuer as audience (--issuer)")
			}
			var last *Response
			for _, aud := range cands {
				r, scope := h.withScopeSearch(func(scope string) *Response {
					h.st.mu.Lock()
					h.st.jwtScope = scope
					h.st.mu.Unlock()
					return h.SendAssertion(h.sign(h.baseClaims().with("aud", aud), nil))
				})
				if r.OK() {
					h.setAssertionAud(aud)
					if scope == "" {
						h.Note("the assertion with aud %s was accepted (no scope asked for)", audText(aud))
					} else {
						h.Note("the assertion with aud %s was accepted (scope %s)", audText(aud), scope)
					}
					return
				}
				last = r
			}
			h.st.mu.Lock()
			h.st.jwtScope = ""
			h.st.mu.Unlock()
			h.skipOnScope(last, h.T.AssertionClient.ID)
			var tried []string
			for _, c := range cands {
				tried = append(tried, audText(c))
			}
			h.Require(false, "a token for a valid assertion with aud "+strings.Join(tried, " or "), "%s", last.Summary())
		},
	})
	assertionSpec(Spec{
		ID: "JWT-TYPE-01", RFC: "7523", Section: "2.2", Level: reports.Must,
		Title:   "client_assertion_type must be exactly the jwt-bearer client assertion URN.",
		How:     "The valid assertion with client_assertion_type (a) urn:example:other, (b) the URN in upper case, (c) the grant-type URN urn:ietf:params:oauth:grant-type:jwt-bearer.",
		Accepts: "No token for each.",
		Catches: "Parsers that compare case-insensitively or only look at the jwt-bearer suffix.",
		Run: func(h *H) {
			for _, typ := range []string{"urn:example:other", strings.ToUpper(assertionTypeURN), "urn:ietf:params:oauth:grant-type:jwt-bearer"} {
				body := h.assertionBodyTyped(typ, h.sign(h.baseClaims(), nil))
				h.refused(h.Send(body), "client_assertion_type "+typ)
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-ONE-01", RFC: "7523", Section: "2.2", Level: reports.Must,
		Title:   "client_assertion holds a single JWT.",
		How:     "Two valid assertions joined with a comma in one client_assertion (a repeated parameter is TE-PARAM-03's).",
		Accepts: "No token.",
		Catches: "Servers that split a list and use its first element.",
		Run: func(h *H) {
			h.refused(h.SendAssertion(h.sign(h.baseClaims(), nil)+","+h.sign(h.baseClaims(), nil)), "two JWTs in one client_assertion")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-ISS-01", RFC: "7523", Section: "3", Level: reports.Must,
		Title:   "The assertion's iss is present and is the client_id.",
		How:     "(a) iss omitted; (b) iss = another client while sub is the assertion client, signed with its key.",
		Accepts: "No token for either.",
		Catches: "Servers that find the client from sub and never read iss.",
		Run: func(h *H) {
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("iss", nil), nil)), "an assertion without iss")
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("iss", h.otherClientID()), nil)), "iss naming another client")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-SUB-01", RFC: "7523", Section: "3", Level: reports.Must,
		Title:   "The assertion's sub is present and is the client_id.",
		How:     "(a) sub omitted; (b) sub = another client while iss is the assertion client, signed with its key.",
		Accepts: "No token for either.",
		Catches: "Servers that find the client from iss and never read sub.",
		Run: func(h *H) {
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("sub", nil), nil)), "an assertion without sub")
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("sub", h.otherClientID()), nil)), "sub naming another client")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-AUD-01", RFC: "7523", Section: "3", Level: reports.Must,
		Title:   "An assertion whose audience does not name this server is refused; audience values are compared as exact strings.",
		How:     "(a) aud omitted; (b) aud = https://evil.example as a string and as an array; (c) the accepted audience in upper case, and with a trailing slash.",
		Accepts: "No token for (a) and (b); a token for (c) warns (RFC 7519 §4.1.3 compares exact strings).",
		Catches: "Servers that skip the audience check, so an assertion made for another server works here; lenient URL comparisons.",
		Run: func(h *H) {
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("aud", nil), nil)), "an assertion without aud")
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("aud", "https://evil.example"), nil)), "aud https://evil.example")
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("aud", []string{"https://evil.example"}), nil)), "aud [https://evil.example]")
			aud := h.assertionAud()
			for _, v := range []any{mapAud(aud, strings.ToUpper), mapAud(aud, func(s string) string { return s + "/" })} {
				r := h.SendAssertion(h.sign(h.baseClaims().with("aud", v), nil))
				h.Should(!r.HasToken(), "no token for aud "+audText(v)+": audience values are compared as exact strings", "%s", r.Summary())
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-AUD-02", RFC: "7523", Section: "3", Level: reports.Note,
		Title:   "Only the issuer as audience (rfc7523bis, FAPI 2.0): not the token endpoint URL, no extra values.",
		How:     "(a) aud = the token endpoint URL; (b) aud = [issuer, https://other.example].",
		Accepts: "RFC 7523 allows both: recorded. Under --profile rfc7523bis or fapi2 each must be refused.",
		Catches: "The audience-injection weakness rfc7523bis closes.",
		Run: func(h *H) {
			strict := h.T.Has(ProfileRFC7523bis) || h.T.Has(ProfileFAPI2)
			iss := expectedIssuer(h.T)
			type try struct {
				what string
				aud  any
			}
			tries := []try{{"the token endpoint URL", h.T.TokenURL}}
			if iss != "" {
				tries = append(tries, try{"[issuer, https://other.example]", []string{iss, "https://other.example"}})
			}
			for _, t := range tries {
				what, aud := t.what, t.aud
				r := h.SendAssertion(h.sign(h.baseClaims().with("aud", aud), nil))
				switch {
				case strict:
					h.Must(!r.HasToken(), "no token for aud "+what+" (the issuer is the only audience)", "%s", r.Summary())
				case r.HasToken():
					h.Note("aud %s is accepted (RFC 7523 allows it; rfc7523bis and FAPI 2.0 do not)", what)
				default:
					h.Note("aud %s is refused (as rfc7523bis and FAPI 2.0 ask)", what)
				}
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-AUD-03", RFC: "7523", Section: "3", Level: reports.Note,
		Title:   "A one-element array holding the issuer as audience.",
		How:     "aud = [issuer].",
		Accepts: "Accepted: pass (fapi2: a failure, the issuer must be a string). Refused: recorded (rfc7523: an OpenID Provider on the current OIDC text refuses arrays), a warning under rfc7523bis (allowed since draft -03).",
		Run: func(h *H) {
			iss := expectedIssuer(h.T)
			if iss == "" {
				h.Skip("the issuer is unknown (--issuer or --metadata-url)")
			}
			r := h.SendAssertion(h.sign(h.baseClaims().with("aud", []string{iss}), nil))
			switch {
			case h.T.Has(ProfileFAPI2):
				h.Must(!r.HasToken(), "no token for aud [issuer]: FAPI 2.0 takes the issuer as a string only", "%s", r.Summary())
			case r.HasToken():
			case h.T.Has(ProfileRFC7523bis):
				h.Should(false, "a token for aud [issuer] (rfc7523bis allows a one-element array)", "%s", r.Summary())
			default:
				h.Note("aud [issuer] is refused: the server wants the issuer as a string, as the current OpenID Connect text does")
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-JTI-02", RFC: "7523", Section: "3", Level: reports.Note,
		Title:   "An assertion without jti.",
		How:     "The valid assertion with jti omitted.",
		Accepts: "RFC 7523 makes jti optional: either answer passes. Under --profile fapi2 a token warns: without a jti single use cannot be enforced.",
		Run: func(h *H) {
			r := h.SendAssertion(h.sign(h.baseClaims().with("jti", nil), nil))
			switch {
			case h.T.Has(ProfileFAPI2):
				h.Should(!r.HasToken(), "no token for an assertion without jti (OpenID Connect §9: jti is REQUIRED)", "%s", r.Summary())
			case r.HasToken():
				h.Note("an assertion without jti is accepted (RFC 7523 makes jti optional)")
			default:
				h.Note("an assertion without jti is refused (%d %s)", r.Status, r.ErrorCode())
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-MULTI-01", RFC: "7521", Section: "4.2.1", Level: reports.Must,
		DependsOn: []string{"JWT-SIG-01"},
		Title:     "An assertion next to HTTP Basic is two authentication methods: a token only ever goes to a client whose own credential verified.",
		How:       "(a) Basic with the client under test's right secret plus the assertion client's assertion with a corrupted signature; (b) the valid assertion plus Basic with a wrong secret for the client under test. When the assertion client is the client under test: its valid assertion plus Basic with its own secret (when it has one), with a wrong secret, and a broken assertion plus a wrong secret.",
		Accepts:   "A refusal. A token for the client whose credential did not verify fails; a token for the one that did, or one whose client cannot be seen, warns.",
		Catches:   "Servers that take the assertion's client and skip its verification because Basic succeeded, or the reverse.",
		Run: func(h *H) {
			a, j := h.T.Client.ID, h.T.AssertionClient.ID
			wrong := h.T.Client
			wrong.Secret = wrongSecret
			bad := corruptSignature(h.sign(h.baseClaims(), nil))
			if a == j {
				// One client, two credentials: a token is owed a warning when
				// one of them verified, and is a failure when neither did.
				if h.T.Client.Secret != "" {
					h.tokenTo(h.Send(h.assertionBody(h.sign(h.baseClaims(), nil)), Basic(&h.T.Client)), "an assertion plus Basic with the client's own secret", []string{j}, nil)
				}
				h.tokenTo(h.Send(h.assertionBody(h.sign(h.baseClaims(), nil)), Basic(&wrong)), "an assertion plus Basic with a wrong secret", []string{j}, nil)
				r := h.Send(h.assertionBody(bad), Basic(&wrong))
				h.Must(!r.HasToken(), "no token for an assertion with a broken signature plus Basic with a wrong secret: neither credential verified", "%s", r.Summary())
				return
			}
			r := h.Send(h.assertionBody(bad), Basic(&h.T.Client))
			h.tokenTo(r, "Basic plus an assertion with a broken signature", []string{a}, []string{j})
			r = h.Send(h.assertionBody(h.sign(h.baseClaims(), nil)), Basic(&wrong))
			h.tokenTo(r, "an assertion plus Basic with a wrong secret", []string{j}, []string{a})
		},
	})
	assertionSpec(Spec{
		ID: "JWT-EXP-01", RFC: "7523", Section: "3", Level: reports.Must,
		Title:   "exp is required, and an expired assertion is refused.",
		How:     "(a) exp omitted; (b) exp = now-600 (beyond any sane clock skew), iat = now-660.",
		Accepts: "No token for either.",
		Run: func(h *H) {
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("exp", nil), nil)), "an assertion without exp")
			now := time.Now().Unix()
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("iat", now-660, "exp", now-600), nil)), "an assertion expired 10 minutes ago")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-NBF-01", RFC: "7523", Section: "3", Level: reports.Must,
		Title:   "An assertion is not accepted before its nbf.",
		How:     "nbf = now+600, exp = now+660; first the same assertion without nbf, which must be accepted, so that nbf is the only defect.",
		Accepts: "No token.",
		Run: func(h *H) {
			now := time.Now().Unix()
			if r := h.SendAssertion(h.sign(h.baseClaims().with("exp", now+660), nil)); !r.OK() {
				h.Skip("an assertion valid for 11 minutes is refused already (" + r.Summary() + "), so nbf cannot be tested alone")
			}
			h.refused(h.SendAssertion(h.sign(h.baseClaims().with("nbf", now+600, "exp", now+660), nil)), "an assertion not valid for 10 minutes")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-LIFE-01", RFC: "7523", Section: "3", Level: reports.Note,
		Title:   "An assertion valid for a year.",
		How:     "exp = now + 365 days.",
		Accepts: "Observation: a maximum lifetime is a deployment agreement (RFC 7523 §3 item 4).",
		Run: func(h *H) {
			r := h.SendAssertion(h.sign(h.baseClaims().with("exp", time.Now().Add(365*24*time.Hour).Unix()), nil))
			if r.HasToken() {
				h.Note("an assertion valid for a year is accepted: the server sets no maximum lifetime")
			} else {
				h.Note("an assertion valid for a year is refused (%d %s)", r.Status, r.ErrorCode())
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-IAT-01", RFC: "7523", Section: "3", Level: reports.Note,
		Title:   "An assertion issued a day ago.",
		How:     "iat = now - 86400, exp = now + 60.",
		Accepts: "Observation: RFC 7523 lets the server refuse an iat too far in the past.",
		Run: func(h *H) {
			r := h.SendAssertion(h.sign(h.baseClaims().with("iat", time.Now().Unix()-86400), nil))
			if r.HasToken() {
				h.Note("an assertion issued a day ago is accepted")
			} else {
				h.Note("an assertion issued a day ago is refused (%d %s)", r.Status, r.ErrorCode())
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-IAT-02", RFC: "7523", Section: "3", Level: reports.Note,
		Title:   "Timestamps slightly ahead of the server clock are tolerated; far-ahead ones are refused (FAPI 2.0).",
		How:     "(a) iat = nbf = now+5; (b) iat = now+120 without nbf, exp = now+180; (c) nbf = now+120, exp = now+180.",
		Accepts: "RFC 7523 says nothing on a future iat: recorded. Under --profile fapi2, (a) must be accepted and (b), (c) refused (FAPI 2.0 SP §5.3.2.1: 10 s ahead accepted, over 60 s refused).",
		Run: func(h *H) {
			now := time.Now().Unix()
			type try struct {
				what   string
				claims claimSet
				accept bool
			}
			for _, t := range []try{
				{"iat = nbf = now+5", h.baseClaims().with("iat", now+5, "nbf", now+5), true},
				{"iat = now+120", h.baseClaims().with("iat", now+120, "exp", now+180), false},
				{"nbf = now+120", h.baseClaims().with("nbf", now+120, "exp", now+180), false},
			} {
				r := h.SendAssertion(h.sign(t.claims, nil))
				switch {
				case h.T.Has(ProfileFAPI2) && t.accept:
					h.Must(r.OK(), "a token for "+t.what+" (FAPI 2.0: up to 10 s ahead is accepted)", "%s", r.Summary())
				case h.T.Has(ProfileFAPI2):
					h.Must(!r.HasToken(), "no token for "+t.what+" (FAPI 2.0: more than 60 s ahead is refused)", "%s", r.Summary())
				case r.HasToken():
					h.Note("%s: accepted", t.what)
				default:
					h.Note("%s: refused (%d %s)", t.what, r.Status, r.ErrorCode())
				}
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-SIG-01", RFC: "7523", Section: "3", Level: reports.Must,
		Title:   "The assertion must be signed; a bad or absent signature is refused.",
		How:     "(a) one bit of the signature flipped; (b) the signature part empty; (c) alg none, unsigned.",
		Accepts: "No token for each.",
		Catches: "Libraries that accept alg none, or skip verification.",
		Run: func(h *H) {
			good := h.sign(h.baseClaims(), nil)
			h.refused(h.SendAssertion(corruptSignature(good)), "a corrupted signature")
			h.refused(h.SendAssertion(good[:strings.LastIndex(good, ".")+1]), "an empty signature")
			h.refused(h.SendAssertion(unsignedJWT(h.baseClaims())), "alg none")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-KEY-01", RFC: "7523", Section: "3", Level: reports.Must, DependsOn: []string{"JWT-SIG-01"},
		Title:   "An HMAC keyed with the client's public key is not a valid signature (algorithm confusion).",
		How:     "HS256 with the client's public key as the secret, as PEM text, as DER and as its JWK JSON, with the client's kid.",
		Accepts: "No token for each.",
		Catches: "Verifiers that take the algorithm from the JWT header (RFC 8725 §2.1).",
		Run: func(h *H) {
			j := h.T.AssertionClient
			der, _ := x509.MarshalPKIXPublicKey(j.Key.Public())
			pemText := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			jwk, _ := json.Marshal(jose.JSONWebKey{Key: j.Key.Public(), KeyID: j.KeyID})
			for _, k := range []struct {
				what   string
				secret []byte
			}{{"PEM", pemText}, {"DER", der}, {"JWK", jwk}} {
				jwt := h.signWith(jose.HS256, k.secret, j.KeyID, h.baseClaims(), h.baseTyp())
				h.refused(h.SendAssertion(jwt), "HS256 keyed with the public key as "+k.what)
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-KEY-02", RFC: "7523", Section: "3", Level: reports.Must, DependsOn: []string{"JWT-SIG-01"},
		Title:   "Only keys registered for the client verify its assertion.",
		How:     "A fresh key the server does not know: (a) without kid; (b) with its public key in the JWT header (jwk). (c) With another private_key_jwt client's key (--other-client-key-file): the assertion client's claims signed with that key, under that client's kid.",
		Accepts: "No token for each.",
		Catches: "Servers that trust a key the assertion carries, or look a kid up among every client's keys.",
		Run: func(h *H) {
			key, alg := h.freshKey()
			h.refused(h.SendAssertion(h.signWith(alg, key, "", h.baseClaims(), h.baseTyp())), "an unregistered key")
			hdr := h.typAnd(map[string]any{"jwk": jose.JSONWebKey{Key: key.Public()}})
			h.refused(h.SendAssertion(h.signWith(alg, key, "", h.baseClaims(), hdr)), "an unregistered key sent in the jwk header")
			o := h.T.OtherClientKey
			if o == nil {
				h.Note("(c) not tried: no other client's key is configured (--other-client-key-file)")
				return
			}
			h.refused(h.SendAssertion(h.signWith(jose.SignatureAlgorithm(o.alg()), o.Key, o.KeyID, h.baseClaims(), h.baseTyp())), "the assertion signed with another client's registered key and kid")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-KEY-03", RFC: "7523", Section: "3", Level: reports.Must, DependsOn: []string{"JWT-KEY-02"},
		Title:   "The registered kid does not make another key acceptable.",
		How:     "A fresh key, the client's registered kid in the header, its public key as jwk.",
		Accepts: "No token.",
		Catches: "Key lookups that match the kid and then trust the key offered with it.",
		Needs:   []Need{need(func(t *Target) bool { return t.AssertionClient.KeyID != "" }, "the assertion client's key has no kid (--client-key-id)")},
		Run: func(h *H) {
			j := h.T.AssertionClient
			key, alg := h.freshKey()
			hdr := h.typAnd(map[string]any{"jwk": jose.JSONWebKey{Key: key.Public(), KeyID: j.KeyID}})
			h.refused(h.SendAssertion(h.signWith(alg, key, j.KeyID, h.baseClaims(), hdr)), "another key under the registered kid")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-CID-01", RFC: "7521", Section: "4.2", Level: reports.Must,
		Title:   "A client_id sent with the assertion must name the same client.",
		How:     "(a) client_id = another client with the assertion client's valid assertion; (b) client_id = the assertion client.",
		Accepts: "(a) no token; (b) a token (a refusal warns: the parameter is optional but allowed).",
		Run: func(h *H) {
			h.refused(h.SendAssertion(h.sign(h.baseClaims(), nil), rfc6749.ParamClientID, h.otherClientID()), "client_id naming another client")
			r := h.SendAssertion(h.sign(h.baseClaims(), nil), rfc6749.ParamClientID, h.T.AssertionClient.ID)
			h.Should(r.OK(), "a token when client_id names the assertion's client (RFC 7521 §4.2 allows it)", "%s", r.Summary())
		},
	})
	assertionSpec(Spec{
		ID: "JWT-TYP-01", RFC: "7523", Section: "3", Level: reports.Should,
		Title:   "typ client-authentication+jwt is accepted; a JWT typed for something else is not a client assertion.",
		How:     "(a) typ client-authentication+jwt; (b) under rfc7523bis, no typ and typ JWT; (c) typ at+jwt and dpop+jwt (an access token's and a DPoP proof's types).",
		Accepts: "(a) a token; (b) a token (rfc7523bis: rejecting untyped assertions is NOT RECOMMENDED); (c) refused: accepted is recorded under rfc7523 and warns under rfc7523bis and fapi2 (RFC 8725 §3.11).",
		Run: func(h *H) {
			r := h.SendAssertion(h.sign(h.baseClaims(), map[string]any{"typ": "client-authentication+jwt"}))
			h.Should(r.OK(), "a token for an assertion typed client-authentication+jwt (rfc7523bis asks clients to type them)", "%s", r.Summary())
			bis := h.T.Has(ProfileRFC7523bis)
			if bis {
				j := h.T.AssertionClient
				for _, t := range []struct {
					what string
					hdr  map[string]any
				}{{"without typ", nil}, {"typed JWT", map[string]any{"typ": "JWT"}}} {
					r := h.SendAssertion(h.signWith(jose.SignatureAlgorithm(j.alg()), j.Key, j.KeyID, h.baseClaims(), t.hdr))
					h.Should(r.OK(), "a token for an assertion "+t.what+" (rejecting untyped assertions is NOT RECOMMENDED)", "%s", r.Summary())
				}
			}
			for _, typ := range []string{"at+jwt", "dpop+jwt"} {
				r := h.SendAssertion(h.sign(h.baseClaims(), map[string]any{"typ": typ}))
				switch {
				case !r.HasToken():
				case bis || h.T.Has(ProfileFAPI2):
					h.Should(false, "no token for a JWT typed "+typ, "%s", r.Summary())
				default:
					h.Note("a JWT typed %s is accepted as a client assertion (RFC 8725 §3.11 advises against it)", typ)
				}
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-JTI-01", RFC: "7523", Section: "3", Level: reports.Note,
		Title:   "A replayed assertion (single use: OpenID Connect §9, FAPI 2.0).",
		How:     "The same accepted assertion sent again; then one fresh assertion sent twice at once.",
		Accepts: "RFC 7523 leaves replay protection optional: recorded. A warning when the server is an OpenID Provider (its metadata is openid-configuration): OpenID Connect Core §9 makes assertions single use. Under --profile fapi2 a replay must be refused.",
		Catches: "A replay cache that checks, then inserts, without atomicity.",
		Run: func(h *H) {
			jwt := h.sign(h.baseClaims(), nil)
			if first := h.SendAssertion(jwt); !first.OK() {
				h.Note("the assertion was not accepted the first time: %s", first.Summary())
				return
			}
			again := h.SendAssertion(jwt)
			par := h.assertionBody(h.sign(h.baseClaims(), nil))
			both := 0
			for _, r := range h.SendParallel(par, par) {
				if r.OK() {
					both++
				}
			}
			replayed := again.OK() || both == 2
			switch {
			case !replayed:
				h.Note("replays are refused, also when sent in parallel")
			case h.T.Has(ProfileFAPI2):
				h.Must(false, "no token for a replayed assertion (FAPI 2.0: single use)", "sequential replay accepted: %v; both parallel copies accepted: %v", again.OK(), both == 2)
			case strings.HasSuffix(strings.TrimSuffix(h.T.MetadataURL, "/"), "/.well-known/openid-configuration"):
				h.Should(false, "no token for a replayed assertion: an OpenID Provider follows OpenID Connect Core §9, which makes each assertion single use",
					"sequential replay accepted: %v; both parallel copies accepted: %v", again.OK(), both == 2)
			default:
				h.Note("a replayed assertion is accepted (sequential: %v, parallel: %v): allowed by RFC 7523, not by OpenID Connect §9", again.OK(), both == 2)
			}
		},
	})
	assertionSpec(Spec{
		ID: "JWT-ERR-01", RFC: "7521", Section: "4.2.1", Level: reports.Should,
		DependsOn: []string{"JWT-EXP-01", "ERR-400-01", "ERR-JSON-01"},
		Title:     "A rejected client assertion yields error=invalid_client.",
		How:       "An expired assertion (exp = now-600).",
		Accepts:   "invalid_client; invalid_request or invalid_grant warns (RFC 7521 names invalid_client whatever the defect).",
		Run: func(h *H) {
			r := h.SendAssertion(h.sign(h.baseClaims().with("exp", time.Now().Unix()-600), nil))
			h.ShouldCode(r, []int{400, 401}, rfc6749.ErrInvalidClient)
		},
	})
	assertionSpec(Spec{
		ID: "JWT-ERR-02", RFC: "6749", Section: "5.2", Level: reports.Should,
		DependsOn: []string{"JWT-EXP-01", "ERR-400-01", "ERR-JSON-01"},
		Title:     "A refused assertion is 400, or 401 with WWW-Authenticate.",
		How:       "An expired assertion; no Authorization header is sent.",
		Accepts:   "400, or 401 with a WWW-Authenticate header; 401 without one warns.",
		Run: func(h *H) {
			r := h.SendAssertion(h.sign(h.baseClaims().with("exp", time.Now().Unix()-600), nil))
			if !h.codeGradable() {
				return
			}
			ok := r.Status == 400 || (r.Status == 401 && len(r.Header.Values("WWW-Authenticate")) > 0)
			h.Should(ok, "400, or 401 with WWW-Authenticate (RFC 9110 §15.5.2)", "%s; WWW-Authenticate: %q", r.Summary(), r.Header.Values("WWW-Authenticate"))
		},
	})
	add(Spec{
		ID: "JWT-ALG-02", RFC: "7523", Section: "2.2", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Needs:     []Need{need(func(t *Target) bool { return t.SecretJWTClient != nil }, "needs a client registered for client_secret_jwt (--secret-jwt-client-id)")},
		Labels:    []string{"client_secret_jwt"},
		Title:     "client_secret_jwt: an HS256 assertion keyed with the client secret authenticates; one keyed with another secret does not.",
		How:       "The client_secret_jwt client's assertion (iss = sub = its id, the token endpoint URL then the issuer as audience, as JWT-OK-01 tries them, a minute of life, a fresh jti; no scope, then the first --scope value), HS256 keyed with (a) its secret, (b) its secret with one character appended.",
		Accepts:   "(a) a token; (b) no token. Under --profile fapi2, (a) must be refused too: FAPI 2.0 allows only private_key_jwt and mTLS.",
		Catches:   "Servers that accept a MAC they never check.",
		Run: func(h *H) {
			// With an assertion client too, a refused baseline assertion is
			// one root cause (JWT-OK-01's), not a second failure here.
			if h.T.AssertionClient != nil {
				if r := h.st.result(h.ctx, specByID(idAssertionBaseline)); r.Verdict == reports.Fail || r.Verdict == reports.Error {
					h.Skip(dependencyReason(idAssertionBaseline, r))
				}
			}
			c := h.T.SecretJWTClient
			cands := h.audCandidates()
			if len(cands) == 0 {
				h.Skip("the issuer is unknown, and this profile accepts only the issuer as audience (--issuer)")
			}
			now := time.Now().Unix()
			aud := cands[0]
			claims := func() claimSet {
				return claimSet{"iss": c.ID, "sub": c.ID, "aud": aud, "iat": now, "exp": now + 60, "jti": freshJTI()}
			}
			send := func(scope, jwt string) *Response {
				kv := []string{rfc6749.ParamClientAssertionType, assertionTypeURN, rfc6749.ParamClientAssertion, jwt}
				if scope != "" {
					kv = append([]string{"scope", scope}, kv...)
				}
				return h.Send(ccBody(kv...))
			}
			var r *Response
			var scope string
			for _, aud = range cands { // the first audience the server takes
				if r, scope = h.withScopeSearch(func(scope string) *Response {
					return send(scope, h.signWith(jose.HS256, []byte(c.Secret), "", claims(), h.baseTyp()))
				}); r.OK() || r.ErrorCode() == rfc6749.ErrInvalidScope {
					break
				}
			}
			h.skipOnScope(r, c.ID)
			if h.T.Has(ProfileFAPI2) {
				h.Must(!r.HasToken(), "no token for client_secret_jwt (FAPI 2.0 allows private_key_jwt and mTLS only)", "%s", r.Summary())
			} else {
				h.Require(r.OK(), "a token for an HS256 assertion keyed with the client secret", "%s", r.Summary())
			}
			h.refused(send(scope, h.signWith(jose.HS256, []byte(c.Secret+"x"), "", claims(), h.baseTyp())), "an HS256 assertion keyed with a wrong secret")
		},
	})
	assertionSpec(Spec{
		ID: "JWT-ALG-01", RFC: "7523", Section: "5", Level: reports.Should,
		Title:   "A private_key_jwt client authenticates with an asymmetric signature: not a MAC with its secret; RS256 is supported (refused under FAPI 2.0).",
		How:     "(a) When the assertion client also holds a secret: the baseline assertion as HS256 keyed with that secret. (b) When its key is RSA: the baseline assertion signed RS256.",
		Accepts: "(a) no token (a token warns; fails under --profile fapi2). (b) recorded (RS256 is mandatory to implement, RFC 7523 §5, but a key registered with an alg is bound to it, RFC 7517 §4.4); under --profile fapi2, no token (PS256, ES256, EdDSA only).",
		Catches: "Servers that let any method's credential stand in for the registered one; a FAPI 2.0 server that still takes RS256.",
		Run: func(h *H) {
			j := h.T.AssertionClient
			secret := j.Secret
			if secret == "" && j.ID == h.T.Client.ID {
				secret = h.T.Client.Secret
			}
			_, rsaKey := j.Key.Public().(*rsa.PublicKey)
			short := ""
			if secret != "" && len(secret) < minHMACSecret {
				// RFC 7518 §3.2: HS256 keys are at least 32 bytes; no
				// HS256 assertion can be made with this secret.
				short, secret = fmt.Sprintf("(a) not tried: the secret is %d bytes, shorter than the 32 an HS256 key needs (RFC 7518 §3.2)", len(secret)), ""
			}
			if secret == "" && !rsaKey {
				if short != "" {
					h.Skip(short + ", and the assertion key is not RSA (for RS256)")
				}
				h.Skip("needs a secret the assertion client also holds (for an HS256 assertion) or an RSA key (for RS256); it has neither")
			}
			if short != "" {
				h.Note("%s", short)
			}
			fapi := h.T.Has(ProfileFAPI2)
			if secret != "" {
				r := h.SendAssertion(h.signWith(jose.HS256, []byte(secret), "", h.baseClaims(), h.baseTyp()))
				what := "no token for an HS256 assertion keyed with the secret of a private_key_jwt client (OpenID Connect Core §9: signed with its registered public key)"
				if fapi {
					h.Must(!r.HasToken(), what, "%s", r.Summary())
				} else {
					h.Should(!r.HasToken(), what, "%s", r.Summary())
				}
			} else if short == "" {
				h.Note("(a) not tried: no secret is known for %s", j.ID)
			}
			if !rsaKey {
				h.Note("(b) not tried: the assertion key is not RSA")
				return
			}
			if j.alg() == "RS256" && !fapi {
				h.Note("(b) RS256 is the baseline algorithm, accepted by JWT-OK-01")
				return
			}
			r := h.SendAssertion(h.signWith(jose.RS256, j.Key, j.KeyID, h.baseClaims(), h.baseTyp()))
			if fapi {
				h.Must(!r.HasToken(), "no token for an RS256 assertion (FAPI 2.0 Security Profile §5.4.1: PS256, ES256 or EdDSA)", "%s", r.Summary())
				return
			}
			if r.OK() {
				h.Note("(b) an RS256 assertion with the %s key is accepted", j.alg())
			} else {
				h.Note("(b) an RS256 assertion with the %s key is refused (%d %s): fine if the key was registered for %s only", j.alg(), r.Status, r.ErrorCode(), j.alg())
			}
		},
	})
	add(Spec{
		ID: "JWT-MD-01", RFC: "8414", Section: "2", Level: reports.Should,
		Needs:   []Need{needMetadata},
		Labels:  []string{"private_key_jwt", "metadata"},
		Title:   "token_endpoint_auth_methods_supported lists the assertion methods that work (and, under FAPI 2.0, no others).",
		How:     "Read the list (absent means client_secret_basic only) and compare it with what JWT-OK-01 and JWT-ALG-02 found.",
		Accepts: "A working assertion method that is not listed is recorded. Under --profile fapi2 a listed method other than private_key_jwt, tls_client_auth or self_signed_tls_client_auth warns. A listed method that fails is JWT-OK-01's or JWT-ALG-02's failure, named here, not counted twice.",
		Run: func(h *H) {
			_, m := h.Metadata()
			listed, ok := strList(m["token_endpoint_auth_methods_supported"])
			if !ok {
				listed = []string{rfc6749.AuthClientSecretBasic}
			}
			for _, c := range []struct {
				method, spec string
				configured   bool
			}{
				{rfc6749.AuthPrivateKeyJWT, idAssertionBaseline, h.T.AssertionClient != nil},
				{rfc6749.AuthClientSecretJWT, "JWT-ALG-02", h.T.SecretJWTClient != nil && !h.T.Has(ProfileFAPI2)},
			} {
				isListed := slices.Contains(listed, c.method)
				if !c.configured {
					if isListed {
						h.Note("%s is listed; no client for it is configured, so it is not tried", c.method)
					}
					continue
				}
				res := h.st.result(h.ctx, specByID(c.spec))
				works := res.Verdict == reports.Pass || res.Verdict == reports.Info || res.Verdict == reports.Warn
				switch {
				case isListed && res.Verdict == reports.Fail:
					h.Note("%s is listed but does not work: %s fails for it", c.method, c.spec)
				case !isListed && works:
					h.Note("%s works (%s) but is not listed in token_endpoint_auth_methods_supported", c.method, c.spec)
				}
			}
			if !h.T.Has(ProfileFAPI2) {
				return
			}
			var extra []string
			for _, v := range listed {
				if !slices.Contains([]string{rfc6749.AuthPrivateKeyJWT, "tls_client_auth", "self_signed_tls_client_auth"}, v) {
					extra = append(extra, v)
				}
			}
			h.Should(len(extra) == 0, "only private_key_jwt, tls_client_auth and self_signed_tls_client_auth listed (FAPI 2.0 Security Profile §5.3.2.1)",
				"also listed: %s", strings.Join(extra, ", "))
		},
	})
	add(Spec{
		ID: "JWT-MD-02", RFC: "8414", Section: "2", Level: reports.Must,
		Needs:   []Need{needMetadata},
		Labels:  []string{"private_key_jwt", "metadata"},
		Title:   "token_endpoint_auth_signing_alg_values_supported is present when an assertion method is listed.",
		How:     "Read the metadata; with an assertion client whose baseline works (JWT-OK-01), also sign the baseline assertion with every other listed algorithm its key can make.",
		Accepts: "The list present and not empty when private_key_jwt or client_secret_jwt is listed (none in it is MD-07's); RS256 missing is recorded; under --profile fapi2 an algorithm other than PS256, ES256 or EdDSA warns. Which other listed algorithms the key is accepted with is recorded, not graded: a key registered with an alg member may be bound to that one algorithm (RFC 7517 §4.4).",
		Run: func(h *H) {
			_, m := h.Metadata()
			methods, _ := m["token_endpoint_auth_methods_supported"].([]any)
			listed := false
			for _, v := range methods {
				listed = listed || v == rfc6749.AuthPrivateKeyJWT || v == rfc6749.AuthClientSecretJWT
			}
			if !listed {
				h.Note("no assertion method is listed in token_endpoint_auth_methods_supported")
				return
			}
			algs, ok := m["token_endpoint_auth_signing_alg_values_supported"].([]any)
			h.Require(ok && len(algs) > 0, "token_endpoint_auth_signing_alg_values_supported listed", "%v", m["token_endpoint_auth_signing_alg_values_supported"])
			names, _ := strList(m["token_endpoint_auth_signing_alg_values_supported"])
			if h.T.Has(ProfileFAPI2) {
				var extra []string
				for _, a := range names {
					if a != "PS256" && a != "ES256" && a != "EdDSA" {
						extra = append(extra, a)
					}
				}
				h.Should(len(extra) == 0, "only PS256, ES256 and EdDSA listed (FAPI 2.0 Security Profile §5.4.1)", "also listed: %s", strings.Join(extra, ", "))
			} else if !slices.Contains(names, "RS256") {
				h.Note("RS256 is not listed (RFC 7523 §5 makes it mandatory to implement; RFC 8414 §2: SHOULD be supported)")
			}
			j := h.T.AssertionClient
			if j == nil || !h.metadataTrusted() {
				return
			}
			if r := h.st.result(h.ctx, specByID(idAssertionBaseline)); r.Verdict != reports.Pass && r.Verdict != reports.Info {
				h.Note("the listed algorithms are not tried: %s", dependencyReason(idAssertionBaseline, r))
				return
			}
			for _, v := range algs {
				alg, _ := v.(string)
				if alg == j.alg() || !keyMakes(j.Key, alg) {
					continue
				}
				// Probes only: a server fault here is ERR-5XX-01's, not a
				// metadata failure.
				r, fault, err := h.soft(func() *Response {
					return h.SendAssertion(h.signWith(jose.SignatureAlgorithm(alg), j.Key, j.KeyID, h.baseClaims(), h.baseTyp()))
				})
				switch {
				case err != nil:
					h.Note("listed algorithm %s: no answer to grade (%v)", alg, err)
				case fault != "":
					h.Note("listed algorithm %s: no answer to grade (%s)", alg, fault)
				case r.OK():
					h.Note("listed algorithm %s: accepted with the assertion client's key", alg)
				default:
					h.Note("listed algorithm %s: refused with the assertion client's key (%d %s); fine if the key was registered for one algorithm", alg, r.Status, r.ErrorCode())
				}
			}
		},
	})
}

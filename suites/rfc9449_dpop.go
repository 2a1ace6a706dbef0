package suites

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 9449 (DPoP) at the token endpoint and the protected resource, when
// the metadata advertises dpop_signing_alg_values_supported or the run
// has --dpop. The client under test asks for its tokens with a fresh
// proof per request; each negative bends one part of an otherwise valid
// proof and checks first that no token comes back.

const idDPoPBaseline = "DPOP-OK-01"

// dpopSpec declares a spec of this section.
func dpopSpec(s Spec) {
	s.Labels = append(s.Labels, "dpop")
	add(s)
}

// dpopBaseline is the run's proof key, for the specs that depend on
// DPOP-OK-01 (the dependency is declared, so they run only once it
// passed).
func (h *H) dpopBaseline() *dpopKey { return h.needDPoP() }

// dpopNegatives are the specs whose refusals DPOP-ERR-01 grades.
var dpopNegatives = []string{"DPOP-HDR-01", "DPOP-JWT-01", "DPOP-TYP-01", "DPOP-ALG-01", "DPOP-JWK-01", "DPOP-SIG-01", "DPOP-HTM-01", "DPOP-HTU-01", "DPOP-IAT-01"}

func init() {
	dpopSpec(Spec{
		ID: idDPoPBaseline, RFC: "9449", Section: "5", Level: reports.Must,
		DependsOn: []string{idBaseline, idJSONToken},
		Title:     "A valid DPoP proof yields a token; a token bound to the proof key is announced as token_type DPoP.",
		How:       "The client under test's valid request with a fresh proof (typ dpop+jwt, the public jwk, jti, htm POST, htu the token endpoint, iat now), retried once with the server's nonce when it answers use_dpop_nonce.",
		Accepts:   "A token. token_type DPoP passes; Bearer is recorded (RFC 9449 §5 lets the server issue an unbound token) and fails under fapi2, and fails when the token carries cnf.jkt.",
		Catches:   "DPoP advertised but refused; bound tokens announced as Bearer, which clients then send without proofs.",
		Run: func(h *H) {
			k := h.needDPoP()
			r := h.dpopToken(k, nil)
			if _, advertised := h.dpopAdvertised(); !advertised && !r.OK() {
				h.Skip("the server does not advertise DPoP and refused a valid proof (" + r.Summary() + "): DPoP is optional, so nothing more is checked")
			}
			h.Require(r.OK(), "a token for the valid request with a DPoP proof (after one nonce round trip at most)", "%s", r.Summary())
			tt := r.String("token_type")
			jkt, _, _ := tokenJKT(r.String("access_token"))
			switch {
			case strings.EqualFold(tt, rfc6749.TokenTypeDPoP):
			case tt == "":
				h.Note("the token response has no token_type (graded by RESP-TT-01)")
			case jkt != nil:
				h.Must(false, "token_type DPoP for a token bound with cnf.jkt (RFC 9449 §5)", "token_type %q", tt)
			case h.T.Has(ProfileFAPI2):
				h.Must(false, "a DPoP-bound token (FAPI 2.0 §5.3.2.1: sender-constrained tokens only)", "token_type %q", tt)
			default:
				h.Note("the server answered a DPoP request with an unbound %q token (RFC 9449 §5 allows it)", tt)
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-HDR-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "A request with more than one DPoP header field gets no token.",
		How:       "Two DPoP fields, each holding a valid proof.",
		Accepts:   "No token.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			h.dpopRefused(k, "two DPoP header fields", func(p *proof) {
				second := h.newProof(k, http.MethodPost, h.T.TokenURL)
				p.values = []string{p.String(), second.String()}
			})
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-JWT-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "The DPoP header holds one well-formed JWT with jti, htm, htu and iat.",
		How:       "(a) garbage, two proofs joined by a comma, a JWE-shaped value; (b) the valid proof without jti, htm, htu, then iat.",
		Accepts:   "No token for any.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			jwe := "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.AAAA.AAAA.AAAA.AAAA" // {"alg":"RSA-OAEP","enc":"A256GCM"}
			for _, c := range []struct {
				what string
				bend func(p *proof)
			}{
				{"garbage in the DPoP header", func(p *proof) { p.values = []string{"occheck-not-a-jwt"} }},
				{"two proofs joined by a comma", func(p *proof) {
					p.values = []string{p.String() + "," + h.newProof(k, http.MethodPost, h.T.TokenURL).String()}
				}},
				{"a JWE instead of a JWS", func(p *proof) { p.values = []string{jwe} }},
			} {
				h.dpopRefused(k, c.what, c.bend)
			}
			for _, claim := range []string{"jti", "htm", "htu", "iat"} {
				h.dpopRefused(k, "no "+claim+" claim", func(p *proof) { delete(p.claims, claim) })
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-TYP-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "A proof's typ is dpop+jwt.",
		How:       "The valid proof with typ absent, JWT, then at+jwt.",
		Accepts:   "No token for any.",
		Catches:   "Servers that take any JWT signed by a key as a proof, access tokens included.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			h.dpopRefused(k, "no typ", func(p *proof) { delete(p.header, "typ") })
			for _, typ := range []string{"JWT", "at+jwt"} {
				h.dpopRefused(k, "typ "+typ, func(p *proof) { p.header["typ"] = typ })
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-ALG-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "A proof is signed with an asymmetric algorithm: never none or a MAC.",
		How:       "(a) alg none, no signature; (b) HS256 keyed with the bytes of the header jwk; (c) under fapi2, RS256 with an RSA key.",
		Accepts:   "No token for (a) and (b); under fapi2 none for (c) either (PS256, ES256 and EdDSA only). RS256 is legitimate under the RFC and not sent otherwise.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			h.dpopRefused(k, "alg none", func(p *proof) { p.header["alg"], p.alg = "none", "none" })
			h.dpopRefused(k, "HS256 keyed with the jwk", func(p *proof) {
				b, _ := json.Marshal(p.header["jwk"])
				p.header["alg"], p.alg, p.key = "HS256", "HS256", b
			})
			if h.T.Has(ProfileFAPI2) {
				rk, err := generateDPoPKey("RS256")
				if err != nil {
					h.transportError(err)
				}
				h.dpopRefused(rk, "RS256 (FAPI 2.0 §5.4.1 allows PS256, ES256 and EdDSA only)", nil)
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-JWK-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "The proof's jwk is a public key: a private key in it is refused.",
		How:       "A valid proof by a throwaway key of the run key's type (never the run's own key: it may be the user's), its header jwk carrying the private members too (d; for RSA p, q, dp, dq, qi).",
		Accepts:   "No token.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			throwaway, err := otherDPoPKey(k.alg)
			if err != nil {
				h.transportError(err)
			}
			h.dpopRefused(throwaway, "a private key in the jwk", func(p *proof) { p.header["jwk"] = privateJWK(throwaway) })
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-SIG-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "The proof's signature verifies with the key in its header.",
		How:       "(a) signed by another key of the same type while the jwk holds the run's key; (b) one signature byte changed.",
		Accepts:   "No token for either.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			other, err := otherDPoPKey(k.alg)
			if err != nil {
				h.transportError(err)
			}
			h.dpopRefused(k, "a signature by another key than its jwk", func(p *proof) { p.key = other.key })
			h.dpopRefused(k, "a changed signature byte", func(p *proof) { p.flip = true })
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-HTM-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "The proof's htm is the request's method.",
		How:       "(a) htm GET on a POST; (b) htm post in lower case.",
		Accepts:   "No token for (a). A token for (b) warns: methods are case-sensitive (RFC 9110 §9.1).",
		Run: func(h *H) {
			k := h.dpopBaseline()
			h.dpopRefused(k, "htm GET", func(p *proof) { p.claims["htm"] = http.MethodGet })
			r := h.dpopToken(k, func(p *proof) { p.claims["htm"] = "post" })
			h.Should(!r.HasToken(), "no token for htm post (methods are case-sensitive, RFC 9110 §9.1)", "%s", r.Summary())
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-HTU-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "The proof's htu names this endpoint; query and fragment aside, scheme and host compared after normalisation.",
		How:       "(a) htu with another path, then another host; (b) the token endpoint URL with scheme and host in upper case, and with the default port written out when it has none; (c) when the token endpoint URL has a query, htu without it.",
		Accepts:   "No token for (a) (MUST). A token for (b): a refusal warns (RFC 9449 §4.3 item 9: normalise first, SHOULD). A token for (c) (MUST).",
		Catches:   "Servers that do not compare htu at all, and servers that compare it as a raw string.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			u := htuOf(h.T.TokenURL)
			h.dpopRefused(k, "htu on another path", func(p *proof) { p.claims["htu"] = strings.TrimRight(u, "/") + "/occheck-elsewhere" })
			h.dpopRefused(k, "htu on another host", func(p *proof) { p.claims["htu"] = "https://occheck-elsewhere.invalid/token" })
			if u != h.T.TokenURL {
				r := h.dpopToken(k, func(p *proof) { p.claims["htu"] = u })
				h.Require(r.OK(), "a token for htu without the token endpoint's query (RFC 9449 §4.3 item 9)", "%s", r.Summary())
			}
			for _, v := range sameURLVariants(u) {
				r := h.dpopToken(k, func(p *proof) { p.claims["htu"] = v })
				h.Should(r.OK(), "a token for htu "+v+", the token endpoint normalised (RFC 3986 §6.2.2, §6.2.3)", "%s", r.Summary())
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-IAT-01", RFC: "9449", Section: "4.3", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "A proof is accepted only within a short window around its iat.",
		How:       "iat (a) an hour ago; (b) an hour ahead; (c) 5 s ahead; (d) 120 s ahead; each with the server's fresh nonce when it uses nonces.",
		Accepts:   "No token for (a) and (b); when the server uses nonces, a token is recorded instead (§4.3 item 11 lets it judge the proof's age by its nonce), except under fapi2. (c) refused and (d) accepted are recorded; under fapi2 (c) must pass and (d) must not.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			for _, c := range []struct {
				what string
				by   time.Duration
			}{{"iat an hour ago", -time.Hour}, {"iat an hour ahead", time.Hour}} {
				bend := func(p *proof) { p.claims["iat"] = time.Now().Add(c.by).Unix() }
				if h.asNonce() && !h.T.Has(ProfileFAPI2) {
					if r := h.dpopToken(k, bend); r.HasToken() {
						h.Note("a proof with %s is accepted with a fresh server nonce: the server may judge the proof's age by its nonce (RFC 9449 §4.3 item 11)", c.what)
					}
					continue
				}
				h.dpopRefused(k, c.what, bend)
			}
			r := h.dpopToken(k, func(p *proof) { p.claims["iat"] = time.Now().Add(5 * time.Second).Unix() })
			switch {
			case h.T.Has(ProfileFAPI2):
				h.Must(r.OK(), "a token for iat 5 s ahead (FAPI 2.0 §5.3.2.1: up to 10 s)", "%s", r.Summary())
			case !r.OK():
				h.Note("a proof 5 s ahead is refused (accepting it is a MAY): %s", r.Summary())
			}
			r = h.dpopToken(k, func(p *proof) { p.claims["iat"] = time.Now().Add(120 * time.Second).Unix() })
			switch {
			case h.T.Has(ProfileFAPI2):
				h.Must(!r.HasToken(), "no token for iat 120 s ahead (FAPI 2.0 §5.3.2.1)", "%s", r.Summary())
			case r.HasToken():
				h.Note("a proof 120 s ahead is accepted")
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-JTI-01", RFC: "9449", Section: "11.1", Level: reports.May,
		DependsOn: []string{idDPoPBaseline},
		Title:     "A replayed proof.",
		How:       "A proof the server accepted, sent again unchanged with a new request.",
		Accepts:   "Refused: pass. Accepted: recorded (tracking jti is permitted, not required: stateless replicas may rely on nonces instead).",
		Run: func(h *H) {
			k := h.dpopBaseline()
			var sent string
			r := h.dpopToken(k, func(p *proof) { sent = p.String(); p.values = []string{sent} })
			if !r.OK() {
				h.Skip("the proof to replay got no token: " + r.Summary())
			}
			r = h.Send(h.scoped(), h.As(&h.T.Client), Header(rfc6749.HeaderDPoP, sent))
			if r.HasToken() {
				h.Note("a replayed DPoP proof is accepted")
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-NONCE-01", RFC: "9449", Section: "8", Level: reports.Must,
		DependsOn: []string{idBaseline},
		Title:     "A server that asks for a nonce sends one DPoP-Nonce and then accepts it.",
		How:       "The first use_dpop_nonce answer of the run (or one provoked with a proof without nonce); then the valid request with the nonce, up to three times with each fresh nonce.",
		Accepts:   "400 (another status warns); exactly one DPoP-Nonce whose value is 1*NQCHAR; a token within three nonces (a loop fails). Skipped when the server never asks for a nonce.",
		Run: func(h *H) {
			k := h.needDPoP()
			d := &h.st.dpop
			d.mu.Lock()
			ask := d.firstAsk
			d.mu.Unlock()
			if ask == nil {
				r := h.dpopToken(k, noNonce)
				d.mu.Lock()
				ask = d.firstAsk
				d.mu.Unlock()
				if ask == nil {
					h.Skip("the server never asked for a DPoP nonce (" + r.Summary() + ")")
				}
			}
			nonces := ask.Header.Values(rfc6749.HeaderDPoPNonce)
			h.Require(len(nonces) == 1 && isNQCHAR(nonces[0]), "exactly one DPoP-Nonce header of 1*NQCHAR with use_dpop_nonce (RFC 9449 §8, §8.1)", "DPoP-Nonce %q; %s", nonces, ask.Summary())
			if r := h.st.result(h.ctx, specByID("ERR-400-01")); ask.Status != 400 && r.Verdict == reports.Fail {
				h.Note("use_dpop_nonce came with status %d (graded by ERR-400-01)", ask.Status)
			} else {
				h.Should(ask.Status == 400, "400 with use_dpop_nonce (RFC 9449 §8)", "%s", ask.Summary())
			}
			if !strings.Contains(strings.ToLower(ask.Header.Get("Cache-Control")), "no-store") {
				h.Note("the use_dpop_nonce answer is cacheable (no Cache-Control: no-store; RFC 9449 §8.2)")
			}
			var r *Response
			for range 3 {
				r = h.Send(h.scoped(), h.As(&h.T.Client), h.withProof(k, nil))
				if r.OK() || !h.keepNonce(r) {
					break
				}
			}
			h.Require(r.OK(), "a token with the nonce the server sent, within three fresh nonces", "%s", r.Summary())
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-NONCE-02", RFC: "9449", Section: "8", Level: reports.Must,
		DependsOn: []string{"DPOP-NONCE-01", idDPoPBaseline},
		Title:     "Once the server supplies nonces, a proof without one, or with one it never issued, gets no token.",
		How:       "The valid proof (a) without nonce; (b) with a nonce occheck made up.",
		Accepts:   "No token for either; the refusal may carry a fresh nonce.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			for _, c := range []struct {
				what string
				bend func(p *proof)
			}{
				{"no nonce", noNonce},
				{"a nonce the server never issued", func(p *proof) { p.claims["nonce"] = "occheck-" + rand.Text() }},
			} {
				r := h.Send(h.scoped(), h.As(&h.T.Client), h.withProof(k, c.bend))
				h.keepNonce(r)
				h.Require(!r.HasToken(), "no token for a DPoP proof with "+c.what+" (RFC 9449 §8)", "%s", r.Summary())
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-ERR-01", RFC: "9449", Section: "5", Level: reports.Should,
		DependsOn: []string{idDPoPBaseline},
		Title:     "An invalid proof is answered 400 invalid_dpop_proof.",
		How:       "The refusals of the DPoP negatives (DPOP-HDR-01 to DPOP-IAT-01).",
		Accepts:   "error invalid_dpop_proof with status 400 for each; another code or status warns (server errors are ERR-5XX-01's).",
		Run: func(h *H) {
			h.dpopBaseline()
			// Error bodies and statuses in general are theirs to grade.
			for _, id := range []string{"ERR-400-01", "ERR-JSON-01"} {
				if r := h.st.result(h.ctx, specByID(id)); r.Verdict == reports.Fail {
					h.Skip(dependencyReason(id, r))
				}
			}
			for _, id := range dpopNegatives {
				h.st.result(h.ctx, specByID(id))
			}
			d := &h.st.dpop
			d.mu.Lock()
			refusals := slices.Clone(d.refusals)
			d.mu.Unlock()
			if len(refusals) == 0 {
				h.Skip("no DPoP negative was refused with a 4xx")
			}
			for _, f := range refusals {
				h.Should(f.code == rfc6749.ErrInvalidDPoPProof, "error invalid_dpop_proof for "+f.what+" (RFC 9449 §5)", "%d %q", f.status, f.code)
				h.Should(f.status == 400, "status 400 for "+f.what+" (RFC 6749 §5.2)", "%d %q", f.status, f.code)
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-CNF-01", RFC: "9449", Section: "6", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Title:     "A DPoP token is bound to the proof key: cnf.jkt is its RFC 7638 thumbprint, in the JWT and in introspection.",
		How:       "A fresh DPoP token: its cnf.jkt (a JWT), and introspection's cnf and token_type when the server has an introspection endpoint.",
		Accepts:   "cnf.jkt equal to the thumbprint of the run's key (required members only, sorted, no whitespace); introspection with the same cnf.jkt (absent warns for an opaque token) and token_type DPoP when present.",
		Catches:   "A thumbprint over the whole JWK (kid, alg, use included), the usual bug; bound tokens without cnf.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			r := h.dpopToken(k, nil)
			h.Require(r.OK(), "a token for the valid request with a DPoP proof", "%s", r.Summary())
			if !dpopBound(r) {
				h.Skip("the server issues unbound tokens (token_type " + r.String("token_type") + "): nothing to check")
			}
			tok := r.String("access_token")
			jkt, cnf, isJWT := tokenJKT(tok)
			if isJWT {
				h.Require(jkt == k.jkt, "cnf.jkt "+k.jkt+" in the JWT access token (RFC 9449 §6.1, RFC 7638 §3)", "cnf %v", cnf)
			}
			u := h.introspectionURL()
			if u == "" || u != h.T.IntrospectionURL && !sameOrigin(u, h.T.TokenURL) {
				if !isJWT {
					h.Skip("the token is opaque and there is no introspection endpoint to read its binding from")
				}
				return
			}
			in := h.introspect(tok)
			obj, err := in.JSON()
			if in.Status != 200 || err != nil || obj["active"] != true {
				h.Note("introspection of the DPoP token gave no active answer: %s", in.Summary())
				return
			}
			icnf, _ := obj["cnf"].(map[string]any)
			if icnf["jkt"] == nil && !isJWT {
				h.Should(false, "cnf.jkt in the introspection of an opaque DPoP token (RFC 9449 §6.2)", "%s", in.Summary())
			} else if icnf["jkt"] != nil {
				h.Require(icnf["jkt"] == k.jkt, "cnf.jkt "+k.jkt+" in introspection (RFC 9449 §6.2)", "cnf %v", obj["cnf"])
			}
			if tt, ok := obj["token_type"]; ok {
				h.Require(strings.EqualFold(fmt.Sprint(tt), rfc6749.TokenTypeDPoP), "token_type DPoP in introspection (RFC 9449 §6.2)", "token_type %v", tt)
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-MD-01", RFC: "9449", Section: "5.1", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Needs:     []Need{needMetadata},
		Title:     "dpop_signing_alg_values_supported lists the proof algorithms the server accepts.",
		How:       "Read the member; send a valid proof with a fresh key for each listed algorithm occheck can sign with.",
		Accepts:   "A JSON array (else fail); none or a MAC listed warns (such proofs can never be valid); every listed algorithm yields a token (else fail). The member absent while DPoP works is recorded.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			_, m := h.Metadata()
			v, ok := m[dpopMetadataMember]
			if !ok {
				h.Note("DPoP works but the metadata has no %s (RFC 9449 §5.1)", dpopMetadataMember)
				return
			}
			arr, ok := v.([]any)
			h.Require(ok, dpopMetadataMember+" as a JSON array (RFC 9449 §5.1)", "%v", v)
			var algs []string
			for _, a := range arr {
				s, _ := a.(string)
				algs = append(algs, s)
			}
			for _, a := range algs {
				h.Should(!strings.EqualFold(a, "none") && !strings.HasPrefix(strings.ToUpper(a), "HS"), "asymmetric algorithms only in "+dpopMetadataMember+" (RFC 9449 §5.1)", "%q listed", a)
			}
			for _, a := range dpopAlgsByPreference {
				if a == k.alg || !slices.Contains(algs, a) {
					continue
				}
				other, err := generateDPoPKey(a)
				if err != nil {
					h.transportError(err)
				}
				r := h.dpopToken(other, nil)
				h.Require(r.OK(), "a token for a valid proof signed with "+a+", which the metadata lists", "%s", r.Summary())
			}
		},
	})
	dpopSpec(Spec{
		ID: "DPOP-REQ-01", RFC: "9449", Section: "5.2", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline},
		Needs:     []Need{need(func(t *Target) bool { return t.DPoPClient != nil }, "needs a client registered with dpop_bound_access_tokens (--dpop-client-id)")},
		Title:     "A client registered with dpop_bound_access_tokens gets no token without a proof.",
		How:       "The DPoP client's valid request (a) with a proof; (b) without one.",
		Accepts:   "(a) a token (else the spec is skipped: the client is not usable); (b) no token.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			c := h.T.DPoPClient
			body := h.scopedShared()
			if r := h.dpopSend(k, body, nil, func() Opt { return h.As(c) }); !r.OK() {
				h.Skip("the DPoP client " + c.ID + " gets no token even with a proof: " + r.Summary())
			}
			r := h.Send(body, h.As(c))
			h.Require(!r.HasToken(), "no token for "+c.ID+" without a DPoP proof (RFC 9449 §5.2)", "%s", r.Summary())
		},
	})
	resourceSpec(Spec{
		ID: "DPOP-RS-01", RFC: "9449", Section: "7.1", Level: reports.Must,
		DependsOn: []string{idDPoPBaseline, "RS-07"},
		Labels:    []string{"dpop"},
		Title:     "The resource takes a DPoP-bound token only with the DPoP scheme and a proof by the bound key for that request.",
		How:       "GET the resource with a fresh DPoP token: (a) Authorization: DPoP and a proof with htm, htu and ath; (b) Authorization: Bearer; (c) the DPoP scheme without a proof, with another key's proof, with a wrong ath.",
		Accepts:   "(a) access; (b) and (c) no access (MUST), each 401 with a DPoP challenge (SHOULD).",
		Catches:   "Resource servers that accept a bound token as a Bearer token, which makes the binding useless.",
		Run: func(h *H) {
			k := h.dpopBaseline()
			// A token without its binding is DPOP-CNF-01's failure.
			if r := h.st.result(h.ctx, specByID("DPOP-CNF-01")); r.Verdict == reports.Fail {
				h.Skip(dependencyReason("DPOP-CNF-01", r))
			}
			r := h.dpopToken(k, nil)
			h.Require(r.OK(), "a token for the valid request with a DPoP proof", "%s", r.Summary())
			if !dpopBound(r) {
				h.Skip("the server issues unbound tokens (token_type " + r.String("token_type") + "): nothing to check")
			}
			// The status and challenge of refusals are RS-01's and RS-03's
			// to grade for the whole resource: one defect, one finding.
			challengeGraded := true
			for _, id := range []string{"RS-01", "RS-03"} {
				if v := h.st.result(h.ctx, specByID(id)).Verdict; v == reports.Fail || v == reports.Warn {
					challengeGraded = false
				}
			}
			tok := r.String("access_token")
			good := func(p *proof) { p.claims["ath"] = athOf(tok) }
			res := h.dpopResourceCall(k, tok, good)
			h.Require(rsAccepted(res), "access with Authorization: DPoP and a proof carrying ath (RFC 9449 §7.1)", "%s", res.Summary())
			otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				h.transportError(err)
			}
			other, err := newDPoPKey(otherKey, "ES256")
			if err != nil {
				h.transportError(err)
			}
			for _, c := range []struct {
				what string
				res  func() *Response
			}{
				{"the DPoP-bound token as a Bearer token", func() *Response { return h.callResource("Bearer " + tok) }},
				{"the DPoP scheme without a proof", func() *Response { return h.callResource("DPoP " + tok) }},
				{"another key's proof", func() *Response { return h.dpopResourceCall(other, tok, good) }},
				{"a wrong ath", func() *Response {
					return h.dpopResourceCall(k, tok, func(p *proof) { p.claims["ath"] = athOf(tok + "x") })
				}},
			} {
				res := c.res()
				h.Require(!rsAccepted(res), "no access with "+c.what+" (RFC 9449 §7.1)", "%s", res.Summary())
				switch ok := res.Status == 401 && dpopChallenge(res); {
				case challengeGraded:
					h.Should(ok, "401 with a DPoP challenge for "+c.what+" (RFC 9449 §7.1)", "%s; WWW-Authenticate %q", res.Summary(), res.Header.Values("WWW-Authenticate"))
				case !ok:
					h.Note("%s: %d without a DPoP challenge (the resource's refusals are graded by RS-01 and RS-03)", c.what, res.Status)
				}
			}
		},
	})
}

// dpopBound reports whether a token response announces a DPoP-bound
// token: token_type DPoP, or no token_type (RESP-TT-01's failure) and
// cnf.jkt in the token.
func dpopBound(r *Response) bool {
	tt := r.String("token_type")
	jkt, _, _ := tokenJKT(r.String("access_token"))
	return strings.EqualFold(tt, rfc6749.TokenTypeDPoP) || tt == "" && jkt != nil
}

// dpopChallenge reports whether a response carries a DPoP challenge.
func dpopChallenge(r *Response) bool {
	for _, v := range r.Header.Values("WWW-Authenticate") {
		for _, c := range parseChallenges(v) {
			if strings.EqualFold(c.scheme, rfc6749.TokenTypeDPoP) {
				return true
			}
		}
	}
	return false
}

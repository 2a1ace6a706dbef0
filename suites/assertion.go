package suites

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

// The client assertion harness (RFC 7523 §2.2, RFC 7521 §4.2): the
// assertion client J signs a baseline assertion; each negative changes one
// thing in it.

// assertionTypeURN is the client_assertion_type of a JWT assertion.
const assertionTypeURN = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// idAssertionBaseline is the spec that finds an assertion the server
// accepts: every spec that sends one depends on it.
const idAssertionBaseline = "JWT-OK-01"

// needAssertionClient skips the JWT-* specs without an assertion client.
var needAssertionClient = need(func(t *Target) bool { return t.AssertionClient != nil },
	"needs a client registered for private_key_jwt (--assertion-client-id and --client-key-file)")

// assertionSigner signs with the assertion client's key, naming its kid.
func assertionSigner(c *AssertionClient) (jose.Signer, error) {
	return signerFor(jose.SignatureAlgorithm(c.alg()), c.Key, c.KeyID, nil)
}

// signerFor makes a JWS signer with a kid (when set) and extra headers.
func signerFor(alg jose.SignatureAlgorithm, key any, kid string, hdr map[string]any) (jose.Signer, error) {
	opts := &jose.SignerOptions{}
	if kid != "" {
		opts.WithHeader("kid", kid)
	}
	for k, v := range hdr {
		opts.WithHeader(jose.HeaderKey(k), v)
	}
	return jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
}

// claimSet are an assertion's claims; a nil value removes the claim.
type claimSet map[string]any

// with is a copy of c with changes applied (nil deletes).
func (c claimSet) with(kv ...any) claimSet {
	out := claimSet{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

// freshJTI is a random assertion id.
func freshJTI() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// audCandidates are the audience values the baseline tries, in order:
// the one --assertion-aud fixes, else what the profile allows. RFC 7523
// lets the token endpoint URL or the issuer identify the server;
// rfc7523bis and FAPI 2.0 allow only the issuer. A value is a string, or
// a []string for AudBoth.
func (h *H) audCandidates() []any {
	iss := expectedIssuer(h.T)
	switch h.T.AssertionAud {
	case AudTokenEndpoint:
		return []any{h.T.TokenURL}
	case AudBoth:
		if iss == "" {
			return nil
		}
		return []any{[]string{iss, h.T.TokenURL}}
	}
	if h.T.AssertionAud == AudIssuer || h.T.Has(ProfileRFC7523bis) || h.T.Has(ProfileFAPI2) {
		if iss == "" {
			return nil
		}
		return []any{iss}
	}
	out := []any{h.T.TokenURL}
	if iss != "" && iss != h.T.TokenURL {
		out = append(out, iss)
	}
	return out
}

// audText shows an audience value in notes and expectations.
func audText(aud any) string {
	if l, ok := aud.([]string); ok {
		return "[" + strings.Join(l, ", ") + "]"
	}
	return fmt.Sprint(aud)
}

// mapAud applies f to an audience value, or to each element of an array.
func mapAud(aud any, f func(string) string) any {
	if l, ok := aud.([]string); ok {
		out := make([]string, len(l))
		for i, v := range l {
			out[i] = f(v)
		}
		return out
	}
	s, _ := aud.(string)
	return f(s)
}

// assertionAud is the audience the baseline (CC-OK-01 with an assertion
// method, or JWT-OK-01) found accepted; before either ran, the first
// candidate.
func (h *H) assertionAud() any {
	h.st.mu.Lock()
	aud := h.st.jwtAud
	h.st.mu.Unlock()
	if aud == nil {
		if c := h.audCandidates(); len(c) > 0 {
			return c[0]
		}
	}
	return aud
}

// setAssertionAud records the audience a server accepted.
func (h *H) setAssertionAud(aud any) {
	h.st.mu.Lock()
	h.st.jwtAud = aud
	h.st.mu.Unlock()
}

// baseClaims are the baseline assertion's claims: iss = sub = J, the
// audience that worked, a minute of life, a fresh jti.
func (h *H) baseClaims() claimSet {
	now := time.Now().Unix()
	id := h.T.AssertionClient.ID
	return claimSet{"iss": id, "sub": id, "aud": h.assertionAud(), "iat": now, "exp": now + 60, "jti": freshJTI()}
}

// baseTyp is the baseline typ header: rfc7523bis asks clients to type
// assertions; the other profiles' baseline is untyped.
func (h *H) baseTyp() map[string]any {
	if h.T.Has(ProfileRFC7523bis) {
		return map[string]any{"typ": "client-authentication+jwt"}
	}
	return nil
}

// sign signs claims with J's key, with the baseline typ plus hdr.
func (h *H) sign(c claimSet, hdr map[string]any) string {
	j := h.T.AssertionClient
	return h.signWith(jose.SignatureAlgorithm(j.alg()), j.Key, j.KeyID, c, h.typAnd(hdr))
}

// typAnd is the baseline typ header plus hdr (hdr wins).
func (h *H) typAnd(hdr map[string]any) map[string]any {
	all := map[string]any{}
	for k, v := range h.baseTyp() {
		all[k] = v
	}
	for k, v := range hdr {
		all[k] = v
	}
	return all
}

// signWith signs claims with any key; a nil header value drops it.
func (h *H) signWith(alg jose.SignatureAlgorithm, key any, kid string, c claimSet, hdr map[string]any) string {
	s, err := signerFor(alg, key, kid, hdr)
	if err != nil {
		panic(fmt.Sprintf("suites: assertion signer: %v", err)) // a harness bug: keys were validated
	}
	payload, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		panic(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

// unsignedJWT is c as an alg none JWT with an empty signature.
func unsignedJWT(c claimSet) string {
	p, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

// assertionBody is a valid request body carrying jwt, plus kv: with the
// scope JWT-OK-01 found the assertion client needs (none, or the first
// configured one: it is another client than the one under test).
func (h *H) assertionBody(jwt string, kv ...string) string {
	return h.assertionBodyTyped(assertionTypeURN, jwt, kv...)
}

// assertionBodyTyped is assertionBody with another client_assertion_type.
func (h *H) assertionBodyTyped(typ, jwt string, kv ...string) string {
	h.st.mu.Lock()
	scope := h.st.jwtScope
	h.st.mu.Unlock()
	kv = append([]string{rfc6749.ParamClientAssertionType, typ, rfc6749.ParamClientAssertion, jwt}, kv...)
	if scope != "" {
		kv = append([]string{"scope", scope}, kv...)
	}
	return ccBody(kv...)
}

// withScopeSearch sends a request of another client than the one under
// test: without a scope first (the client's default), then, when the
// server refuses for another reason than client authentication, with the
// first configured scope. It returns the last answer and the scope sent.
func (h *H) withScopeSearch(send func(scope string) *Response) (*Response, string) {
	r := send("")
	if r.OK() || r.ErrorCode() == rfc6749.ErrInvalidClient || h.firstScope() == "" {
		return r, ""
	}
	return send(h.firstScope()), h.firstScope()
}

// skipOnScope skips when the server authenticated the client but refused
// the scope: a configuration matter, not a verdict on the method.
func (h *H) skipOnScope(r *Response, client string) {
	if !r.OK() && r.ErrorCode() == rfc6749.ErrInvalidScope {
		h.Skip(fmt.Sprintf("client %s was refused the scope (tried none, then %q): %s; give it a scope it may have as the first --scope value", client, h.firstScope(), r.Summary()))
	}
}

// firstScope is the first configured scope, "" without one.
func (h *H) firstScope() string {
	if f := strings.Fields(h.T.Scope); len(f) > 0 {
		return f[0]
	}
	return ""
}

// SendAssertion sends a token request authenticated by jwt.
func (h *H) SendAssertion(jwt string, kv ...string) *Response {
	return h.Send(h.assertionBody(jwt, kv...))
}

// refused grades a negative: no token (the spec's MUST); the code is
// JWT-ERR-01's business.
func (h *H) refused(r *Response, what string) {
	h.ClientError(r, "for "+what)
}

// corruptSignature flips one bit inside the signature of a compact JWS.
func corruptSignature(jwt string) string {
	i := strings.LastIndex(jwt, ".")
	sig, err := base64.RawURLEncoding.DecodeString(jwt[i+1:])
	if err != nil || len(sig) == 0 {
		return jwt + "A"
	}
	sig[len(sig)/2] ^= 0x01
	return jwt[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// authOpt authenticates c with method, a secret method or a client
// assertion: private_key_jwt signs with the client's key
// (Target.ClientKey), client_secret_jwt MACs with its secret (HS256,
// RFC 7518 §3.2). Each assertion is fresh: iss = sub = the client, the
// audience found (assertionAud), a minute of life, a new jti.
func (h *H) authOpt(c *Client, method string) Opt {
	if isMTLSMethod(method) {
		return h.mtlsOpt(h.T.ClientCert())
	}
	if !isAssertionMethod(method) {
		return methodOpt(c, method)
	}
	now := time.Now().Unix()
	claims := claimSet{"iss": c.ID, "sub": c.ID, "aud": h.assertionAud(), "iat": now, "exp": now + 60, "jti": freshJTI()}
	var jwt string
	if method == rfc6749.AuthClientSecretJWT {
		jwt = h.signWith(jose.HS256, []byte(c.Secret), "", claims, h.baseTyp())
	} else {
		k := h.T.ClientKey()
		jwt = h.signWith(jose.SignatureAlgorithm(k.alg()), k.Key, k.KeyID, claims, h.baseTyp())
	}
	return func(r *req) {
		r.body = join(r.body, form(rfc6749.ParamClientAssertionType, assertionTypeURN, rfc6749.ParamClientAssertion, jwt))
	}
}

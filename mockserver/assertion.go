package mockserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Assertion profiles: which audience values a client assertion may carry
// and how strict the other claim rules are (Config.AssertionProfile).
const (
	// ProfileRFC7523 accepts any value naming this server, the issuer or
	// the token endpoint URL, as a string or inside an array (RFC 7523 §3).
	ProfileRFC7523 = "rfc7523"
	// ProfileRFC7523bis accepts only the issuer, as a string or a
	// one-element array (draft-ietf-oauth-rfc7523bis §4).
	ProfileRFC7523bis = "rfc7523bis"
	// ProfileFAPI2 accepts only the issuer as a string, only PS256, ES256
	// and EdDSA, and demands a jti (FAPI 2.0 Security Profile §5.3.2.1).
	ProfileFAPI2 = "fapi2"
)

// AssertionProfiles lists the assertion profiles.
var AssertionProfiles = []string{ProfileRFC7523, ProfileRFC7523bis, ProfileFAPI2}

// Defaults of the assertion rules.
const (
	// DefaultAssertionSkew is the clock skew allowed on exp, nbf and iat.
	DefaultAssertionSkew = 30 * time.Second
	// DefaultAssertionMaxLifetime bounds exp − iat, and how old iat may be.
	DefaultAssertionMaxLifetime = time.Hour
	// defaultReplayCacheSize bounds the unexpired jti values remembered.
	defaultReplayCacheSize = 200_000
)

// fapi2Algs are the algorithms FAPI 2.0 SP §5.4.1 allows.
var fapi2Algs = []jose.SignatureAlgorithm{jose.PS256, jose.ES256, jose.EdDSA}

// assertion is a parsed client assertion: the JWS and its claims, not yet
// verified.
type assertion struct {
	jws    *jose.JSONWebSignature
	alg    jose.SignatureAlgorithm
	kid    string
	typ    string
	claims map[string]json.RawMessage

	iss, sub, jti string
	aud           []string
	audArray      bool
	exp, nbf, iat *float64
}

// method is the client authentication method the assertion's algorithm
// implies: a MAC is client_secret_jwt, a signature private_key_jwt.
func (as *assertion) method() string {
	if slices.Contains(secretAssertionAlgs, as.alg) {
		return rfc6749.AuthClientSecretJWT
	}
	return rfc6749.AuthPrivateKeyJWT
}

// errAssertion is a refused client assertion: invalid_client (RFC 7521
// §4.2.1). No Authorization header was used, so it is a 400 without a
// challenge (RFC 6749 §5.2).
func errAssertion(format string, a ...any) *oauthError {
	return &oauthError{Code: rfc6749.ErrInvalidClient, Description: fmt.Sprintf(format, a...), Status: http.StatusBadRequest}
}

// assertionCredentials reads a request that authenticates with a client
// assertion (RFC 7521 §4.2, RFC 7523 §2.2): the exact type, one JWT, and
// no second method beside it.
func (a *Authority) assertionCredentials(x *exchange, c credentials) (credentials, *oauthError) {
	p := x.req.params
	if !a.assertionClients {
		sent := rfc6749.ParamClientAssertion
		switch {
		case p[rfc6749.ParamClientAssertion] == "":
			sent = rfc6749.ParamClientAssertionType
		case p[rfc6749.ParamClientAssertionType] != "":
			sent = rfc6749.ParamClientAssertion + " and " + rfc6749.ParamClientAssertionType
		}
		return c, errInvalidClient("client assertions are not supported by this server (the request sent " + sent +
			"); no client is registered for private_key_jwt or client_secret_jwt")
	}
	if x.usedHeader {
		return c, errInvalidRequest("two client authentication methods in one request (RFC 6749 section 2.3): " +
			"a client assertion and the Authorization header; use one")
	}
	if c.bodySecret != "" {
		return c, errInvalidRequest("two client authentication methods in one request (RFC 6749 section 2.3): " +
			"a client assertion and client_secret; use one")
	}
	typ, raw := p[rfc6749.ParamClientAssertionType], p[rfc6749.ParamClientAssertion]
	if e := x.s.assertionType(x, typ, raw); e != nil {
		return c, e
	}
	as, e := x.s.parseAssertion(x, raw)
	if e != nil {
		return c, e
	}
	c.assertion, c.method, c.id = as, as.method(), as.sub
	return c, nil
}

// exactAssertionType accepts only the jwt-bearer client assertion URN,
// compared exactly (RFC 7521 §4.2: values are case-sensitive), with both
// parameters present.
func exactAssertionType(_ *exchange, typ, raw string) *oauthError {
	switch {
	case typ == "":
		return errAssertion("client_assertion was sent without client_assertion_type; add client_assertion_type=%s (RFC 7521 section 4.2)", AssertionType)
	case raw == "":
		return errAssertion("client_assertion_type was sent without client_assertion (RFC 7521 section 4.2)")
	case typ == AssertionType:
		return nil
	case strings.EqualFold(typ, AssertionType):
		return errAssertion("client_assertion_type %s differs from %s in case; the value is case-sensitive (RFC 7521 section 4.2)", reasonQuote(typ), AssertionType)
	case typ == "urn:ietf:params:oauth:grant-type:jwt-bearer":
		return errAssertion("client_assertion_type is the grant-type URN of RFC 7523 section 2.1; client authentication uses %s (section 2.2)", AssertionType)
	}
	return errAssertion("client_assertion_type %s is not supported; this server takes %s (RFC 7523 section 2.2)", reasonQuote(typ), AssertionType)
}

// allAssertionAlgs are the algorithms an assertion may name at all.
var allAssertionAlgs = slices.Concat(clientAssertionAlgs, secretAssertionAlgs)

// parseOneJWT reads client_assertion as exactly one signed JWT in compact
// form (RFC 7523 §2.2, RFC 7515 §7.1) and types its claims. Nothing is
// verified yet.
func parseOneJWT(_ *exchange, raw string) (*assertion, *oauthError) {
	switch dots := strings.Count(raw, "."); {
	case strings.ContainsAny(raw, ", \t\r\n"):
		return nil, errAssertion("client_assertion holds more than one value; send exactly one JWT (RFC 7523 section 2.2)")
	case dots == 4:
		return nil, errAssertion("client_assertion is a JWE; send a signed JWT (RFC 7523 section 3 item 9)")
	case dots != 2:
		return nil, errAssertion("client_assertion is not one JWT in compact form (three base64url parts joined by '.'); it has %d parts", dots+1)
	}
	jws, err := jose.ParseSignedCompact(raw, allAssertionAlgs)
	if err != nil {
		if alg := headerAlg(raw); alg != "" && !slices.Contains(allAssertionAlgs, jose.SignatureAlgorithm(alg)) {
			if strings.EqualFold(alg, "none") {
				return nil, errAssertion("client_assertion is unsigned (alg none); it must be signed or MACed (RFC 7523 section 3 item 9)")
			}
			return nil, errAssertion("client_assertion uses alg %s, which this server does not accept", reasonQuote(alg))
		}
		return nil, errAssertion("client_assertion is not a well-formed JWS: %s", strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
	}
	if len(jws.Signatures) != 1 {
		return nil, errAssertion("client_assertion must carry one signature")
	}
	h := jws.Signatures[0].Protected
	as := &assertion{jws: jws, alg: jose.SignatureAlgorithm(h.Algorithm), kid: h.KeyID}
	if t, ok := h.ExtraHeaders[jose.HeaderType]; ok {
		if as.typ, ok = t.(string); !ok {
			return nil, errAssertion("the client assertion's typ header is not a string (RFC 7515 section 4.1.9)")
		}
	}
	if e := as.readClaims(jws.UnsafePayloadWithoutVerification()); e != nil {
		return nil, e
	}
	return as, nil
}

// headerAlg is the alg of a compact JWS's header, "" when unreadable.
func headerAlg(raw string) string {
	seg, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return ""
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &h) != nil {
		return ""
	}
	return h.Alg
}

// readClaims types the claims RFC 7523 §3 names.
func (as *assertion) readClaims(payload []byte) *oauthError {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&as.claims); err != nil || as.claims == nil {
		return errAssertion("the client assertion's payload is not one JSON object (RFC 7519 section 7.2)")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errAssertion("the client assertion's payload is not one JSON object (RFC 7519 section 7.2)")
	}
	for _, c := range []struct {
		name string
		dst  *string
	}{{"iss", &as.iss}, {"sub", &as.sub}, {"jti", &as.jti}} {
		if v, ok := as.claims[c.name]; ok {
			if json.Unmarshal(v, c.dst) != nil {
				return errAssertion("the client assertion's %s claim is not a string", c.name)
			}
		}
	}
	if v, ok := as.claims["aud"]; ok {
		var one string
		if json.Unmarshal(v, &one) == nil {
			as.aud = []string{one}
		} else if json.Unmarshal(v, &as.aud) == nil {
			as.audArray = true
		} else {
			return errAssertion("the client assertion's aud claim is neither a string nor an array of strings (RFC 7519 section 4.1.3)")
		}
	}
	for _, c := range []struct {
		name string
		dst  **float64
	}{{"exp", &as.exp}, {"nbf", &as.nbf}, {"iat", &as.iat}} {
		if v, ok := as.claims[c.name]; ok {
			var f float64
			if json.Unmarshal(v, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
				return errAssertion("the client assertion's %s claim is not a NumericDate (RFC 7519 section 2)", c.name)
			}
			*c.dst = &f
		}
	}
	return nil
}

// verifyAssertion authenticates the client an assertion names, in the
// order RFC 7523 §3 implies: who it claims to be, whether that client may
// use the method, the signature with that client's own keys, then the
// claims, and last the single use of its jti, so a refused assertion does
// not use up its jti.
func (a *Authority) verifyAssertion(x *exchange, c credentials) (*client, *oauthError) {
	as := c.assertion
	if e := x.s.assertionSubject(x, as); e != nil {
		return nil, e
	}
	cl := a.clients[as.sub]
	if cl == nil {
		return nil, errAssertion("unknown client %s (the assertion's iss and sub)", reasonQuote(as.sub))
	}
	if c.bodyID != "" && c.bodyID != cl.ID {
		return nil, errAssertion("client_id %s does not name the client of the assertion, %s (RFC 7521 section 4.2)", a.reasonEcho(c.bodyID), reasonQuote(cl.ID))
	}
	if e := x.s.assertionMethod(x, cl, as); e != nil {
		return nil, e
	}
	if e := x.s.assertionSignature(x, cl, as); e != nil {
		return nil, e
	}
	if e := x.s.assertionClaims(x, cl, as); e != nil {
		return nil, e
	}
	if e := x.s.assertionReplay(x, cl, as); e != nil {
		return nil, e
	}
	return cl, nil
}

// methodAllowed checks, before any key is tried, that the client is
// registered for the assertion's method (a MAC is client_secret_jwt, a
// signature private_key_jwt: the algorithm family follows the
// registration, RFC 8725 §3.1), then the FAPI 2.0 limits:
// client_secret_jwt is not allowed, and signatures only by PS256, ES256
// or EdDSA.
func (a *Authority) methodAllowed(_ *exchange, cl *client, as *assertion) *oauthError {
	if !cl.allowsMethod(as.method()) {
		return errAssertion("%s", methodRefused(cl, as.method()))
	}
	if a.profile != ProfileFAPI2 {
		return nil
	}
	if as.method() == rfc6749.AuthClientSecretJWT {
		return errAssertion("client_secret_jwt is not allowed; FAPI 2.0 authenticates clients with private_key_jwt or mTLS (FAPI 2.0 Security Profile section 5.3.2.1)")
	}
	if !slices.Contains(fapi2Algs, as.alg) {
		return errAssertion("alg %s is not allowed; FAPI 2.0 allows PS256, ES256 and EdDSA (FAPI 2.0 Security Profile section 5.4.1)", as.alg)
	}
	return nil
}

// issEqualsSub applies RFC 7523 §3 items 1 and 2 for client authentication:
// iss and sub are both the client_id (RFC 7521 §5.2).
func issEqualsSub(_ *exchange, as *assertion) *oauthError {
	switch {
	case as.iss == "":
		return errAssertion("the client assertion has no iss claim (RFC 7523 section 3 item 1)")
	case as.sub == "":
		return errAssertion("the client assertion has no sub claim; for client authentication it is the client_id (RFC 7523 section 3 item 2)")
	case as.iss != as.sub:
		return errAssertion("the client assertion's iss %s and sub %s differ; both must be the client_id (RFC 7521 section 5.2)", reasonQuote(as.iss), reasonQuote(as.sub))
	}
	return nil
}

// signatureByClientKey verifies the assertion with the keys registered for
// this client only (RFC 7523 §3 item 9, RFC 8725 §3.1): the algorithm
// family is fixed by the method, MACs take the client secret, signatures a
// registered public key; keys in the JWT header are never used.
func (a *Authority) signatureByClientKey(x *exchange, cl *client, as *assertion) *oauthError {
	if as.method() == rfc6749.AuthClientSecretJWT {
		if cl.Secret == "" {
			return errAssertion("client %s has no secret to verify a %s assertion with", reasonQuote(cl.ID), as.alg)
		}
		if _, err := as.jws.Verify([]byte(cl.Secret)); err != nil {
			if errors.Is(err, jose.ErrInvalidKeySize) {
				return errAssertion("client %s's secret is too short for %s (RFC 7518 section 3.2)", reasonQuote(cl.ID), as.alg)
			}
			return errAssertion("the %s MAC of the client assertion does not verify with client %s's secret", as.alg, reasonQuote(cl.ID))
		}
		return nil
	}
	keys, e := a.clientKeys(x, cl, as.kid)
	if e != nil {
		return e
	}
	for _, k := range keys {
		if k.Algorithm != "" && k.Algorithm != string(as.alg) {
			continue
		}
		if _, err := as.jws.Verify(k.Key); err == nil {
			return nil
		}
	}
	if as.kid != "" {
		return errAssertion("the client assertion's signature does not verify with client %s's key %s", reasonQuote(cl.ID), reasonQuote(as.kid))
	}
	return errAssertion("the client assertion's signature does not verify with any key registered for client %s", reasonQuote(cl.ID))
}

// clientKeys are the client's registered keys a kid selects: all of them
// without a kid. An unknown kid refetches a jwks_uri (at a bounded rate).
func (a *Authority) clientKeys(x *exchange, cl *client, kid string) ([]jose.JSONWebKey, *oauthError) {
	set, err := cl.keys.get(x.r.Context(), false)
	if err != nil {
		return nil, errAssertion("client %s's keys could not be fetched: %s", reasonQuote(cl.ID), err)
	}
	if kid == "" {
		return set.Keys, nil
	}
	if ks := set.Key(kid); len(ks) > 0 {
		return ks, nil
	}
	if refreshed, err := cl.keys.get(x.r.Context(), true); err == nil {
		if ks := refreshed.Key(kid); len(ks) > 0 {
			return ks, nil
		}
	}
	return nil, errAssertion("client %s has no registered key with kid %s", reasonQuote(cl.ID), reasonQuote(kid))
}

// claimsByProfile applies RFC 7523 §3 items 3 to 6 (and the profile's
// stricter rules): the audience names this server, exp is in the future,
// nbf and iat are not, the lifetime is bounded.
func (a *Authority) claimsByProfile(x *exchange, _ *client, as *assertion) *oauthError {
	if e := a.checkTyp(as); e != nil {
		return e
	}
	if e := a.checkAudience(as); e != nil {
		return e
	}
	now := float64(a.now().UnixNano()) / 1e9
	skew, maxLife := a.assertionSkew.Seconds(), a.assertionMaxLife.Seconds()
	switch {
	case as.exp == nil:
		return errAssertion("the client assertion has no exp claim (RFC 7523 section 3 item 4)")
	case *as.exp+skew <= now:
		return errAssertion("the client assertion expired %s ago (RFC 7523 section 3 item 4)", ago(now-*as.exp))
	case as.nbf != nil && *as.nbf-skew > now:
		return errAssertion("the client assertion is not valid before %s from now (nbf, RFC 7523 section 3 item 5)", ago(*as.nbf-now))
	case as.iat != nil && *as.iat-skew > now:
		return errAssertion("the client assertion's iat is %s in the future", ago(*as.iat-now))
	case as.iat != nil && now-*as.iat > maxLife+skew:
		return errAssertion("the client assertion was issued %s ago; this server accepts assertions up to %s old (RFC 7523 section 3 item 6)", ago(now-*as.iat), ago(maxLife))
	}
	from := now
	if as.iat != nil {
		from = *as.iat
	}
	if *as.exp-from > maxLife+skew {
		return errAssertion("the client assertion's lifetime of %s is longer than this server's limit of %s", ago(*as.exp-from), ago(maxLife))
	}
	if as.jti == "" && a.profile == ProfileFAPI2 {
		return errAssertion("the client assertion has no jti; it is required so that each assertion is used once (OpenID Connect Core section 9)")
	}
	_ = x
	return nil
}

// checkTyp refuses a JWT explicitly typed as something else than a client
// assertion (RFC 8725 §3.11): an access token or a DPoP proof must not
// authenticate a client. Untyped and JWT stay acceptable (rfc7523bis §4).
func (a *Authority) checkTyp(as *assertion) *oauthError {
	t := strings.ToLower(strings.TrimPrefix(strings.ToLower(as.typ), "application/"))
	switch t {
	case "", "jwt", TypClientAuthentication:
		return nil
	}
	return errAssertion("the JWT is typed %s, not %s; it is not a client assertion (RFC 8725 section 3.11)", reasonQuote(as.typ), TypClientAuthentication)
}

// checkAudience compares aud with the values that identify this server,
// as exact strings (RFC 7519 §4.1.3).
func (a *Authority) checkAudience(as *assertion) *oauthError {
	if len(as.aud) == 0 {
		return errAssertion("the client assertion has no aud claim (RFC 7523 section 3 item 3)")
	}
	iss := a.Issuer()
	switch a.profile {
	case ProfileFAPI2:
		if as.audArray || as.aud[0] != iss {
			return errAssertion("aud must be the issuer %s as a JSON string, and only that (FAPI 2.0 Security Profile section 5.3.2.1)", reasonQuote(iss))
		}
	case ProfileRFC7523bis:
		if len(as.aud) != 1 || as.aud[0] != iss {
			return errAssertion("aud must be the issuer %s and nothing else (draft-ietf-oauth-rfc7523bis section 4)", reasonQuote(iss))
		}
	default:
		for _, v := range as.aud {
			if v == iss || v == a.TokenURL() {
				return nil
			}
		}
		return errAssertion("aud %s does not name this server; use the issuer %s or the token endpoint URL %s (RFC 7523 section 3 item 3)",
			reasonList(as.aud, ", ", 3), reasonQuote(iss), reasonQuote(a.TokenURL()))
	}
	return nil
}

// ago writes seconds as a rounded duration.
func ago(sec float64) string {
	return time.Duration(sec * float64(time.Second)).Round(time.Second).String()
}

// singleUse remembers each accepted jti until the assertion expires, and
// refuses it a second time (RFC 7523 §3 item 7, OpenID Connect Core §9).
func (a *Authority) singleUse(x *exchange, cl *client, as *assertion) *oauthError {
	if as.jti == "" {
		return nil
	}
	until := time.Unix(0, int64((*as.exp+a.assertionSkew.Seconds())*1e9))
	if shared, ok := a.store.(jtiClaimer); ok {
		// A fleet shares the cache through the store.
		fresh, err := shared.ClaimJTI(x.r.Context(), cl.ID, as.jti, until)
		switch {
		case err != nil:
			return &oauthError{Code: rfc6749.ErrTemporarilyUnavail, Status: http.StatusServiceUnavailable, RetryAfter: "1",
				Description: "the client assertion's jti could not be recorded"}
		case !fresh:
			return errAssertion("the client assertion with jti %s was used before; each assertion is used once (RFC 7523 section 3 item 7)", reasonQuote(as.jti))
		}
		return nil
	}
	switch a.replays.claim(cl.ID, as.jti, until, a.now()) {
	case replayFull:
		// A second is when the next sweep may have freed room.
		return &oauthError{Code: rfc6749.ErrTemporarilyUnavail, Status: http.StatusServiceUnavailable, RetryAfter: "1",
			Description: "too many unexpired client assertions to remember; retry with a shorter assertion lifetime"}
	case replaySeen:
		return errAssertion("the client assertion with jti %s was used before; each assertion is used once (RFC 7523 section 3 item 7)", reasonQuote(as.jti))
	}
	return nil
}

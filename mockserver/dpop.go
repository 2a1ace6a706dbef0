package mockserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	pathpkg "path"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/occheck/occheck/internal/rfc6749"
)

// DPoP (RFC 9449): a client signs a proof JWT for each request with its
// own key, and the access token is bound to that key (cnf.jkt). The token
// endpoint checks a proof as §4.3 lists, each check a step; the protected
// resource demands a proof with ath for a bound token (§7).

// DefaultDPoPAlgs are the proof algorithms the server accepts unless
// Config.DPoPSigningAlgs says otherwise: every asymmetric JWS algorithm
// it can verify (RFC 9449 §5.1; never none or a MAC).
var DefaultDPoPAlgs = []string{ES256, "ES384", "ES512", PS256, "PS384", "PS512", RS256, "RS384", "RS512", EdDSA}

// FAPI2DPoPAlgs are the proof algorithms under assertion_profile fapi2:
// the ones FAPI 2.0 Security Profile §5.4.1 allows.
var FAPI2DPoPAlgs = []string{PS256, ES256, EdDSA}

const (
	// DefaultDPoPProofWindow is how old a proof's iat may be.
	DefaultDPoPProofWindow = 60 * time.Second
	// dpopFutureSkew is how far ahead a proof's iat may be: FAPI 2.0
	// (§5.3.2.1) wants 10 s accepted.
	dpopFutureSkew = 10 * time.Second
	// dpopNonceLife is how long a server nonce is accepted.
	dpopNonceLife = 5 * time.Minute
	// maxDPoPProof bounds a proof's length.
	maxDPoPProof = 8 << 10
)

// privateJWKMembers are the JWK members of private keys (RFC 7518 §6.2.2,
// §6.3.2, §6.4; RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// dpopProof is a DPoP proof read from a request.
type dpopProof struct {
	raw    string
	header map[string]any
	claims map[string]any
	alg    string
	// jwk is the header's key as sent (private members too); jwkJSON its
	// JSON text.
	jwk          *jose.JSONWebKey
	jwkJSON      json.RawMessage
	signingInput string
	signature    []byte
}

func errDPoP(format string, a ...any) *oauthError {
	return &oauthError{Code: rfc6749.ErrInvalidDPoPProof, Status: http.StatusBadRequest, Description: fmt.Sprintf(format, a...)}
}

// claim is a string claim of the proof and whether it is one.
func (p *dpopProof) claim(name string) (string, bool) {
	s, ok := p.claims[name].(string)
	return s, ok
}

// publicKey is the verification key: the public part of the header jwk.
func (p *dpopProof) publicKey() any { return p.jwk.Public().Key }

// jwkThumbprint is the RFC 7638 SHA-256 thumbprint of the proof key:
// its required public members only, base64url (RFC 9449 §6.1).
func jwkThumbprint(p *dpopProof) string {
	pub := p.jwk.Public()
	t, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(t)
}

// dpop runs RFC 9449 §4.3 on a token request: the proof when one was
// sent and passed, nil when none was sent and none is required.
func (x *exchange) dpop() (*dpopProof, *oauthError) {
	s := x.s
	raw, present, e := s.dpopHeader(x)
	if e != nil {
		return nil, e
	}
	if !present {
		return nil, s.dpopRequired(x, x.client)
	}
	p, e := x.checkProof(raw, x.r.Method, x.a.TokenURL())
	if e != nil {
		return nil, e
	}
	if e := s.dpopNonce(x, p); e != nil {
		return nil, e
	}
	if e := s.dpopReplay(x, p); e != nil {
		return nil, e
	}
	return p, nil
}

// checkProof runs the checks a proof needs wherever it is presented
// (§4.3 items 2-11, the nonce and replay apart): for method and target.
func (x *exchange) checkProof(raw, method, target string) (*dpopProof, *oauthError) {
	s := x.s
	p, e := s.dpopParse(x, raw)
	if e != nil {
		return nil, e
	}
	for _, check := range []func(*exchange, *dpopProof) *oauthError{s.dpopType, s.dpopAlg, s.dpopKey, s.dpopSignature, s.dpopClaims} {
		if e := check(x, p); e != nil {
			return nil, e
		}
	}
	if e := s.dpopMethod(x, p, method); e != nil {
		return nil, e
	}
	if e := s.dpopTarget(x, p, target); e != nil {
		return nil, e
	}
	if e := s.dpopTime(x, p); e != nil {
		return nil, e
	}
	return p, nil
}

// oneDPoPHeader is the reference §4.3 item 1: at most one DPoP field,
// holding one value.
func oneDPoPHeader(x *exchange) (string, bool, *oauthError) {
	vs := x.r.Header.Values(rfc6749.HeaderDPoP)
	switch {
	case len(vs) == 0:
		return "", false, nil
	case len(vs) > 1:
		return "", true, errDPoP("the request has %d DPoP header fields; send exactly one (RFC 9449 section 4.3 item 1)", len(vs))
	case strings.ContainsAny(vs[0], ", \t"):
		return "", true, errDPoP("the DPoP header holds more than one value; send exactly one JWT (RFC 9449 section 4.3 item 1)")
	}
	return vs[0], true, nil
}

// dpopRequired is §5.2: a client registered with
// dpop_bound_access_tokens gets no token without a proof.
func dpopRequired(_ *exchange, cl *client) *oauthError {
	if cl != nil && cl.DPoPBoundAccessTokens {
		return errDPoP("client %s is registered with dpop_bound_access_tokens: send a DPoP proof (RFC 9449 section 5.2)", reasonQuote(cl.ID))
	}
	return nil
}

// parseProof reads a proof: one compact JWS whose header and payload are
// JSON objects, the header holding a JWK (§4.3 items 2-3, 7).
func parseProof(_ *exchange, raw string) (*dpopProof, *oauthError) {
	if len(raw) > maxDPoPProof {
		return nil, errDPoP("the DPoP proof is longer than %d bytes", maxDPoPProof)
	}
	parts := strings.Split(raw, ".")
	switch {
	case len(parts) == 5:
		return nil, errDPoP("the DPoP proof is a JWE; send a signed JWT (RFC 9449 section 4.2)")
	case len(parts) != 3:
		return nil, errDPoP("the DPoP proof is not one JWT in compact form (three base64url parts joined by '.'); it has %d parts", len(parts))
	}
	p := &dpopProof{raw: raw, signingInput: parts[0] + "." + parts[1]}
	decode := func(seg, what string, into *map[string]any) *oauthError {
		b, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil {
			return errDPoP("the DPoP proof's %s is not base64url", what)
		}
		if err := json.Unmarshal(b, into); err != nil || *into == nil {
			return errDPoP("the DPoP proof's %s is not a JSON object", what)
		}
		return nil
	}
	if e := decode(parts[0], "header", &p.header); e != nil {
		return nil, e
	}
	if e := decode(parts[1], "payload", &p.claims); e != nil {
		return nil, e
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, errDPoP("the DPoP proof's signature is not base64url")
	}
	p.signature = sig
	p.alg, _ = p.header["alg"].(string)
	jwkVal, ok := p.header["jwk"]
	if !ok {
		return nil, errDPoP("the DPoP proof's header has no jwk (RFC 9449 section 4.2)")
	}
	p.jwkJSON, _ = json.Marshal(jwkVal)
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(p.jwkJSON); err != nil || k.Key == nil || !k.Valid() {
		return nil, errDPoP("the DPoP proof's jwk is not a usable key")
	}
	if _, sym := k.Key.([]byte); sym {
		return nil, errDPoP("the DPoP proof's jwk is a symmetric key; it must be a public key (RFC 9449 section 4.3 item 7)")
	}
	if pub := k.Public(); !pub.Valid() {
		return nil, errDPoP("the DPoP proof's jwk has no public key")
	} else if _, err := pub.Thumbprint(crypto.SHA256); err != nil {
		return nil, errDPoP("the DPoP proof's jwk has no RFC 7638 thumbprint: %s", strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
	}
	p.jwk = &k
	return p, nil
}

// dpopTyp is §4.3 item 4: typ dpop+jwt.
func dpopTyp(_ *exchange, p *dpopProof) *oauthError {
	if typ, _ := p.header["typ"].(string); typ != "dpop+jwt" {
		return errDPoP("the DPoP proof's typ is %s; it must be dpop+jwt (RFC 9449 section 4.3 item 4)", reasonQuote(fmt.Sprint(p.header["typ"])))
	}
	return nil
}

// dpopAlgAllowed is §4.3 item 5: an asymmetric algorithm the server
// supports, never none or a MAC.
func (a *Authority) dpopAlgAllowed(_ *exchange, p *dpopProof) *oauthError {
	if !slices.Contains(a.dpopAlgs, p.alg) {
		return errDPoP("the DPoP proof's alg %s is not one of %s (RFC 9449 section 4.3 item 5)", reasonQuote(p.alg), strings.Join(a.dpopAlgs, ", "))
	}
	return nil
}

// dpopPublicKey is §4.3 item 7: the jwk holds no private key.
func dpopPublicKey(_ *exchange, p *dpopProof) *oauthError {
	var members map[string]any
	_ = json.Unmarshal(p.jwkJSON, &members)
	for _, m := range privateJWKMembers {
		if _, ok := members[m]; ok {
			return errDPoP("the DPoP proof's jwk carries the private member %s; send the public key only (RFC 9449 section 4.3 item 7)", m)
		}
	}
	return nil
}

// dpopSignatureValid is §4.3 item 6: the signature verifies with the
// header's key.
func dpopSignatureValid(_ *exchange, p *dpopProof) *oauthError {
	m := jwt.GetSigningMethod(p.alg)
	if m == nil {
		return errDPoP("the DPoP proof's alg %s cannot be verified", reasonQuote(p.alg))
	}
	if why := keyFitsAlg(p.publicKey(), p.alg); why != "" {
		return errDPoP("the DPoP proof's jwk cannot sign %s: %s (RFC 7518 section 3)", p.alg, why)
	}
	if err := m.Verify(p.signingInput, p.signature, p.publicKey()); err != nil {
		return errDPoP("the DPoP proof's signature does not verify with its jwk (RFC 9449 section 4.3 item 6)")
	}
	return nil
}

// keyFitsAlg says why key cannot make alg's signatures, "" when it can:
// the curve of ES256, ES384 and ES512 (RFC 7518 §3.4), Ed25519 for EdDSA
// (RFC 8037), RSA of 2048 bits or more for RS* and PS* (§3.3, §3.5).
func keyFitsAlg(key any, alg string) string {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		want := map[string]int{"ES256": 256, "ES384": 384, "ES512": 521}[alg]
		if want == 0 || k.Curve.Params().BitSize != want {
			return fmt.Sprintf("an EC key on %s", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		if alg != "EdDSA" {
			return "an Ed25519 key"
		}
	case *rsa.PublicKey:
		if alg[0] != 'R' && alg[0] != 'P' {
			return "an RSA key"
		}
		if k.N.BitLen() < 2048 {
			return fmt.Sprintf("an RSA key of %d bits, fewer than 2048", k.N.BitLen())
		}
	default:
		return fmt.Sprintf("a %T", key)
	}
	return ""
}

// dpopClaimsPresent is §4.2 and §4.3 item 3: jti, htm and htu strings,
// iat a number.
func dpopClaimsPresent(_ *exchange, p *dpopProof) *oauthError {
	for _, c := range []string{"jti", "htm", "htu"} {
		if v, ok := p.claim(c); !ok || v == "" {
			return errDPoP("the DPoP proof has no %s string claim (RFC 9449 section 4.2)", c)
		}
	}
	if _, ok := p.claims["iat"].(float64); !ok {
		return errDPoP("the DPoP proof has no numeric iat claim (RFC 9449 section 4.2)")
	}
	return nil
}

// dpopMethodMatches is §4.3 item 8: htm is the request's method,
// compared case-sensitively.
func dpopMethodMatches(_ *exchange, p *dpopProof, method string) *oauthError {
	if htm, _ := p.claim("htm"); htm != method {
		return errDPoP("the DPoP proof's htm %s is not this request's method %s (RFC 9449 section 4.3 item 8)", reasonQuote(htm), method)
	}
	return nil
}

// dpopTargetMatches is §4.3 item 9: htu names this endpoint, query and
// fragment aside, after scheme and host are lower-cased, percent-encoding
// and dot segments normalised and a default port dropped (RFC 3986
// §6.2.2, §6.2.3).
func dpopTargetMatches(x *exchange, p *dpopProof, target string) *oauthError {
	htu, _ := p.claim("htu")
	if got := normalizeHTU(htu); got != "" && slices.Contains(ownURLs(x.r, target), got) {
		return nil
	}
	return errDPoP("the DPoP proof's htu %s is not this endpoint, %s (RFC 9449 section 4.3 item 9)", reasonQuote(htu), target)
}

// ownURLs are the normalised URLs a request may name as its htu: the
// endpoint's URL as the server publishes it and, when the request came
// over a loopback name or address (localhost, 127.0.0.1 and [::1] name
// one server in development), the URL the request itself was sent to. A
// Host header is never believed beyond loopback: a proof made for
// another server would pass by naming it.
func ownURLs(r *http.Request, target string) []string {
	var out []string
	if u := normalizeHTU(target); u != "" {
		out = append(out, u)
	}
	if host := hostOnly(r.Host); host == "localhost" || isLoopbackIP(host) || len(out) == 0 {
		out = append(out, normalizeHTU(requestURL(r)))
	}
	return out
}

// hostOnly is a Host header's host, without port or brackets.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return strings.ToLower(host)
	}
	return strings.ToLower(strings.Trim(h, "[]"))
}

func isLoopbackIP(h string) bool {
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// normalizeHTU is u with scheme and host lower-cased, the default port
// dropped, an empty path as "/", and no query or fragment; "" when u is
// not an absolute http(s) URL.
func normalizeHTU(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || p.User != nil {
		return ""
	}
	scheme := strings.ToLower(p.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	host, port := strings.ToLower(p.Hostname()), p.Port()
	if port == "" || scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		port = ""
	} else {
		port = ":" + port
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	// Percent-encoding normalised (unreserved characters decoded, hex in
	// upper case), then dot segments removed.
	path := (&url.URL{Path: p.Path}).EscapedPath()
	if strings.Contains(path, "/.") {
		trailing := strings.HasSuffix(path, "/")
		path = pathpkg.Clean(path)
		if trailing && path != "/" {
			path += "/"
		}
	}
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + port + path
}

// requestURL is the URL a request was sent to, as this server saw it.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.EscapedPath()
}

// dpopTimely is §4.3 item 11: iat within the proof window behind now,
// and at most 10 s ahead.
func (a *Authority) dpopTimely(_ *exchange, p *dpopProof) *oauthError {
	iat, _ := p.claims["iat"].(float64)
	now := float64(a.now().UnixNano()) / 1e9
	switch {
	case iat < now-a.dpopWindow.Seconds():
		return errDPoP("the DPoP proof was made %.0f s ago; proofs are accepted for %s (RFC 9449 section 4.3 item 11)", now-iat, a.dpopWindow)
	case iat > now+dpopFutureSkew.Seconds():
		return errDPoP("the DPoP proof's iat is %.0f s in the future (RFC 9449 section 4.3 item 11)", iat-now)
	}
	return nil
}

// dpopNonceValid is §8: with nonces on, a proof carries one this server
// issued in the last five minutes; otherwise 400 use_dpop_nonce with a
// fresh one in DPoP-Nonce.
func (a *Authority) dpopNonceValid(_ *exchange, p *dpopProof) *oauthError {
	if !a.dpopNonces {
		return nil
	}
	n, ok := p.claim("nonce")
	switch {
	case !ok || n == "":
		return a.useNonce("the authorization server requires a nonce in DPoP proofs (RFC 9449 section 8)")
	case !a.nonceIssued(n):
		return a.useNonce("the DPoP proof's nonce was not issued by this server or has expired (RFC 9449 section 8)")
	}
	return nil
}

// useNonce is the use_dpop_nonce error with a fresh nonce.
func (a *Authority) useNonce(desc string) *oauthError {
	return &oauthError{Code: rfc6749.ErrUseDPoPNonce, Status: http.StatusBadRequest, Description: desc, Nonce: a.newNonce()}
}

// newNonce is an unpredictable nonce this server can recognise without
// remembering it: the time it was made and a MAC of it, base64url (so
// 1*NQCHAR, §8.1).
func (a *Authority) newNonce() string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(a.now().Unix()))
	m := hmac.New(sha256.New, a.nonceKey)
	m.Write(b[:8])
	copy(b[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// nonceIssued reports whether n is a nonce of this server, unexpired.
func (a *Authority) nonceIssued(n string) bool {
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(b) != 24 {
		return false
	}
	m := hmac.New(sha256.New, a.nonceKey)
	m.Write(b[:8])
	if !hmac.Equal(m.Sum(nil)[:16], b[8:]) {
		return false
	}
	made := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	age := a.now().Sub(made)
	return age >= -time.Second && age <= dpopNonceLife
}

// dpopSingleUse makes a proof's jti single use for its key while the
// proof could still be accepted (§11.1).
func (a *Authority) dpopSingleUse(x *exchange, p *dpopProof) *oauthError {
	jti, ok := p.claim("jti")
	if !ok {
		return nil
	}
	until := a.now().Add(a.dpopWindow + dpopFutureSkew)
	owner := "dpop:" + x.s.dpopThumbprint(p)
	if shared, ok := a.store.(jtiClaimer); ok {
		fresh, err := shared.ClaimJTI(x.r.Context(), owner, jti, until)
		switch {
		case err != nil:
			return &oauthError{Code: rfc6749.ErrTemporarilyUnavail, Status: http.StatusServiceUnavailable, RetryAfter: "1", Description: "the DPoP proof's jti could not be recorded"}
		case !fresh:
			return errDPoP("the DPoP proof with jti %s was used before; make a new proof for each request (RFC 9449 section 11.1)", reasonQuote(jti))
		}
		return nil
	}
	switch a.dpopReplays.claim(owner, jti, until, a.now()) {
	case replayFull:
		return &oauthError{Code: rfc6749.ErrTemporarilyUnavail, Status: http.StatusServiceUnavailable, RetryAfter: "1", Description: "too many recent DPoP proofs to remember"}
	case replaySeen:
		return errDPoP("the DPoP proof with jti %s was used before; make a new proof for each request (RFC 9449 section 11.1)", reasonQuote(jti))
	}
	return nil
}

// bindDPoP is §6.1: cnf.jkt, the thumbprint of the proof key.
func bindDPoP(x *exchange, p *dpopProof, c *tokenClaims) {
	if c.Cnf == nil {
		c.Cnf = map[string]any{}
	}
	c.Cnf["jkt"] = x.s.dpopThumbprint(p)
}

// dpopMetadata adds §5.1's member.
func (a *Authority) dpopMetadata(m map[string]any) {
	m["dpop_signing_alg_values_supported"] = slices.Clone(a.dpopAlgs)
}

// claimsCnf is the token's cnf object, if it has one.
func (st *tokenState) claimsCnf() (map[string]any, bool) {
	if st == nil {
		return nil, false
	}
	cnf, ok := st.claims["cnf"].(map[string]any)
	return cnf, ok
}

// tokenJKT is the DPoP binding of a token's claims, "" for none.
func tokenJKT(claims map[string]any) string {
	cnf, _ := claims["cnf"].(map[string]any)
	s, _ := cnf["jkt"].(string)
	return s
}

// dpopAtResource is §7.1 at the protected resource: a DPoP-bound token
// comes with the DPoP scheme and a proof for this request, by the bound
// key, with ath the hash of the token; a plain token never comes with
// the DPoP scheme.
func dpopAtResource(a *Authority, r *http.Request, scheme, tok string, st *tokenState) *bearerError {
	jkt := tokenJKT(st.claims)
	dpopScheme := strings.EqualFold(scheme, rfc6749.TokenTypeDPoP)
	refuse := func(code, format string, args ...any) *bearerError {
		return &bearerError{status: http.StatusUnauthorized, code: code, description: fmt.Sprintf(format, args...), dpop: true}
	}
	switch {
	case jkt == "" && dpopScheme:
		return refuse("invalid_token", "the access token is not DPoP-bound; send it with the Bearer scheme")
	case jkt == "":
		return nil
	case !dpopScheme:
		return refuse("invalid_token", "the access token is DPoP-bound: send it with the DPoP scheme and a DPoP proof (RFC 9449 section 7.1)")
	}
	x := &exchange{a: a, s: a.steps.Load(), r: r}
	raw, present, e := x.s.dpopHeader(x)
	if e == nil && !present {
		e = errDPoP("the request has no DPoP proof (RFC 9449 section 7.1)")
	}
	var p *dpopProof
	if e == nil {
		p, e = x.checkProof(raw, r.Method, a.BaseURL()+r.URL.EscapedPath())
	}
	if e == nil {
		sum := sha256.Sum256([]byte(tok))
		if ath, _ := p.claim("ath"); ath != base64.RawURLEncoding.EncodeToString(sum[:]) {
			e = errDPoP("the DPoP proof's ath is not the hash of this access token (RFC 9449 section 4.3 item 12)")
		} else if x.s.dpopThumbprint(p) != jkt {
			e = errDPoP("the DPoP proof is signed by another key than the one the access token is bound to (RFC 9449 section 7.1)")
		}
	}
	if e == nil {
		e = x.s.dpopReplay(x, p)
	}
	if e != nil && e.Status == http.StatusServiceUnavailable {
		return &bearerError{status: e.Status, code: e.Code, description: e.Description}
	}
	if e != nil {
		return refuse(e.Code, "%s", e.Description)
	}
	return nil
}

// nonceKeyFrom derives the nonce MAC key from the signing key, so that a
// fleet of replicas sharing one key file shares its nonces too.
func nonceKeyFrom(key crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return newNonceKey()
	}
	m := hmac.New(sha256.New, der)
	m.Write([]byte("occheck DPoP-Nonce key"))
	return m.Sum(nil)
}

// newNonceKey makes the key nonces are MACed with.
func newNonceKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

package suites

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/occheck/occheck/internal/rfc6749"
)

// The harness side of DPoP (RFC 9449): the run's proof key, proofs made
// fresh for every request, and the server nonce carried from one request
// to the next.

// dpopMetadataMember is the RFC 9449 §5.1 metadata member.
const dpopMetadataMember = "dpop_signing_alg_values_supported"

// dpopAlgsByPreference are the proof algorithms the harness can make a
// key for, ES256 first (RFC 9449 §4.2 names it; FAPI 2.0 allows it).
var dpopAlgsByPreference = []string{"ES256", "EdDSA", "PS256", "RS256", "ES384", "ES512", "PS384", "PS512", "RS384", "RS512"}

// dpopKey is a proof key: the private key, its algorithm, the public JWK
// sent in every proof header (with its thumbprint as kid, an optional
// member a thumbprint must leave out) and its RFC 7638 thumbprint.
type dpopKey struct {
	key any
	alg string
	jwk map[string]any
	jkt string
}

// newDPoPKey wraps a private key for proofs signed with alg.
func newDPoPKey(key crypto.Signer, alg string) (*dpopKey, error) {
	pub := jose.JSONWebKey{Key: key.Public()}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("DPoP key: %w", err)
	}
	k := &dpopKey{key: key, alg: alg, jkt: base64.RawURLEncoding.EncodeToString(tp)}
	pub.KeyID = k.jkt
	b, err := pub.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("DPoP key: %w", err)
	}
	if err := json.Unmarshal(b, &k.jwk); err != nil {
		return nil, err
	}
	return k, nil
}

// throwawayRSA and otherRSA are RSA keys made once per process for the
// harness's own proof keys of RSA algorithms: making a 2048-bit key costs
// far more than a run's requests, and such a key proves nothing by being
// new. otherRSA is the "another key" of the specs that need one.
var (
	throwawayRSA = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	otherRSA     = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
)

// otherDPoPKey is a key for alg that is never the run's own: not a key
// the user gave, and not the process's throwaway RSA key either.
func otherDPoPKey(alg string) (*dpopKey, error) {
	if strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS") {
		key, err := otherRSA()
		if err != nil {
			return nil, err
		}
		return newDPoPKey(key, alg)
	}
	return generateDPoPKey(alg)
}

// generateDPoPKey makes a fresh key for alg (an RSA key is the process's
// throwaway one).
func generateDPoPKey(alg string) (*dpopKey, error) {
	var key crypto.Signer
	var err error
	switch alg {
	case "ES256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		key, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case "PS256", "PS384", "PS512", "RS256", "RS384", "RS512":
		key, err = throwawayRSA()
	default:
		return nil, fmt.Errorf("no DPoP key for alg %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return newDPoPKey(key, alg)
}

// DPoPKeyAlg is the proof algorithm for a key: ES256, ES384 or ES512 by
// curve, EdDSA, or PS256 for RSA; "" for a key JWS cannot use.
func DPoPKeyAlg(key crypto.Signer) string {
	switch k := key.Public().(type) {
	case *ecdsa.PublicKey:
		return ecAlg(k)
	case ed25519.PublicKey:
		return "EdDSA"
	case *rsa.PublicKey:
		return "PS256"
	}
	return ""
}

// dpopState is the run's DPoP state.
type dpopState struct {
	once sync.Once
	key  *dpopKey
	err  error

	mu sync.Mutex
	// nonces are the last DPoP-Nonce each origin sent: the authorization
	// server's (RFC 9449 §8), a resource server's (§9).
	nonces map[string]string
	// firstAsk is the authorization server's first answer of the run
	// that asked for a nonce.
	firstAsk *Response
	// refusals are the answers to the DPoP negatives, for DPOP-ERR-01.
	refusals []dpopRefusal
}

type dpopRefusal struct {
	what   string
	status int
	code   string
}

// dpopAdvertised is the metadata's DPoP algorithms and whether the
// member is there at all.
func (h *H) dpopAdvertised() ([]string, bool) {
	if h.T.MetadataURL == "" || !h.metadataTrusted() {
		return nil, false
	}
	m, ok := h.metadataDoc()
	if !ok {
		return nil, false
	}
	v, ok := m[dpopMetadataMember]
	if !ok {
		return nil, false
	}
	var algs []string
	if arr, ok := v.([]any); ok {
		for _, a := range arr {
			if s, ok := a.(string); ok {
				algs = append(algs, s)
			}
		}
	}
	return algs, true
}

// needDPoP skips a spec when the server does not advertise DPoP and
// --dpop is not given; it returns the run's proof key.
func (h *H) needDPoP() *dpopKey {
	algs, advertised := h.dpopAdvertised()
	if !advertised && !h.T.DPoP && h.T.MetadataURL != "" && !h.metadataTrusted() {
		h.Skip(dependencyReason("MD-02", h.st.result(h.ctx, specByID("MD-02"))) + "; --dpop runs the DPoP specs without the metadata")
	}
	if !advertised && !h.T.DPoP {
		h.Skip("the server does not advertise DPoP (no " + dpopMetadataMember + " in its metadata); --dpop runs these specs anyway")
	}
	d := &h.st.dpop
	userAlg := ""
	if h.T.DPoPKey != nil {
		userAlg = DPoPKeyAlg(h.T.DPoPKey)
		if userAlg == "PS256" && len(algs) > 0 && !slices.Contains(algs, "PS256") && slices.Contains(algs, "RS256") {
			userAlg = "RS256"
		}
		if len(algs) > 0 && !slices.Contains(algs, userAlg) {
			h.Skip("--dpop-key-file holds a key for " + userAlg + ", and the server lists only " + strings.Join(algs, ", ") + " in " + dpopMetadataMember + "; give a key for one of those, or drop --dpop-key-file for a fresh one")
		}
	}
	d.once.Do(func() {
		if h.T.DPoPKey != nil {
			d.key, d.err = newDPoPKey(h.T.DPoPKey, userAlg)
			return
		}
		alg := "ES256"
		if len(algs) > 0 && !slices.Contains(algs, alg) {
			for _, a := range dpopAlgsByPreference {
				if slices.Contains(algs, a) {
					alg = a
					break
				}
			}
		}
		d.key, d.err = generateDPoPKey(alg)
	})
	if d.err != nil {
		h.transportError(d.err)
	}
	return d.key
}

// proof is a DPoP proof under construction; specs bend one part of it.
type proof struct {
	header map[string]any
	claims map[string]any
	// alg signs (a golang-jwt method name); "none" leaves the signature
	// empty.
	alg string
	key any
	// flip changes one signature byte.
	flip bool
	// values replace the header field's values when set.
	values []string
}

// newProof is a valid proof by k for method and URL (query and fragment
// dropped, RFC 9449 §4.2), carrying the last nonce that URL's origin sent.
func (h *H) newProof(k *dpopKey, method, u string) *proof {
	p := &proof{
		header: map[string]any{"typ": "dpop+jwt", "alg": k.alg, "jwk": k.jwk},
		claims: map[string]any{"jti": rand.Text(), "htm": method, "htu": htuOf(u), "iat": time.Now().Unix()},
		alg:    k.alg, key: k.key,
	}
	if n := h.nonceFor(u); n != "" {
		p.claims["nonce"] = n
	}
	return p
}

// originOf is a URL's scheme and host, lower-cased.
func originOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return strings.ToLower(p.Scheme + "://" + p.Host)
}

// nonceFor is the last nonce the origin of u sent, "" for none.
func (h *H) nonceFor(u string) string {
	d := &h.st.dpop
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nonces[originOf(u)]
}

// htuOf is u without query and fragment.
func htuOf(u string) string {
	u, _, _ = strings.Cut(u, "#")
	u, _, _ = strings.Cut(u, "?")
	return u
}

// String is the compact JWS.
func (p *proof) String() string {
	hdr, _ := json.Marshal(p.header)
	cl, _ := json.Marshal(p.claims)
	in := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(cl)
	if p.alg == "none" {
		return in + "."
	}
	m := jwt.GetSigningMethod(p.alg)
	if m == nil {
		panic("suites: no signing method " + p.alg) // a harness bug
	}
	sig, err := m.Sign(in, p.key)
	if err != nil {
		panic(fmt.Sprintf("suites: DPoP proof: %v", err)) // a harness bug: keys were validated
	}
	if p.flip {
		sig[len(sig)/2] ^= 0x01
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// withProof adds a fresh proof for the request to the DPoP header, bent
// by bend (nil for none).
func (h *H) withProof(k *dpopKey, bend func(p *proof)) Opt {
	return func(r *req) {
		p := h.newProof(k, r.method, r.url)
		if bend != nil {
			bend(p)
		}
		vals := p.values
		if vals == nil {
			vals = []string{p.String()}
		}
		r.header.Del(rfc6749.HeaderDPoP)
		for _, v := range vals {
			r.header.Add(rfc6749.HeaderDPoP, v)
		}
	}
}

// noNonce drops the nonce from a proof.
func noNonce(p *proof) { delete(p.claims, "nonce") }

// keepNonce remembers a DPoP-Nonce the token endpoint sent (RFC 9449 §8:
// on an error or a success, it is for the next proof) and the first
// answer that asked for one; it reports whether to retry: no token, and
// use_dpop_nonce or (the body unreadable: ERR-JSON-01 grades that) a
// nonce the proof did not carry. The status is not asked for here:
// ERR-400-01 grades it.
func (h *H) keepNonce(r *Response) bool {
	n := r.Header.Values(rfc6749.HeaderDPoPNonce)
	fresh := len(n) == 1 && n[0] != ""
	code := r.ErrorCode()
	ask := !r.HasToken() && (code == rfc6749.ErrUseDPoPNonce || code == "" && fresh && n[0] != h.nonceFor(h.T.TokenURL))
	d := &h.st.dpop
	d.mu.Lock()
	defer d.mu.Unlock()
	if ask && d.firstAsk == nil {
		d.firstAsk = r
	}
	if fresh {
		d.setNonce(h.T.TokenURL, n[0])
	}
	return ask && fresh
}

// setNonce records the last nonce of u's origin; d.mu is held.
func (d *dpopState) setNonce(u, nonce string) {
	if d.nonces == nil {
		d.nonces = map[string]string{}
	}
	d.nonces[originOf(u)] = nonce
}

// dpopResourceCall calls the resource with the token under the DPoP
// scheme and a fresh proof bent by bend; when the resource asks for a
// nonce of its own (RFC 9449 §9: 401, use_dpop_nonce, DPoP-Nonce), once
// more with it.
func (h *H) dpopResourceCall(k *dpopKey, tok string, bend func(p *proof)) *Response {
	r := h.callResource("DPoP "+tok, h.withProof(k, bend))
	n := r.Header.Values(rfc6749.HeaderDPoPNonce)
	if r.Status != 401 || len(n) != 1 || n[0] == "" || n[0] == h.nonceFor(h.T.ResourceURL) {
		return r
	}
	d := &h.st.dpop
	d.mu.Lock()
	d.setNonce(h.T.ResourceURL, n[0])
	d.mu.Unlock()
	return h.callResource("DPoP "+tok, h.withProof(k, bend))
}

// asNonce reports whether the token endpoint has sent a nonce this run.
func (h *H) asNonce() bool { return h.nonceFor(h.T.TokenURL) != "" }

// dpopSend sends body to the token endpoint, authenticated by auth's Opt
// (made again for each attempt: an assertion is single use) and with a
// fresh proof bent by bend, retrying once with the server's nonce when it
// asks for one (RFC 9449 §8).
func (h *H) dpopSend(k *dpopKey, body string, bend func(p *proof), auth func() Opt) *Response {
	send := func() *Response { return h.Send(body, auth(), h.withProof(k, bend)) }
	r := send()
	if h.keepNonce(r) {
		r = send()
		h.keepNonce(r)
	}
	return r
}

// dpopToken asks for a token of the client under test with a valid
// proof (bent by bend).
func (h *H) dpopToken(k *dpopKey, bend func(p *proof)) *Response {
	return h.dpopSend(k, h.scoped(), bend, func() Opt { return h.As(&h.T.Client) })
}

// dpopRefused grades a DPoP negative: no token, at the spec's level. A
// server fault or a dropped connection is graded by ERR-5XX-01; the code
// and status are kept for DPOP-ERR-01.
func (h *H) dpopRefused(k *dpopKey, what string, bend func(p *proof)) {
	h.dpopRefusedBy(what, func() *Response { return h.dpopToken(k, bend) })
}

func (h *H) dpopRefusedBy(what string, send func() *Response) {
	r, fault, err := h.soft(send)
	switch {
	case err != nil:
		h.Note("%s: no answer (%v): no token", what, err)
		return
	case fault != "":
		h.Note("%s: %s (graded by ERR-5XX-01)", what, fault)
		return
	}
	h.Require(!r.HasToken(), "no token for a DPoP proof with "+what+" (RFC 9449 §4.3)", "%s", r.Summary())
	if r.Status/100 == 4 && r.ErrorCode() != rfc6749.ErrUseDPoPNonce {
		d := &h.st.dpop
		d.mu.Lock()
		d.refusals = append(d.refusals, dpopRefusal{what: what, status: r.Status, code: r.ErrorCode()})
		d.mu.Unlock()
	}
}

// athOf is the ath of a token: base64url SHA-256 (RFC 9449 §4.2).
func athOf(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tokenJKT reads a JWT access token's cnf.jkt, and whether the token is
// a JWT at all.
func tokenJKT(tok string) (jkt any, cnf any, isJWT bool) {
	claims, isJWT := jwtClaims(tok)
	m, _ := claims["cnf"].(map[string]any)
	return m["jkt"], claims["cnf"], isJWT
}

// privateJWK is the key's JWK with its private members.
func privateJWK(k *dpopKey) map[string]any {
	b, err := (&jose.JSONWebKey{Key: k.key, KeyID: k.jkt}).MarshalJSON()
	if err != nil {
		panic(fmt.Sprintf("suites: private JWK: %v", err))
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// isNQCHAR reports whether s is 1*NQCHAR (RFC 9449 §8.1: %x21 / %x23-5B
// / %x5D-7E).
func isNQCHAR(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != 0x21 && (c < 0x23 || c > 0x5B) && (c < 0x5D || c > 0x7E) {
			return false
		}
	}
	return true
}

// sameURLVariants are forms of u a normalising server must accept:
// scheme and host upper-cased, and the default port written out when u
// has none.
func sameURLVariants(u string) []string {
	p, err := url.Parse(u)
	if err != nil {
		return nil
	}
	var out []string
	out = append(out, strings.ToUpper(p.Scheme)+"://"+strings.ToUpper(p.Host)+p.EscapedPath())
	if p.Port() == "" {
		port := map[string]string{"https": "443", "http": "80"}[p.Scheme]
		out = append(out, p.Scheme+"://"+p.Host+":"+port+p.EscapedPath())
	}
	return out
}

package mockserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Token formats (Config.TokenFormat, Client.TokenFormat).
const (
	// FormatJWT issues RFC 9068 JWT access tokens (the default).
	FormatJWT = "jwt"
	// FormatOpaque issues random tokens (256 bits) kept in the Store.
	FormatOpaque = "opaque"
)

// Paths of the introspection (RFC 7662) and revocation (RFC 7009)
// endpoints, below the issuer's path.
const (
	PathIntrospect = "/introspect"
	PathRevoke     = "/revoke"
)

// Journal names of the two endpoints.
const (
	EndpointIntrospect = "introspect"
	EndpointRevoke     = "revoke"
)

// IntrospectionURL is the RFC 7662 endpoint.
func (a *Authority) IntrospectionURL() string { return a.BaseURL() + a.issuerPath() + PathIntrospect }

// RevocationURL is the RFC 7009 endpoint.
func (a *Authority) RevocationURL() string { return a.BaseURL() + a.issuerPath() + PathRevoke }

// formatOf is the token format of a client: its own, else the server's.
func (a *Authority) formatOf(cl *client) string {
	if cl.TokenFormat != "" {
		return cl.TokenFormat
	}
	return a.tokenFormat
}

// mintOpaque issues a random token (256 bits) and keeps its claims until
// it expires. Its jti comes from its store key.
func (a *Authority) mintOpaque(ctx context.Context, c *tokenClaims) (string, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	key := tokenKey(tok)
	c.JTI = key.jti()
	claims, err := c.storedClaims()
	if err != nil {
		return "", err
	}
	if err := a.store.PutToken(ctx, key, StoredToken{Claims: claims, IssuedAt: c.Iat, Expires: c.Exp}); err != nil {
		return "", err
	}
	return tok, nil
}

// tokenState is what the server knows of a token presented to it.
type tokenState struct {
	claims map[string]any
	// id names the token in the revocation list.
	id string
	// exp is when the token expires.
	exp time.Time
}

// lookupToken finds a token this server issued: an opaque one in the
// store, or a JWT signed by one of its published keys and naming it as
// issuer. Expired, revoked and unknown tokens are nil.
func (a *Authority) lookupToken(ctx context.Context, tok string) *tokenState {
	st := a.revocableToken(ctx, tok)
	if st == nil {
		return nil
	}
	if nbf, ok := st.claims["nbf"].(float64); ok && a.now().Before(time.Unix(int64(nbf), 0)) {
		return nil
	}
	return st
}

// revocableToken is a token this server issued that has not expired or
// been revoked, valid yet or not: a token not valid before some time can
// be revoked before it becomes valid.
func (a *Authority) revocableToken(ctx context.Context, tok string) *tokenState {
	st := a.tokenState(ctx, tok)
	if st == nil || !a.now().Before(st.exp) {
		return nil
	}
	if revoked, err := a.store.Revoked(ctx, st.id); err != nil || revoked {
		return nil
	}
	return st
}

// tokenState reads a token's claims without judging its validity.
func (a *Authority) tokenState(ctx context.Context, tok string) *tokenState {
	if tok == "" || len(tok) > 8192 {
		return nil
	}
	var raw []byte
	var stored *StoredToken
	id, jti := "", ""
	if strings.Count(tok, ".") == 2 {
		jws, err := jose.ParseSignedCompact(tok, publishedAlgs)
		if err != nil || len(jws.Signatures) != 1 {
			return nil
		}
		// RFC 9068 §4: only tokens typed as access tokens are access tokens.
		if typ, _ := jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(typ, "at+jwt") && !strings.EqualFold(typ, "application/at+jwt") {
			return nil
		}
		kid := jws.Signatures[0].Header.KeyID
		for _, k := range a.publishedJWKs() {
			if k.KeyID == kid {
				raw, _ = jws.Verify(k.Key)
				break
			}
		}
		if raw == nil {
			return nil
		}
	} else {
		key := tokenKey(tok)
		t, ok, err := a.store.Token(ctx, key)
		if err != nil || !ok {
			return nil
		}
		raw, id, stored = t.Claims, key.ID(), &t
		jti = key.jti()
	}
	var claims map[string]any
	if stored != nil {
		// An opaque token's claim set is shared by many tokens: decoded
		// once, copied for each.
		if claims = a.claimSets.get(raw); claims == nil {
			return nil
		}
		claims["iat"], claims["exp"], claims["jti"] = float64(stored.IssuedAt), float64(stored.Expires), jti
	} else if claims = decodeClaims(raw); claims == nil {
		return nil
	}
	if claims["iss"] != a.Issuer() {
		return nil
	}
	if id == "" {
		jti, _ := claims["jti"].(string)
		id = "jti:" + jti
	}
	exp, _ := claims["exp"].(float64)
	return &tokenState{claims: claims, id: id, exp: time.Unix(int64(exp), 0)}
}

// publishedAlgs are the algorithms the server signs tokens with.
var publishedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}

// callerExchange authenticates the caller of the introspection or
// revocation endpoint the way the token endpoint does: any client
// authentication method the client is registered for. It runs the
// reference steps: the token endpoint's deviations stay at the token
// endpoint, and these endpoints have deviations of their own (the
// introspection and revoke steps of the active set).
func (a *Authority) callerExchange(w http.ResponseWriter, r *http.Request, endpoint string) (*exchange, *oauthError) {
	a.refOnce.Do(func() { a.ref = a.reference() })
	x := &exchange{a: a, s: a.ref, w: w, r: r, endpoint: endpoint, usedHeader: len(r.Header.Values("Authorization")) > 0}
	vals, e := x.s.readRequest(x)
	if e != nil {
		return x, e
	}
	x.form = vals
	if vals, e = x.s.query(x, vals); e != nil {
		return x, e
	}
	if x.req, e = x.s.parseParams(x, vals); e != nil {
		return x, e
	}
	if e := a.steps.Load().callerAuth(x); e != errAbort {
		return x, e
	}
	if x.cred, e = x.s.credentials(x); e != nil {
		return x, e
	}
	if x.client, e = x.s.verify(x, x.cred); e != nil {
		return x, e
	}
	return x, nil
}

// serveIntrospect is RFC 7662: an authenticated caller learns whether a
// token is active, and what it says; an inactive, expired, revoked,
// unknown or malformed token is exactly {"active":false} (§2.2).
func (a *Authority) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	x, e := a.callerExchange(w, r, EndpointIntrospect)
	status, code := 200, ""
	if e == nil && x.req.params["token"] == "" {
		e = errInvalidRequest("the token parameter is required (RFC 7662 section 2.1)")
	}
	if e != nil {
		a.steps.Load().callerError(x, e)
		status, code = x.respond(nil, e)
	} else {
		st := a.steps.Load()
		writeJSON(w, st.introspection(x, st.introspectToken(a, r, x.req.params["token"])))
	}
	a.recordCaller(x, EndpointIntrospect, status, code)
}

// demandCaller is the reference: every caller authenticates (RFC 7662
// §2.1, RFC 7009 §2.1); errAbort means "go on with the authentication".
func demandCaller(*exchange) *oauthError { return errAbort }

// keepCallerError is the reference: a refused caller gets the token
// endpoint's answer (401 invalid_client after a failed authentication).
func keepCallerError(*exchange, *oauthError) {}

// introspection is the reference answer for a token's state: the
// token's own claims (no secrets in them) plus active and token_type.
func (a *Authority) introspection(_ *exchange, st *tokenState) map[string]any {
	if st == nil {
		return map[string]any{"active": false}
	}
	out := map[string]any{"active": true, "token_type": rfc6749.TokenTypeBearer}
	if tokenJKT(st.claims) != "" {
		out["token_type"] = rfc6749.TokenTypeDPoP // RFC 9449 §6.2
	}
	for _, k := range []string{"scope", "client_id", "exp", "iat", "nbf", "sub", "aud", "iss", "jti", "cnf"} {
		if v, ok := st.claims[k]; ok {
			out[k] = v
		}
	}
	for _, k := range []string{"exp", "iat", "nbf"} {
		if f, ok := out[k].(float64); ok {
			out[k] = int64(f)
		}
	}
	return out
}

// serveRevoke is RFC 7009: a client revokes its own token; an unknown,
// invalid, expired or already revoked token is not an error (§2.2);
// another client's token is refused (§2.1).
func (a *Authority) serveRevoke(w http.ResponseWriter, r *http.Request) {
	x, e := a.callerExchange(w, r, EndpointRevoke)
	if e == nil && x.req.params["token"] == "" {
		e = errInvalidRequest("the token parameter is required (RFC 7009 section 2.1)")
	}
	if e == nil {
		e = a.steps.Load().revoke(x, a.revocableToken(r.Context(), x.req.params["token"]))
	}
	status, code := 200, ""
	if e != nil {
		a.steps.Load().callerError(x, e)
		status, code = x.respond(nil, e)
	} else {
		x.s.noStore(w.Header())
		w.WriteHeader(http.StatusOK)
	}
	a.recordCaller(x, EndpointRevoke, status, code)
}

// revokeOwn is the reference revocation: the caller's own token goes on
// the revocation list until it would have expired.
func (a *Authority) revokeOwn(x *exchange, st *tokenState) *oauthError {
	if st == nil {
		return nil
	}
	if x.client == nil || st.claims["client_id"] != x.client.ID {
		return &oauthError{Code: rfc6749.ErrUnauthorizedClient, Status: http.StatusBadRequest,
			Description: "the token was not issued to this client (RFC 7009 section 2.1)"}
	}
	if err := a.store.Revoke(x.r.Context(), st.id, st.exp); err != nil {
		return &oauthError{Code: rfc6749.ErrTemporarilyUnavail, Status: http.StatusServiceUnavailable, RetryAfter: "1", Description: "the revocation could not be stored"}
	}
	return nil
}

// recordCaller journals a request to the introspection or revocation
// endpoint.
func (a *Authority) recordCaller(x *exchange, endpoint string, status int, code string) {
	rec := rawRequest{RecordedRequest: RecordedRequest{Time: a.now(), Endpoint: endpoint, Method: x.r.Method, Path: x.r.URL.Path,
		Status: status, Error: code, Reason: x.reason}, header: x.r.Header, rawQuery: x.r.URL.RawQuery, form: x.form}
	if x.client != nil {
		rec.ClientID = x.client.ID
	}
	rec.Claimed, rec.AuthMethod = x.cred.id, x.cred.method
	a.reqlog.add(rec)
}

// decodeClaims reads a JSON object of claims, numbers as float64; nil if
// it is not one.
func decodeClaims(raw []byte) map[string]any {
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&claims) != nil || claims == nil {
		return nil
	}
	for k, v := range claims {
		if n, ok := v.(json.Number); ok {
			f, _ := n.Float64()
			claims[k] = f
		}
	}
	return claims
}

// claimSetCache keeps decoded claim sets of opaque tokens, at most
// claimSetCacheSize (then it starts afresh).
type claimSetCache struct {
	mu sync.RWMutex
	m  map[string]map[string]any
}

const claimSetCacheSize = 1024

// get returns a copy of raw's claims (the caller may change it).
func (c *claimSetCache) get(raw []byte) map[string]any {
	c.mu.RLock()
	m, ok := c.m[string(raw)]
	c.mu.RUnlock()
	if !ok {
		if m = decodeClaims(raw); m == nil {
			return nil
		}
		c.mu.Lock()
		if c.m == nil || len(c.m) >= claimSetCacheSize {
			c.m = map[string]map[string]any{}
		}
		c.m[string(raw)] = m
		c.mu.Unlock()
	}
	out := make(map[string]any, len(m)+3)
	for k, v := range m {
		if inner, ok := v.(map[string]any); ok { // cnf: not shared either
			v = maps.Clone(inner)
		}
		out[k] = v
	}
	return out
}

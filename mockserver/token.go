package mockserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// tokenClaims are the RFC 9068 §2.2 claims of an access token, fields in
// sorted order so the struct marshals like the map form.
type tokenClaims struct {
	Aud      any    `json:"aud"`
	ClientID string `json:"client_id"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Iss      string `json:"iss"`
	JTI      string `json:"jti"`
	Scope    any    `json:"scope,omitempty"`
	Sub      string `json:"sub"`
	// Cnf is the confirmation of a certificate-bound token (RFC 8705 §3.1).
	Cnf map[string]any `json:"cnf,omitempty"`

	// extra are the client's own claims (Client.Claims); drop removes
	// claims. Either sends marshalling through a map.
	extra map[string]any
	drop  []string
}

// newClaims fills the claims for a token issued now to cl.
func (a *Authority) newClaims(cl *client, scopes, aud []string) *tokenClaims {
	ttl := cl.ttl
	if ttl <= 0 {
		ttl = a.ttl
	}
	now := a.now()
	c := &tokenClaims{Aud: aud, ClientID: cl.ID, Exp: now.Add(ttl).Unix(), Iat: now.Unix(), Iss: a.Issuer(), JTI: newJTI(), Sub: cl.ID}
	if len(aud) == 1 {
		c.Aud = aud[0]
	}
	if len(scopes) > 0 {
		c.Scope = strings.Join(scopes, " ")
	}
	return c
}

// claims adds the client's configured extra claims (RFC 9068 §2.2.2 lets
// an AS add more).
func (a *Authority) claims(x *exchange, c *tokenClaims) {
	if len(x.client.Claims) > 0 {
		c.extra = x.client.Claims
	}
}

// payload marshals the claims: the struct in the common case, a map when
// extras or removals apply (the same bytes for the same claims).
func (c *tokenClaims) payload() ([]byte, error) {
	if c.extra == nil && c.drop == nil {
		return c.appendJSON(make([]byte, 0, 320), true)
	}
	m := map[string]any{"aud": c.Aud, "client_id": c.ClientID, "exp": c.Exp, "iat": c.Iat, "iss": c.Iss, "jti": c.JTI, "sub": c.Sub}
	if c.Scope != nil {
		m["scope"] = c.Scope
	}
	if c.Cnf != nil {
		m["cnf"] = c.Cnf
	}
	for k, v := range c.extra {
		if _, set := m[k]; !set {
			m[k] = v
		}
	}
	for _, k := range c.drop {
		delete(m, k)
	}
	return json.Marshal(m)
}

// storedClaims marshals the claims an opaque token's store record keeps:
// all but iat, exp and jti, which the record carries itself.
func (c *tokenClaims) storedClaims() ([]byte, error) {
	if c.extra == nil && c.drop == nil {
		return c.appendJSON(make([]byte, 0, 256), false)
	}
	d := *c
	d.drop = append(append([]string(nil), c.drop...), "iat", "exp", "jti")
	return d.payload()
}

// sign makes the JWS with the current signing key: its kid in the header,
// typ at+jwt (RFC 9068 §2.1). A rotation while the token is signed leaves
// it signed by the key it replaced, which the JWKS still publishes.
func (a *Authority) sign(x *exchange, c *tokenClaims) (string, error) {
	if x != nil && x.client != nil && a.formatOf(x.client) == FormatOpaque {
		return a.mintOpaque(x.r.Context(), c)
	}
	payload, err := c.payload()
	if err != nil {
		return "", fmt.Errorf("token claims: %w", err)
	}
	tok, err := a.currentKey().compact(payload)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return tok, nil
}

// newJTI returns 128 random bits, base64url: unique without bookkeeping,
// so the server keeps no per-token state.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

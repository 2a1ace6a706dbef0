package mockserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// accessToken is what the token endpoint hands out.
type accessToken struct {
	Value     string
	ExpiresIn int64
	JTI       string
}

// mint signs an RFC 9068 access token for client with the granted scopes
// and audience.
func (a *Authority) mint(cl *client, scopes []string, aud []string) (accessToken, error) {
	now := a.now()
	ttl := cl.ttl
	if ttl <= 0 {
		ttl = a.ttl
	}
	jti := newJTI()
	if a.quirks.on(QuirkFixedJTI) {
		jti = "occheck-fixed-jti"
	}
	iat := now.Unix()
	exp := now.Add(ttl).Unix()
	var payload []byte
	var err error
	if len(cl.Claims) == 0 && !a.claimQuirks {
		// The common case marshals a struct: same bytes as the map below
		// (keys in sorted order), a fraction of the allocations.
		c := stdClaims{Aud: aud, ClientID: cl.ID, Exp: exp, Iat: iat, Iss: a.Issuer(), JTI: jti, Sub: cl.ID}
		if len(aud) == 1 {
			c.Aud = aud[0]
		}
		if len(scopes) > 0 {
			c.Scope = strings.Join(scopes, " ")
		}
		payload, err = json.Marshal(c)
	} else {
		payload, err = a.claimsMap(cl, scopes, aud, iat, exp, jti, ttl)
	}
	if err != nil {
		return accessToken{}, fmt.Errorf("token claims: %w", err)
	}
	if a.quirks.on(QuirkJWTAlgNone) {
		hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
		return accessToken{Value: hdr + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", ExpiresIn: exp - iat, JTI: jti}, nil
	}
	jws, err := a.key().signer.Sign(payload)
	if err != nil {
		return accessToken{}, fmt.Errorf("sign token: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return accessToken{}, fmt.Errorf("serialize token: %w", err)
	}
	return accessToken{Value: tok, ExpiresIn: exp - iat, JTI: jti}, nil
}

// stdClaims are the RFC 9068 claims, fields in sorted order.
type stdClaims struct {
	Aud      any    `json:"aud"`
	ClientID string `json:"client_id"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	Iss      string `json:"iss"`
	JTI      string `json:"jti"`
	Scope    string `json:"scope,omitempty"`
	Sub      string `json:"sub"`
}

// claimsMap builds the claims with the client's extras and the claim
// quirks applied.
func (a *Authority) claimsMap(cl *client, scopes, aud []string, iat, exp int64, jti string, ttl time.Duration) ([]byte, error) {
	claims := make(map[string]any, 9+len(cl.Claims))
	for k, v := range cl.Claims {
		claims[k] = v
	}
	claims["iss"] = a.Issuer()
	claims["sub"] = cl.ID
	if len(aud) == 1 {
		claims["aud"] = aud[0]
	} else {
		claims["aud"] = aud
	}
	claims["client_id"] = cl.ID
	if len(scopes) > 0 {
		claims["scope"] = strings.Join(scopes, " ")
	}
	claims["iat"] = iat
	claims["exp"] = exp
	claims["jti"] = jti
	a.quirkClaims(claims, ttl)
	return json.Marshal(claims)
}

// newJTI returns 128 random bits, base64url: unique without bookkeeping,
// so the server keeps no per-token state.
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (a *Authority) now() time.Time {
	if a.clock != nil {
		return a.clock()
	}
	return time.Now()
}

// quirkClaims bends the claims as the switched-on quirks say.
func (a *Authority) quirkClaims(c map[string]any, ttl time.Duration) {
	if a.quirks.on(QuirkJWTClientIDOther) {
		c["client_id"] = "occheck-someone-else"
	}
	if a.quirks.on(QuirkJWTMissingClaims) {
		delete(c, "client_id")
		delete(c, "jti")
	}
	if a.quirks.on(QuirkJWTSubNotClient) {
		c["sub"] = "service-account-" + newJTI()
	}
	if a.quirks.on(QuirkJWTExpMismatch) {
		c["exp"] = c["iat"].(int64) + int64(2*ttl/time.Second)
	}
	if a.quirks.on(QuirkJWTNoAud) {
		delete(c, "aud")
	}
	if s, ok := c["scope"].(string); ok && a.quirks.on(QuirkJWTScopeArray) {
		c["scope"] = strings.Fields(s)
	}
}

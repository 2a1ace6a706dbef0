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
	iat := now.Unix()
	exp := now.Add(ttl).Unix()
	claims["iat"] = iat
	claims["exp"] = exp
	claims["jti"] = jti
	payload, err := json.Marshal(claims)
	if err != nil {
		return accessToken{}, fmt.Errorf("token claims: %w", err)
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

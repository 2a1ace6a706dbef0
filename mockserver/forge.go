package mockserver

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Tokens on demand for resource-server developers: a valid access token
// with the claims a test needs, or one deliberately bad in a single way,
// so a resource server's own tests can prove it refuses each (RFC 6750
// §3.1, RFC 9068 §4, RFC 8725).

// TokenDefect names the one thing wrong with a forged token.
type TokenDefect string

// The defects ForgeToken makes.
const (
	DefectNone          TokenDefect = ""
	DefectExpired       TokenDefect = "expired"         // exp an hour ago
	DefectNotYetValid   TokenDefect = "not-yet-valid"   // nbf in an hour
	DefectWrongIssuer   TokenDefect = "wrong-iss"       // iss of another server
	DefectWrongAudience TokenDefect = "wrong-aud"       // aud of another resource
	DefectMissingScope  TokenDefect = "missing-scope"   // no scope claim
	DefectAlgNone       TokenDefect = "alg-none"        // unsigned, alg none
	DefectUnknownKid    TokenDefect = "unknown-kid"     // signed by a key the JWKS lacks
	DefectBadSignature  TokenDefect = "bad-signature"   // one signature bit flipped
	DefectTypJWT        TokenDefect = "typ-jwt"         // typ JWT, not at+jwt (RFC 9068 §4)
	DefectHMACPublicKey TokenDefect = "hmac-public-key" // HS256 keyed with the public key (RFC 8725 §2.1)
	forgedOtherIssuer               = "https://other-issuer.example"
	forgedOtherAudience             = "https://other-resource.example"
)

// TokenDefects lists every defect ForgeToken knows.
var TokenDefects = []TokenDefect{DefectExpired, DefectNotYetValid, DefectWrongIssuer, DefectWrongAudience, DefectMissingScope,
	DefectAlgNone, DefectUnknownKid, DefectBadSignature, DefectTypJWT, DefectHMACPublicKey}

// ForgeRequest describes a token to forge.
type ForgeRequest struct {
	// ClientID is the client_id and sub; empty means "forged-client".
	ClientID string `json:"client_id,omitempty"`
	// Scope is the scope claim (space-separated).
	Scope string `json:"scope,omitempty"`
	// Audience is the aud; empty means the protected resource's.
	Audience []string `json:"audience,omitempty"`
	// TTL is the lifetime; zero means the server's token lifetime.
	TTL Duration `json:"-"`
	// Claims are added to (or replace) the claims above.
	Claims map[string]any `json:"claims,omitempty"`
	// Defect, when set, makes the token bad in that one way.
	Defect TokenDefect `json:"defect,omitempty"`
}

// ForgeToken mints an RFC 9068 access token signed with the server's
// current key, as the token endpoint would issue it, with the claims
// asked for, or with one defect. A valid forged token is as good as an
// issued one at the protected resource and introspection.
func (a *Authority) ForgeToken(req ForgeRequest) (string, error) {
	if req.Defect != DefectNone && !slices.Contains(TokenDefects, req.Defect) {
		return "", fmt.Errorf("unknown token defect %q (one of %v)", req.Defect, TokenDefects)
	}
	if a.Issuer() == "" {
		return "", fmt.Errorf("the issuer is not known yet: set Config.Issuer, or forge after the server has started")
	}
	now := a.now()
	ttl := time.Duration(req.TTL)
	if ttl <= 0 {
		ttl = a.ttl
	}
	id := req.ClientID
	if id == "" {
		id = "forged-client"
	}
	aud := any(a.resourceAudience())
	if len(req.Audience) > 0 {
		aud = req.Audience
	}
	if l, ok := aud.([]string); ok && len(l) == 1 {
		aud = l[0]
	}
	claims := map[string]any{"iss": a.Issuer(), "sub": id, "client_id": id, "aud": aud, "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": newJTI()}
	if req.Scope != "" {
		claims["scope"] = req.Scope
	}
	for k, v := range req.Claims {
		claims[k] = v
	}
	switch req.Defect {
	case DefectExpired:
		claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	case DefectNotYetValid:
		claims["nbf"] = now.Add(time.Hour).Unix()
	case DefectWrongIssuer:
		claims["iss"] = forgedOtherIssuer
	case DefectWrongAudience:
		claims["aud"] = forgedOtherAudience
	case DefectMissingScope:
		delete(claims, "scope")
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	key := a.currentKey()
	switch req.Defect {
	case DefectAlgNone:
		hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
		return hdr + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", nil
	case DefectUnknownKid:
		other, err := generateKey(string(key.alg))
		if err != nil {
			return "", err
		}
		return signCompact(key.alg, other, "occheck-unknown-kid", "at+jwt", payload)
	case DefectTypJWT:
		return signCompact(key.alg, key.private, key.kid, "JWT", payload)
	case DefectHMACPublicKey:
		der, err := x509.MarshalPKIXPublicKey(key.private.Public())
		if err != nil {
			return "", err
		}
		return signCompact(jose.HS256, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), key.kid, "at+jwt", payload)
	}
	tok, err := key.compact(payload)
	if err != nil {
		return "", err
	}
	if req.Defect == DefectBadSignature {
		tok = flipSignatureBit(tok)
	}
	return tok, nil
}

// signCompact signs payload as a compact JWS with the given header values.
func signCompact(alg jose.SignatureAlgorithm, key any, kid, typ string, payload []byte) (string, error) {
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// flipSignatureBit changes one bit in the middle of a JWS signature.
func flipSignatureBit(tok string) string {
	i := len(tok) - 1
	for i > 0 && tok[i] != '.' {
		i--
	}
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) == 0 {
		return tok + "A"
	}
	sig[len(sig)/2] ^= 1
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// adminTokens serves POST /_occheck/tokens: a forged token as JSON.
func (a *Authority) adminTokens(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathAdmin+"tokens", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ForgeRequest
			TTLSeconds int64 `json:"ttl_seconds,omitempty"`
		}
		if !readAdmin(w, r, &req) {
			return
		}
		req.TTL = Duration(time.Duration(req.TTLSeconds) * time.Second)
		tok, err := a.ForgeToken(req.ForgeRequest)
		if err != nil {
			adminError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		writeJSONStatus(w, http.StatusCreated, map[string]any{"access_token": tok, "token_type": "Bearer", "defect": req.Defect})
	})
}

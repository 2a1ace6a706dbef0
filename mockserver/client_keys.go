package mockserver

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"go.yaml.in/yaml/v3"

	"github.com/occheck/occheck/internal/rfc6749"
)

// AssertionType is the client_assertion_type of a JWT client assertion
// (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// TypClientAuthentication is the JWT type rfc7523bis gives client
// assertions made to its rules.
const TypClientAuthentication = "client-authentication+jwt"

// KeySet is a client's registered public keys, a JWK Set (RFC 7517 §5).
// In YAML it is written either as a mapping ({keys: [...]}) or as the JSON
// text of the set.
type KeySet struct {
	jose.JSONWebKeySet
}

// UnmarshalYAML reads a JWK Set written as a YAML mapping or as JSON text.
func (k *KeySet) UnmarshalYAML(n *yaml.Node) error {
	var raw []byte
	if n.Kind == yaml.ScalarNode {
		raw = []byte(n.Value)
	} else {
		var v any
		if err := n.Decode(&v); err != nil {
			return &nodeError{n.Line, n.Column, "want a JWK Set"}
		}
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return &nodeError{n.Line, n.Column, "want a JWK Set: " + err.Error()}
		}
	}
	if err := json.Unmarshal(raw, &k.JSONWebKeySet); err != nil {
		return &nodeError{n.Line, n.Column, "want a JWK Set (RFC 7517 §5): " + oneLine(strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))}
	}
	return nil
}

// KeySetOf is the JWK Set of public keys, each with a kid derived from its
// RFC 7638 thumbprint.
func KeySetOf(keys ...crypto.PublicKey) *KeySet {
	set := &KeySet{}
	for _, k := range keys {
		jwk := jose.JSONWebKey{Key: k, Use: "sig"}
		jwk.KeyID = thumbprintID(jwk)
		set.Keys = append(set.Keys, jwk)
	}
	return set
}

// thumbprintID is a kid from the RFC 7638 thumbprint of a key.
func thumbprintID(jwk jose.JSONWebKey) string {
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// checkClientKeys refuses a registered key set that could not verify an
// assertion safely: private or symmetric keys, unknown key types, keys
// meant for encryption, and a kid used twice.
func checkClientKeys(set *jose.JSONWebKeySet) error {
	if len(set.Keys) == 0 {
		return fmt.Errorf("the key set has no keys")
	}
	kids := map[string]bool{}
	for i, k := range set.Keys {
		switch k.Key.(type) {
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		case []byte:
			return fmt.Errorf("keys[%d] is a symmetric key: register public keys only (client_secret_jwt uses the client secret)", i)
		default:
			if !k.IsPublic() {
				return fmt.Errorf("keys[%d] is a private key: register only its public part (occheck keygen prints it)", i)
			}
			return fmt.Errorf("keys[%d] has an unsupported key type", i)
		}
		if rk, ok := k.Key.(*rsa.PublicKey); ok && rk.N.BitLen() < 2048 {
			return fmt.Errorf("keys[%d] is an RSA key of %d bits; RFC 7518 §3.3 requires 2048 or more", i, rk.N.BitLen())
		}
		if k.Use != "" && k.Use != "sig" {
			return fmt.Errorf("keys[%d] has use %q; a client assertion key has use \"sig\" or none", i, k.Use)
		}
		if k.KeyID != "" {
			if kids[k.KeyID] {
				return fmt.Errorf("keys[%d]: kid %q is used twice", i, k.KeyID)
			}
			kids[k.KeyID] = true
		}
	}
	return nil
}

// loadClientKeys reads a client's public keys from a file: a JWK Set, one
// JWK, or PEM public keys or certificates.
func loadClientKeys(path string) (*jose.JSONWebKeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	return parseClientKeys(data)
}

// parseClientKeys reads a JWK Set, one JWK, or PEM public keys.
func parseClientKeys(data []byte) (*jose.JSONWebKeySet, error) {
	text := strings.TrimSpace(string(data))
	if strings.HasPrefix(text, "{") {
		var set jose.JSONWebKeySet
		if strings.Contains(text, `"keys"`) {
			if err := json.Unmarshal(data, &set); err != nil {
				return nil, fmt.Errorf("not a JWK Set: %s", strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
			}
			return &set, nil
		}
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(data); err != nil {
			return nil, fmt.Errorf("not a JWK: %s", strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
		}
		set.Keys = []jose.JSONWebKey{k}
		return &set, nil
	}
	var keys []crypto.PublicKey
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		k, err := parsePublicPEM(b)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("neither a JWK Set, a JWK nor PEM public keys")
	}
	return &KeySetOf(keys...).JSONWebKeySet, nil
}

// parsePublicPEM reads a public key or a certificate's key from a PEM block.
func parsePublicPEM(b *pem.Block) (crypto.PublicKey, error) {
	switch b.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(b.Bytes)
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		return c.PublicKey, nil
	}
	return nil, fmt.Errorf("PEM block %q is not a public key or certificate (register the public key, never the private one)", b.Type)
}

// clientAssertionAlgs are the algorithms a private_key_jwt assertion may
// use, by key type; never none, never a MAC (RFC 8725 §3.1).
var clientAssertionAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// secretAssertionAlgs are the algorithms of client_secret_jwt: a MAC keyed
// with the client secret (OpenID Connect Core §9).
var secretAssertionAlgs = []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512}

// ClientKey is a client's key pair for private_key_jwt, made for tests:
// register Client() (or PublicJWKS) at the server, and sign assertions with
// Assertion. The private key never leaves the process unless you write it
// out.
type ClientKey struct {
	// Alg is the JWS algorithm the key signs with.
	Alg string
	// KeyID is the kid of the public key in the JWK Set.
	KeyID string
	// Private is the private key.
	Private crypto.Signer
}

// GenerateClientKey makes a key pair for alg (RS256, PS256, ES256 or
// EdDSA).
func GenerateClientKey(alg string) (*ClientKey, error) {
	key, err := generateKey(alg)
	if err != nil {
		return nil, err
	}
	return NewClientKey(key, alg)
}

// NewClientKey wraps an existing private key; alg must suit its type.
func NewClientKey(key crypto.Signer, alg string) (*ClientKey, error) {
	if err := algFitsKey(alg, key.Public()); err != nil {
		return nil, err
	}
	return &ClientKey{Alg: alg, Private: key, KeyID: KeySetOf(key.Public()).Keys[0].KeyID}, nil
}

// algFitsKey checks that alg signs with a key of this type.
func algFitsKey(alg string, pub crypto.PublicKey) error {
	ok := false
	switch k := pub.(type) {
	case *rsa.PublicKey:
		ok = strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		ok = alg == ecAlg(k)
	case ed25519.PublicKey:
		ok = alg == EdDSA
	}
	if !ok {
		return fmt.Errorf("algorithm %q does not suit a %T key", alg, pub)
	}
	return nil
}

// ecAlg is the one JWS algorithm an EC key signs with, by its curve (RFC
// 7518 §3.4); "" for a curve JWS does not define.
func ecAlg(k *ecdsa.PublicKey) string {
	return map[int]string{256: ES256, 384: "ES384", 521: "ES512"}[k.Curve.Params().BitSize]
}

// PublicJWKS is the public key as a JWK Set, to register at a server.
func (k *ClientKey) PublicJWKS() *KeySet {
	set := KeySetOf(k.Private.Public())
	set.Keys[0].KeyID = k.KeyID
	set.Keys[0].Algorithm = k.Alg
	return set
}

// Client is a client registered for private_key_jwt only, with this key
// and the scopes given.
func (k *ClientKey) Client(id string, scopes ...string) Client {
	return Client{ID: id, AuthMethods: []string{rfc6749.AuthPrivateKeyJWT}, JWKS: k.PublicJWKS(), Scopes: scopes}
}

// Assertion signs a client assertion for clientID to audience (the
// issuer, or the token endpoint URL), valid for a minute from now, with a
// fresh jti.
func (k *ClientKey) Assertion(clientID, audience string) (string, error) {
	now := time.Now()
	return k.Sign(AssertionClaims{Issuer: clientID, Subject: clientID, Audience: audience,
		IssuedAt: now.Unix(), Expiry: now.Add(time.Minute).Unix(), ID: newJTI()}, "")
}

// AssertionClaims are the claims of a client assertion (RFC 7523 §3).
// Audience is a string or a []string.
type AssertionClaims struct {
	Issuer    string `json:"iss,omitempty"`
	Subject   string `json:"sub,omitempty"`
	Audience  any    `json:"aud,omitempty"`
	Expiry    int64  `json:"exp,omitempty"`
	NotBefore int64  `json:"nbf,omitempty"`
	IssuedAt  int64  `json:"iat,omitempty"`
	ID        string `json:"jti,omitempty"`
}

// Sign signs claims with the key; typ, when not empty, is the JWT's typ
// header.
func (k *ClientKey) Sign(claims AssertionClaims, typ string) (string, error) {
	return signAssertion(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Alg), Key: k.Private}, k.KeyID, claims, typ)
}

// SecretAssertion signs a client_secret_jwt assertion for clientID to
// audience with HS256 keyed with the client secret (at least 32 bytes, RFC
// 7518 §3.2).
func SecretAssertion(clientID, secret, audience string) (string, error) {
	now := time.Now()
	return signAssertion(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, "",
		AssertionClaims{Issuer: clientID, Subject: clientID, Audience: audience, IssuedAt: now.Unix(), Expiry: now.Add(time.Minute).Unix(), ID: newJTI()}, "")
}

func signAssertion(key jose.SigningKey, kid string, claims AssertionClaims, typ string) (string, error) {
	opts := &jose.SignerOptions{}
	if kid != "" {
		opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	if typ != "" {
		opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(key, opts)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// keySource is where a client's public keys come from: a fixed set, or a
// jwks_uri fetched with bounded time and size, cached, and refetched on an
// unknown kid no more often than keyRefetchInterval.
type keySource struct {
	static *jose.JSONWebKeySet
	uri    string
	client *http.Client

	mu      sync.Mutex
	cached  *jose.JSONWebKeySet
	fetched time.Time // last fetch attempt, failed or not
	lastErr error
}

// Bounds of a jwks_uri fetch.
const (
	keyFetchTimeout    = 5 * time.Second
	keyFetchMaxBytes   = 64 << 10
	keyCacheTTL        = 5 * time.Minute
	keyRefetchInterval = 10 * time.Second
)

// get is the key set; refresh asks for a refetch (rate limited).
func (s *keySource) get(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error) {
	if s == nil {
		return &jose.JSONWebKeySet{}, nil
	}
	if s.static != nil {
		return s.static, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	age := time.Since(s.fetched)
	switch {
	case s.cached != nil && age < keyCacheTTL && (!refresh || age < keyRefetchInterval):
		return s.cached, nil
	case s.cached == nil && s.lastErr != nil && age < keyRefetchInterval:
		return nil, s.lastErr // an unreachable jwks_uri is asked again at a bounded rate
	}
	set, err := s.fetch(ctx)
	s.fetched, s.lastErr = time.Now(), err
	if err != nil {
		if s.cached != nil {
			return s.cached, nil // keep serving the last good set
		}
		return nil, err
	}
	s.cached = set
	return set, nil
}

func (s *keySource) fetch(ctx context.Context) (*jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keyFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.uri, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s failed", s.uri)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s answered %d", s.uri, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, keyFetchMaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: the body could not be read", s.uri)
	}
	if len(body) > keyFetchMaxBytes {
		return nil, fmt.Errorf("GET %s: the JWK Set is larger than %d bytes", s.uri, keyFetchMaxBytes)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("GET %s: not a JWK Set", s.uri)
	}
	if err := checkClientKeys(&set); err != nil {
		return nil, fmt.Errorf("GET %s: %v", s.uri, err)
	}
	return &set, nil
}

// LoadClientKey reads a client's private key from a PEM (PKCS#8, PKCS#1 or
// SEC 1) or JWK file, as occheck keygen writes it. alg "" picks RS256 for
// RSA, ES256 for P-256 and EdDSA for Ed25519; kid is the thumbprint.
func LoadClientKey(path, alg string) (*ClientKey, error) {
	key, err := loadKey(path)
	if err != nil {
		return nil, err
	}
	if alg == "" {
		switch k := key.Public().(type) {
		case *rsa.PublicKey:
			alg = RS256
		case *ecdsa.PublicKey:
			alg = ecAlg(k)
		case ed25519.PublicKey:
			alg = EdDSA
		}
	}
	return NewClientKey(key, alg)
}

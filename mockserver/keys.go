package mockserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// accessTokenTyp is the JOSE typ of access tokens (RFC 9068 §2.1).
const accessTokenTyp = "at+jwt"

// signingKey is the server's private key with its public JWK.
type signingKey struct {
	private crypto.Signer
	alg     jose.SignatureAlgorithm
	kid     string
	public  jose.JSONWebKey
	// header is the base64url protected header {"alg","kid","typ"},
	// made once: every token of the key shares it.
	header string
}

// compact signs payload into a JWS compact serialization (RFC 7515 §7.1)
// under the key's protected header. The signature comes straight from the
// standard library: a general JWS signer marshals the header anew for
// every token, which was most of a token request's allocations. go-jose
// still makes the keys, their thumbprints and the JWK Set, and the tests
// verify every algorithm's tokens with it.
func (k *signingKey) compact(payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(k.header)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(512))
	buf = append(buf, k.header...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	sig, err := k.signInput(buf)
	if err != nil {
		return "", err
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// signInput signs the JWS signing input with the key's algorithm (RFC
// 7518 §3.3-3.5, RFC 8037 §3.1).
func (k *signingKey) signInput(input []byte) ([]byte, error) {
	if k.alg == jose.EdDSA {
		priv, ok := k.private.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("EdDSA needs an Ed25519 key, not %T", k.private)
		}
		return ed25519.Sign(priv, input), nil
	}
	h := sha256.Sum256(input)
	switch priv := k.private.(type) {
	case *rsa.PrivateKey:
		if k.alg == jose.PS256 {
			return rsa.SignPSS(rand.Reader, priv, crypto.SHA256, h[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, h[:])
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, priv, h[:])
		if err != nil {
			return nil, err
		}
		// JWS wants R and S as fixed 32-byte halves, not ASN.1 (§3.4).
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out, nil
	}
	return nil, fmt.Errorf("cannot sign %s with a %T key", k.alg, k.private)
}

// generateKey makes a fresh key for alg: RSA 2048 for RS256 and PS256,
// P-256 for ES256, Ed25519 for EdDSA.
func generateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case RS256, PS256:
		return rsa.GenerateKey(rand.Reader, 2048)
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("signing_alg: %q is not supported", alg)
}

// generateSigningKey makes a fresh access-token signing key for alg.
func generateSigningKey(alg string) (*signingKey, error) {
	if !slices.Contains(SigningAlgs, alg) {
		return nil, fmt.Errorf("%q is not one of %s", alg, strings.Join(SigningAlgs, ", "))
	}
	priv, err := generateKey(alg)
	if err != nil {
		return nil, err
	}
	return newSigningKey(priv, alg, accessTokenTyp)
}

// loadKey reads a private key from a PEM file (PKCS#8, PKCS#1 or SEC 1) or
// a JWK file.
func loadKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key_file: %w", unwrapPathError(err))
	}
	if block, _ := pem.Decode(data); block != nil {
		var k any
		switch block.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			return nil, fmt.Errorf("key_file %s: PEM block %q is not a private key", path, block.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("key_file %s: %w", path, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("key_file %s: unsupported key type %T", path, k)
		}
		return s, nil
	}
	var jwk jose.JSONWebKey
	if err := json.Unmarshal(data, &jwk); err != nil {
		return nil, fmt.Errorf("key_file %s: neither PEM nor a JWK: %w", path, err)
	}
	if jwk.IsPublic() {
		return nil, fmt.Errorf("key_file %s: the JWK holds no private key", path)
	}
	s, ok := jwk.Key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key_file %s: unsupported JWK key type %T", path, jwk.Key)
	}
	return s, nil
}

// checkKeyAlg makes sure the key can sign with alg.
func checkKeyAlg(k crypto.Signer, alg string) error {
	switch key := k.(type) {
	case *rsa.PrivateKey:
		if key.N.BitLen() < 2048 {
			return fmt.Errorf("key_file: an RSA key of %d bits is too short: RFC 7518 §3.3 requires 2048 bits or more", key.N.BitLen())
		}
		if alg == RS256 || alg == PS256 {
			return nil
		}
	case *ecdsa.PrivateKey:
		if alg == ES256 && key.Curve == elliptic.P256() {
			return nil
		}
	case ed25519.PrivateKey:
		if alg == EdDSA {
			return nil
		}
	}
	return fmt.Errorf("key_file: a %T key cannot sign %s", k, alg)
}

// newSigningKey wraps a private key: kid is its RFC 7638 thumbprint, so
// the same key file always yields the same kid.
func newSigningKey(k crypto.Signer, alg string, typ string) (*signingKey, error) {
	if err := checkKeyAlg(k, alg); err != nil {
		return nil, err
	}
	pub := jose.JSONWebKey{Key: k.Public(), Algorithm: alg, Use: "sig"}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("key thumbprint: %w", err)
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	hdr, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{alg, pub.KeyID, typ})
	if err != nil {
		return nil, fmt.Errorf("JOSE header: %w", err)
	}
	return &signingKey{private: k, alg: jose.SignatureAlgorithm(alg), kid: pub.KeyID, public: pub,
		header: base64.RawURLEncoding.EncodeToString(hdr)}, nil
}

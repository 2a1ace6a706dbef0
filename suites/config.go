package suites

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/probe"
	"github.com/occheck/occheck/internal/rfc6749"
)

// Client is a client the suite authenticates as.
type Client struct {
	ID     string
	Secret string
	// SecretEnv names the environment variable that reproducing curl lines
	// read the secret from.
	SecretEnv string
	// AuthMethods are the secret methods the client is registered for, in
	// the order to try: client_secret_basic and/or client_secret_post.
	// Each one named must work. Empty means auto: the harness finds the
	// method (see AutoMethods).
	AuthMethods []string
}

// Auto reports whether the client's methods are to be found, not graded.
func (c *Client) Auto() bool { return c == nil || len(c.AuthMethods) == 0 }

// Uses reports whether method was named for the client.
func (c *Client) Uses(method string) bool {
	return c != nil && slices.Contains(c.AuthMethods, method)
}

// AutoMethods is the one rule for --auth-method auto, in the order tried.
// With a key for the client under test (the assertion client is the
// client under test), private_key_jwt comes first when the metadata
// advertises it or when the client has no secret to try anything else
// with. With a secret: client_secret_basic, the method RFC 6749 §2.3.1
// requires every server to support; then client_secret_post when Basic is
// refused and the metadata advertises it (body credentials are a MAY);
// then client_secret_jwt when advertised and the secret is long enough
// for HS256. A key whose method the metadata does not advertise is tried
// last. The first that yields a token is the baseline; a refused method
// is a skip with the reason, never a failure, since the client may be
// registered for one method only (RFC 7591 §2).
func (t *Target) AutoMethods(advertised []string) []string {
	key, secret := t.ClientKey() != nil, t.Client.Secret != ""
	adv := func(m string) bool { return slices.Contains(advertised, m) }
	var out []string
	if c := t.ClientCert(); c != nil && (adv(c.Method) || !secret && !key) {
		out = append(out, c.Method)
	}
	if key && (adv(rfc6749.AuthPrivateKeyJWT) || !secret) {
		out = append(out, rfc6749.AuthPrivateKeyJWT)
	}
	if secret {
		out = append(out, rfc6749.AuthClientSecretBasic)
		if adv(rfc6749.AuthClientSecretPost) {
			out = append(out, rfc6749.AuthClientSecretPost)
		}
		if adv(rfc6749.AuthClientSecretJWT) && len(t.Client.Secret) >= minHMACSecret {
			out = append(out, rfc6749.AuthClientSecretJWT)
		}
	}
	if key && secret && !adv(rfc6749.AuthPrivateKeyJWT) {
		out = append(out, rfc6749.AuthPrivateKeyJWT)
	}
	if c := t.ClientCert(); c != nil && !adv(c.Method) && (secret || key) {
		out = append(out, c.Method)
	}
	return out
}

// minHMACSecret is the shortest client_secret_jwt secret: an HS256 key
// has at least 256 bits (RFC 7518 §3.2).
const minHMACSecret = 32

// isAssertionMethod reports whether m authenticates with a client
// assertion (RFC 7523 §2.2) rather than the secret itself.
func isAssertionMethod(m string) bool {
	return m == rfc6749.AuthPrivateKeyJWT || m == rfc6749.AuthClientSecretJWT
}

// The RFC 8705 client authentication methods.
const (
	AuthTLSClient           = "tls_client_auth"
	AuthSelfSignedTLSClient = "self_signed_tls_client_auth"
)

// isMTLSMethod reports whether m authenticates with the TLS certificate.
func isMTLSMethod(m string) bool { return m == AuthTLSClient || m == AuthSelfSignedTLSClient }

// ClientKey is the private key of the client under test: the assertion
// client when it is the same client, else nil.
func (t *Target) ClientKey() *AssertionClient {
	if a := t.AssertionClient; a != nil && a.ID == t.Client.ID {
		return a
	}
	return nil
}

// Audience forms of the harness's valid client assertions (--assertion-aud).
const (
	// AudIssuer sends the issuer identifier as a string.
	AudIssuer = "issuer"
	// AudTokenEndpoint sends the token endpoint URL as a string.
	AudTokenEndpoint = "token-endpoint"
	// AudBoth sends an array of the issuer and the token endpoint URL.
	AudBoth = "both"
)

// Profiles change grading or unlock specs.
const (
	// ProfileRFC9068 grades JWT access tokens against RFC 9068.
	ProfileRFC9068 = "rfc9068"
	// ProfileOAuth21 grades Pragma: no-cache as a SHOULD, as the OAuth 2.1
	// drafts dropped it.
	ProfileOAuth21 = "oauth21"
	// ProfileRFC7523bis grades client assertions by
	// draft-ietf-oauth-rfc7523bis: the issuer is the only audience.
	ProfileRFC7523bis = "rfc7523bis"
	// ProfileFAPI2 grades client assertions by the FAPI 2.0 Security
	// Profile: the issuer as a string, jti single use.
	ProfileFAPI2 = "fapi2"
)

// Target is what the suite checks.
type Target struct {
	// TokenURL is the token endpoint.
	TokenURL string
	// Client is the client under test: a confidential client allowed the
	// client_credentials grant.
	Client Client
	// Scope is a scope (or space-separated scopes) the client may have;
	// empty means the specs that need one are skipped.
	Scope string
	// ForbiddenScope is a scope that exists but the client may not have.
	ForbiddenScope string
	// Resource is an RFC 8707 resource indicator the client may ask for;
	// it unlocks the resource indicator specs.
	Resource string
	// SpecialClient is a second client whose id and secret change under
	// form-encoding (':', '+', '%', space), for Appendix B.
	SpecialClient *Client
	// NoGrantClient is a client that may not use client_credentials.
	NoGrantClient *Client
	// ShortLivedClient is a client whose tokens live at most 120 s, so
	// that INT-07 can see one expire; unneeded when the client under
	// test's tokens are that short-lived already.
	ShortLivedClient *Client
	// ResourceURL is a protected resource (RFC 6750) that accepts the
	// client under test's tokens; it unlocks the RS-* specs.
	ResourceURL string
	// ResourceScopeURL is a route of that resource that needs a scope the
	// client's baseline token lacks (RS-04).
	ResourceScopeURL string
	// OtherResource is an RFC 8707 resource the client may ask for whose
	// tokens ResourceURL must refuse (RS-06).
	OtherResource string
	// IntrospectionURL and RevocationURL are the RFC 7662 and RFC 7009
	// endpoints; empty means the metadata's, when it names them.
	IntrospectionURL, RevocationURL string
	// MetadataURL is the RFC 8414 (or OpenID discovery) document.
	MetadataURL string
	// Issuer is the expected issuer; empty means derived from MetadataURL.
	Issuer string
	// HTTPClient sends every request (TLS settings live here); nil means a
	// client with sane timeouts.
	HTTPClient *http.Client
	// RequestTimeout bounds one exchange; zero means 10s.
	RequestTimeout time.Duration
	// AssertionClient is a client registered for private_key_jwt; it
	// unlocks the RFC 7523 client assertion specs (JWT-*). When its ID is
	// the client under test's, it is that client's key, and the client
	// may authenticate with private_key_jwt (Client.AuthMethods).
	AssertionClient *AssertionClient
	// MTLSClients authenticate with a TLS client certificate (RFC 8705
	// §2): they unlock the MTLS-* specs. One whose ID is the client under
	// test's is that client's certificate, and the client may use its
	// method (Client.AuthMethods).
	MTLSClients []*MTLSClient
	// OtherClientCert is a certificate a server trusts for another client
	// (MTLS-02 (b)); nil means a fresh self-signed one it cannot know.
	OtherClientCert *tls.Certificate
	// OtherClientKey is the registered key of another private_key_jwt
	// client (its KeyID the kid registered with it; its ID informative):
	// JWT-KEY-02 signs the assertion client's assertion with it.
	OtherClientKey *AssertionClient
	// AssertionAud fixes the audience of every valid assertion the
	// harness sends: AudIssuer, AudTokenEndpoint or AudBoth. Empty lets
	// JWT-OK-01 find it: the token endpoint URL, then the issuer (RFC
	// 7523); the issuer only under rfc7523bis and fapi2.
	AssertionAud string
	// SecretJWTClient is a client registered for client_secret_jwt, with a
	// secret of at least 32 bytes (the HS256 key size); it unlocks
	// JWT-ALG-02.
	SecretJWTClient *Client
	// DPoP runs the DPoP specs (RFC 9449) even when the metadata does not
	// advertise dpop_signing_alg_values_supported.
	DPoP bool
	// DPoPKey signs the DPoP proofs; nil means a key the harness makes:
	// a fresh ES256 key per run, unless the metadata lists other
	// algorithms only (then the first it can sign with; RSA keys are made
	// once per process). The key is never sent and stays in memory;
	// reports show proofs by fingerprint only. A key whose algorithm the
	// metadata does not list skips the DPoP specs.
	DPoPKey crypto.Signer
	// DPoPClient is a client registered with dpop_bound_access_tokens
	// (RFC 9449 §5.2): it unlocks DPOP-REQ-01.
	DPoPClient *Client
	// Profiles lists the grading profiles switched on.
	Profiles []string
	// Strict turns broken SHOULDs into failures.
	Strict bool
	// Rate bounds requests per second; zero means unbounded.
	Rate float64
	// BreakAfter stops the run after this many consecutive transport
	// errors, 5xx or 429 answers; zero means 10, negative never.
	BreakAfter int
}

// knownProfiles are the profiles Validate accepts.
var knownProfiles = []string{ProfileRFC9068, ProfileOAuth21, ProfileRFC7523bis, ProfileFAPI2}

// Profiles lists the grading profiles a Target may name.
func Profiles() []string { return slices.Clone(knownProfiles) }

// AssertionClient is a client registered for private_key_jwt (RFC 7523
// §2.2): its id and the private key whose public part the server holds.
// The key stays in memory; reports never show it or an assertion.
type AssertionClient struct {
	// ID is the client_id, the iss and sub of its assertions.
	ID string
	// Key signs the assertions.
	Key crypto.Signer
	// KeyID is the kid header; empty sends none.
	KeyID string
	// Alg is the JWS algorithm; empty picks RS256, ES256 or EdDSA by the
	// key's type.
	Alg string
	// Secret is a client secret the client also holds, if any: JWT-ALG-01
	// signs an HS256 assertion with it, which a private_key_jwt client's
	// server should refuse.
	Secret string
}

// MTLSClient is a client that authenticates with its TLS certificate
// (RFC 8705): the certificate and key stay in memory; reports show only
// the subject and thumbprint.
type MTLSClient struct {
	// ID is the client_id sent with every request.
	ID string
	// Method is tls_client_auth (a CA-issued certificate) or
	// self_signed_tls_client_auth.
	Method string
	// Cert is the certificate (with its chain) and private key.
	Cert tls.Certificate
}

// leaf is the client's end-entity certificate.
func (c *MTLSClient) leaf() *x509.Certificate { return certLeaf(&c.Cert) }

// certLeaf parses a certificate's leaf once.
func certLeaf(c *tls.Certificate) *x509.Certificate {
	if c.Leaf == nil && len(c.Certificate) > 0 {
		c.Leaf, _ = x509.ParseCertificate(c.Certificate[0])
	}
	return c.Leaf
}

// ClientCert is the client under test's certificate when it is one of
// the mTLS clients, else nil.
func (t *Target) ClientCert() *MTLSClient {
	for _, c := range t.MTLSClients {
		if c.ID == t.Client.ID {
			return c
		}
	}
	return nil
}

// mtlsClient is the first mTLS client registered for method.
func (t *Target) mtlsClient(method string) *MTLSClient {
	for _, c := range t.MTLSClients {
		if c.Method == method {
			return c
		}
	}
	return nil
}

// alg is the assertion algorithm, defaulted by key type.
func (c *AssertionClient) alg() string {
	if c.Alg != "" {
		return c.Alg
	}
	switch k := c.Key.Public().(type) {
	case *rsa.PublicKey:
		return "RS256"
	case *ecdsa.PublicKey:
		return ecAlg(k)
	}
	return "EdDSA"
}

// ecAlg is the one JWS algorithm an EC key signs with, by its curve (RFC
// 7518 §3.4); "" for a curve JWS does not define.
func ecAlg(k *ecdsa.PublicKey) string {
	return map[int]string{256: "ES256", 384: "ES384", 521: "ES512"}[k.Curve.Params().BitSize]
}

// Has reports whether a profile is on.
func (t *Target) Has(profile string) bool { return slices.Contains(t.Profiles, profile) }

// Validate checks the target before any request is sent.
func (t *Target) Validate() error {
	if t.TokenURL == "" {
		return fmt.Errorf("token URL is required")
	}
	u, err := url.Parse(t.TokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("token URL %q is not an absolute http(s) URL", t.TokenURL)
	}
	if err := t.validateClient(); err != nil {
		return err
	}
	for _, c := range []*Client{t.SpecialClient, t.NoGrantClient, t.ShortLivedClient, t.DPoPClient} {
		if c == nil {
			continue
		}
		for _, m := range c.AuthMethods {
			if m != rfc6749.AuthClientSecretBasic && m != rfc6749.AuthClientSecretPost {
				return fmt.Errorf("client %q: auth method %q is not client_secret_basic or client_secret_post", c.ID, m)
			}
		}
	}
	if k := t.DPoPKey; k != nil {
		alg := DPoPKeyAlg(k)
		if alg == "" {
			return fmt.Errorf("the DPoP key is not an EC (P-256, P-384, P-521), Ed25519 or RSA key")
		}
		if r, ok := k.Public().(*rsa.PublicKey); ok && r.N.BitLen() < 2048 {
			return fmt.Errorf("the DPoP key is RSA of %d bits; RFC 7518 §3.3 wants 2048 or more", r.N.BitLen())
		}
	}
	if c := t.SecretJWTClient; c != nil && (c.ID == "" || len(c.Secret) < minHMACSecret) {
		return fmt.Errorf("the client_secret_jwt client needs an id and a secret of at least 32 bytes (the HS256 key size, RFC 7518 §3.2)")
	}
	if c := t.AssertionClient; c != nil {
		if c.ID == "" || c.Key == nil {
			return fmt.Errorf("the assertion client needs an id and a private key")
		}
		signer, err := assertionSigner(c)
		if err == nil {
			_, err = signer.Sign([]byte("{}")) // a key that cannot sign this alg fails here, not in every spec
		}
		if err != nil {
			return fmt.Errorf("assertion client %q: the key cannot sign %s: %v", c.ID, c.alg(), err)
		}
	}
	if o := t.OtherClientKey; o != nil {
		if o.Key == nil || o.KeyID == "" {
			return fmt.Errorf("the other client's key needs a private key and the kid registered with it")
		}
		signer, err := assertionSigner(o)
		if err == nil {
			_, err = signer.Sign([]byte("{}"))
		}
		if err != nil {
			return fmt.Errorf("the other client's key cannot sign %s: %v", o.alg(), err)
		}
	}
	if t.Scope != "" && len(strings.Fields(t.Scope)) == 0 {
		return fmt.Errorf("scope %q holds no scope token", t.Scope)
	}
	if t.ForbiddenScope != "" && len(strings.Fields(t.ForbiddenScope)) != 1 {
		return fmt.Errorf("forbidden scope %q must be one scope token", t.ForbiddenScope)
	}
	if t.Resource != "" {
		if u, err := url.Parse(t.Resource); err != nil || !u.IsAbs() || u.Fragment != "" {
			return fmt.Errorf("resource %q is not an absolute URI without a fragment (RFC 8707 §2)", t.Resource)
		}
	}
	if t.MetadataURL != "" {
		if u, err := url.Parse(t.MetadataURL); err != nil || !u.IsAbs() {
			return fmt.Errorf("metadata URL %q is not absolute", t.MetadataURL)
		}
	}
	for _, p := range t.Profiles {
		if !slices.Contains(knownProfiles, p) {
			return fmt.Errorf("unknown profile %q: want one of %s", p, strings.Join(knownProfiles, ", "))
		}
	}
	switch t.AssertionAud {
	case "", AudIssuer:
	case AudTokenEndpoint, AudBoth:
		for _, p := range []string{ProfileRFC7523bis, ProfileFAPI2} {
			if t.Has(p) {
				return fmt.Errorf("assertion audience %q: the %s profile accepts only the issuer as audience", t.AssertionAud, p)
			}
		}
	default:
		return fmt.Errorf("assertion audience %q is not %s, %s or %s", t.AssertionAud, AudIssuer, AudTokenEndpoint, AudBoth)
	}
	return nil
}

// validateClient checks the client under test: an id, and what its
// methods need (a secret, or a key for private_key_jwt).
func (t *Target) validateClient() error {
	c := &t.Client
	if c.ID == "" {
		return fmt.Errorf("the client under test needs an id")
	}
	for _, m := range c.AuthMethods {
		switch m {
		case rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost:
			if c.Secret == "" {
				return fmt.Errorf("client %q: %s needs its secret", c.ID, m)
			}
		case rfc6749.AuthPrivateKeyJWT:
			if t.ClientKey() == nil {
				return fmt.Errorf("client %q: private_key_jwt needs its private key (--client-key-file)", c.ID)
			}
		case rfc6749.AuthClientSecretJWT:
			if len(c.Secret) < minHMACSecret {
				return fmt.Errorf("client %q: client_secret_jwt needs a secret of at least %d bytes (the HS256 key size, RFC 7518 §3.2)", c.ID, minHMACSecret)
			}
		case AuthTLSClient, AuthSelfSignedTLSClient:
			if mc := t.ClientCert(); mc == nil || mc.Method != m {
				return fmt.Errorf("client %q: %s needs its certificate and key (--client-cert, --client-cert-key)", c.ID, m)
			}
		default:
			return fmt.Errorf("client %q: auth method %q is not client_secret_basic, client_secret_post, private_key_jwt, client_secret_jwt, tls_client_auth or self_signed_tls_client_auth", c.ID, m)
		}
	}
	if c.Auto() && c.Secret == "" && t.ClientKey() == nil && t.ClientCert() == nil {
		return fmt.Errorf("the client under test needs a secret, a private key for private_key_jwt, or a certificate for mTLS")
	}
	for _, mc := range t.MTLSClients {
		switch {
		case mc.ID == "":
			return fmt.Errorf("an mTLS client needs an id")
		case !isMTLSMethod(mc.Method):
			return fmt.Errorf("mTLS client %q: method %q is not tls_client_auth or self_signed_tls_client_auth", mc.ID, mc.Method)
		case mc.leaf() == nil || mc.Cert.PrivateKey == nil:
			return fmt.Errorf("mTLS client %q needs a certificate and its private key", mc.ID)
		}
	}
	return nil
}

func (t *Target) timeout() time.Duration {
	if t.RequestTimeout > 0 {
		return t.RequestTimeout
	}
	return 10 * time.Second
}

func (t *Target) httpClient() *http.Client {
	if t.HTTPClient != nil {
		return t.HTTPClient
	}
	return &http.Client{Timeout: t.timeout()}
}

// clients lists every configured client.
func (t *Target) clients() []*Client {
	out := []*Client{&t.Client}
	if t.SpecialClient != nil {
		out = append(out, t.SpecialClient)
	}
	if t.NoGrantClient != nil {
		out = append(out, t.NoGrantClient)
	}
	if t.ShortLivedClient != nil {
		out = append(out, t.ShortLivedClient)
	}
	if t.SecretJWTClient != nil {
		out = append(out, t.SecretJWTClient)
	}
	if t.DPoPClient != nil {
		out = append(out, t.DPoPClient)
	}
	return out
}

// Environment variables TargetFromEnv reads.
const (
	EnvTokenURL        = "OCCHECK_TOKEN_URL"
	EnvClientID        = "OCCHECK_CLIENT_ID"
	EnvClientSecret    = "OCCHECK_CLIENT_SECRET"
	EnvAuthMethod      = "OCCHECK_AUTH_METHOD"
	EnvScope           = "OCCHECK_SCOPE"
	EnvForbiddenScope  = "OCCHECK_FORBIDDEN_SCOPE"
	EnvResource        = "OCCHECK_RESOURCE"
	EnvMetadataURL     = "OCCHECK_METADATA_URL"
	EnvSpecialClientID = "OCCHECK_SPECIAL_CLIENT_ID"
	EnvSpecialSecret   = "OCCHECK_SPECIAL_CLIENT_SECRET"
	EnvNoGrantClientID = "OCCHECK_NOGRANT_CLIENT_ID"
	EnvNoGrantSecret   = "OCCHECK_NOGRANT_CLIENT_SECRET"
	// EnvShortLivedClientID and EnvShortLivedSecret name the client
	// whose tokens live at most 120 s (INT-07).
	EnvShortLivedClientID = "OCCHECK_SHORT_LIVED_CLIENT_ID"
	EnvShortLivedSecret   = "OCCHECK_SHORT_LIVED_CLIENT_SECRET"
	// EnvSecretJWTSecret holds the client_secret_jwt client's secret.
	EnvSecretJWTSecret = "OCCHECK_SECRET_JWT_CLIENT_SECRET"
	// EnvDPoPSecret holds the secret of the client registered with
	// dpop_bound_access_tokens (DPOP-REQ-01).
	EnvDPoPSecret = "OCCHECK_DPOP_CLIENT_SECRET"
	// EnvAssertionSecret names, in reproducing curl lines, a secret the
	// private_key_jwt client also holds (AssertionClient.Secret).
	EnvAssertionSecret   = "OCCHECK_ASSERTION_CLIENT_SECRET"
	EnvProfiles          = "OCCHECK_PROFILES"
	EnvCAFile            = "OCCHECK_CA_FILE"
	EnvStrict            = "OCCHECK_STRICT"
	EnvRequestTimeoutSec = "OCCHECK_TIMEOUT"
	// EnvClientKeyFile is the client under test's private_key_jwt key
	// (PEM or JWK file).
	EnvClientKeyFile = "OCCHECK_CLIENT_KEY_FILE"
	// EnvClientCert and EnvClientCertKey are its mTLS certificate and
	// key (PEM files).
	EnvClientCert    = "OCCHECK_CLIENT_CERT"
	EnvClientCertKey = "OCCHECK_CLIENT_CERT_KEY"
	// EnvIntrospectionURL, EnvRevocationURL and EnvResourceURL name the
	// RFC 7662, RFC 7009 and RFC 6750 endpoints.
	EnvIntrospectionURL = "OCCHECK_INTROSPECTION_URL"
	EnvRevocationURL    = "OCCHECK_REVOCATION_URL"
	EnvResourceURL      = "OCCHECK_RESOURCE_URL"
)

// TargetFromEnv builds a target from OCCHECK_* variables. ok is false when
// OCCHECK_TOKEN_URL is unset.
func TargetFromEnv(getenv func(string) string) (t *Target, ok bool, err error) {
	if getenv(EnvTokenURL) == "" {
		return nil, false, nil
	}
	t = &Target{
		TokenURL:       getenv(EnvTokenURL),
		Client:         Client{ID: getenv(EnvClientID), Secret: getenv(EnvClientSecret), SecretEnv: EnvClientSecret},
		Scope:          getenv(EnvScope),
		ForbiddenScope: getenv(EnvForbiddenScope),
		Resource:       getenv(EnvResource),
		MetadataURL:    getenv(EnvMetadataURL),
		Strict:         getenv(EnvStrict) == "1" || getenv(EnvStrict) == "true",
	}
	if m := getenv(EnvAuthMethod); m != "" && m != "auto" {
		t.Client.AuthMethods = strings.Split(m, ",")
	}
	t.IntrospectionURL, t.RevocationURL, t.ResourceURL = getenv(EnvIntrospectionURL), getenv(EnvRevocationURL), getenv(EnvResourceURL)
	if f := getenv(EnvClientKeyFile); f != "" {
		key, err := loadPrivateKey(f)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", EnvClientKeyFile, err)
		}
		t.AssertionClient = &AssertionClient{ID: t.Client.ID, Key: key, KeyID: jwkThumbprint(key)}
	}
	if cf, kf := getenv(EnvClientCert), getenv(EnvClientCertKey); cf != "" || kf != "" {
		pair, err := tls.LoadX509KeyPair(cf, kf)
		if err != nil {
			return nil, true, fmt.Errorf("%s, %s: %w", EnvClientCert, EnvClientCertKey, err)
		}
		method := AuthTLSClient
		if leaf := certLeaf(&pair); leaf != nil && bytes.Equal(leaf.RawIssuer, leaf.RawSubject) &&
			leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
			method = AuthSelfSignedTLSClient
		}
		t.MTLSClients = []*MTLSClient{{ID: t.Client.ID, Method: method, Cert: pair}}
	}
	if id := getenv(EnvSpecialClientID); id != "" {
		t.SpecialClient = &Client{ID: id, Secret: getenv(EnvSpecialSecret), SecretEnv: EnvSpecialSecret}
	}
	if id := getenv(EnvNoGrantClientID); id != "" {
		t.NoGrantClient = &Client{ID: id, Secret: getenv(EnvNoGrantSecret), SecretEnv: EnvNoGrantSecret}
	}
	if id := getenv(EnvShortLivedClientID); id != "" {
		t.ShortLivedClient = &Client{ID: id, Secret: getenv(EnvShortLivedSecret), SecretEnv: EnvShortLivedSecret}
	}
	if p := getenv(EnvProfiles); p != "" {
		t.Profiles = strings.Split(p, ",")
	}
	if s := getenv(EnvRequestTimeoutSec); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", EnvRequestTimeoutSec, err)
		}
		t.RequestTimeout = d
	}
	if ca := getenv(EnvCAFile); ca != "" {
		c, err := probe.ClientWithCA(ca, t.timeout())
		if err != nil {
			return nil, true, err
		}
		t.HTTPClient = c
	}
	return t, true, t.Validate()
}

// loadPrivateKey reads a private key file: PEM (PKCS#8, PKCS#1, SEC 1)
// or a JWK.
func loadPrivateKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if b, _ := pem.Decode(data); b != nil {
		for _, parse := range []func([]byte) (any, error){
			x509.ParsePKCS8PrivateKey,
			func(d []byte) (any, error) { return x509.ParsePKCS1PrivateKey(d) },
			func(d []byte) (any, error) { return x509.ParseECPrivateKey(d) },
		} {
			if k, err := parse(b.Bytes); err == nil {
				if s, ok := k.(crypto.Signer); ok {
					return s, nil
				}
			}
		}
		return nil, fmt.Errorf("%s: no private key PEM occheck can read (PKCS#8, PKCS#1, SEC 1)", path)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil || jwk.IsPublic() {
		return nil, fmt.Errorf("%s: neither a PEM private key nor a private JWK", path)
	}
	s, ok := jwk.Key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: the JWK is not a signing key", path)
	}
	return s, nil
}

// jwkThumbprint is the RFC 7638 thumbprint of a key's public half, the kid
// occheck keygen prints.
func jwkThumbprint(k crypto.Signer) string {
	jwk := jose.JSONWebKey{Key: k.Public()}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

package mockserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/occheck/occheck/internal/rfc6749"
)

// The demo client registered when a Config lists no clients. Its secret holds
// a space, '+', '/' and '=' so that a client which skips the form-encoding of
// RFC 6749 Appendix B before HTTP Basic is caught at once.
const (
	DemoClientID     = "demo-client"
	DemoClientSecret = "demo s3cr3t+/="
)

// Signing algorithms the server can sign access tokens with.
const (
	RS256 = "RS256"
	PS256 = "PS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// SigningAlgs lists the supported access-token signing algorithms.
var SigningAlgs = []string{RS256, PS256, ES256, EdDSA}

// DefaultTokenTTL is the access-token lifetime when neither the server nor
// the client sets one: one hour, the RFC 6750 §5.3 recommendation.
const DefaultTokenTTL = time.Hour

// Config describes the server and its clients. The zero value is a working
// server with the demo client, RS256 keys generated at start and an issuer
// derived from the listen address.
type Config struct {
	// Issuer is the iss claim and the RFC 8414 issuer. Empty: derived from
	// the listener's scheme and address when the server starts.
	Issuer string `yaml:"issuer"`
	// PublicURL is where clients reach the server (scheme, host, port),
	// when that is not the listener: behind a proxy, say. The endpoint URLs
	// in the metadata are built on it. Empty: the listener's URL.
	PublicURL string `yaml:"public_url"`
	// SigningAlg is one of SigningAlgs; empty means RS256.
	SigningAlg string `yaml:"signing_alg"`
	// KeyFile is a PEM (PKCS#8, PKCS#1 or SEC 1) or JWK file holding the
	// private signing key, so tokens stay valid across restarts. Empty: a
	// key is generated at start.
	KeyFile string `yaml:"key_file"`
	// TokenTTL is the default access-token lifetime; zero means one hour.
	TokenTTL Duration `yaml:"token_ttl"`
	// Audience is the aud of tokens for clients that name none; empty means
	// the issuer.
	Audience []string `yaml:"audience"`
	// Realm is the realm of the Basic challenge; empty means "occheck".
	Realm string `yaml:"realm"`
	// Clients are the registered clients; none means the demo client.
	Clients []Client `yaml:"clients"`
	// Quirks switch on deliberate deviations from the RFC. Off by default.
	Quirks []Quirk `yaml:"quirks"`
	// Logger receives one access-log record per request, secrets redacted.
	// Nil discards them.
	Logger *slog.Logger `yaml:"-"`
	// Now is the time source the server's Clock follows; nil means
	// time.Now. Authority.Clock sets or advances it at run time.
	Now func() time.Time `yaml:"-"`
	// RequestLogSize bounds how many requests Requests keeps, oldest
	// dropped first; zero means 1000.
	RequestLogSize int `yaml:"request_log_size"`
	// TerseErrors makes error_description as terse as a production
	// server's; the detailed reason of each refusal still goes to the
	// journal and the access log. Off: the reason is the description.
	TerseErrors bool `yaml:"terse_errors"`
	// NoOpenIDAlias stops serving the metadata a second time at the
	// issuer's /.well-known/openid-configuration, where client libraries
	// that discover through OpenID Connect look for it.
	NoOpenIDAlias bool `yaml:"no_openid_alias"`
	// ExtraSigningAlgs publishes one more key per algorithm in the JWKS
	// (tokens are signed with SigningAlg's key), for clients that must
	// pick the right key from several.
	ExtraSigningAlgs []string `yaml:"extra_signing_algs"`
	// KeyOverlap is how long a rotated-out signing key stays in the JWKS;
	// zero means the longest token lifetime, so every token it signed can
	// still be verified.
	KeyOverlap Duration `yaml:"key_overlap"`
	// Admin serves the admin API under /_occheck/ (faults, clock, keys,
	// quirks, journal; see specs/openapi.yaml). Off by default; occheck
	// mock switches it on with --admin. Go tests have the same controls
	// as methods.
	Admin bool `yaml:"admin"`
	// AdminToken, when set, is the bearer token the admin API demands;
	// without one the admin API answers only loopback clients.
	AdminToken string `yaml:"admin_token"`
	// AssertionProfile sets the rules for client assertions (RFC 7523):
	// rfc7523 (the default: the issuer or the token endpoint URL in aud),
	// rfc7523bis (the issuer only, a string or a one-element array) or
	// fapi2 (the issuer as a string, PS256/ES256/EdDSA, jti required).
	AssertionProfile string `yaml:"assertion_profile"`
	// AssertionSkew is the clock skew allowed on an assertion's exp, nbf
	// and iat; zero means 30s.
	AssertionSkew Duration `yaml:"assertion_skew"`
	// AssertionMaxLifetime bounds an assertion's lifetime (exp − iat) and
	// how long ago it may have been issued; zero means 1h.
	AssertionMaxLifetime Duration `yaml:"assertion_max_lifetime"`
	// TokenFormat is the default access-token format: jwt (RFC 9068, the
	// default) or opaque (random, kept in the Store until it expires).
	TokenFormat string `yaml:"token_format"`
	// ResourceAudience are the audiences a token must name for the
	// protected resource (/resource, RequireToken); empty means the
	// server's audience (Audience, else the issuer).
	ResourceAudience []string `yaml:"resource_audience"`
	// ResourceQueryToken lets the protected resource take the token from
	// the access_token query parameter (RFC 6750 §2.3; off by default:
	// URLs end up in logs).
	ResourceQueryToken bool `yaml:"resource_query_token"`
	// Store keeps opaque tokens and revocations; nil means StoreURL's,
	// else in memory.
	Store Store `yaml:"-"`
	// StoreURL chooses the store: memory (the default), or
	// redis://HOST:PORT/DB, shared by a fleet of replicas.
	StoreURL string `yaml:"store"`
	// MaxTokens bounds the opaque tokens the in-memory store holds (about
	// 40 bytes each); at the bound the token endpoint answers 503 with
	// Retry-After until some expire. Zero means DefaultMaxTokens.
	MaxTokens int `yaml:"max_tokens"`
	// ClientCAFile holds the CA certificates (PEM) tls_client_auth
	// certificates must chain to. Without it, and with a tls_client_auth
	// client, the server makes its own CA (Authority.ClientCA).
	ClientCAFile string `yaml:"client_ca_file"`
	// ClientCAKeyFile is the first CA's private key, so that the server
	// can issue client certificates (Authority.ClientCertificate).
	ClientCAKeyFile string `yaml:"client_ca_key_file"`
	// ClientCA is the client CA in Go (instead of the files).
	ClientCA *ClientCA `yaml:"-"`
	// CertificateBoundTokens binds every token asked over a connection
	// with a client certificate to it (cnf x5t#S256, RFC 8705 §3).
	CertificateBoundTokens bool `yaml:"tls_client_certificate_bound_access_tokens"`
	// ClientCertHeader names the header a TLS-terminating proxy forwards
	// the client certificate in (RFC 9440 Client-Cert). It is read only
	// from TrustedProxies; off by default, since a client could forge it.
	ClientCertHeader string `yaml:"client_cert_header"`
	// TrustedProxies are the addresses (CIDR or IP) whose
	// ClientCertHeader is believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ReplayCacheSize bounds how many unexpired assertion ids (jti) the
	// server remembers; when it is full, assertions are refused with 503
	// until some expire. Zero means 200000.
	ReplayCacheSize int `yaml:"replay_cache_size"`
	// DPoPSigningAlgs are the JWS algorithms the server accepts for DPoP
	// proofs (RFC 9449 §5.1), asymmetric only; empty means
	// DefaultDPoPAlgs (FAPI2DPoPAlgs under assertion_profile fapi2).
	DPoPSigningAlgs []string `yaml:"dpop_signing_alg_values_supported"`
	// DPoPNonce makes the token endpoint demand a server nonce in every
	// DPoP proof (RFC 9449 §8): a proof without one, or with one this
	// server did not issue in the last five minutes, gets 400
	// use_dpop_nonce and a fresh nonce in DPoP-Nonce.
	DPoPNonce bool `yaml:"dpop_nonce"`
	// DPoPProofWindow is how old a DPoP proof's iat may be; zero means
	// 60s. Proofs may be up to 10 s ahead of the server's clock.
	DPoPProofWindow Duration `yaml:"dpop_proof_window"`
}

// Client is a registered confidential client.
type Client struct {
	// ID is the client_id. Any characters are allowed; Appendix B encoding
	// makes even ':' usable with HTTP Basic.
	ID string `yaml:"id"`
	// Secret is the client_secret. Required for client_secret_basic,
	// client_secret_post and client_secret_jwt (at least 32 bytes, RFC
	// 7518 §3.2); a private_key_jwt-only client needs none.
	Secret string `yaml:"secret"`
	// AuthMethods are the client authentication methods the client may use:
	// client_secret_basic, client_secret_post, client_secret_jwt,
	// private_key_jwt. Empty means the two secret methods, or
	// private_key_jwt for a client with keys and no secret.
	AuthMethods []string `yaml:"auth_methods"`
	// JWKS are the client's public keys for private_key_jwt, inline.
	JWKS *KeySet `yaml:"jwks"`
	// JWKSFile holds the client's public keys: a JWK Set, a JWK, or PEM
	// public keys or certificates.
	JWKSFile string `yaml:"jwks_file"`
	// JWKSURI is where the server fetches the client's JWK Set (5s, 64 KiB
	// at most; cached for 5 minutes, refetched on an unknown kid at most
	// every 10s), so a client can rotate its own keys.
	JWKSURI string `yaml:"jwks_uri"`
	// GrantTypes the client may use. Empty means client_credentials.
	GrantTypes []string `yaml:"grant_types"`
	// Scopes the client may be granted.
	Scopes []string `yaml:"scopes"`
	// DefaultScopes are granted when a request names no scope. Empty means
	// all of Scopes.
	DefaultScopes []string `yaml:"default_scopes"`
	// Audience is the aud of the client's tokens and the set of resource
	// (RFC 8707) values it may ask for. Empty means the server's audience.
	Audience []string `yaml:"audience"`
	// TokenTTL overrides the server's token lifetime for this client.
	TokenTTL Duration `yaml:"token_ttl"`
	// Claims are extra claims added to the client's access tokens. They
	// cannot replace the claims RFC 9068 defines.
	Claims map[string]any `yaml:"claims"`
	// The one certificate attribute a tls_client_auth client is matched
	// on (RFC 8705 §2.1.2): the subject DN (RFC 4514, compared as a DN),
	// or a SAN of type DNS, URI, IP address or email.
	TLSClientAuthSubjectDN string `yaml:"tls_client_auth_subject_dn"`
	TLSClientAuthSANDNS    string `yaml:"tls_client_auth_san_dns"`
	TLSClientAuthSANURI    string `yaml:"tls_client_auth_san_uri"`
	TLSClientAuthSANIP     string `yaml:"tls_client_auth_san_ip"`
	TLSClientAuthSANEmail  string `yaml:"tls_client_auth_san_email"`
	// TokenFormat overrides the server's token format for this client:
	// jwt or opaque.
	TokenFormat string `yaml:"token_format"`
	// CertificateBoundTokens binds the client's tokens to the certificate
	// of the connection they were asked over (cnf x5t#S256, RFC 8705 §3),
	// whatever the method it authenticates with.
	CertificateBoundTokens bool `yaml:"tls_client_certificate_bound_access_tokens"`
	// DPoPBoundAccessTokens makes the client's token requests carry a
	// DPoP proof (RFC 9449 §5.2): without one they are refused.
	DPoPBoundAccessTokens bool `yaml:"dpop_bound_access_tokens"`
}

// Duration is a time.Duration that reads from YAML as a Go duration string
// ("10m", "1h30m").
type Duration time.Duration

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return &nodeError{n.Line, n.Column, "want a duration such as 10m or 1h"}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &nodeError{n.Line, n.Column, fmt.Sprintf("want a duration such as 10m or 1h, got %q", s)}
	}
	*d = Duration(v)
	return nil
}

// nodeError is a value error at a place in the YAML document; ParseConfig
// turns the place into the field's path.
type nodeError struct {
	line, col int
	msg       string
}

func (e *nodeError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// fieldPath finds the dotted path (clients[0].token_ttl) of the value at
// line and col, so errors name the field rather than a line number.
func fieldPath(n *yaml.Node, line, col int, prefix string) (string, bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if p, ok := fieldPath(c, line, col, prefix); ok {
				return p, true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			p := key.Value
			if prefix != "" {
				p = prefix + "." + key.Value
			}
			if val.Line == line && val.Column == col {
				return p, true
			}
			if q, ok := fieldPath(val, line, col, p); ok {
				return q, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", prefix, i)
			if c.Line == line && c.Column == col {
				return p, true
			}
			if q, ok := fieldPath(c, line, col, p); ok {
				return q, true
			}
		}
	}
	return "", false
}

// reservedClaims are set by the server and cannot be overridden per client.
var reservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "cnf"}

// DemoClient returns the client a zero Config registers.
func DemoClient() Client {
	return Client{
		ID:            DemoClientID,
		Secret:        DemoClientSecret,
		AuthMethods:   []string{rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost},
		GrantTypes:    []string{rfc6749.GrantClientCredentials},
		Scopes:        []string{"read", "write"},
		DefaultScopes: []string{"read"},
	}
}

// LoadConfig reads a YAML configuration file. Errors name the file, the
// field and the problem on one line.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ParseConfig reads a YAML configuration and validates it. Unknown fields
// are errors, so a typo never silently falls back to a default.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("the file is empty; see the README for the format")
		}
		var ne *nodeError
		if errors.As(err, &ne) {
			var root yaml.Node
			if yaml.Unmarshal(data, &root) == nil {
				if p, ok := fieldPath(&root, ne.line, ne.col, ""); ok {
					return Config{}, fmt.Errorf("%s: %s", p, ne.msg)
				}
			}
		}
		return Config{}, fmt.Errorf("%s", oneLine(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Validate checks the configuration and names the first bad field.
func (c *Config) Validate() error {
	if c.Issuer != "" {
		u, err := url.Parse(c.Issuer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("issuer: %q is not an absolute http(s) URL", c.Issuer)
		}
		if u.RawQuery != "" || u.Fragment != "" || strings.Contains(c.Issuer, "#") {
			return fmt.Errorf("issuer: %q must not have a query or fragment (RFC 8414 §2)", c.Issuer)
		}
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("public_url: %q is not an absolute http(s) URL without query or fragment", c.PublicURL)
		}
	}
	if c.SigningAlg != "" && !slices.Contains(SigningAlgs, c.SigningAlg) {
		return fmt.Errorf("signing_alg: %q is not one of %s", c.SigningAlg, strings.Join(SigningAlgs, ", "))
	}
	for i, alg := range c.ExtraSigningAlgs {
		if !slices.Contains(SigningAlgs, alg) {
			return fmt.Errorf("extra_signing_algs[%d]: %q is not one of %s", i, alg, strings.Join(SigningAlgs, ", "))
		}
	}
	if c.KeyOverlap < 0 {
		return fmt.Errorf("key_overlap: must not be negative")
	}
	if c.TokenTTL < 0 {
		return fmt.Errorf("token_ttl: must not be negative")
	}
	if c.RequestLogSize < 0 {
		return fmt.Errorf("request_log_size: must not be negative")
	}
	for i, a := range c.Audience {
		if err := checkAbsoluteURI(a); err != nil {
			return fmt.Errorf("audience[%d]: %w", i, err)
		}
	}
	seen := map[string]bool{}
	for i, cl := range c.Clients {
		if err := cl.validate(); err != nil {
			return fmt.Errorf("clients[%d]: %w", i, err)
		}
		if seen[cl.ID] {
			return fmt.Errorf("clients[%d].id: %q is registered twice", i, cl.ID)
		}
		seen[cl.ID] = true
	}
	if c.AssertionProfile != "" && !slices.Contains(AssertionProfiles, c.AssertionProfile) {
		return fmt.Errorf("assertion_profile: %q is not one of %s", c.AssertionProfile, strings.Join(AssertionProfiles, ", "))
	}
	for i, p := range c.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			return fmt.Errorf("trusted_proxies[%d]: %q is not an IP address or CIDR", i, p)
		}
	}
	if len(c.TrustedProxies) > 0 != (c.ClientCertHeader != "") {
		return fmt.Errorf("client_cert_header, trusted_proxies: give both (the header is believed only from those proxies) or neither")
	}
	if c.StoreURL != "" && c.StoreURL != "memory" && !strings.HasPrefix(c.StoreURL, "redis://") && !strings.HasPrefix(c.StoreURL, "rediss://") {
		return fmt.Errorf("store: %q is not memory or redis://HOST:PORT/DB", c.StoreURL)
	}
	if c.TokenFormat != "" && c.TokenFormat != FormatJWT && c.TokenFormat != FormatOpaque {
		return fmt.Errorf("token_format: %q is not jwt or opaque", c.TokenFormat)
	}
	if c.ClientCAKeyFile != "" && c.ClientCAFile == "" {
		return fmt.Errorf("client_ca_key_file: needs client_ca_file")
	}
	if c.MaxTokens < 0 {
		return fmt.Errorf("max_tokens: must not be negative")
	}
	if c.AssertionSkew < 0 || c.AssertionMaxLifetime < 0 || c.ReplayCacheSize < 0 {
		return fmt.Errorf("assertion_skew, assertion_max_lifetime, replay_cache_size: must not be negative")
	}
	for i, alg := range c.DPoPSigningAlgs {
		if !slices.Contains(DefaultDPoPAlgs, alg) {
			return fmt.Errorf("dpop_signing_alg_values_supported[%d]: %q is not one of %s (asymmetric algorithms only, RFC 9449 section 5.1)", i, alg, strings.Join(DefaultDPoPAlgs, ", "))
		}
	}
	if c.DPoPProofWindow < 0 {
		return fmt.Errorf("dpop_proof_window: must not be negative")
	}
	for i, q := range c.Quirks {
		if _, ok := quirkTable[q]; !ok {
			return fmt.Errorf("quirks[%d]: unknown quirk %q (occheck mock --list-quirks lists them)", i, q)
		}
	}
	return nil
}

func (cl *Client) validate() error {
	if cl.ID == "" {
		return fmt.Errorf("id: must not be empty")
	}
	if err := cl.validateAuth(); err != nil {
		return err
	}
	for _, g := range cl.GrantTypes {
		if g == "" || strings.ContainsAny(g, " \t") {
			return fmt.Errorf("grant_types: %q is not a grant type", g)
		}
	}
	for _, s := range append(slices.Clone(cl.Scopes), cl.DefaultScopes...) {
		if toks, ok := rfc6749.ParseScope(s); !ok || len(toks) != 1 {
			return fmt.Errorf("scopes: %q is not a scope token (RFC 6749 §3.3)", s)
		}
	}
	for _, s := range cl.DefaultScopes {
		if !slices.Contains(cl.Scopes, s) {
			return fmt.Errorf("default_scopes: %q is not in scopes", s)
		}
	}
	for i, a := range cl.Audience {
		if err := checkAbsoluteURI(a); err != nil {
			return fmt.Errorf("audience[%d]: %w", i, err)
		}
	}
	if cl.TokenTTL < 0 {
		return fmt.Errorf("token_ttl: must not be negative")
	}
	if cl.TokenFormat != "" && cl.TokenFormat != FormatJWT && cl.TokenFormat != FormatOpaque {
		return fmt.Errorf("token_format: %q is not jwt or opaque", cl.TokenFormat)
	}
	for k := range cl.Claims {
		if slices.Contains(reservedClaims, k) {
			return fmt.Errorf("claims: %q is set by the server and cannot be overridden", k)
		}
	}
	return nil
}

// checkAbsoluteURI applies the RFC 8707 §2 rule for resource values.
func checkAbsoluteURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("%q is not an absolute URI", s)
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("%q must not have a fragment", s)
	}
	return nil
}

// clientAuthMethods are the methods a client may be registered for.
var clientAuthMethods = []string{rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost, rfc6749.AuthClientSecretJWT, rfc6749.AuthPrivateKeyJWT, AuthTLSClient, AuthSelfSignedTLSClient}

// hasKeys says whether the client registers public keys.
func (cl *Client) hasKeys() bool { return cl.JWKS != nil || cl.JWKSFile != "" || cl.JWKSURI != "" }

// methods are the client's methods with the default resolved.
func (cl *Client) methods() []string {
	switch {
	case len(cl.AuthMethods) > 0:
		return cl.AuthMethods
	case cl.Secret == "" && cl.hasKeys():
		return []string{rfc6749.AuthPrivateKeyJWT}
	}
	return []string{rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost}
}

// validateAuth checks that each of the client's methods has what it needs.
func (cl *Client) validateAuth() error {
	n := 0
	for _, v := range []bool{cl.JWKS != nil, cl.JWKSFile != "", cl.JWKSURI != ""} {
		if v {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("jwks, jwks_file, jwks_uri: give the client's keys one way")
	}
	for _, m := range cl.methods() {
		switch m {
		case rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost:
			if cl.Secret == "" {
				return fmt.Errorf("secret: must not be empty for %s (only confidential clients may use client_credentials)", m)
			}
		case rfc6749.AuthClientSecretJWT:
			if len(cl.Secret) < 32 {
				return fmt.Errorf("secret: client_secret_jwt needs a secret of at least 32 bytes, the HS256 key size (RFC 7518 §3.2)")
			}
		case rfc6749.AuthPrivateKeyJWT:
			if !cl.hasKeys() {
				return fmt.Errorf("auth_methods: private_key_jwt needs the client's public keys in jwks, jwks_file or jwks_uri")
			}
		case AuthTLSClient:
			if err := cl.validateMTLS(); err != nil {
				return fmt.Errorf("auth_methods: %w", err)
			}
		case AuthSelfSignedTLSClient:
			if !cl.hasKeys() {
				return fmt.Errorf("auth_methods: self_signed_tls_client_auth needs the client's certificates (x5c) or keys in jwks, jwks_file or jwks_uri")
			}
		default:
			return fmt.Errorf("auth_methods: %q is not one of %s", m, strings.Join(clientAuthMethods, ", "))
		}
	}
	if cl.JWKS != nil {
		if err := checkClientKeys(&cl.JWKS.JSONWebKeySet); err != nil {
			return fmt.Errorf("jwks: %w", err)
		}
	}
	if cl.JWKSURI != "" {
		if u, err := url.Parse(cl.JWKSURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("jwks_uri: %q is not an absolute http(s) URL", cl.JWKSURI)
		}
	}
	return nil
}

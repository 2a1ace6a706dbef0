package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/occheck/occheck/internal/probe"
	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
)

// runFlags are the flags of occheck run (and occheck baseline).
type runFlags struct {
	fs *flag.FlagSet

	configFile        string
	tokenURL          string
	issuer            string
	metadataURL       string
	allowCrossOrigin  bool
	clientID          string
	secretFile        string
	authMethod        string
	scope             string
	forbiddenScope    string
	resource          string
	specialID         string
	specialSecretFile string
	nograntID         string
	nograntSecretFile string
	shortID           string
	shortSecretFile   string
	assertionID       string
	clientKeyFile     string
	clientKeyID       string
	assertionAlg      string
	assertionAud      string
	assertionSecret   string
	otherKeyFile      string
	clientCert        string
	clientCertKey     string
	otherCert         string
	otherCertKey      string
	introspectionURL  string
	resourceURL       string
	resourceScopeURL  string
	otherResource     string
	revocationURL     string
	secretJWTID       string
	secretJWTFile     string
	dpop              bool
	dpopKeyFile       string
	dpopClientID      string
	dpopSecretFile    string
	caFile            string
	insecure          bool
	run, skip         listFlag
	strict            bool
	profiles          listFlag
	baseline          string
	timeout           time.Duration
	rate              float64
	verbose           bool
	noColor           bool
	reportDir         string
	junit, jsonOut    string
	html, markdown    string
	output            string // occheck baseline only
	rerunFailed       string
	planFile          string // occheck run only
}

func newRunFlags(name string) *runFlags {
	f := &runFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs := f.fs
	fs.StringVar(&f.configFile, "config", "", "YAML file holding any of these flags (${ENV} expanded; flags given here win)")
	fs.StringVar(&f.tokenURL, "token-url", "", "token endpoint to check")
	fs.StringVar(&f.issuer, "issuer", "", "issuer to discover the token endpoint from (RFC 8414, then OpenID discovery)")
	fs.StringVar(&f.metadataURL, "metadata-url", "", "metadata document URL, when it is not at the issuer's well-known location")
	fs.BoolVar(&f.allowCrossOrigin, "allow-cross-origin", false, "accept a discovered token endpoint on another origin than the issuer")
	fs.StringVar(&f.clientID, "client-id", "", "client under test (its secret comes from $OCCHECK_CLIENT_SECRET or --client-secret-file; a private_key_jwt client needs only --client-key-file)")
	fs.StringVar(&f.secretFile, "client-secret-file", "", "file holding the client secret (instead of $OCCHECK_CLIENT_SECRET)")
	fs.StringVar(&f.authMethod, "auth-method", "auto", "client_secret_basic, client_secret_post, private_key_jwt, client_secret_jwt, or auto (private_key_jwt first when the client has a key and the metadata advertises it; then client_secret_basic; client_secret_post, then client_secret_jwt, when the methods before are refused and the metadata advertises them)")
	fs.StringVar(&f.scope, "scope", "", "a scope (or space-separated scopes) the client may have")
	fs.StringVar(&f.forbiddenScope, "forbidden-scope", "", "a scope that exists but the client may not have")
	fs.StringVar(&f.resource, "resource", "", "an RFC 8707 resource the client may ask for (unlocks the resource indicator specs)")
	fs.StringVar(&f.specialID, "special-client-id", "", "a second client whose id/secret need form-encoding (secret: $OCCHECK_SPECIAL_CLIENT_SECRET)")
	fs.StringVar(&f.specialSecretFile, "special-client-secret-file", "", "file holding the special client's secret")
	fs.StringVar(&f.nograntID, "nogrant-client-id", "", "a client not allowed client_credentials (secret: $OCCHECK_NOGRANT_CLIENT_SECRET)")
	fs.StringVar(&f.nograntSecretFile, "nogrant-client-secret-file", "", "file holding the no-grant client's secret")
	fs.StringVar(&f.shortID, "short-lived-client-id", "", "a client whose tokens live at most 120 s, for INT-07 (secret: $OCCHECK_SHORT_LIVED_CLIENT_SECRET)")
	fs.StringVar(&f.shortSecretFile, "short-lived-client-secret-file", "", "file holding the short-lived client's secret")
	fs.StringVar(&f.assertionID, "assertion-client-id", "", "another client, registered for private_key_jwt (RFC 7523), whose key is --client-key-file; unlocks the JWT-* specs (default: the client under test)")
	fs.StringVar(&f.clientKeyFile, "client-key-file", "", "private key of the client under test (or of --assertion-client-id) for private_key_jwt: PEM (PKCS#8, PKCS#1, SEC 1) or JWK, as occheck keygen writes it; it stays in memory")
	fs.StringVar(&f.clientKeyID, "client-key-id", "", "kid to put in assertions (default: the JWK's kid, else the key's RFC 7638 thumbprint as occheck keygen prints it; none: no kid)")
	fs.StringVar(&f.assertionAlg, "assertion-alg", "", "JWS algorithm of the assertions (default: RS256, ES256 or EdDSA by key type)")
	fs.StringVar(&f.assertionSecret, "assertion-client-secret-file", "", "file holding a secret --assertion-client-id also holds, if any (or $OCCHECK_ASSERTION_CLIENT_SECRET): JWT-ALG-01 checks it cannot stand in for the key")
	fs.StringVar(&f.clientCert, "client-cert", "", "TLS client certificate (PEM) of the client under test for mTLS (RFC 8705): tls_client_auth, or self_signed_tls_client_auth when it is self-signed")
	fs.StringVar(&f.clientCertKey, "client-cert-key", "", "private key (PEM) of --client-cert; it stays in memory")
	fs.StringVar(&f.otherCert, "other-client-cert", "", "a certificate (PEM) the server accepts for another client: MTLS-02 checks it does not authenticate the client under test (default: a fresh self-signed one)")
	fs.StringVar(&f.otherCertKey, "other-client-cert-key", "", "private key (PEM) of --other-client-cert")
	fs.StringVar(&f.resourceURL, "resource-url", "", "a protected resource (RFC 6750) that accepts the client's tokens; unlocks the RS-* specs")
	fs.StringVar(&f.resourceScopeURL, "resource-scope-url", "", "a route of the resource that needs a scope the client's token lacks (RS-04)")
	fs.StringVar(&f.otherResource, "other-resource", "", "an RFC 8707 resource the client may ask for whose tokens --resource-url must refuse (RS-06)")
	fs.StringVar(&f.introspectionURL, "introspection-url", "", "RFC 7662 introspection endpoint (default: the metadata's introspection_endpoint on the token endpoint's origin); unlocks the INT-* specs")
	fs.StringVar(&f.revocationURL, "revocation-url", "", "RFC 7009 revocation endpoint (default: the metadata's revocation_endpoint on the token endpoint's origin); unlocks the REV-* specs")
	fs.StringVar(&f.otherKeyFile, "other-client-key-file", "", "private key of another client registered for private_key_jwt (PEM or JWK; kid: the JWK's, else its thumbprint): JWT-KEY-02 checks it never verifies the assertion client's assertions")
	fs.StringVar(&f.assertionAud, "assertion-aud", "", "audience of the assertions: issuer, token-endpoint or both (an array); default: the token endpoint URL, else the issuer (the issuer only under --profile rfc7523bis or fapi2)")
	fs.StringVar(&f.secretJWTID, "secret-jwt-client-id", "", "a client registered for client_secret_jwt (secret of 32 bytes or more: $OCCHECK_SECRET_JWT_CLIENT_SECRET); unlocks JWT-ALG-02")
	fs.StringVar(&f.secretJWTFile, "secret-jwt-client-secret-file", "", "file holding the client_secret_jwt client's secret")
	fs.BoolVar(&f.dpop, "dpop", false, "run the DPoP specs (RFC 9449) even when the metadata does not advertise dpop_signing_alg_values_supported; proofs are signed with a fresh key per run (ES256, unless the metadata lists other algorithms only) or --dpop-key-file")
	fs.StringVar(&f.dpopKeyFile, "dpop-key-file", "", "private key (PEM or JWK) to sign DPoP proofs with instead of a fresh one: EC P-256/384/521, Ed25519 or RSA of 2048 bits or more; it stays in memory")
	fs.StringVar(&f.dpopClientID, "dpop-client-id", "", "a client registered with dpop_bound_access_tokens (secret: $OCCHECK_DPOP_CLIENT_SECRET); unlocks DPOP-REQ-01")
	fs.StringVar(&f.dpopSecretFile, "dpop-client-secret-file", "", "file holding the DPoP client's secret")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM file of CA certificates to trust for the target")
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, "do not verify the target's TLS certificate (unsafe; loudly reported)")
	fs.Var(&f.run, "run", "run only these specs: IDs, ID prefixes, sections (5.2) or a label expression (repeatable, comma-separated)")
	fs.Var(&f.skip, "skip", "skip these specs (same forms as --run)")
	fs.BoolVar(&f.strict, "strict", false, "broken SHOULDs fail the run")
	fs.Var(&f.profiles, "profile", "grading profiles: rfc9068 (JWT access tokens), oauth21 (Pragma is a SHOULD), rfc7523bis or fapi2 (client assertion rules)")
	fs.StringVar(&f.baseline, "baseline", "", "YAML file of known deviations (ID and reason); listed failures are expected, listed passes are stale")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "timeout of one request")
	fs.Float64Var(&f.rate, "rate", 0, "at most this many requests per second (0: no limit)")
	fs.BoolVar(&f.verbose, "v", false, "print every exchange, redacted")
	fs.BoolVar(&f.noColor, "no-color", false, "no colour (also when NO_COLOR is set or stdout is not a terminal)")
	fs.StringVar(&f.reportDir, "report-dir", "", "write JUnit, JSON, HTML and Markdown reports into this directory")
	fs.StringVar(&f.junit, "junit", "", "write a JUnit XML report to this file")
	fs.StringVar(&f.jsonOut, "json", "", "write a JSON report to this file")
	fs.StringVar(&f.html, "html", "", "write an HTML report to this file")
	fs.StringVar(&f.markdown, "markdown", "", "write a Markdown report to this file")
	fs.StringVar(&f.rerunFailed, "rerun-failed", "", "run only the specs that failed, warned or errored in this JSON report")
	if name == "run" {
		fs.StringVar(&f.planFile, "plan", "", "YAML test plan: run the catalogue once per variant (client or server), a few at once, with one set of reports")
	}
	if name == "baseline" {
		fs.StringVar(&f.output, "o", "occheck-baseline.yaml", "baseline file to write")
	}
	return f
}

// usageError is a bad flag or configuration: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// cannotRun is trouble reaching the target: exit 3.
type cannotRun struct{ msg string }

func (e *cannotRun) Error() string { return e.msg }

func cannotf(format string, a ...any) error { return &cannotRun{fmt.Sprintf(format, a...)} }

// exitFor maps an error to its exit code and prints it on one line.
func exitFor(stderr io.Writer, cmd string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "occheck %s: %s (run 'occheck %s -h' for usage)\n", cmd, ue.msg, cmd)
		return exitUsage
	}
	fmt.Fprintf(stderr, "occheck %s: %v\n", cmd, err)
	return exitCannotGo
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	f := newRunFlags("run")
	if code, ok := parseFlags(f.fs, args, stdout, stderr); !ok {
		return code
	}
	if f.planFile != "" {
		return runPlan(ctx, f.planFile, args, stdout, stderr, getenv)
	}
	plan, err := f.plan(ctx, getenv, stderr)
	if errors.Is(err, errNothingToRerun) {
		fmt.Fprintf(stdout, "occheck run: nothing failed in %s; nothing to rerun\n", f.rerunFailed)
		return exitOK
	}
	if err != nil {
		return exitFor(stderr, "run", err)
	}
	defer plan.close()
	run, err := plan.execute(ctx, stdout)
	if err != nil && run == nil {
		return exitFor(stderr, "run", err)
	}
	code := plan.grade(run, err, stdout)
	return finish(code, stderr, func() error { return plan.writeReports(run, getenv) }, func() error { return writeGitHubOutputs(run, code, getenv) })
}

// finish runs the writers of a run's results in order; the first that
// fails is one line on stderr and exit 3, else the run's own code stands.
func finish(code int, stderr io.Writer, writers ...func() error) int {
	for _, w := range writers {
		if err := w(); err != nil {
			fmt.Fprintf(stderr, "occheck run: %v\n", err)
			return exitCannotGo
		}
	}
	return code
}

// plan is a run ready to go: the target, the selection, the baseline.
type plan struct {
	f        *runFlags
	target   suites.Target
	filter   string
	baseline *baseline
	color    bool
	embedded *mockserver.Server
	warnings []string
}

func (p *plan) close() {
	if p.embedded != nil {
		p.embedded.Close()
	}
}

// plan resolves flags, config file, discovery and secrets into a target.
func (f *runFlags) plan(ctx context.Context, getenv func(string) string, stderr io.Writer) (*plan, error) {
	if f.configFile != "" {
		if err := applyConfigFile(f.fs, f.configFile, getenv); err != nil {
			return nil, err
		}
	}
	p := &plan{f: f, color: colorOn(f.noColor, getenv)}
	var err error
	if f.rerunFailed != "" {
		ids, err := failedIn(f.rerunFailed)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, errNothingToRerun
		}
		f.run = append(f.run, strings.Join(ids, ","))
	}
	if p.filter, err = selection(f.run, f.skip); err != nil {
		return nil, err
	}
	if f.baseline != "" {
		if p.baseline, err = loadBaseline(f.baseline); err != nil {
			return nil, err
		}
	}
	for _, pr := range f.profiles {
		if !slices.Contains(suites.Profiles(), pr) {
			return nil, usagef("--profile: %q is not one of %s", pr, strings.Join(suites.Profiles(), ", "))
		}
	}
	if f.timeout <= 0 {
		return nil, usagef("--timeout: must be positive")
	}
	if f.rate < 0 {
		return nil, usagef("--rate: must not be negative")
	}
	if f.tokenURL == "" && f.issuer == "" && f.metadataURL == "" {
		if f.clientID != "" {
			return nil, usagef("--client-id needs a target: --token-url or --issuer")
		}
		return p, p.embed()
	}
	t := suites.Target{
		TokenURL:       f.tokenURL,
		Scope:          f.scope,
		ForbiddenScope: f.forbiddenScope,
		Resource:       f.resource,
		Profiles:       f.profiles,
		Strict:         f.strict,
		RequestTimeout: f.timeout,
		Rate:           f.rate,
		MetadataURL:    f.metadataURL,
		Issuer:         f.issuer, // exactly as given: RFC 8414 §3.3 compares identical strings
	}
	if f.clientID == "" {
		return nil, usagef("--client-id is required")
	}
	if t.AssertionClient, err = assertionClient(f); err != nil {
		return nil, err
	}
	if t.MTLSClients, err = mtlsClient(f); err != nil {
		return nil, err
	}
	// A client that authenticates with its key or certificate needs no
	// secret; one it holds anyway is used (JWT-ALG-01 checks it cannot
	// stand in for the key).
	auto := f.authMethod == "auto" || f.authMethod == ""
	keyOnly := t.AssertionClient != nil && t.AssertionClient.ID == f.clientID && (auto || f.authMethod == rfc6749.AuthPrivateKeyJWT)
	certOnly := len(t.MTLSClients) > 0 && (auto || f.authMethod == suites.AuthTLSClient || f.authMethod == suites.AuthSelfSignedTLSClient)
	secret, err := readSecret(getenv, suites.EnvClientSecret, f.secretFile, "--client-secret-file")
	if err != nil && !((keyOnly || certOnly) && f.secretFile == "") {
		return nil, err
	}
	t.Client = suites.Client{ID: f.clientID, Secret: secret, SecretEnv: suites.EnvClientSecret}
	switch {
	case keyOnly:
		t.AssertionClient.Secret = secret
	case t.AssertionClient != nil && (f.assertionSecret != "" || getenv(suites.EnvAssertionSecret) != ""):
		if t.AssertionClient.Secret, err = readSecret(getenv, suites.EnvAssertionSecret, f.assertionSecret, "--assertion-client-secret-file"); err != nil {
			return nil, err
		}
	case f.assertionSecret != "":
		return nil, usagef("--assertion-client-secret-file needs --assertion-client-id and --client-key-file")
	}
	t.AssertionAud = f.assertionAud
	for _, u := range []struct{ flag, v string }{{"--introspection-url", f.introspectionURL}, {"--revocation-url", f.revocationURL}, {"--resource-url", f.resourceURL}, {"--resource-scope-url", f.resourceScopeURL}} {
		if p, err := url.Parse(u.v); u.v != "" && (err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "") {
			return nil, usagef("%s: %q is not an absolute http(s) URL", u.flag, u.v)
		}
	}
	t.IntrospectionURL, t.RevocationURL, t.ResourceURL = f.introspectionURL, f.revocationURL, f.resourceURL
	t.ResourceScopeURL, t.OtherResource = f.resourceScopeURL, f.otherResource
	if f.otherCert != "" || f.otherCertKey != "" {
		if f.otherCert == "" || f.otherCertKey == "" {
			return nil, usagef("--other-client-cert and --other-client-cert-key go together")
		}
		pair, err := tls.LoadX509KeyPair(f.otherCert, f.otherCertKey)
		if err != nil {
			return nil, usagef("--other-client-cert: %v", unwrapPath(err))
		}
		t.OtherClientCert = &pair
	}
	if f.otherKeyFile != "" {
		if t.AssertionClient == nil {
			return nil, usagef("--other-client-key-file needs --client-key-file")
		}
		key, kid, err := loadKeyFile(f.otherKeyFile, "", "--other-client-key-file")
		if err != nil {
			return nil, err
		}
		t.OtherClientKey = &suites.AssertionClient{ID: "(the other client)", Key: key.Private, KeyID: kid, Alg: key.Alg}
	}
	// The other clients hold secrets, each from its variable or file.
	for _, c := range []struct {
		id, env, file, flag string
		into                **suites.Client
	}{
		{f.specialID, suites.EnvSpecialSecret, f.specialSecretFile, "--special-client-secret-file", &t.SpecialClient},
		{f.nograntID, suites.EnvNoGrantSecret, f.nograntSecretFile, "--nogrant-client-secret-file", &t.NoGrantClient},
		{f.shortID, suites.EnvShortLivedSecret, f.shortSecretFile, "--short-lived-client-secret-file", &t.ShortLivedClient},
		{f.secretJWTID, suites.EnvSecretJWTSecret, f.secretJWTFile, "--secret-jwt-client-secret-file", &t.SecretJWTClient},
		{f.dpopClientID, suites.EnvDPoPSecret, f.dpopSecretFile, "--dpop-client-secret-file", &t.DPoPClient},
	} {
		if c.id == "" {
			continue
		}
		s, err := readSecret(getenv, c.env, c.file, c.flag)
		if err != nil {
			return nil, err
		}
		*c.into = &suites.Client{ID: c.id, Secret: s, SecretEnv: c.env}
	}
	t.DPoP = f.dpop || f.dpopKeyFile != ""
	if f.dpopKeyFile != "" {
		key, _, err := loadKeyFile(f.dpopKeyFile, "", "--dpop-key-file")
		if err != nil {
			return nil, err
		}
		t.DPoPKey = key.Private
	}
	client, err := httpClient(f.caFile, f.insecure, f.timeout)
	if err != nil {
		return nil, err
	}
	t.HTTPClient = client
	if f.insecure {
		p.warnings = append(p.warnings, "WARNING: --insecure-skip-verify: the target's TLS certificate is NOT verified; anyone on the path could read the client secret")
	}
	if f.issuer != "" || f.metadataURL != "" {
		d, err := discover(ctx, client, f.issuer, f.metadataURL, f.tokenURL)
		if err != nil {
			return nil, err
		}
		t.MetadataURL, t.Issuer = d.metadataURL, d.expectIssuer
		for _, n := range d.notes {
			p.warnings = append(p.warnings, "note: "+n)
		}
		if t.TokenURL == "" {
			t.TokenURL = d.tokenEndpoint
			// The origin the user named (the issuer, else the metadata
			// URL), never one the document chose; a --token-url the user
			// gave is theirs to name.
			origin := f.issuer
			if origin == "" {
				origin = f.metadataURL
			}
			if !sameOrigin(t.TokenURL, origin) && !f.allowCrossOrigin {
				return nil, cannotf("the token endpoint %s is not on the origin of %s; client secrets go only there unless you pass --allow-cross-origin", t.TokenURL, origin)
			}
		}
	}
	switch f.authMethod {
	case "auto", "":
		// Found at run time by CC-OK-01: suites.AutoMethods is the rule.
	case rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost, rfc6749.AuthPrivateKeyJWT, rfc6749.AuthClientSecretJWT,
		suites.AuthTLSClient, suites.AuthSelfSignedTLSClient:
		t.Client.AuthMethods = []string{f.authMethod}
	default:
		return nil, usagef("--auth-method: %q is not client_secret_basic, client_secret_post, private_key_jwt, client_secret_jwt, tls_client_auth, self_signed_tls_client_auth or auto", f.authMethod)
	}
	// The second and no-grant clients hold secrets: they share the
	// client under test's secret method, never an assertion method.
	for _, c := range []*suites.Client{t.SpecialClient, t.NoGrantClient, t.ShortLivedClient, t.DPoPClient} {
		if c != nil && (f.authMethod == rfc6749.AuthClientSecretBasic || f.authMethod == rfc6749.AuthClientSecretPost) {
			c.AuthMethods = t.Client.AuthMethods
		}
	}
	if err := t.Validate(); err != nil {
		return nil, usagef("%v", err)
	}
	p.target = t
	return p, nil
}

// readSecret takes a secret from its environment variable or a file, never
// from the command line, where other users and shell history could see it.
func readSecret(getenv func(string) string, env, file, flagName string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", usagef("%s: %v", flagName, unwrapPath(err))
		}
		s := strings.TrimRight(string(b), "\r\n")
		if s == "" {
			return "", usagef("%s: %s is empty", flagName, file)
		}
		return s, nil
	}
	if s := getenv(env); s != "" {
		return s, nil
	}
	return "", usagef("no client secret: set %s or pass %s", env, flagName)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// embed starts the reference server in-process and targets it: the
// default run, and the proof that the suite and the mock agree.
func (p *plan) embed() error {
	both := []string{rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost}
	key, err := mockserver.GenerateClientKey(mockserver.ES256)
	if err != nil {
		return err
	}
	// The private_key_jwt client also holds a secret, which must not
	// stand in for its key (JWT-ALG-01).
	jwtClient := key.Client("jwt-client", "read", "write")
	jwtClient.Secret = embeddedJWTClientSecret
	// A second private_key_jwt client, whose key must never verify
	// jwt-client's assertions (JWT-KEY-02).
	otherKey, err := mockserver.GenerateClientKey(mockserver.ES256)
	if err != nil {
		return err
	}
	// mTLS clients (RFC 8705): one by a CA-issued certificate with bound
	// tokens, one self-signed, and a second CA client whose certificate
	// must not authenticate the first (MTLS-02).
	selfSigned, err := mockserver.GenerateSelfSignedCert("mtls-self-signed")
	if err != nil {
		return err
	}
	cfg := mockserver.Config{
		// Production-like answers: the self-check shows the reference
		// server as a vendor's would run, not the developer mode whose
		// detailed reasons tell unknown clients from wrong secrets.
		TerseErrors: true,
		// The protected resource the RS-* specs call: the demo client's
		// tokens name it.
		ResourceAudience: []string{"https://api.example.test"},
		Clients: []mockserver.Client{
			{ID: mockserver.DemoClientID, Secret: mockserver.DemoClientSecret, Scopes: []string{"read", "write"}, DefaultScopes: []string{"read"}, Audience: []string{"https://api.example.test", "https://other.example.test"}},
			{ID: "svc:special", Secret: "p+ss w%rd&:x", Scopes: []string{"read"}},
			{ID: "no-cc-client", Secret: "no-cc-secret", GrantTypes: []string{rfc6749.GrantAuthorizationCode}},
			// INT-07 watches one of its tokens expire.
			{ID: "short-lived-client", Secret: "short-lived-secret", Scopes: []string{"read"}, TokenTTL: mockserver.Duration(2 * time.Second)},
			jwtClient,
			otherKey.Client("jwt-client-2", "read"),
			{ID: "mtls-client", AuthMethods: []string{mockserver.AuthTLSClient}, TLSClientAuthSubjectDN: "CN=mtls-client, O=occheck", Scopes: []string{"read"}, CertificateBoundTokens: true, Audience: []string{"https://api.example.test"}},
			{ID: "mtls-client-2", AuthMethods: []string{mockserver.AuthTLSClient}, TLSClientAuthSANDNS: "mtls-client-2.occheck.test", Scopes: []string{"read"}},
			selfSigned.Client("mtls-self-signed", "read"),
			{ID: "secret-jwt-client", Secret: embeddedSecretJWT, AuthMethods: []string{rfc6749.AuthClientSecretJWT}, Scopes: []string{"read"}},
			// DPOP-REQ-01: its tokens must be DPoP-bound.
			{ID: "dpop-client", Secret: "dpop-client-secret", Scopes: []string{"read"}, DPoPBoundAccessTokens: true},
		},
		// Server nonces (RFC 9449 §8), so that DPOP-NONCE-* run too.
		DPoPNonce: true,
	}
	s := mockserver.NewUnstartedServer(cfg)
	// TE-TLS-01 knocks on the https port in plain http on purpose; the
	// server's complaint about it is noise here.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	p.embedded = s
	mtlsCert, err := s.ClientCertificate("mtls-client")
	if err != nil {
		return err
	}
	otherCert, err := s.ClientCertificate("mtls-client-2")
	if err != nil {
		return err
	}
	p.target = suites.Target{
		TokenURL:         s.TokenURL(),
		Client:           suites.Client{ID: mockserver.DemoClientID, Secret: mockserver.DemoClientSecret, SecretEnv: suites.EnvClientSecret, AuthMethods: both},
		Scope:            "read write",
		ForbiddenScope:   "admin",
		Resource:         "https://api.example.test",
		SpecialClient:    &suites.Client{ID: "svc:special", Secret: "p+ss w%rd&:x", SecretEnv: suites.EnvSpecialSecret, AuthMethods: both},
		NoGrantClient:    &suites.Client{ID: "no-cc-client", Secret: "no-cc-secret", SecretEnv: suites.EnvNoGrantSecret, AuthMethods: both},
		ShortLivedClient: &suites.Client{ID: "short-lived-client", Secret: "short-lived-secret", SecretEnv: suites.EnvShortLivedSecret, AuthMethods: both},
		AssertionClient:  &suites.AssertionClient{ID: "jwt-client", Key: key.Private, KeyID: key.KeyID, Secret: embeddedJWTClientSecret},
		SecretJWTClient:  &suites.Client{ID: "secret-jwt-client", Secret: embeddedSecretJWT, SecretEnv: suites.EnvSecretJWTSecret},
		DPoPClient:       &suites.Client{ID: "dpop-client", Secret: "dpop-client-secret", SecretEnv: suites.EnvDPoPSecret, AuthMethods: both},
		OtherClientKey:   &suites.AssertionClient{ID: "jwt-client-2", Key: otherKey.Private, KeyID: otherKey.KeyID},
		MTLSClients: []*suites.MTLSClient{
			{ID: "mtls-client", Method: suites.AuthTLSClient, Cert: mtlsCert},
			{ID: "mtls-self-signed", Method: suites.AuthSelfSignedTLSClient, Cert: selfSigned.TLS},
		},
		OtherClientCert:  &otherCert,
		ResourceURL:      s.ResourceURL(),
		ResourceScopeURL: s.ResourceURL() + "/admin",
		OtherResource:    "https://other.example.test",
		MetadataURL:      s.MetadataURL(),
		HTTPClient:       s.Client(),
		Profiles:         append([]string{suites.ProfileRFC9068}, p.f.profiles...),
		Strict:           p.f.strict,
		RequestTimeout:   p.f.timeout,
		Rate:             p.f.rate,
	}
	return nil
}

func (p *plan) execute(ctx context.Context, stdout io.Writer) (*reports.Run, error) {
	c := newConsole(stdout, p.color)
	for _, w := range p.warnings {
		c.warn(w)
	}
	c.header(p)
	v, _ := versionString()
	run, err := suites.Run(ctx, p.target, suites.RunOptions{LabelFilter: p.filter})
	if run != nil {
		run.Version = v
		run.ConfigHash = p.configHash()
	}
	var abort *suites.AbortError
	if err != nil && !errors.As(err, &abort) {
		var ue *usageError
		if errors.As(err, &ue) {
			return nil, err
		}
		return nil, usagef("%v", err)
	}
	return run, err
}

// httpClient builds the client for the target's TLS settings.
func httpClient(caFile string, insecure bool, timeout time.Duration) (*http.Client, error) {
	if caFile != "" {
		c, err := probe.ClientWithCA(caFile, timeout)
		if err != nil {
			return nil, usagef("--ca-file: %v", err)
		}
		if insecure {
			c.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify = true
		}
		return c, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for, and loudly reported
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// runBaseline runs like occheck run and writes the failures and warnings
// as a baseline file.
func runBaseline(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	f := newRunFlags("baseline")
	if code, ok := parseFlags(f.fs, args, stdout, stderr); !ok {
		return code
	}
	if f.baseline != "" {
		return exitFor(stderr, "baseline", usagef("--baseline does not go with occheck baseline; it writes one (-o)"))
	}
	plan, err := f.plan(ctx, getenv, stderr)
	if err != nil {
		return exitFor(stderr, "baseline", err)
	}
	defer plan.close()
	run, err := plan.execute(ctx, stdout)
	if err != nil {
		return exitFor(stderr, "baseline", err)
	}
	plan.grade(run, nil, stdout)
	n, err := writeBaseline(f.output, run, time.Now())
	if err != nil {
		return exitFor(stderr, "baseline", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d known deviations; give each a reason, then pass --baseline %s\n", f.output, n, f.output)
	return exitOK
}

// writeReports writes the report files asked for.
func (p *plan) writeReports(run *reports.Run, getenv func(string) string) error {
	return writeReportFiles(p.f, run, getenv)
}

// errNothingToRerun: the earlier report has no failures.
var errNothingToRerun = errors.New("nothing to rerun")

// failedIn lists the specs that failed, warned or errored in a JSON report.
func failedIn(path string) ([]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, usagef("--rerun-failed: %v", unwrapPath(err))
	}
	defer fh.Close()
	run, err := reports.ReadJSON(fh)
	if err != nil {
		return nil, usagef("--rerun-failed %s: %v", path, err)
	}
	known := map[string]bool{}
	for _, e := range suites.Catalog() {
		known[e.ID] = true
	}
	var ids []string
	for _, s := range run.Specs {
		if (s.Verdict == reports.Fail || s.Verdict == reports.Warn || s.Verdict == reports.Error) && s.Baseline != reports.BaselineExpected && known[s.ID] {
			ids = append(ids, s.ID)
		}
	}
	return ids, nil
}

// assertionClient reads --client-key-file: the key of --assertion-client-id,
// or of the client under test when that flag is absent.
func assertionClient(f *runFlags) (*suites.AssertionClient, error) {
	switch {
	case f.assertionID == "" && f.clientKeyFile == "":
		if f.clientKeyID != "" || f.assertionAlg != "" {
			return nil, usagef("--client-key-id and --assertion-alg need --client-key-file")
		}
		return nil, nil
	case f.clientKeyFile == "":
		return nil, usagef("--assertion-client-id needs --client-key-file (its private key)")
	}
	key, kid, err := loadKeyFile(f.clientKeyFile, f.assertionAlg, "--client-key-file")
	if err != nil {
		return nil, err
	}
	switch f.clientKeyID {
	case "":
	case "none":
		kid = ""
	default:
		kid = f.clientKeyID
	}
	id := f.assertionID
	if id == "" {
		id = f.clientID // the key is the client under test's
	}
	return &suites.AssertionClient{ID: id, Key: key.Private, KeyID: kid, Alg: key.Alg}, nil
}

// mtlsClient reads --client-cert and --client-cert-key: the client under
// test's certificate. Its method is --auth-method's when that names an
// mTLS method, else self_signed_tls_client_auth for a self-signed
// certificate and tls_client_auth for one a CA issued.
func mtlsClient(f *runFlags) ([]*suites.MTLSClient, error) {
	if f.clientCert == "" && f.clientCertKey == "" {
		if f.authMethod == suites.AuthTLSClient || f.authMethod == suites.AuthSelfSignedTLSClient {
			return nil, usagef("--auth-method %s needs --client-cert and --client-cert-key", f.authMethod)
		}
		return nil, nil
	}
	if f.clientCert == "" || f.clientCertKey == "" {
		return nil, usagef("--client-cert and --client-cert-key go together")
	}
	pair, err := tls.LoadX509KeyPair(f.clientCert, f.clientCertKey)
	if err != nil {
		return nil, usagef("--client-cert: %v", unwrapPath(err))
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, usagef("--client-cert: %v", err)
	}
	pair.Leaf = leaf
	method := f.authMethod
	if method != suites.AuthTLSClient && method != suites.AuthSelfSignedTLSClient {
		method = suites.AuthTLSClient
		if bytes.Equal(leaf.RawIssuer, leaf.RawSubject) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
			method = suites.AuthSelfSignedTLSClient
		}
	}
	return []*suites.MTLSClient{{ID: f.clientID, Method: method, Cert: pair}}, nil
}

// loadKeyFile reads a client's private key, PEM or JWK, and the kid it is
// registered under: the JWK's kid, else its RFC 7638 thumbprint.
func loadKeyFile(path, alg, flagName string) (*mockserver.ClientKey, string, error) {
	key, err := mockserver.LoadClientKey(path, alg)
	if err != nil {
		return nil, "", usagef("%s: %s", flagName, strings.TrimPrefix(err.Error(), "key_file "))
	}
	kid := key.KeyID
	if data, err := os.ReadFile(path); err == nil && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		var jwk struct {
			Kid string `json:"kid"`
		}
		if json.Unmarshal(data, &jwk) == nil && jwk.Kid != "" {
			kid = jwk.Kid
		}
	}
	return key, kid, nil
}

// embeddedJWTClientSecret is a secret the embedded server's
// private_key_jwt client holds but may not authenticate with.
const embeddedJWTClientSecret = "embedded private_key_jwt client's unusable secret"

// embeddedSecretJWT is the secret of the embedded server's client_secret_jwt
// client: 32 bytes or more, the HS256 key size.
const embeddedSecretJWT = "embedded client_secret_jwt secret, 32+ bytes"

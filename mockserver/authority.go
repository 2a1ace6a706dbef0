package mockserver

import (
	"cmp"
	"context"
	"crypto"
	"crypto/x509"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/internal/rfc8414"
)

// Endpoint paths, relative to the issuer's path.
const (
	PathToken          = "/token"
	PathJWKS           = "/jwks"
	PathMetadata       = rfc8414.WellKnownOAuth
	PathOpenIDMetadata = rfc8414.WellKnownOpenID
	PathHealthz        = "/healthz"
)

const (
	formMediaType         = "application/x-www-form-urlencoded"
	jsonContentType       = "application/json;charset=UTF-8"
	defaultRealm          = "occheck"
	defaultRequestLogSize = 1000
)

// Authority is the authorization server as an http.Handler. Build it with
// New; Server wraps it in a listener.
type Authority struct {
	realm    string
	ttl      time.Duration
	audience []string
	clients  map[string]*client
	order    []string // client ids in configuration order
	signKey  *signingKey
	clock    *Clock
	logger   *slog.Logger
	mux      *http.ServeMux
	terse    bool // Config.TerseErrors: generic error descriptions
	scrub    *scrubber

	issuer atomic.Pointer[string]
	base   atomic.Pointer[string]
	reqlog requestLog

	// mu serialises changes to the active deviations; requests read the
	// compiled steps without a lock.
	mu     sync.Mutex
	quirks []Quirk
	devs   []deviation
	steps  atomic.Pointer[steps]
	faults faultSet

	// client assertions (RFC 7523)
	profile          string
	assertionSkew    time.Duration
	assertionMaxLife time.Duration
	replays          *replayCache
	assertionClients bool // some client may use an assertion method

	// token state (opaque tokens, revocations) and the default format
	store Store
	// claimSets caches the decoded claim sets of opaque tokens.
	claimSets   claimSetCache
	tokenFormat string
	// ref are the reference steps, for the introspection and revocation
	// callers' authentication.
	refOnce sync.Once
	ref     *steps
	// the protected resource: accepted audiences, query transport
	resAudience []string
	queryToken  bool

	// mutual TLS (RFC 8705)
	clientCA       *ClientCA
	clientCAs      *x509.CertPool
	boundGlobal    bool // Config.CertificateBoundTokens
	anyBound       bool // some client's tokens are bound
	certHeader     string
	trustedProxies []netip.Prefix

	// DPoP (RFC 9449): proof algorithms, window, server nonces
	dpopAlgs   []string
	dpopWindow time.Duration
	dpopNonces bool
	nonceKey   []byte
	// dpopReplays remembers recent proofs' jti, apart from assertions'.
	dpopReplays *replayCache

	// lazily made keys for the deviations that need one
	extraKeys sync.Map
}

// New builds the authorization server for cfg. It fails on an invalid
// configuration or an unusable key file.
func New(cfg Config) (*Authority, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Authority{
		realm:    cfg.Realm,
		ttl:      time.Duration(cfg.TokenTTL),
		audience: cfg.Audience,
		clients:  map[string]*client{},
		clock:    newClock(cfg.Now),
		logger:   cfg.Logger,
		terse:    cfg.TerseErrors,
	}
	if a.realm == "" {
		a.realm = defaultRealm
	}
	if a.ttl <= 0 {
		a.ttl = DefaultTokenTTL
	}
	clients := cfg.Clients
	if len(clients) == 0 {
		clients = []Client{DemoClient()}
	}
	for _, c := range clients {
		cl, err := newClient(c)
		if err != nil {
			return nil, err
		}
		a.clients[c.ID] = cl
		a.assertionClients = a.assertionClients || cl.allowsMethod(rfc6749.AuthPrivateKeyJWT) || cl.allowsMethod(rfc6749.AuthClientSecretJWT)
		a.order = append(a.order, c.ID)
	}
	a.profile = cmp.Or(cfg.AssertionProfile, ProfileRFC7523)
	a.assertionSkew = cmp.Or(time.Duration(cfg.AssertionSkew), DefaultAssertionSkew)
	a.assertionMaxLife = cmp.Or(time.Duration(cfg.AssertionMaxLifetime), DefaultAssertionMaxLifetime)
	a.replays = newReplayCache(cfg.ReplayCacheSize)
	a.dpopAlgs = cfg.DPoPSigningAlgs
	if len(a.dpopAlgs) == 0 {
		a.dpopAlgs = DefaultDPoPAlgs
		if a.profile == ProfileFAPI2 {
			a.dpopAlgs = FAPI2DPoPAlgs
		}
	}
	a.dpopWindow = cmp.Or(time.Duration(cfg.DPoPProofWindow), DefaultDPoPProofWindow)
	a.dpopNonces, a.nonceKey = cfg.DPoPNonce, newNonceKey()
	a.dpopReplays = newReplayCache(cfg.ReplayCacheSize)
	if err := a.initMTLS(cfg); err != nil {
		return nil, err
	}
	a.tokenFormat = cmp.Or(cfg.TokenFormat, FormatJWT)
	a.resAudience, a.queryToken = cfg.ResourceAudience, cfg.ResourceQueryToken
	a.store = cfg.Store
	if a.store == nil && strings.HasPrefix(cfg.StoreURL, "redis") {
		rs, err := NewRedisStore(context.Background(), cfg.StoreURL)
		if err != nil {
			return nil, err
		}
		rs.SetClock(a.now)
		a.store = rs
	}
	if a.store == nil {
		a.store = NewMemoryStore(a.now, cfg.MaxTokens)
	}
	a.scrub = newScrubber(a.clients)
	alg := cfg.SigningAlg
	if alg == "" {
		alg = RS256
	}
	var key crypto.Signer
	var err error
	if cfg.KeyFile != "" {
		key, err = loadKey(cfg.KeyFile)
	} else {
		key, err = generateKey(alg)
	}
	if err != nil {
		return nil, err
	}
	if a.signKey, err = newSigningKey(key, alg, "at+jwt"); err != nil {
		return nil, err
	}
	if cfg.KeyFile != "" {
		// Replicas that share a key file recognise each other's nonces.
		a.nonceKey = nonceKeyFrom(key)
	}
	setKeyOverlap(a, time.Duration(cfg.KeyOverlap))
	if err := initExtraKeys(a, cfg.ExtraSigningAlgs); err != nil {
		return nil, err
	}
	a.reqlog.size = cfg.RequestLogSize
	if a.reqlog.size == 0 {
		a.reqlog.size = defaultRequestLogSize
	}
	if cfg.Issuer != "" {
		a.setIssuer(cfg.Issuer)
	}
	if cfg.PublicURL != "" {
		a.setBase(cfg.PublicURL)
	}
	if err := a.SetQuirks(cfg.Quirks...); err != nil {
		return nil, err
	}
	a.mux = http.NewServeMux()
	issuerPath := ""
	if u, _ := url.Parse(cfg.Issuer); u != nil && strings.Trim(u.Path, "/") != "" {
		issuerPath = "/" + strings.Trim(u.Path, "/")
	}
	// The root serves the endpoints either way; the metadata only where
	// its URL belongs to the issuer it names (RFC 8414 §3.1, §3.3).
	if cfg.Admin {
		a.mux.Handle(PathAdmin, a.adminAPI(cfg.AdminToken))
	}
	a.route("", issuerPath == "")
	if issuerPath != "" {
		a.route(issuerPath, true)
		// RFC 8414 §3.1: the well-known segment goes between host and path.
		a.mux.HandleFunc("GET "+PathMetadata+issuerPath, a.withFaults(EndpointMetadata, a.serveMetadata))
	}
	if !cfg.NoOpenIDAlias {
		// OpenID Connect Discovery §4 appends the well-known segment to
		// the issuer (RFC 8414 §5 keeps that form for openid-configuration).
		a.mux.HandleFunc("GET "+issuerPath+PathOpenIDMetadata, a.withFaults(EndpointMetadata, a.serveMetadata))
	}
	return a, nil
}

func (a *Authority) route(prefix string, metadata bool) {
	a.mux.HandleFunc(prefix+PathToken, a.serveTokenWithFaults)
	a.mux.HandleFunc(prefix+PathIntrospect, a.serveIntrospect)
	a.mux.HandleFunc(prefix+PathRevoke, a.serveRevoke)
	a.mux.Handle(prefix+PathResource, a.RequireToken()(http.HandlerFunc(a.serveResource)))
	// /resource/{scope} needs that scope: a route for insufficient_scope.
	a.mux.HandleFunc(prefix+PathResource+"/{scope}", func(w http.ResponseWriter, r *http.Request) {
		a.RequireToken(r.PathValue("scope"))(http.HandlerFunc(a.serveResource)).ServeHTTP(w, r)
	})
	a.mux.HandleFunc("GET "+prefix+PathJWKS, a.withFaults(EndpointJWKS, a.serveJWKS))
	a.mux.HandleFunc("GET "+prefix+PathHealthz, a.serveHealthz)
	if metadata {
		a.mux.HandleFunc("GET "+prefix+PathMetadata, a.withFaults(EndpointMetadata, a.serveMetadata))
	}
}

// withFaults lets scheduled faults hit a document endpoint.
func (a *Authority) withFaults(endpoint string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, name := a.faults.hit(endpoint, "", "")
		if f == nil {
			h(w, r)
			return
		}
		quiet := r.WithContext(context.WithValue(r.Context(), journaledKey{}, true))
		a.faulty(w, quiet, f, func(w http.ResponseWriter) { h(w, quiet) })
		rec := rawRequest{RecordedRequest: RecordedRequest{Time: a.now(), Endpoint: endpoint, Method: r.Method, Path: r.URL.Path, Status: http.StatusOK},
			header: r.Header, rawQuery: r.URL.RawQuery}
		if sw, ok := w.(*statusWriter); ok {
			rec.Status = sw.code
		}
		a.faultOutcome(w, &rec, f, name)
		a.reqlog.add(rec)
	}
}

// SetQuirks switches on exactly these deviations, at once for every
// request that starts after it returns; none switches them all off. It is
// safe while requests are served.
func (a *Authority) SetQuirks(qs ...Quirk) error {
	// Sorted and once each: the same set always behaves the same, whatever
	// order it was given in (quirks that replace one step: the later name
	// wins).
	qs = slices.Clone(qs)
	slices.Sort(qs)
	qs = slices.Compact(qs)
	var devs []deviation
	for _, q := range qs {
		d, ok := quirkTable[q]
		if !ok {
			return &unknownQuirkError{q}
		}
		devs = append(devs, d.hooks)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.quirks = qs
	a.devs = devs
	a.steps.Store(a.compile(devs))
	return nil
}

// compileWith builds the steps of the active deviations plus extra, for
// the requests a fault hits.
func (a *Authority) compileWith(extra deviation) *steps {
	a.mu.Lock()
	devs := append(slices.Clone(a.devs), extra)
	a.mu.Unlock()
	return a.compile(devs)
}

// Quirks lists the deviations switched on, sorted.
func (a *Authority) Quirks() []Quirk {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.quirks)
}

type unknownQuirkError struct{ q Quirk }

func (e *unknownQuirkError) Error() string {
	return "unknown quirk " + string(e.q) + " (occheck mock --list-quirks lists them)"
}

// setIssuer fixes the issuer once; later calls are ignored so it stays
// stable for the server's lifetime.
func (a *Authority) setIssuer(iss string) {
	iss = strings.TrimSuffix(iss, "/")
	a.issuer.CompareAndSwap(nil, &iss)
}

// setBase fixes the address clients reach the server at, once.
func (a *Authority) setBase(u string) {
	u = strings.TrimSuffix(u, "/")
	a.base.CompareAndSwap(nil, &u)
}

// Issuer is the issuer identifier: the iss claim of every token and the
// RFC 8414 issuer. It is Config.Issuer, or the listener's URL when none was
// configured.
func (a *Authority) Issuer() string {
	if p := a.issuer.Load(); p != nil {
		return *p
	}
	return ""
}

// BaseURL is where clients reach the server: Config.PublicURL, or the
// listener's URL. The endpoint URLs below and those in the metadata are
// built on it, so they point at the server even when the issuer names
// another host.
func (a *Authority) BaseURL() string {
	if p := a.base.Load(); p != nil {
		return *p
	}
	u, err := url.Parse(a.Issuer())
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// issuerPath is the path component of the issuer, "" for none.
func (a *Authority) issuerPath() string {
	u, err := url.Parse(a.Issuer())
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// TokenURL is the token endpoint's absolute URL.
func (a *Authority) TokenURL() string { return a.BaseURL() + a.issuerPath() + PathToken }

// JWKSURL is the JWK Set's absolute URL.
func (a *Authority) JWKSURL() string { return a.BaseURL() + a.issuerPath() + PathJWKS }

// MetadataURL is the RFC 8414 metadata URL for the issuer: the well-known
// segment between the host and the issuer's path (§3.1).
func (a *Authority) MetadataURL() string { return a.BaseURL() + PathMetadata + a.issuerPath() }

// KeyID is the kid of the signing key.
func (a *Authority) KeyID() string { return a.currentKey().kid }

// PublicKey is the public half of the signing key, for verifying tokens.
func (a *Authority) PublicKey() crypto.PublicKey { return a.currentKey().public.Key }

// ServeHTTP serves the token endpoint, JWKS, metadata and health check.
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.Issuer() == "" || a.base.Load() == nil {
		// Served by a caller's own listener: derive the missing URLs
		// from the first request, then keep them.
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		a.setIssuer(scheme + "://" + r.Host)
		a.setBase(scheme + "://" + r.Host)
	}
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	a.mux.ServeHTTP(sw, r)
	if a.logger != nil {
		a.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status()),
			slog.String("client_id", sw.clientID),
			slog.String("error", sw.errCode),
			slog.String("reason", sw.reason),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	}
	if sw.aborted {
		// After the access log and the journal have the request:
		// net/http closes the connection without writing a response.
		panic(http.ErrAbortHandler)
	}
}

// statusWriter remembers what the access log needs.
type statusWriter struct {
	http.ResponseWriter
	code     int
	clientID string
	errCode  string
	reason   string
	// aborted asks ServeHTTP to drop the connection without a response.
	aborted bool
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush passes through, for faults that drip a response.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusWriter) status() int {
	if s.aborted {
		return 0
	}
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

func (a *Authority) now() time.Time { return a.clock.Now() }

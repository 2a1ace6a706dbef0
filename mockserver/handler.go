package mockserver

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

// MaxBodyBytes bounds a token request body; larger bodies get 400.
const MaxBodyBytes = 64 << 10

// Endpoint paths, relative to the issuer's path.
const (
	PathToken             = "/token"
	PathJWKS              = "/jwks"
	PathMetadata          = "/.well-known/oauth-authorization-server"
	PathOpenIDMetadata    = "/.well-known/openid-configuration"
	PathHealthz           = "/healthz"
	formMediaType         = "application/x-www-form-urlencoded"
	jsonContentType       = "application/json;charset=UTF-8"
	defaultRealm          = "occheck"
	defaultRequestLogSize = 1000
)

// Authority is the authorization server as an http.Handler. Build it with
// Handler; Server wraps it in a listener.
type Authority struct {
	quirks   quirkSet
	realm    string
	ttl      time.Duration
	audience []string
	clients  map[string]*client
	order    []string // client ids in configuration order
	signKey  *signingKey
	clock    func() time.Time
	logger   *slog.Logger
	mux      *http.ServeMux

	issuer atomic.Pointer[string]
	reqlog requestLog

	decoyOnce sync.Once
	decoy     jose.JSONWebKey
	// claimQuirks is set when a quirk bends token claims, so minting
	// takes the general path.
	claimQuirks bool
}

// Handler builds the authorization server for cfg. It fails on an invalid
// configuration or an unusable key file.
func Handler(cfg Config) (*Authority, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Authority{
		quirks:   newQuirkSet(cfg.Quirks),
		realm:    cfg.Realm,
		ttl:      time.Duration(cfg.TokenTTL),
		audience: cfg.Audience,
		clients:  map[string]*client{},
		clock:    cfg.Now,
		logger:   cfg.Logger,
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
		a.clients[c.ID] = newClient(c)
		a.order = append(a.order, c.ID)
	}
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
	for _, q := range []Quirk{QuirkJWTClientIDOther, QuirkJWTMissingClaims, QuirkJWTSubNotClient, QuirkJWTExpMismatch, QuirkJWTNoAud, QuirkJWTScopeArray} {
		a.claimQuirks = a.claimQuirks || a.quirks.on(q)
	}
	typ := "at+jwt"
	if a.quirks.on(QuirkJWTTypJWT) {
		typ = "JWT"
	}
	if a.signKey, err = newSigningKey(key, alg, typ); err != nil {
		return nil, err
	}
	a.reqlog.size = cfg.RequestLogSize
	if a.reqlog.size == 0 {
		a.reqlog.size = defaultRequestLogSize
	}
	if cfg.Issuer != "" {
		a.setIssuer(cfg.Issuer)
	}
	a.mux = http.NewServeMux()
	issuerPath := ""
	if u, _ := url.Parse(cfg.Issuer); u != nil && strings.Trim(u.Path, "/") != "" {
		issuerPath = "/" + strings.Trim(u.Path, "/")
	}
	// The root serves the endpoints either way; the metadata only where
	// its URL belongs to the issuer it names (RFC 8414 §3.1, §3.3).
	a.route("", issuerPath == "")
	if issuerPath != "" {
		a.route(issuerPath, true)
		// RFC 8414 §3.1: the well-known segment goes between host and path.
		a.mux.HandleFunc("GET "+PathMetadata+issuerPath, a.serveMetadata)
	}
	return a, nil
}

func (a *Authority) route(prefix string, metadata bool) {
	a.mux.HandleFunc(prefix+PathToken, a.serveToken)
	a.mux.HandleFunc("GET "+prefix+PathJWKS, a.serveJWKS)
	a.mux.HandleFunc("GET "+prefix+PathHealthz, a.serveHealthz)
	if metadata {
		a.mux.HandleFunc("GET "+prefix+PathMetadata, a.serveMetadata)
		a.mux.HandleFunc("GET "+prefix+PathOpenIDMetadata, a.serveMetadata)
	}
}

// setIssuer fixes the issuer once; later calls are ignored so it stays
// stable for the server's lifetime.
func (a *Authority) setIssuer(iss string) {
	iss = strings.TrimSuffix(iss, "/")
	a.issuer.CompareAndSwap(nil, &iss)
}

// Issuer is the issuer identifier (iss, RFC 8414 issuer). Empty until the
// server has started or served its first request when none was configured.
func (a *Authority) Issuer() string {
	if p := a.issuer.Load(); p != nil {
		return *p
	}
	return ""
}

// TokenURL is the token endpoint's absolute URL.
func (a *Authority) TokenURL() string { return a.Issuer() + PathToken }

// JWKSURL is the JWK Set's absolute URL.
func (a *Authority) JWKSURL() string { return a.Issuer() + PathJWKS }

// MetadataURL is the RFC 8414 metadata URL for the issuer.
func (a *Authority) MetadataURL() string {
	u, err := url.Parse(a.Issuer())
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	u.Path = PathMetadata + p
	return u.String()
}

// Quirks lists the quirks switched on.
func (a *Authority) Quirks() []Quirk { return a.quirks.list() }

// KeyID is the kid of the signing key.
func (a *Authority) KeyID() string { return a.signKey.kid }

// PublicKey is the public half of the signing key, for verifying tokens.
func (a *Authority) PublicKey() crypto.PublicKey { return a.signKey.public.Key }

func (a *Authority) key() *signingKey { return a.signKey }

// ServeHTTP serves the token endpoint, JWKS, metadata and health check.
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.Issuer() == "" {
		// Served by a caller's own listener with no configured issuer:
		// derive it from the first request, then keep it.
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		a.setIssuer(scheme + "://" + r.Host)
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
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	}
	if sw.aborted {
		// The crash-on-bad-escape quirk, after the access log and the
		// journal have the request: net/http closes the connection
		// without writing a response and without logging a panic.
		panic(http.ErrAbortHandler)
	}
}

// statusWriter remembers what the access log needs.
type statusWriter struct {
	http.ResponseWriter
	code     int
	clientID string
	errCode  string
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

func (s *statusWriter) status() int {
	if s.aborted {
		return 0
	}
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

// tokenRequest is a token request after parsing: single-valued parameters
// with empty values dropped (§3.2), and the resource list (RFC 8707).
type tokenRequest struct {
	params     map[string]string
	resources  []string
	emptyScope bool
}

var knownParams = []string{
	rfc6749.ParamGrantType, rfc6749.ParamScope, rfc6749.ParamClientID, rfc6749.ParamClientSecret,
	rfc6749.ParamClientAssertion, rfc6749.ParamClientAssertionType, rfc6749.ParamResource,
}

func (a *Authority) serveToken(w http.ResponseWriter, r *http.Request) {
	rec := rawRequest{RecordedRequest: RecordedRequest{Time: a.now(), Method: r.Method, Path: r.URL.Path}, header: r.Header, rawQuery: r.URL.RawQuery}
	sw, _ := w.(*statusWriter)
	var form url.Values
	status, clientID, code := a.token(w, r, &form)
	rec.form = form
	rec.Status, rec.ClientID, rec.Error = status, clientID, code
	if sw != nil {
		sw.clientID, sw.errCode = clientID, code
	}
	a.reqlog.add(rec)
	if status == statusAborted {
		if sw == nil {
			panic(http.ErrAbortHandler)
		}
		sw.aborted = true
	}
}

// statusAborted is the status token reports when the connection is to be
// dropped without any response (crash-on-bad-escape quirk); the request
// journal records it as is.
const statusAborted = 0

// errAbort makes token drop the connection instead of answering.
var errAbort = &oauthError{Code: rfc6749.ErrServerError, Status: http.StatusInternalServerError, Description: "connection aborted"}

// token runs the token endpoint. Checks run in a fixed order: malformed
// request, client authentication, grant permission, scope and resource, so
// unauthenticated callers learn nothing about grants or scopes.
func (a *Authority) token(w http.ResponseWriter, r *http.Request, form *url.Values) (status int, clientID, code string) {
	usedHeader := len(r.Header.Values("Authorization")) > 0
	fail := func(e *oauthError) (int, string, string) {
		if e.Code == rfc6749.ErrInvalidClient && usedHeader && a.quirks.on(QuirkBasic400) {
			e.Status, e.Challenge = http.StatusBadRequest, false
		}
		if e.Code == rfc6749.ErrInvalidClient && !usedHeader && a.quirks.on(QuirkPost401NoChallenge) {
			e.Status, e.Challenge = http.StatusUnauthorized, false
		}
		return a.writeError(w, e), clientID, e.Code
	}

	var vals url.Values
	switch {
	case r.Method == http.MethodPost:
		v, e := a.readForm(w, r)
		if e != nil {
			return fail(e)
		}
		vals = v
	case r.Method == http.MethodGet && a.quirks.on(QuirkAcceptGET):
		vals = r.URL.Query()
	case r.Method != http.MethodGet && r.Method != http.MethodHead && a.quirks.on(QuirkAnyMethod):
		v, e := a.readForm(w, r)
		if e != nil {
			return fail(e)
		}
		vals = v
	default:
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions && a.quirks.on(QuirkMethods501) {
			return fail(&oauthError{Code: rfc6749.ErrInvalidRequest, Status: http.StatusNotImplemented, Description: "method not implemented"})
		}
		return fail(&oauthError{Code: rfc6749.ErrInvalidRequest, Status: http.StatusMethodNotAllowed, Allow: http.MethodPost,
			Description: "the token endpoint accepts only POST (RFC 6749 section 3.2)"})
	}
	*form = vals
	q := r.URL.Query()
	if a.quirks.on(QuirkQueryParams) {
		for k, vs := range q {
			vals[k] = append(vals[k], vs...)
		}
	} else if r.Method != http.MethodGet {
		for _, k := range []string{rfc6749.ParamClientID, rfc6749.ParamClientSecret, rfc6749.ParamClientAssertion} {
			if q.Has(k) {
				return fail(errInvalidRequest("client credentials must not be sent in the request URI (RFC 6749 section 2.3.1)"))
			}
		}
	}
	req, e := a.parseParams(vals)
	if e != nil {
		return fail(e)
	}
	p := req.params
	if _, present := p[rfc6749.ParamGrantType]; !present {
		switch {
		case a.quirks.on(QuirkMissingGrantInvalidClient):
			return fail(errInvalidClient("missing grant type"))
		case a.quirks.on(QuirkDefaultGrantType):
			p[rfc6749.ParamGrantType] = rfc6749.GrantClientCredentials
		default:
			return fail(errInvalidRequest("grant_type is required"))
		}
	}

	cl, e := a.authenticate(r, p)
	if e == errAbort {
		return statusAborted, "", ""
	}
	if e != nil {
		if a.quirks.on(QuirkEchoSecret) {
			e.Echo = " (client_secret " + presentedSecret(r, p) + ")"
		}
		return fail(e)
	}
	clientID = cl.ID

	gt := p[rfc6749.ParamGrantType]
	if gt == rfc6749.GrantPassword {
		switch {
		case a.quirks.on(QuirkPasswordAccessDenied):
			return fail(&oauthError{Code: "access_denied", Status: http.StatusForbidden,
				Description: "the resource owner password credentials grant is not allowed"})
		case a.quirks.on(QuirkPasswordInvalidRequest):
			return fail(errInvalidRequest("the resource owner password credentials grant is not supported"))
		}
	}
	if gt != rfc6749.GrantClientCredentials && !a.quirks.on(QuirkAnyGrantType) {
		e := &oauthError{Code: rfc6749.ErrUnsupportedGrantType, Status: http.StatusBadRequest,
			Description: "this server supports only the client_credentials grant"}
		switch {
		case a.quirks.on(QuirkUnknownGrantInvalidRequest):
			e.Code = rfc6749.ErrInvalidRequest
		case a.quirks.on(QuirkErrorCodeChars):
			e.Code = `unsupported "grant" type`
		}
		if a.quirks.on(QuirkEchoSecret) {
			e.Echo = " (client_secret " + presentedSecret(r, p) + ")"
		}
		return fail(e)
	}
	if (!cl.allowsGrant(rfc6749.GrantClientCredentials) || a.quirks.on(QuirkNoClientCredentials)) && !a.quirks.on(QuirkGrantTypesNotEnforced) {
		st := http.StatusBadRequest
		if a.quirks.on(QuirkForbiddenGrant) {
			st = http.StatusForbidden
		}
		return fail(&oauthError{Code: rfc6749.ErrUnauthorizedClient, Status: st,
			Description: "this client may not use the client_credentials grant"})
	}

	scopes, hideScope, e := a.grantScopes(cl, req)
	if e != nil {
		if a.quirks.on(QuirkNonRegistryError) {
			e.Code = "insufficient_scope"
		}
		if a.quirks.on(QuirkEchoSecret) {
			e.Echo = " (client_secret " + presentedSecret(r, p) + ")"
		}
		return fail(e)
	}
	aud, e := a.audienceFor(cl, req.resources)
	if e != nil {
		return fail(e)
	}
	if len(req.resources) == 0 && a.quirks.on(QuirkJWTAudEmpty) {
		aud = []string{""}
	}
	tok, err := a.mint(cl, scopes, aud)
	if err != nil {
		return fail(&oauthError{Code: rfc6749.ErrServerError, Status: http.StatusInternalServerError, Description: "token signing failed"})
	}
	emptyScope := a.quirks.on(QuirkScopeEmptyString) && sameScopes(scopes, p[rfc6749.ParamScope])
	return a.writeToken(w, tok, scopes, hideScope, emptyScope), clientID, ""
}

// sameScopes reports whether a scope parameter was sent and the granted
// scopes are exactly its tokens, for the scope-empty-string quirk.
func sameScopes(granted []string, requested string) bool {
	asked := strings.Fields(requested)
	if len(asked) == 0 {
		return false
	}
	for _, s := range asked {
		if !slices.Contains(granted, s) {
			return false
		}
	}
	for _, s := range granted {
		if !slices.Contains(asked, s) {
			return false
		}
	}
	return true
}

// readForm checks the media type and reads the bounded body.
func (a *Authority) readForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, errInvalidRequest("Content-Type must be application/x-www-form-urlencoded")
	}
	if a.quirks.on(QuirkStrictContentType) && ct != formMediaType {
		return nil, errInvalidRequest("Content-Type must be application/x-www-form-urlencoded")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" && a.quirks.on(QuirkAcceptJSONBody) {
		return readJSONForm(w, r)
	}
	if err == nil && mt == "application/json" && a.quirks.on(QuirkJSONBody401) {
		return nil, &oauthError{Code: rfc6749.ErrUnsupportedGrantType, Status: http.StatusUnauthorized, Challenge: true,
			Description: "grant_type is missing from the request"}
	}
	if err != nil || mt != formMediaType {
		return nil, errInvalidRequest("Content-Type must be application/x-www-form-urlencoded")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
		return nil, errInvalidRequest("the form body must be UTF-8 (RFC 6749 Appendix B)")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errInvalidRequest("request body exceeds %d bytes", MaxBodyBytes)
		}
		return nil, errInvalidRequest("request body could not be read")
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errInvalidRequest("request body is not valid application/x-www-form-urlencoded")
	}
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return nil, errInvalidRequest("request body is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, errInvalidRequest("request body is not valid UTF-8")
			}
		}
	}
	return vals, nil
}

// parseParams applies §3.2: empty values count as absent, a parameter may
// appear once (resource excepted, RFC 8707 §2), unknown ones are ignored.
func (a *Authority) parseParams(vals url.Values) (*tokenRequest, *oauthError) {
	req := &tokenRequest{params: make(map[string]string, len(vals))}
	for k, vs := range vals {
		var set []string
		for _, v := range vs {
			if v != "" {
				set = append(set, v)
			}
		}
		if k == rfc6749.ParamResource {
			if len(set) > 1 && a.quirks.on(QuirkResourceRepeatRejected) {
				return nil, errInvalidRequest("parameter resource is repeated")
			}
			req.resources = set
			continue
		}
		if a.quirks.on(QuirkRejectUnknownParams) && !slices.Contains(knownParams, k) {
			return nil, errInvalidRequest("unsupported parameter %s", clip(k))
		}
		if len(set) == 0 {
			if k == rfc6749.ParamScope && len(vs) > 0 {
				req.emptyScope = true
			}
			if a.quirks.on(QuirkEmptyValuesKept) && len(vs) > 0 {
				req.params[k] = ""
			}
			continue
		}
		if len(set) > 1 && !a.quirks.on(QuirkRepeatedParams) {
			return nil, errInvalidRequest("parameter %s is repeated (RFC 6749 section 3.2)", clip(k))
		}
		req.params[k] = set[0]
	}
	return req, nil
}

// clip shortens request-supplied text before it goes into a description.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// authenticate establishes the client (RFC 6749 §2.3.1): HTTP Basic with
// Appendix B decoding, or client_id and client_secret in the body, never
// both. Unknown client and wrong secret get the same answer.
func (a *Authority) authenticate(r *http.Request, p map[string]string) (*client, *oauthError) {
	if p[rfc6749.ParamClientAssertion] != "" || p[rfc6749.ParamClientAssertionType] != "" {
		return nil, errInvalidClient("client assertions are not supported by this server; use client_secret_basic or client_secret_post")
	}
	bodyID, bodySecret := p[rfc6749.ParamClientID], p[rfc6749.ParamClientSecret]
	var id, secret, method string
	authz := r.Header.Values("Authorization")
	switch {
	case len(authz) > 1:
		return nil, errInvalidRequest("more than one Authorization header")
	case len(authz) == 1:
		scheme, cred, _ := strings.Cut(strings.TrimSpace(authz[0]), " ")
		if !strings.EqualFold(scheme, "Basic") && !a.quirks.on(QuirkAnyAuthScheme) {
			return nil, errInvalidClient("unsupported authentication scheme; use HTTP Basic")
		}
		if a.quirks.on(QuirkNoBasic) || (a.quirks.on(QuirkBasicSchemeCaseSensitive) && scheme != "Basic") {
			return nil, errInvalidClient("HTTP Basic is not accepted here")
		}
		if (a.quirks.on(QuirkCrashOnBadEscape) || a.quirks.on(QuirkCrashOnBadEscape500)) && badEscape(strings.TrimSpace(cred)) {
			if a.quirks.on(QuirkCrashOnBadEscape) {
				return nil, errAbort
			}
			return nil, &oauthError{Code: rfc6749.ErrServerError, Status: http.StatusInternalServerError, Description: "internal error"}
		}
		var err error
		id, secret, err = a.parseBasic(strings.TrimSpace(cred))
		if err != nil {
			if a.quirks.on(QuirkMalformedBasic500) {
				return nil, &oauthError{Code: rfc6749.ErrServerError, Status: http.StatusInternalServerError, Description: "internal error"}
			}
			return nil, errInvalidClient(err.Error())
		}
		if bodyID != "" && a.quirks.on(QuirkMultiMethodBodyWins) {
			// Neither the body's secret nor the Basic credentials count.
			if cl := a.clients[bodyID]; cl != nil {
				return cl, nil
			}
			return nil, errInvalidClient("client authentication failed")
		}
		if !a.quirks.on(QuirkTwoAuthMethods) {
			if bodySecret != "" {
				return nil, errInvalidRequest("more than one client authentication method used (RFC 6749 section 2.3)")
			}
			if bodyID != "" && bodyID != id {
				return nil, errInvalidRequest("client_id does not match the client authenticated by HTTP Basic")
			}
			if bodyID != "" && a.quirks.on(QuirkClientIDWithBasicRejected) {
				return nil, errInvalidRequest("more than one client authentication method used")
			}
		}
		method = rfc6749.AuthClientSecretBasic
	case bodyID != "" && bodySecret != "":
		if a.quirks.on(QuirkNoPost) {
			return nil, errInvalidClient("client credentials in the body are not accepted here")
		}
		id, secret, method = bodyID, bodySecret, rfc6749.AuthClientSecretPost
	case bodySecret != "":
		return nil, errInvalidClient("client_secret without client_id")
	case bodyID != "":
		if cl := a.clients[bodyID]; cl != nil && a.quirks.on(QuirkClientIDAlone) {
			return cl, nil
		}
		if a.quirks.on(QuirkClientIDAloneInvalidRequest) {
			return nil, errInvalidRequest("client_secret is required")
		}
		return nil, errInvalidClient("client authentication required: client_id alone does not authenticate a confidential client")
	default:
		switch {
		case a.quirks.on(QuirkNoClientAuth):
			return a.clients[a.order[0]], nil
		case a.quirks.on(QuirkMissingAuthInvalidRequest):
			return nil, errInvalidRequest("client credentials are required")
		}
		return nil, errInvalidClient("client authentication required")
	}

	cl := a.clients[id]
	ok := secretMatches(cl, secret)
	if a.quirks.on(QuirkAnySecret) && cl != nil {
		ok = true
	}
	if a.quirks.on(QuirkUnknownClients) && cl == nil {
		cl, ok = newClient(Client{ID: id, Secret: secret, Scopes: a.anyScopes()}), true
	}
	if !ok {
		switch {
		case a.quirks.on(QuirkWrongSecretUnauthorizedClient):
			return nil, &oauthError{Code: rfc6749.ErrUnauthorizedClient, Status: http.StatusBadRequest, Description: "client authentication failed"}
		case a.quirks.on(QuirkWrongSecretInvalidGrant):
			return nil, &oauthError{Code: rfc6749.ErrInvalidGrant, Status: http.StatusBadRequest, Description: "client authentication failed"}
		}
		return nil, errInvalidClient("client authentication failed")
	}
	if !cl.allowsMethod(method) {
		return nil, errInvalidClient("this client may not authenticate with " + method)
	}
	return cl, nil
}

// anyScopes is every scope any client has, for the unknown-clients quirk.
func (a *Authority) anyScopes() []string {
	var out []string
	for _, id := range a.order {
		for _, s := range a.clients[id].Scopes {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// grantScopes applies §3.3: syntax, the client's allowance, defaults.
func (a *Authority) grantScopes(cl *client, req *tokenRequest) (scopes []string, hide bool, e *oauthError) {
	if req.emptyScope && a.quirks.on(QuirkEmptyScopeInvalid) {
		return nil, false, errInvalidScope("scope must not be empty")
	}
	raw, present := req.params[rfc6749.ParamScope]
	if present && raw == "" && a.quirks.on(QuirkEmptyValuesKept) {
		return nil, false, errInvalidScope("scope must not be empty")
	}
	if a.quirks.on(QuirkScopesNotEnforced) {
		if toks := strings.Fields(raw); len(toks) > 0 {
			return toks, false, nil
		}
	}
	if a.quirks.on(QuirkScopeCaseInsensitive) {
		raw = strings.ToLower(raw)
	}
	toks, ok := rfc6749.ParseScope(raw)
	if !ok {
		return nil, false, errInvalidScope("scope must be scope tokens separated by single spaces (RFC 6749 section 3.3)")
	}
	if len(toks) == 0 && a.quirks.on(QuirkScopeRequired) {
		return nil, false, errInvalidRequest("scope is required")
	}
	if a.quirks.on(QuirkWidenedScopeHidden) && len(toks) > 0 {
		return slices.Clone(cl.Scopes), true, nil
	}
	if len(toks) == 0 {
		return slices.Clone(cl.DefaultScopes), false, nil
	}
	var granted []string
	for _, t := range toks {
		if slices.Contains(granted, t) {
			continue
		}
		if !cl.allowsScope(t) {
			return nil, false, errInvalidScope("scope %s is not allowed for this client", clip(t))
		}
		granted = append(granted, t)
	}
	if len(granted) > 1 && a.quirks.on(QuirkScopeNarrowedHidden) {
		return granted[:1], true, nil
	}
	return granted, false, nil
}

// audienceFor applies RFC 8707: resource values are absolute URIs without
// fragment, and must be among the client's audiences when it has any.
func (a *Authority) audienceFor(cl *client, resources []string) ([]string, *oauthError) {
	if a.quirks.on(QuirkResourceIgnored) && len(resources) > 0 {
		return []string{a.Issuer()}, nil
	}
	var uniq []string
	for _, res := range resources {
		if err := checkAbsoluteURI(res); err != nil && !a.quirks.on(QuirkResourceUnchecked) {
			return nil, errInvalidTarget("resource must be an absolute URI without a fragment (RFC 8707 section 2)")
		}
		if len(cl.Audience) > 0 && !slices.Contains(cl.Audience, res) && !a.quirks.on(QuirkResourceUnchecked) {
			e := errInvalidTarget("resource %s is not available to this client", clip(res))
			if a.quirks.on(QuirkResourceWrongError) {
				e.Code = rfc6749.ErrInvalidRequest
			}
			return nil, e
		}
		if !slices.Contains(uniq, res) {
			uniq = append(uniq, res)
		}
	}
	resources = uniq
	switch {
	case len(resources) > 0:
		return resources, nil
	case len(cl.Audience) > 0:
		return cl.Audience, nil
	case len(a.audience) > 0:
		return a.audience, nil
	}
	return []string{a.Issuer()}, nil
}

// writeToken writes the §5.1 success response.
// emptyScope writes the scope member as "" (scope-empty-string quirk).
func (a *Authority) writeToken(w http.ResponseWriter, tok accessToken, scopes []string, hideScope, emptyScope bool) int {
	h := w.Header()
	a.setNoStore(h)
	resp := struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type,omitempty"`
		ExpiresIn    any    `json:"expires_in"`
		Scope        any    `json:"scope,omitempty"`
		RefreshToken string `json:"refresh_token,omitempty"`
	}{AccessToken: tok.Value, TokenType: rfc6749.TokenTypeBearer, ExpiresIn: tok.ExpiresIn}
	if !hideScope && len(scopes) > 0 {
		resp.Scope = strings.Join(scopes, " ")
		if a.quirks.on(QuirkScopeArray) {
			resp.Scope = scopes
		}
		if emptyScope {
			resp.Scope = ""
		}
	}
	if a.quirks.on(QuirkAccessTokenNonASCII) {
		resp.AccessToken += "é"
	}
	if a.quirks.on(QuirkExpiresInFraction) {
		resp.ExpiresIn = float64(tok.ExpiresIn) - 0.5
	}
	if a.quirks.on(QuirkNoTokenType) {
		resp.TokenType = ""
	}
	if a.quirks.on(QuirkExpiresInString) {
		resp.ExpiresIn = strconv.FormatInt(tok.ExpiresIn, 10)
	}
	if a.quirks.on(QuirkRefreshToken) {
		resp.RefreshToken = newJTI() + newJTI()
	}
	if a.quirks.on(QuirkFormResponse) {
		v := url.Values{"access_token": {resp.AccessToken}, "expires_in": {strconv.FormatInt(tok.ExpiresIn, 10)}}
		if resp.TokenType != "" {
			v.Set("token_type", resp.TokenType)
		}
		if s, ok := resp.Scope.(string); ok {
			v.Set("scope", s)
		}
		if resp.RefreshToken != "" {
			v.Set("refresh_token", resp.RefreshToken)
		}
		h.Set("Content-Type", formMediaType)
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, v.Encode())
		return http.StatusOK
	}
	body, _ := json.Marshal(resp)
	if a.quirks.on(QuirkDuplicateMember) {
		body = append([]byte(`{"token_type":"bearer",`), body[1:]...)
	}
	status := http.StatusOK
	if a.quirks.on(QuirkStatus201) {
		status = http.StatusCreated
	}
	h.Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

func (a *Authority) serveJWKS(w http.ResponseWriter, r *http.Request) {
	key := a.signKey.public
	switch {
	case a.quirks.on(QuirkJWKSWrongKey):
		key = a.decoyKey()
	case a.quirks.on(QuirkJWKSPrivateKey):
		key.Key = a.signKey.private
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key}}
	if a.quirks.on(QuirkJWKSJWKSetType) {
		writeJSONType(w, "application/jwk-set+json", set)
		return
	}
	writeJSON(w, set)
}

// Metadata is the RFC 8414 document the server publishes; every field is
// true of this server.
func (a *Authority) Metadata() map[string]any {
	methods := map[string]bool{}
	var scopes []string
	for _, id := range a.order {
		cl := a.clients[id]
		for _, m := range cl.AuthMethods {
			methods[m] = true
		}
		for _, s := range cl.Scopes {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
	}
	var ms []string
	order := []string{rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost}
	if a.quirks.on(QuirkMetadataPostFirst) {
		order = []string{rfc6749.AuthClientSecretPost, rfc6749.AuthClientSecretBasic}
	}
	for _, m := range order {
		if methods[m] {
			ms = append(ms, m)
		}
	}
	slices.Sort(scopes)
	if scopes == nil {
		scopes = []string{}
	}
	m := map[string]any{
		"issuer":                                a.Issuer(),
		"token_endpoint":                        a.TokenURL(),
		"jwks_uri":                              a.JWKSURL(),
		"grant_types_supported":                 []string{rfc6749.GrantClientCredentials},
		"token_endpoint_auth_methods_supported": ms,
		"scopes_supported":                      scopes,
		"response_types_supported":              []string{},
		"id_token_signing_alg_values_supported": []string{},
	}
	switch {
	case a.quirks.on(QuirkIssuerMismatch):
		m["issuer"] = a.Issuer() + "/"
	case a.quirks.on(QuirkIssuerOtherPath):
		m["issuer"] = a.Issuer() + "/tenant-a"
	case a.quirks.on(QuirkIssuerQuery):
		m["issuer"] = a.Issuer() + "?tenant=1"
	case a.quirks.on(QuirkMetadataNoTokenEndpoint):
		delete(m, "token_endpoint")
	case a.quirks.on(QuirkMetadataWrongTokenEndpoint):
		m["token_endpoint"] = a.Issuer() + "/oauth2/v1/token"
	case a.quirks.on(QuirkMetadataTokenEndpointFragment):
		m["token_endpoint"] = a.TokenURL() + "#token"
	case a.quirks.on(QuirkMetadataNoGrantTypes):
		delete(m, "grant_types_supported")
	case a.quirks.on(QuirkMetadataAlgNone):
		m["token_endpoint_auth_signing_alg_values_supported"] = []string{"RS256", "none"}
	case a.quirks.on(QuirkMetadataNoJWKSURI):
		delete(m, "jwks_uri")
	}
	return m
}

func (a *Authority) serveMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, a.Metadata())
}

func (a *Authority) serveHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]string{"status": "ok"})
}

func writeJSON(w http.ResponseWriter, v any) { writeJSONType(w, jsonContentType, v) }

func writeJSONType(w http.ResponseWriter, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("encode: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(body)
}

// requestLog keeps the most recent requests, redacted.
type requestLog struct {
	mu   sync.Mutex
	size int
	buf  []rawRequest
	next int
	full bool
}

// rawRequest is a request as received. Redaction happens when Requests
// hands it out, so serving a token costs no copy of headers and form.
type rawRequest struct {
	RecordedRequest
	header   http.Header
	form     url.Values
	rawQuery string
}

func (r rawRequest) redacted() RecordedRequest {
	out := r.RecordedRequest
	out.Header = redactHeader(r.header)
	out.Form = redactValues(r.form)
	if q, err := url.ParseQuery(r.rawQuery); err == nil || len(q) > 0 {
		out.Query = redactValues(q)
	}
	return out
}

func (l *requestLog) add(r rawRequest) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) < l.size {
		l.buf = append(l.buf, r)
		return
	}
	l.buf[l.next] = r
	l.next = (l.next + 1) % l.size
	l.full = true
}

func (l *requestLog) all() []RecordedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RecordedRequest, 0, len(l.buf))
	for _, r := range l.buf[l.next:] {
		out = append(out, r.redacted())
	}
	for _, r := range l.buf[:l.next] {
		out = append(out, r.redacted())
	}
	return out
}

// Requests returns the token requests received, oldest first, with
// secrets redacted. At most Config.RequestLogSize are kept.
func (a *Authority) Requests() []RecordedRequest { return a.reqlog.all() }

// readJSONForm reads a JSON object of strings as parameters, for the
// accept-json-body quirk.
func readJSONForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauthError) {
	var m map[string]string
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes)).Decode(&m); err != nil {
		return nil, errInvalidRequest("request body is not a JSON object of strings")
	}
	vals := url.Values{}
	for k, v := range m {
		vals.Set(k, v)
	}
	return vals, nil
}

// presentedSecret is the secret a request presented, for the echo-secret
// quirk only.
func presentedSecret(r *http.Request, p map[string]string) string {
	if s := p[rfc6749.ParamClientSecret]; s != "" {
		return s
	}
	if _, pass, ok := r.BasicAuth(); ok {
		if s, err := url.QueryUnescape(pass); err == nil {
			return s
		}
	}
	return ""
}

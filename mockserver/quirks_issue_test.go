package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// badEscapeSecret is secretA sent raw, without the Appendix B encoding:
// its "%rd" is an escape form-urldecoding rejects.
const badEscapeSecret = "p+ss w%rd&:x"

// quirkExchange is one request of TestNewQuirks, sent to a live server.
type quirkExchange struct {
	method string // POST unless set
	path   string // PathToken unless set
	body   string
	header map[string]string
}

// outcome is what a server answered to an quirkExchange.
type outcome struct {
	dropped   bool // no response at all, only a transport error
	status    int
	err       string // "" means a token when status is 200 on PathToken
	challenge bool   // WWW-Authenticate: Basic expected
	clientID  string // client_id (and sub) claim of the issued token
	check     func(t *testing.T, got reply)
}

// send posts ex to s the way do posts to a handler, but over a real
// connection: a transport error comes back as the error.
func send(t *testing.T, s *Server, ex quirkExchange) (reply, error) {
	t.Helper()
	method, path := ex.method, ex.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = PathToken
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, strings.NewReader(ex.body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range ex.header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	rep := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &rep.body)
	return rep, nil
}

// tokenClaims verifies an access token against the server's key and
// returns its claims.
func jwtClaimsOf(t *testing.T, s *Server, token string) map[string]any {
	t.Helper()
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("access token does not parse: %v", err)
	}
	var claims map[string]any
	if err := tok.Claims(s.PublicKey(), &claims); err != nil {
		t.Fatalf("access token does not verify: %v", err)
	}
	return claims
}

// expect compares what s answered to ex with want.
func expect(t *testing.T, s *Server, ex quirkExchange, want outcome) {
	t.Helper()
	got, err := send(t, s, ex)
	if want.dropped {
		if err == nil {
			t.Fatalf("got a response %d %s, want the connection dropped without one", got.status, got.raw)
		}
		return
	}
	if err != nil {
		t.Fatalf("transport error %v, want a response", err)
	}
	if got.status != want.status {
		t.Fatalf("status = %d, want %d; body %s", got.status, want.status, got.raw)
	}
	www := got.header.Get("WWW-Authenticate")
	if want.challenge != strings.HasPrefix(www, `Basic realm="`) {
		t.Errorf("WWW-Authenticate = %q, want Basic challenge: %v", www, want.challenge)
	}
	if want.err != "" {
		if got.body["error"] != want.err {
			t.Errorf("error = %v, want %s; body %s", got.body["error"], want.err, got.raw)
		}
		if _, ok := got.body["access_token"]; ok {
			t.Errorf("error response carries access_token: %s", got.raw)
		}
	}
	if mt, _, _ := mime.ParseMediaType(got.header.Get("Content-Type")); ex.path == "" && mt != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got.header.Get("Content-Type"))
	}
	if want.clientID != "" {
		tok, _ := got.body["access_token"].(string)
		c := jwtClaimsOf(t, s, tok)
		if c["client_id"] != want.clientID || c["sub"] != want.clientID {
			t.Errorf("client_id, sub = %v, %v, want %s", c["client_id"], c["sub"], want.clientID)
		}
	}
	if want.check != nil {
		want.check(t, got)
	}
}

// TestNewQuirks sends each request to a server with one quirk on and to
// the reference server, and checks both answers: the quirk changes what
// it says it changes, the reference stays RFC-exact.
func TestNewQuirks(t *testing.T) {
	hA := map[string]string{"Authorization": basic(idA, secretA)}
	badEsc := map[string]string{"Authorization": basicRaw(idA + ":" + badEscapeSecret)}
	badEscID := map[string]string{"Authorization": basicRaw("a%zz:" + url.QueryEscape(secretA))}
	jsonBody := `{"grant_type":"client_credentials"}`
	password := "grant_type=password&username=u&password=p"
	invalidClient := outcome{status: 401, err: "invalid_client", challenge: true}
	methods := func(want ...string) func(*testing.T, reply) {
		return func(t *testing.T, got reply) {
			if g := mustJSON(got.body["token_endpoint_auth_methods_supported"]); g != mustJSON(want) {
				t.Errorf("token_endpoint_auth_methods_supported = %s, want %s", g, mustJSON(want))
			}
		}
	}
	jwksType := func(ct string) func(*testing.T, reply) {
		return func(t *testing.T, got reply) {
			if g := got.header.Get("Content-Type"); g != ct {
				t.Errorf("Content-Type = %q, want %q", g, ct)
			}
			if keys, _ := got.body["keys"].([]any); len(keys) != 1 {
				t.Errorf("JWKS = %s, want one key", got.raw)
			}
		}
	}
	scope := func(want string) func(*testing.T, reply) {
		return func(t *testing.T, got reply) {
			s, ok := got.body["scope"].(string)
			if !ok || s != want {
				t.Errorf("scope = %#v, want the string %q; body %s", got.body["scope"], want, got.raw)
			}
		}
	}
	serverError := func(t *testing.T, got reply) {
		if got.raw != `{"error":"server_error","error_description":"internal error"}` {
			t.Errorf("body = %s, want server_error, internal error", got.raw)
		}
	}

	type testCase struct {
		name  string
		quirk Quirk
		ex    quirkExchange
		with  outcome // the quirk on
		ref   outcome // no quirk
	}
	tests := []testCase{
		{name: "metadata lists post first", quirk: QuirkMetadataPostFirst, ex: quirkExchange{method: "GET", path: PathMetadata},
			with: outcome{status: 200, check: methods("client_secret_post", "client_secret_basic")},
			ref:  outcome{status: 200, check: methods("client_secret_basic", "client_secret_post")}},
		{name: "metadata post first still posts tokens", quirk: QuirkMetadataPostFirst, ex: quirkExchange{body: cc, header: hA},
			with: outcome{status: 200, clientID: idA}, ref: outcome{status: 200, clientID: idA}},

		{name: "bad escape in secret drops the connection", quirk: QuirkCrashOnBadEscape, ex: quirkExchange{body: cc, header: badEsc},
			with: outcome{dropped: true}, ref: invalidClient},
		{name: "bad escape in id drops the connection", quirk: QuirkCrashOnBadEscape, ex: quirkExchange{body: cc, header: badEscID},
			with: outcome{dropped: true}, ref: invalidClient},
		{name: "crash quirk: good credentials", quirk: QuirkCrashOnBadEscape, ex: quirkExchange{body: cc, header: hA},
			with: outcome{status: 200, clientID: idA}, ref: outcome{status: 200, clientID: idA}},
		{name: "crash quirk: malformed basic without bad escape", quirk: QuirkCrashOnBadEscape, ex: quirkExchange{body: cc, header: map[string]string{"Authorization": basicRaw("nocolon%zz")}},
			with: invalidClient, ref: invalidClient},
		{name: "crash quirk: wrong secret", quirk: QuirkCrashOnBadEscape, ex: quirkExchange{body: cc, header: map[string]string{"Authorization": basic(idA, "nope")}},
			with: invalidClient, ref: invalidClient},

		{name: "bad escape in secret: 500", quirk: QuirkCrashOnBadEscape500, ex: quirkExchange{body: cc, header: badEsc},
			with: outcome{status: 500, err: "server_error", check: serverError}, ref: invalidClient},
		{name: "bad escape in id: 500", quirk: QuirkCrashOnBadEscape500, ex: quirkExchange{body: cc, header: badEscID},
			with: outcome{status: 500, err: "server_error", check: serverError}, ref: invalidClient},
		{name: "500 quirk: good credentials", quirk: QuirkCrashOnBadEscape500, ex: quirkExchange{body: cc, header: hA},
			with: outcome{status: 200, clientID: idA}, ref: outcome{status: 200, clientID: idA}},

		{name: "password grant: 403 access_denied", quirk: QuirkPasswordAccessDenied, ex: quirkExchange{body: password, header: hA},
			with: outcome{status: 403, err: "access_denied"}, ref: outcome{status: 400, err: "unsupported_grant_type"}},
		{name: "password grant unauthenticated", quirk: QuirkPasswordAccessDenied, ex: quirkExchange{body: password},
			with: invalidClient, ref: invalidClient},
		{name: "access_denied quirk: other unknown grant", quirk: QuirkPasswordAccessDenied, ex: quirkExchange{body: "grant_type=urn%3Aexample%3Anope", header: hA},
			with: outcome{status: 400, err: "unsupported_grant_type"}, ref: outcome{status: 400, err: "unsupported_grant_type"}},

		{name: "password grant: invalid_request", quirk: QuirkPasswordInvalidRequest, ex: quirkExchange{body: password, header: hA},
			with: outcome{status: 400, err: "invalid_request"}, ref: outcome{status: 400, err: "unsupported_grant_type"}},
		{name: "invalid_request quirk: client credentials", quirk: QuirkPasswordInvalidRequest, ex: quirkExchange{body: cc, header: hA},
			with: outcome{status: 200, clientID: idA}, ref: outcome{status: 200, clientID: idA}},

		{name: "JSON body: 401", quirk: QuirkJSONBody401, ex: quirkExchange{body: jsonBody, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "application/json"}},
			with: outcome{status: 401, err: "unsupported_grant_type", challenge: true}, ref: outcome{status: 400, err: "invalid_request"}},
		{name: "JSON body with charset: 401", quirk: QuirkJSONBody401, ex: quirkExchange{body: jsonBody, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "application/json; charset=utf-8"}},
			with: outcome{status: 401, err: "unsupported_grant_type", challenge: true}, ref: outcome{status: 400, err: "invalid_request"}},
		{name: "json-body-401 quirk: text/plain body", quirk: QuirkJSONBody401, ex: quirkExchange{body: cc, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "text/plain"}},
			with: outcome{status: 400, err: "invalid_request"}, ref: outcome{status: 400, err: "invalid_request"}},

		{name: "basic and another body client_id: body wins", quirk: QuirkMultiMethodBodyWins, ex: quirkExchange{body: cc + "&client_id=" + url.QueryEscape(idS), header: hA},
			with: outcome{status: 200, clientID: idS}, ref: outcome{status: 400, err: "invalid_request"}},
		{name: "body wins, no secret checked", quirk: QuirkMultiMethodBodyWins,
			ex:   quirkExchange{body: cc + "&client_id=" + url.QueryEscape(idS) + "&client_secret=nope", header: map[string]string{"Authorization": basic(idA, "nope")}},
			with: outcome{status: 200, clientID: idS}, ref: outcome{status: 400, err: "invalid_request"}},
		{name: "body wins over an unknown basic client", quirk: QuirkMultiMethodBodyWins,
			ex:   quirkExchange{body: cc + "&client_id=" + url.QueryEscape(idS), header: map[string]string{"Authorization": basic("nobody", "x")}},
			with: outcome{status: 200, clientID: idS}, ref: outcome{status: 400, err: "invalid_request"}},
		{name: "body wins with the same client", quirk: QuirkMultiMethodBodyWins, ex: quirkExchange{body: cc + "&client_id=" + url.QueryEscape(idA), header: hA},
			with: outcome{status: 200, clientID: idA}, ref: outcome{status: 200, clientID: idA}},
		{name: "body wins: unknown body client", quirk: QuirkMultiMethodBodyWins, ex: quirkExchange{body: cc + "&client_id=nobody", header: hA},
			with: invalidClient, ref: outcome{status: 400, err: "invalid_request"}},
		{name: "body wins: malformed basic still refused", quirk: QuirkMultiMethodBodyWins, ex: quirkExchange{body: cc + "&client_id=" + url.QueryEscape(idS), header: map[string]string{"Authorization": basicRaw("nocolon")}},
			with: invalidClient, ref: invalidClient},
		{name: "body wins: no body client_id", quirk: QuirkMultiMethodBodyWins, ex: quirkExchange{body: cc, header: map[string]string{"Authorization": basic(idA, "nope")}},
			with: invalidClient, ref: invalidClient},
		{name: "body wins: basic and body secret only", quirk: QuirkMultiMethodBodyWins, ex: quirkExchange{body: cc + "&client_secret=" + url.QueryEscape(secretA), header: hA},
			with: outcome{status: 400, err: "invalid_request"}, ref: outcome{status: 400, err: "invalid_request"}},

		{name: "JWKS as application/jwk-set+json", quirk: QuirkJWKSJWKSetType, ex: quirkExchange{method: "GET", path: PathJWKS},
			with: outcome{status: 200, check: jwksType("application/jwk-set+json")}, ref: outcome{status: 200, check: jwksType("application/json;charset=UTF-8")}},

		{name: "requested scope granted: empty string", quirk: QuirkScopeEmptyString, ex: quirkExchange{body: cc + "&scope=read+write", header: hA},
			with: outcome{status: 200, clientID: idA, check: func(t *testing.T, got reply) {
				scope("")(t, got)
				if !strings.Contains(got.raw, `"scope":""`) {
					t.Errorf("body %s, want \"scope\":\"\"", got.raw)
				}
			}},
			ref: outcome{status: 200, clientID: idA, check: scope("read write")}},
		{name: "requested scope in another order: empty string", quirk: QuirkScopeEmptyString, ex: quirkExchange{body: cc + "&scope=write%20read", header: hA},
			with: outcome{status: 200, clientID: idA, check: scope("")}, ref: outcome{status: 200, clientID: idA, check: scope("write read")}},
		{name: "default scope: unchanged", quirk: QuirkScopeEmptyString, ex: quirkExchange{body: cc, header: hA},
			with: outcome{status: 200, clientID: idA, check: scope("read")}, ref: outcome{status: 200, clientID: idA, check: scope("read")}},
		{name: "empty scope parameter: unchanged", quirk: QuirkScopeEmptyString, ex: quirkExchange{body: cc + "&scope=", header: hA},
			with: outcome{status: 200, clientID: idA, check: scope("read")}, ref: outcome{status: 200, clientID: idA, check: scope("read")}},
		{name: "scope-empty-string: refused scope", quirk: QuirkScopeEmptyString, ex: quirkExchange{body: cc + "&scope=admin", header: hA},
			with: outcome{status: 400, err: "invalid_scope"}, ref: outcome{status: 400, err: "invalid_scope"}},
	}

	servers := map[Quirk]*Server{}
	server := func(qs ...Quirk) *Server {
		var q Quirk
		if len(qs) > 0 {
			q = qs[0]
		}
		if s := servers[q]; s != nil {
			return s
		}
		cfg := testConfig()
		cfg.SigningAlg = ES256
		cfg.Quirks = qs
		s := NewServer(cfg)
		servers[q] = s
		return s
	}
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.quirk.Description() == "" {
				t.Fatalf("quirk %s is unknown", tt.quirk)
			}
			t.Run("quirk", func(t *testing.T) { expect(t, server(tt.quirk), tt.ex, tt.with) })
			t.Run("reference", func(t *testing.T) { expect(t, server(), tt.ex, tt.ref) })
		})
	}
	for _, q := range []Quirk{QuirkMetadataPostFirst, QuirkCrashOnBadEscape, QuirkCrashOnBadEscape500, QuirkPasswordAccessDenied,
		QuirkPasswordInvalidRequest, QuirkJSONBody401, QuirkMultiMethodBodyWins, QuirkJWKSJWKSetType, QuirkScopeEmptyString} {
		if !slices.ContainsFunc(tests, func(tt testCase) bool { return tt.quirk == q }) {
			t.Errorf("quirk %s has no case", q)
		}
	}
}

// TestScopeEmptyStringKeepsTheClaim: only the response member is bent,
// the token still carries the granted scope.
func TestScopeEmptyStringKeepsTheClaim(t *testing.T) {
	cfg := testConfig()
	cfg.SigningAlg = ES256
	cfg.Quirks = []Quirk{QuirkScopeEmptyString}
	s := NewTestServer(t, cfg)
	got, err := send(t, s, quirkExchange{body: cc + "&scope=write+read", header: map[string]string{"Authorization": basic(idA, secretA)}})
	if err != nil || got.status != 200 {
		t.Fatalf("token request = %d %s %v", got.status, got.raw, err)
	}
	tok, _ := got.body["access_token"].(string)
	if c := jwtClaimsOf(t, s, tok); c["scope"] != "write read" {
		t.Errorf("scope claim = %v, want \"write read\"", c["scope"])
	}
}

// TestMetadataPostFirstOneMethod: with one method advertised there is
// nothing to reorder.
func TestMetadataPostFirstOneMethod(t *testing.T) {
	for _, m := range []string{"client_secret_basic", "client_secret_post"} {
		cfg := Config{Issuer: "https://as.example.test", SigningAlg: ES256, Quirks: []Quirk{QuirkMetadataPostFirst},
			Clients: []Client{{ID: "one", Secret: "s", AuthMethods: []string{m}, Scopes: []string{"read"}}}}
		a, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Metadata()["token_endpoint_auth_methods_supported"]; !slices.Equal(got.([]string), []string{m}) {
			t.Errorf("token_endpoint_auth_methods_supported = %v, want [%s]", got, m)
		}
	}
}

// syncBuffer is a bytes.Buffer the server goroutine writes to and the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestCrashOnBadEscapeDropsConnection posts with a plain http.Client and
// checks there is no response, only a transport error; that the journal
// and the access log still have the request; that the server serves the
// next request; and that no goroutine is left behind.
func TestCrashOnBadEscapeDropsConnection(t *testing.T) {
	before := runtime.NumGoroutine()
	var logs syncBuffer
	cfg := testConfig()
	cfg.SigningAlg = ES256
	cfg.Quirks = []Quirk{QuirkCrashOnBadEscape}
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	s := NewServer(cfg)
	var errLog syncBuffer
	s.Config.ErrorLog = slog.NewLogLogger(slog.NewTextHandler(&errLog, nil), slog.LevelError)
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	post := func(auth string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.TokenURL(), strings.NewReader(cc))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		return hc.Do(req)
	}
	resp, err := post(basicRaw(idA + ":" + badEscapeSecret))
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("got a response %d %s, want the connection dropped", resp.StatusCode, body)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("transport error = %v, want EOF (or a reset): the connection closed without a response", err)
	}
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		t.Errorf("err = %T %v, want a *url.Error from the transport", err, err)
	}

	// The server is still serving.
	resp, err = post(basic(idA, secretA))
	if err != nil {
		t.Fatalf("next request: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("next request = %d, want 200", resp.StatusCode)
	}

	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("journal has %d requests, want 2: %+v", len(reqs), reqs)
	}
	if r := reqs[0]; r.Status != 0 || r.ClientID != "" || r.Error != "" || r.Header.Get("Authorization") != "Basic "+Redacted {
		t.Errorf("journal entry for the dropped request = %+v, want status 0, no client, no error, redacted", r)
	}
	if r := reqs[1]; r.Status != 200 || r.ClientID != idA {
		t.Errorf("journal entry for the next request = %+v", r)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "status=0") || !strings.Contains(lines[1], "status=200") {
		t.Errorf("access log = %q, want a status=0 line then a status=200 line", lines)
	}
	if e := errLog.String(); e != "" {
		t.Errorf("server error log = %q, want nothing: ErrAbortHandler is silent", e)
	}

	tr.CloseIdleConnections()
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCrashOnBadEscapeInHandler drives the handler directly: it panics
// with http.ErrAbortHandler, which net/http turns into a closed
// connection, after recording the request.
func TestCrashOnBadEscapeInHandler(t *testing.T) {
	a := newTestAuthority(t, QuirkCrashOnBadEscape)
	func() {
		defer func() {
			if r := recover(); r != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", r)
			}
		}()
		do(t, a, "POST", "/token", cc, map[string]string{"Authorization": basicRaw(idA + ":" + badEscapeSecret)})
	}()
	if reqs := a.Requests(); len(reqs) != 1 || reqs[0].Status != 0 {
		t.Errorf("Requests() = %+v, want the dropped request with status 0", reqs)
	}
	b := newTestAuthority(t, QuirkCrashOnBadEscape500)
	if got := do(t, b, "POST", "/token", cc, map[string]string{"Authorization": basicRaw(idA + ":" + badEscapeSecret)}); got.status != 500 || got.body["error"] != "server_error" {
		t.Errorf("crash-on-bad-escape-500 = %d %s", got.status, got.raw)
	}
}

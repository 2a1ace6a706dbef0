package suites

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/occheck/occheck/internal/probe"
	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/specs"
)

// runState is shared by the specs of one run: the prober, contract
// violations seen so far, and documents fetched once.
type runState struct {
	target *Target
	prober *probe.Prober

	mu  sync.Mutex
	oas map[specs.Operation]*oasRecord

	metaOnce sync.Once
	meta     *fetched

	// certClients send requests that present a client certificate;
	// strangers are certificates no server knows (RFC 8705 specs).
	certClients map[*tls.Certificate]*http.Client
	strangers   map[string]*tls.Certificate

	// outer ends every spec when the run is cancelled.
	outer context.Context
	sink  *collector
	// memos hold each spec's result, computed once per run: a spec that
	// another depends on runs when first needed.
	memos map[string]*memo
	// base is the client authentication method the baseline request
	// works with, found by CC-OK-01.
	base *baseline
	// jwtAud is the assertion audience found accepted (a string, or a
	// []string), and jwtScope the scope JWT-OK-01's request needed ("" for
	// none).
	jwtAud   any
	jwtScope string
	// faults are the server failures (5xx, dropped connections) seen on
	// token endpoint requests, for ERR-5XX-01; tokenExchanges counts
	// every token endpoint exchange of the run.
	faults         []fault
	trigOnce       sync.Once
	triggers       *triggerSet
	tokenExchanges int
	ran            map[string]bool
	// dpop is the run's DPoP key, nonce and refusals (RFC 9449).
	dpop dpopState
}

// memo is one spec's result in this run.
type memo struct {
	once sync.Once
	res  reports.SpecResult
	// root is the spec whose failure, error or skip this result comes
	// down to: itself, or the root of a dependency that skipped it.
	root string
}

// baseline is how the client under test gets a token.
type baseline struct {
	// method is the authentication method that worked; "" when none did.
	method string
	// reason says why that method, for the console header and reports.
	reason string
	// refused holds the answers of candidate methods that were refused.
	refused map[string]*Response
	// auto is true when the methods were not configured but found.
	auto bool
}

// fault is a server failure on client input (ERR-5XX-01).
type fault struct {
	spec     string
	what     string
	exchange reports.Exchange
	curl     string
}

// oasRecord is what the contract specs report for one operation.
type oasRecord struct {
	checked   int
	violation error
	exchange  reports.Exchange
	curl      string
}

type fetched struct {
	resp *Response
	ex   reports.Exchange
	err  error
}

func newRunState(t *Target, outer context.Context, sink *collector) *runState {
	var secrets []probe.Secret
	for _, c := range t.clients() {
		env := c.SecretEnv
		if env == "" {
			env = EnvClientSecret
		}
		secrets = append(secrets, probe.Secret{Value: c.Secret, Env: env, ID: c.ID})
	}
	if a := t.AssertionClient; a != nil && a.Secret != "" && a.Secret != t.Client.Secret {
		secrets = append(secrets, probe.Secret{Value: a.Secret, Env: EnvAssertionSecret, ID: a.ID})
	}
	breakAfter := t.BreakAfter
	switch {
	case breakAfter == 0:
		breakAfter = 10
	case breakAfter < 0:
		breakAfter = 0
	}
	return &runState{
		target: t,
		prober: &probe.Prober{Client: t.httpClient(), Timeout: t.timeout(), Secrets: secrets, Rate: t.Rate, BreakAfter: breakAfter},
		oas:    map[specs.Operation]*oasRecord{},
		outer:  outer,
		sink:   sink,
		memos:  map[string]*memo{},
		ran:    map[string]bool{},
	}
}

// selected records that the run selected a spec (as opposed to running
// it only because another depends on it).
func (st *runState) selected(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ran[id] = true
}

func (st *runState) memo(id string) *memo {
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.memos[id]
	if m == nil {
		m = &memo{}
		st.memos[id] = m
	}
	return m
}

// result runs s once per run and returns its result; a later call, from
// Ginkgo or from a dependent spec, gets the same result.
func (st *runState) result(ctx context.Context, s *Spec) reports.SpecResult {
	m := st.memo(s.ID)
	m.once.Do(func() { m.res, m.root = st.evaluate(ctx, s) })
	return m.res
}

func (st *runState) root(id string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if m := st.memos[id]; m != nil && m.root != "" {
		return m.root
	}
	return id
}

// evaluate checks the needs and dependencies of s, then runs it.
func (st *runState) evaluate(ctx context.Context, s *Spec) (reports.SpecResult, string) {
	start := time.Now()
	res := reports.SpecResult{ID: s.ID, RFC: s.RFC, Section: s.Section, Level: s.levelFor(st.target), Title: s.Title, Labels: s.labels(),
		Message: reports.Message{Requirement: s.Title}}
	for _, need := range s.Needs {
		if reason := need(st.target); reason != "" {
			res.Verdict, res.Message.Detail = reports.Skip, reason
			return res, s.ID
		}
	}
	for _, id := range s.DependsOn {
		dep := specByID(id)
		if dep == nil {
			panic("suites: " + s.ID + " depends on unknown spec " + id)
		}
		r := st.result(ctx, dep)
		if r.Verdict == reports.Fail || r.Verdict == reports.Error || r.Verdict == reports.Skip {
			root := st.root(id)
			res.Verdict, res.Message.Detail = reports.Skip, dependencyReason(root, st.result(ctx, specByID(root)))
			return res, root
		}
	}
	specCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if st.outer != nil {
		defer context.AfterFunc(st.outer, cancel)()
	}
	h := newH(specCtx, s, st.target, st)
	if crash := h.runRecovering(); crash != "" {
		res.Verdict, res.Message.Detail = reports.Error, st.prober.Redact(crash)
		res.Exchanges = h.exchanges
		res.Duration = reports.Duration(time.Since(start))
		return res, s.ID
	}
	h.fill(&res)
	res.Duration = reports.Duration(time.Since(start))
	return res, s.ID
}

// dependencyReason names the root cause a dependent spec is skipped for.
func dependencyReason(root string, r reports.SpecResult) string {
	what := "failed"
	switch r.Verdict {
	case reports.Error:
		what = "could not be run"
	case reports.Skip:
		what = "was skipped"
	}
	why := r.Message.Actual
	if why == "" {
		why = r.Message.Detail
	}
	why = clipRunes(why, 160)
	if why != "" {
		why = ": " + why
	}
	return fmt.Sprintf("depends on %s, which %s%s", root, what, why)
}

// dependsOn reports whether s builds on id, directly or through others.
func dependsOn(s *Spec, id string) bool {
	for _, d := range s.DependsOn {
		if d == id {
			return true
		}
		if ds := specByID(d); ds != nil && dependsOn(ds, id) {
			return true
		}
	}
	return false
}

// H is a spec's view of the run: it sends requests, records them and
// grades what it sees at the spec's level.
type H struct {
	ctx  context.Context
	spec *Spec
	// T is the target under test.
	T  *Target
	st *runState
	g  gomega.Gomega

	exchanges []reports.Exchange
	lastCurl  string
	// softFaults: the error triggers are being sent; a fault belongs to
	// ERR-400-01.
	softFaults bool
	verdict    reports.Verdict
	msg        reports.Message
	notes      []string
}

// abort unwinds a spec after its verdict is settled.
type abort struct{}

func newH(ctx context.Context, s *Spec, t *Target, st *runState) *H {
	h := &H{ctx: ctx, spec: s, T: t, st: st, verdict: reports.Pass}
	h.g = gomega.NewGomega(func(message string, _ ...int) {
		message = strings.TrimSpace(message)
		if expected, actual, desc, ok := splitMatcherMessage(message); ok {
			h.fail(expected, actual, desc)
		}
		h.fail("", "", message)
	})
	return h
}

// runRecovering runs the spec and turns a harness panic into an error
// description instead of a missing result.
func (h *H) runRecovering() (crash string) {
	defer func() {
		if r := recover(); r != nil {
			crash = fmt.Sprintf("the check itself failed (a bug in occheck): %v", r)
		}
	}()
	h.run()
	return ""
}

func (h *H) run() {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(abort); !ok {
				panic(r)
			}
		}
	}()
	h.spec.Run(h)
	if lvl := h.spec.levelFor(h.T); h.verdict == reports.Pass && (lvl == reports.Note || lvl == reports.May) && len(h.notes) > 0 {
		h.verdict = reports.Info
	}
}

// fill copies the outcome into a report entry.
func (h *H) fill(r *reports.SpecResult) {
	r.Verdict = h.verdict
	if h.msg.Expected != "" || h.msg.Actual != "" || h.msg.Detail != "" {
		r.Message.Expected, r.Message.Actual, r.Message.Detail = h.msg.Expected, h.msg.Actual, h.msg.Detail
	}
	// Redact first, then clip: a secret cut in half would escape the
	// redaction.
	red := func(s string) string { return clipRunes(h.st.prober.Redact(s), maxMessage) }
	r.Message.Expected, r.Message.Actual, r.Message.Detail = red(r.Message.Expected), red(r.Message.Actual), red(r.Message.Detail)
	for _, n := range h.notes {
		r.Notes = append(r.Notes, red(n))
	}
	r.Exchanges = h.exchanges
	if r.Verdict != reports.Pass && r.Verdict != reports.Info {
		r.Curl = h.lastCurl
	}
}

// maxMessage bounds a message in a report, in characters.
const maxMessage = 600

// clipRunes shortens s to at most n characters, never inside one.
func clipRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "..."
		}
		i++
	}
	return s
}

// fail settles the verdict for a broken check: MUST fails, SHOULD warns,
// MAY and INFO specs only observe.
func (h *H) fail(expected, actual, detail string) {
	switch h.spec.levelFor(h.T) {
	case reports.Must:
		h.verdict = reports.Fail
	case reports.Should:
		h.verdict = reports.Warn
	default:
		h.verdict = reports.Info
		h.notes = append(h.notes, strings.TrimSpace(expected+" "+actual+" "+detail))
	}
	h.msg = reports.Message{Expected: expected, Actual: actual, Detail: detail}
	panic(abort{})
}

// Require grades one check: when ok is false the spec fails (or warns)
// with what was expected and what came back.
func (h *H) Require(ok bool, expected string, actualFormat string, a ...any) {
	if !ok {
		h.fail(expected, fmt.Sprintf(actualFormat, a...), "")
	}
}

// Must grades one check at MUST level whatever the spec's level: the spec
// fails and ends when ok is false.
func (h *H) Must(ok bool, expected string, actualFormat string, a ...any) {
	if ok {
		return
	}
	h.verdict = reports.Fail
	h.msg = reports.Message{Expected: expected, Actual: fmt.Sprintf(actualFormat, a...)}
	panic(abort{})
}

// Should grades one check at SHOULD level: when ok is false the spec
// warns (unless it already failed) and goes on, so a later MUST check can
// still fail it. The first broken SHOULD is the one reported.
func (h *H) Should(ok bool, expected string, actualFormat string, a ...any) {
	if ok {
		return
	}
	actual := fmt.Sprintf(actualFormat, a...)
	if h.verdict == reports.Pass || h.verdict == reports.Info {
		h.verdict = reports.Warn
		h.msg = reports.Message{Expected: expected, Actual: actual}
		return
	}
	h.notes = append(h.notes, "also: expected "+expected+"; got "+actual)
}

// Expect is Gomega bound to this spec: a failed assertion fails (or warns)
// the spec with Gomega's message.
func (h *H) Expect(actual any, extra ...any) types.Assertion {
	return h.g.Expect(actual, extra...)
}

// Note records an observation (the verdict of INFO specs).
func (h *H) Note(format string, a ...any) {
	h.notes = append(h.notes, fmt.Sprintf(format, a...))
}

// Skip ends the spec as skipped, with the reason.
func (h *H) Skip(reason string) {
	h.verdict = reports.Skip
	h.msg = reports.Message{Detail: reason}
	panic(abort{})
}

// transportError ends the spec as an error, apart from conformance.
func (h *H) transportError(err error) {
	h.verdict = reports.Error
	h.msg = reports.Message{Detail: err.Error()}
	panic(abort{})
}

// Response is a response as a spec sees it.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool

	jsonOnce sync.Once
	obj      map[string]any
	jsonErr  error
	dups     []string
}

// JSON decodes the body as one JSON object, numbers kept as json.Number
// and duplicate members reported as an error (RFC 6749 §3.2: members must
// not repeat).
func (r *Response) JSON() (map[string]any, error) {
	r.jsonOnce.Do(func() { r.obj, r.dups, r.jsonErr = decodeObject(r.Body) })
	return r.obj, r.jsonErr
}

// Duplicates lists members that appear more than once in the JSON body;
// JSON keeps the last copy, as encoding/json would.
func (r *Response) Duplicates() []string {
	_, _ = r.JSON()
	return r.dups
}

// OK reports a successful issuance: a 2xx status with an access token.
// Whether the status is exactly 200 is RESP-STATUS-01's business.
func (r *Response) OK() bool { return r.Status/100 == 2 && r.HasToken() }

// Member returns a member of the JSON body, if the body is an object.
func (r *Response) Member(name string) (any, bool) {
	obj, err := r.JSON()
	if err != nil {
		return nil, false
	}
	v, ok := obj[name]
	return v, ok
}

// String returns a string member, "" when absent or not a string.
func (r *Response) String(name string) string {
	v, _ := r.Member(name)
	s, _ := v.(string)
	return s
}

// ErrorCode is the error member, "" when there is none.
func (r *Response) ErrorCode() string { return r.String("error") }

// HasToken reports whether the body carries an access_token member, in
// JSON or (a deviation) form encoding.
func (r *Response) HasToken() bool {
	if _, ok := r.Member("access_token"); ok {
		return true
	}
	// A form-encoded success (a deviation) counts; an HTML page that
	// happens to hold "&access_token=" does not.
	switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt {
	case "", "application/x-www-form-urlencoded", "text/plain":
		if vals, err := url.ParseQuery(string(r.Body)); err == nil && vals.Get("access_token") != "" {
			return true
		}
	}
	return false
}

// mustObj is the JSON object of the body, or nil.
func mustObj(r *Response) map[string]any {
	obj, _ := r.JSON()
	return obj
}

// Summary describes a response in one line for expected/actual messages.
func (r *Response) Summary() string {
	body := strings.TrimSpace(string(r.Body))
	if r.HasToken() {
		body = "(a body carrying an access_token)"
	}
	// Bounded, but long enough that a secret echoed in the body is whole
	// when redaction sees it: messages are clipped after redaction.
	return fmt.Sprintf("%d %s", r.Status, clipRunes(body, 4096))
}

func decodeObject(body []byte) (map[string]any, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var dups []string
	v, err := decodeValue(dec, &dups)
	if err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("trailing data after the JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("the body is JSON but not an object")
	}
	return obj, dups, nil
}

// decodeValue walks tokens so a repeated member is seen rather than
// silently last-wins as in encoding/json.
func decodeValue(dec *json.Decoder, dups *[]string) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("not JSON: %w", err)
				}
				k, _ := kt.(string)
				if _, dup := obj[k]; dup {
					*dups = append(*dups, k)
				}
				v, err := decodeValue(dec, dups)
				if err != nil {
					return nil, err
				}
				obj[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("not JSON: %w", err)
			}
			return obj, nil
		case '[':
			var arr []any
			for dec.More() {
				v, err := decodeValue(dec, dups)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, fmt.Errorf("not JSON: %w", err)
			}
			return arr, nil
		}
		return nil, fmt.Errorf("not JSON: unexpected %v", t)
	default:
		return t, nil
	}
}

// req is a request under construction.
type req struct {
	method      string
	url         string
	query       string
	contentType string
	body        string
	header      http.Header
	// cert is presented in the TLS handshake (RFC 8705); nil for none.
	cert *tls.Certificate
	// toAlias: the request goes to the token endpoint's mTLS alias.
	toAlias bool
}

// Opt changes a request.
type Opt func(*req)

// Basic authenticates c with HTTP Basic, id and secret form-encoded first
// (RFC 6749 §2.3.1, Appendix B).
func Basic(c *Client) Opt {
	return Header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.ID)+":"+url.QueryEscape(c.Secret))))
}

// BasicRaw sends a Basic header holding exactly the given credentials.
func BasicRaw(cred string) Opt {
	return Header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
}

// Post authenticates c with client_id and client_secret in the body.
func Post(c *Client) Opt {
	return func(r *req) { r.body = join(r.body, form("client_id", c.ID, "client_secret", c.Secret)) }
}

// methodOpt authenticates c with a secret method: client_secret_post, or
// client_secret_basic for anything else.
func methodOpt(c *Client, method string) Opt {
	if method == rfc6749.AuthClientSecretPost {
		return Post(c)
	}
	return Basic(c)
}

// As authenticates c the way the baseline request does: with the method
// CC-OK-01 found working for the client under test, or the first method
// configured for another client. Only specs that depend on CC-OK-01 may
// use the client under test's credentials this way. The other clients
// hold secrets only: when the baseline is an assertion method, they use
// client_secret_basic.
func (h *H) As(c *Client) Opt {
	if c == &h.T.Client {
		return h.authOpt(c, h.baselineMethod())
	}
	if len(c.AuthMethods) == 0 {
		if m := h.baselineMethod(); m == rfc6749.AuthClientSecretBasic || m == rfc6749.AuthClientSecretPost {
			return methodOpt(c, m)
		}
		return methodOpt(c, rfc6749.AuthClientSecretBasic)
	}
	// Another client registered like the client under test uses the
	// method that worked for it.
	if b := h.st.base; b != nil && slices.Contains(c.AuthMethods, b.method) {
		return methodOpt(c, b.method)
	}
	return methodOpt(c, c.AuthMethods[0])
}

// baselineMethod is the method the baseline request works with. A spec
// that did not declare its dependency on CC-OK-01 is a harness bug: it
// would fail, not skip, when the baseline does not work.
func (h *H) baselineMethod() string {
	if h.spec.ID != idBaseline && !dependsOn(h.spec, idBaseline) {
		panic(fmt.Sprintf("%s authenticates as the client under test but does not depend on %s", h.spec.ID, idBaseline))
	}
	h.st.result(h.ctx, specByID(idBaseline))
	if b := h.st.base; b != nil && b.method != "" {
		return b.method
	}
	return rfc6749.AuthClientSecretBasic
}

// Header sets a request header; an empty value removes it.
func Header(k, v string) Opt {
	return func(r *req) {
		if v == "" {
			r.header.Del(k)
			return
		}
		r.header.Set(k, v)
	}
}

// ContentType replaces the form content type; "" sends none.
func ContentType(ct string) Opt { return func(r *req) { r.contentType = ct } }

// Method replaces POST.
func Method(m string) Opt { return func(r *req) { r.method = m } }

// Query appends a raw query string to the URL.
func Query(q string) Opt { return func(r *req) { r.query = q } }

// URL sends to another URL than the token endpoint.
func URL(u string) Opt { return func(r *req) { r.url = u } }

// form encodes key/value pairs in the order given (url.Values would sort
// them and cannot repeat a key in place).
func form(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, url.QueryEscape(kv[i])+"="+url.QueryEscape(kv[i+1]))
	}
	return strings.Join(parts, "&")
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}

// ccBody is the body of a client credentials request, plus extras.
func ccBody(kv ...string) string {
	return join(form("grant_type", rfc6749.GrantClientCredentials), form(kv...))
}

// Send posts body to the token endpoint with opts applied.
func (h *H) Send(body string, opts ...Opt) *Response {
	r := &req{method: http.MethodPost, url: h.T.TokenURL, contentType: "application/x-www-form-urlencoded", body: body, header: http.Header{}}
	for _, o := range opts {
		o(r)
	}
	u := r.url
	if r.query != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + r.query
	}
	if r.contentType != "" && (r.body != "" || r.method == http.MethodPost) && r.header.Get("Content-Type") == "" {
		r.header.Set("Content-Type", r.contentType)
	}
	var op specs.Operation // only well-formed token requests are held to the contract
	if r.method == http.MethodPost && (r.url == h.T.TokenURL || r.toAlias) {
		op = specs.OpToken
	}
	pr := probe.Request{Method: r.method, URL: u, Header: r.header, Body: r.body}
	if r.cert != nil {
		pr.Client, pr.ClientCert = h.st.certClient(r.cert), describeCert(r.cert)
	}
	return h.do(pr, op)
}

// sameEndpoint compares two URLs without their query: a request with an
// extra query string still goes to the token endpoint.
func sameEndpoint(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.Path == ub.Path
}

// soft runs send and catches what would end the spec: a server fault
// (recorded for ERR-5XX-01 under ERR-400-01, returned as its description)
// or a transport error (returned).
func (h *H) soft(send func() *Response) (r *Response, fault string, err error) {
	verdict, msg := h.verdict, h.msg
	h.softFaults = true
	defer func() {
		h.softFaults = false
		if rec := recover(); rec != nil {
			if _, ok := rec.(abort); !ok {
				panic(rec)
			}
			if h.verdict == reports.Error {
				err = errors.New(h.msg.Detail)
			} else {
				fault = h.msg.Actual
			}
			h.verdict, h.msg = verdict, msg
		}
	}()
	return send(), "", nil
}

// serverFault ends the spec as failed: a 5xx or a dropped connection for a
// request is the server's failure whatever the spec's level (RFC 6749
// §5.2 owes every refused request an error response), and ERR-5XX-01
// lists it too.
func (h *H) serverFault(ex reports.Exchange, what string) {
	spec := h.spec.ID
	if h.softFaults {
		spec = "ERR-400-01"
	}
	h.st.mu.Lock()
	h.st.faults = append(h.st.faults, fault{spec: spec, what: what, exchange: ex, curl: h.lastCurl})
	h.st.mu.Unlock()
	h.verdict = reports.Fail
	h.msg = reports.Message{Expected: "an RFC 6749 §5.2 error response (4xx, JSON), never a 5xx or a dropped connection", Actual: what}
	panic(abort{})
}

// getValidated fetches a document and checks it against the contract.
func (h *H) getValidated(u string, op specs.Operation) *Response {
	return h.do(probe.Request{Method: http.MethodGet, URL: u, Header: http.Header{}}, op)
}

// do sends, records, and validates the response against the contract
// operation op ("" for none).
func (h *H) do(pr probe.Request, op specs.Operation) *Response {
	resp, ex, err := h.st.prober.Do(h.ctx, pr)
	return h.record(pr, op, resp, ex, err)
}

// sent is one exchange's raw outcome, before the spec sees it.
type sent struct {
	resp *probe.Response
	ex   reports.Exchange
	err  error
}

// SendParallel posts the bodies to the token endpoint at the same time
// (for races such as a replayed assertion), then records and checks each
// answer in order, as Send does.
func (h *H) SendParallel(bodies ...string) []*Response {
	prs := make([]probe.Request, len(bodies))
	outs := make([]sent, len(bodies))
	var wg sync.WaitGroup
	for i, b := range bodies {
		prs[i] = probe.Request{Method: http.MethodPost, URL: h.T.TokenURL, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: b}
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i].resp, outs[i].ex, outs[i].err = h.st.prober.Do(h.ctx, prs[i])
		}()
	}
	wg.Wait()
	// Every exchange is in the transcript before the first one is graded,
	// even when grading it ends the spec.
	for i := range bodies {
		h.keep(prs[i], outs[i].ex)
	}
	rs := make([]*Response, len(bodies))
	for i := range bodies {
		rs[i] = h.grade(prs[i], specs.OpToken, outs[i].resp, outs[i].ex, outs[i].err)
	}
	return rs
}

// record keeps an exchange, grades transport trouble and server faults,
// and validates the response against the contract operation op.
func (h *H) record(pr probe.Request, op specs.Operation, resp *probe.Response, ex reports.Exchange, err error) *Response {
	h.keep(pr, ex)
	return h.grade(pr, op, resp, ex, err)
}

// keep adds an exchange to the spec's transcript and the run's count.
func (h *H) keep(pr probe.Request, ex reports.Exchange) {
	h.exchanges = append(h.exchanges, ex)
	h.lastCurl = h.st.prober.Curl(pr)
	if sameEndpoint(pr.URL, h.T.TokenURL) {
		h.st.mu.Lock()
		h.st.tokenExchanges++
		h.st.mu.Unlock()
	}
}

// grade turns a kept exchange into the spec's Response: transport
// trouble and server faults end the spec, the contract is checked.
func (h *H) grade(pr probe.Request, op specs.Operation, resp *probe.Response, ex reports.Exchange, err error) *Response {
	toToken := sameEndpoint(pr.URL, h.T.TokenURL)
	if err != nil {
		if toToken && probe.IsDropped(err) {
			h.serverFault(ex, fmt.Sprintf("%s %s: the server closed the connection without a complete response (%v)", pr.Method, ex.URL, err))
		}
		h.transportError(err)
	}
	r := &Response{Status: resp.Status, Header: resp.Header, Body: resp.Body, Truncated: resp.Truncated}
	if toToken && r.Status == http.StatusTooManyRequests {
		h.transportError(fmt.Errorf("%s %s: 429 Too Many Requests (Retry-After %q): the server is rate limiting; no verdict (slow down with --rate)", pr.Method, ex.URL, r.Header.Get("Retry-After")))
	}
	// 501 is how HTTP says "method not implemented" (RFC 9110 §15.6.2): a
	// fair refusal of PUT or PATCH, not a crash.
	notImplemented := r.Status == http.StatusNotImplemented && pr.Method != http.MethodPost
	if toToken && r.Status >= 500 && !notImplemented {
		if r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "" {
			h.transportError(fmt.Errorf("%s %s: 503 with Retry-After %s: the server is busy and asked to come back later; no verdict", pr.Method, ex.URL, r.Header.Get("Retry-After")))
		}
		h.serverFault(ex, fmt.Sprintf("%s %s: %s", pr.Method, ex.URL, r.Summary()))
	}
	if r.Status/100 == 3 {
		h.Note("%s %s answered %d with Location %q; redirects are never followed", pr.Method, ex.URL, r.Status, r.Header.Get("Location"))
	}
	if op != "" {
		h.validate(op, pr, r, ex)
	}
	return r
}

// documentedTokenStatus are the token endpoint statuses the contract
// describes; other statuses are graded by the RFC specs alone.
func documentedTokenStatus(s int) bool { return s == 200 || s == 400 || s == 401 }

// validate checks a response against specs/openapi.yaml and keeps the
// first violation per operation for the contract specs.
func (h *H) validate(op specs.Operation, pr probe.Request, r *Response, ex reports.Exchange) {
	if op == specs.OpToken && !documentedTokenStatus(r.Status) {
		return
	}
	key := op
	if op == specs.OpToken && r.Status != 200 {
		key = opTokenError
	}
	hr, _ := http.NewRequest(pr.Method, pr.URL, nil)
	err := specs.ValidateResponse(h.ctx, op, hr, r.Status, r.Header, r.Body)
	h.st.mu.Lock()
	defer h.st.mu.Unlock()
	rec := h.st.oas[key]
	if rec == nil {
		rec = &oasRecord{}
		h.st.oas[key] = rec
	}
	rec.checked++
	if err != nil && rec.violation == nil {
		rec.violation, rec.exchange, rec.curl = err, ex, h.st.prober.Curl(pr)
	}
}

// opTokenError keys token endpoint error responses apart from successes.
const opTokenError specs.Operation = "token-error"

// Token sends a valid client credentials request for the client under
// test: the target's scope unless kv names one, plus kv. A server may
// require a scope (§3.3 lets it refuse a request without one), so the
// baseline request carries the configured scope.
func (h *H) Token(kv ...string) *Response {
	hasScope := false
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "scope" {
			hasScope = true
		}
	}
	if !hasScope && h.T.Scope != "" {
		kv = append([]string{"scope", h.T.Scope}, kv...)
	}
	return h.Send(ccBody(kv...), h.As(&h.T.Client))
}

// MustToken is Token that requires success first: specs about the token
// response cannot judge anything without one.
func (h *H) MustToken(kv ...string) (*Response, map[string]any) {
	if h.spec.ID != idJSONToken && !dependsOn(h.spec, idJSONToken) {
		panic(fmt.Sprintf("%s reads the JSON token response but does not depend on %s", h.spec.ID, idJSONToken))
	}
	r := h.Token(kv...)
	obj, err := r.JSON()
	h.Require(r.Status/100 == 2 && err == nil && obj["access_token"] != nil,
		"a JSON access token for a valid client credentials request",
		"%s", r.Summary())
	return r, obj
}

// Metadata returns the RFC 8414 document, fetched once per run; its
// exchange is part of every spec that uses it.
func (h *H) Metadata() (*Response, map[string]any) {
	f := h.st.fetchMetadata(h)
	h.exchanges = append(h.exchanges, f.ex)
	if f.err != nil {
		h.transportError(f.err)
	}
	obj, err := f.resp.JSON()
	if f.resp.Status != 200 || err != nil {
		h.Skip(fmt.Sprintf("the metadata document at %s is not usable: %s", h.T.MetadataURL, f.resp.Summary()))
	}
	return f.resp, obj
}

// metadataTrusted reports whether the metadata's data may be used: RFC
// 8414 §3.3 forbids using a document whose issuer fails MD-02.
func (h *H) metadataTrusted() bool {
	return h.st.result(h.ctx, specByID("MD-02")).Verdict != reports.Fail
}

// metadataDoc is the metadata document when there is a usable one, for
// specs whose main check does not need it; its exchange is added.
func (h *H) metadataDoc() (map[string]any, bool) {
	if h.T.MetadataURL == "" {
		return nil, false
	}
	f := h.st.fetchMetadata(h)
	h.exchanges = append(h.exchanges, f.ex)
	if f.err != nil || f.resp.Status != 200 {
		return nil, false
	}
	obj, err := f.resp.JSON()
	return obj, err == nil
}

// fetchMetadata gets the metadata document once per run.
func (st *runState) fetchMetadata(h *H) *fetched {
	st.metaOnce.Do(func() {
		pr := probe.Request{Method: http.MethodGet, URL: st.target.MetadataURL, Header: http.Header{}}
		resp, ex, err := st.prober.Do(h.ctx, pr)
		f := &fetched{ex: ex, err: err}
		if err == nil {
			f.resp = &Response{Status: resp.Status, Header: resp.Header, Body: resp.Body}
			h.validate(specs.OpMetadata, pr, f.resp, ex)
		}
		st.meta = f
	})
	return st.meta
}

// IDs the harness itself builds on.
const (
	// idBaseline is the spec that finds how the client under test gets a
	// token: every spec that authenticates as that client depends on it.
	idBaseline = "CC-OK-01"
	// idJSONToken is the spec that proves the token response is a JSON
	// object: every spec that reads its members depends on it.
	idJSONToken = "RESP-JSON-01"
)

// need makes a Need from a condition the target must meet.
// needSecret skips a spec that sends the client under test's secret
// when it has none (it authenticates with private_key_jwt only).
var needSecret = need(func(t *Target) bool { return t.Client.Secret != "" },
	"needs the client under test's secret, and it has none (it authenticates with a key or a certificate)")

func need(ok func(t *Target) bool, reason string) Need {
	return func(t *Target) string {
		if ok(t) {
			return ""
		}
		return reason
	}
}

// Needs shared by the specs.
var (
	needScope          = need(func(t *Target) bool { return t.Scope != "" }, "needs a scope the client may have (--scope)")
	needForbiddenScope = need(func(t *Target) bool { return t.ForbiddenScope != "" }, "needs a scope the client may not have (--forbidden-scope)")
	needSpecial        = need(func(t *Target) bool { return t.SpecialClient != nil }, "needs a second client whose id and secret need form-encoding (--special-client-id)")
	needNoGrant        = need(func(t *Target) bool { return t.NoGrantClient != nil }, "needs a client that may not use client_credentials (--nogrant-client-id)")
	needMetadata       = need(func(t *Target) bool { return t.MetadataURL != "" }, "needs the metadata URL (--issuer or --metadata-url)")
	needResource       = need(func(t *Target) bool { return t.Resource != "" }, "needs a resource the client may ask for (--resource)")
	needJWTProfile     = need(func(t *Target) bool { return t.Has(ProfileRFC9068) }, "JWT access token checks are opt-in: profile rfc9068")
)

// specialToken sends a valid request for the special client: without
// scope first, then, when the server requires one (§3.3 allows
// invalid_scope for a request without scope), with the first configured
// scope.
func (h *H) specialToken(auth Opt) *Response {
	r := h.Send(ccBody(), auth)
	if r.Status == 400 && r.ErrorCode() != rfc6749.ErrInvalidClient && h.T.Scope != "" {
		r = h.Send(ccBody("scope", strings.Fields(h.T.Scope)[0]), auth)
	}
	return r
}

// scopedShared is a valid request body for requests that involve the
// second client too: only the first configured scope, the one most likely
// granted to both, plus kv.
func (h *H) scopedShared(kv ...string) string {
	if h.T.Scope != "" {
		kv = append([]string{"scope", strings.Fields(h.T.Scope)[0]}, kv...)
	}
	return ccBody(kv...)
}

// scoped is the body of a valid request by the client under test: the
// configured scope when there is one, plus kv.
func (h *H) scoped(kv ...string) string {
	if h.T.Scope != "" {
		kv = append([]string{"scope", h.T.Scope}, kv...)
	}
	return ccBody(kv...)
}

// Package probe is the HTTP client the conformance specs use. It builds
// requests, reads responses through a size limit, never follows redirects,
// and records every exchange with secrets and tokens redacted, next to a
// curl line that reproduces the request with secrets left in environment
// variables.
package probe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/occheck/occheck/internal/redact"
	"github.com/occheck/occheck/reports"
)

// DefaultMaxBody bounds how much of a response body is read.
const DefaultMaxBody = 1 << 20

// maxRecordedBody bounds the response body kept in a transcript: enough
// for a person to read, small enough that a run against a server sending
// huge bodies stays small.
const maxRecordedBody = 16 << 10

// Redacted replaces secrets in recorded exchanges.
const Redacted = redact.Mark

// Secret is a value that must never be recorded, and the environment
// variable a reproducing curl line reads it from.
type Secret struct {
	Value string
	Env   string
	// ID is the client the secret belongs to, so the base64 of id:secret
	// (an HTTP Basic credential) is recognised wherever it is echoed.
	ID string
}

// forms lists every encoding of the secret a request or an echo may hold:
// the value's own (redact.Forms) and, for HTTP Basic, id:secret in base64.
func (s Secret) forms() []string {
	q := url.QueryEscape(s.Value)
	out := redact.Forms(s.Value)
	if s.ID != "" {
		for _, pair := range []string{url.QueryEscape(s.ID) + ":" + q, s.ID + ":" + s.Value, url.QueryEscape(s.ID) + ":" + strings.ReplaceAll(q, "+", "%20")} {
			out = append(out, base64.StdEncoding.EncodeToString([]byte(pair)), base64.RawStdEncoding.EncodeToString([]byte(pair)))
		}
	}
	return out
}

// Prober sends requests and records them.
type Prober struct {
	// Client sends the requests. Its redirect policy is replaced: redirects
	// are returned, never followed, so credentials stay with the origin.
	Client *http.Client
	// MaxBody bounds response bodies; zero means DefaultMaxBody.
	MaxBody int64
	// Timeout bounds one exchange; zero means none beyond ctx.
	Timeout time.Duration
	// Secrets are redacted wherever they appear.
	Secrets []Secret
	// Rate bounds requests per second across all specs; zero means no
	// bound. It keeps the suite polite to shared servers.
	Rate float64
	// BreakAfter opens the circuit after this many consecutive transport
	// errors, 5xx or 429 answers: later requests fail at once with
	// ErrCircuitOpen. Zero means never.
	BreakAfter int

	mu       sync.Mutex
	next     time.Time
	failures int
	open     error
}

// ErrCircuitOpen is returned for every request once the circuit breaker
// has tripped.
var ErrCircuitOpen = errors.New("circuit open")

// pace waits for the request's slot under Rate.
func (p *Prober) pace(ctx context.Context) error {
	if p.Rate <= 0 {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(time.Duration(float64(time.Second) / p.Rate))
	p.mu.Unlock()
	if d := time.Until(slot); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Tripped returns the reason the circuit opened, or nil.
func (p *Prober) Tripped() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open
}

// observe counts consecutive trouble for the circuit breaker; failure is
// the redacted description of a transport error, "" for a response.
func (p *Prober) observe(status int, failure string) {
	if p.BreakAfter <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	bad := failure != "" || status >= 500 || status == http.StatusTooManyRequests
	if !bad {
		p.failures = 0
		return
	}
	p.failures++
	if p.failures >= p.BreakAfter && p.open == nil {
		what := fmt.Sprintf("status %d", status)
		if failure != "" {
			what = failure
		}
		p.open = fmt.Errorf("%w: %d requests in a row failed (last: %s); stopping instead of grinding through every spec", ErrCircuitOpen, p.failures, what)
	}
}

// Request is one request to send.
type Request struct {
	Method string
	URL    string
	Header http.Header
	// Body is the raw request body.
	Body string
	// Client, when set, sends this request instead of the Prober's, e.g.
	// one that presents a TLS client certificate (RFC 8705).
	Client *http.Client
	// ClientCert describes the client certificate Client presents, for
	// the transcript and the curl line; "" for none.
	ClientCert string
}

// Response is a response as read.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	Truncated bool
}

// ErrTransport marks failures below HTTP: connection, TLS, timeout.
var ErrTransport = errors.New("transport")

// TransportError is a failure below HTTP. Dropped tells the server's fault
// apart from the network's: the connection was made and the request sent,
// then the server closed or reset it before a complete response (RFC 6749
// §5.2 owes every refused request an error response). Refused connections,
// name lookups, TLS failures and timeouts are not Dropped.
type TransportError struct {
	// Desc is the redacted one-line description.
	Desc string
	// Dropped is true when the server ended the exchange without a
	// complete response.
	Dropped bool
}

func (e *TransportError) Error() string { return e.Desc }

// Unwrap makes errors.Is(err, ErrTransport) hold.
func (e *TransportError) Unwrap() error { return ErrTransport }

// IsDropped reports whether err is a transport error the server caused by
// closing the connection without a complete response.
func IsDropped(err error) bool {
	var te *TransportError
	return errors.As(err, &te) && te.Dropped
}

// dropped classifies a client error: true when a connection existed and
// the server closed or reset it mid-exchange.
func dropped(err error) bool {
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false // nothing listens there: the network's trouble
	}
	var rhe tls.RecordHeaderError
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var che x509.HostnameError
	var cie x509.CertificateInvalidError
	if errors.As(err, &rhe) || errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &che) || errors.As(err, &cie) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "ENHANCE_YOUR_CALM") || strings.Contains(s, "REFUSED_STREAM"):
		return false // HTTP/2 flow control: the server asks for less, it did not crash
	case strings.Contains(s, `malformed HTTP response "\x15\x03`) || strings.Contains(s, `malformed HTTP response "\x16\x03`):
		return false // a TLS record: plain HTTP sent to a TLS port
	}
	return strings.Contains(s, "stream error") || strings.Contains(s, "malformed HTTP") ||
		strings.Contains(s, "connection reset") || strings.Contains(s, "broken pipe")
}

// Do sends req and returns the response with the redacted exchange. A
// transport failure returns an error wrapping ErrTransport, and the
// exchange says what went wrong.
func (p *Prober) Do(ctx context.Context, req Request) (*Response, reports.Exchange, error) {
	if err := p.Tripped(); err != nil {
		return nil, p.record(req, nil, 0, err), err
	}
	if err := p.pace(ctx); err != nil {
		return nil, p.record(req, nil, 0, err), fmt.Errorf("%w: %v", ErrTransport, err)
	}
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Timeout)
		defer cancel()
	}
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		ex := p.record(req, nil, 0, err)
		return nil, ex, fmt.Errorf("%w: build request: %v", ErrTransport, err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json")
	}
	if hr.Header.Get("User-Agent") == "" {
		hr.Header.Set("User-Agent", "occheck")
	}
	req.Header = hr.Header
	client := p.Client
	if req.Client != nil {
		client = req.Client
	}
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	start := time.Now()
	resp, wrote, err := send(&c, hr)
	if err != nil && wrote.reused && dropped(err) {
		// A kept-alive connection the server closed as the request went
		// out: the usual race, not the server's answer. Once more, fresh.
		if hr2, err2 := rebuild(hr, req.Body); err2 == nil {
			resp, wrote, err = send(&c, hr2)
		}
	}
	if err != nil {
		desc := p.redactor(req).text(describe(err))
		p.observe(0, desc)
		ex := p.record(req, nil, time.Since(start), err)
		return nil, ex, &TransportError{Desc: "transport: " + desc, Dropped: wrote.written && dropped(err)}
	}
	defer resp.Body.Close()
	limit := p.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	if int64(len(data)) > limit {
		out.Body, out.Truncated = data[:limit], true
	}
	if err != nil {
		desc := p.redactor(req).text(describe(err))
		p.observe(0, desc)
		ex := p.record(req, out, time.Since(start), err)
		return out, ex, &TransportError{Desc: "transport: reading the response body: " + desc, Dropped: dropped(err)}
	}
	p.observe(out.Status, "")
	return out, p.record(req, out, time.Since(start), nil), nil
}

// sent is what the connection saw of a request.
type sent struct {
	// written: the whole request went out, after any TLS handshake.
	written bool
	// reused: it went out on a kept-alive connection.
	reused bool
}

// send does the request and traces whether it was written, so a dropped
// connection is blamed on the server only when the server had the request.
func send(c *http.Client, hr *http.Request) (*http.Response, sent, error) {
	var s sent
	trace := &httptrace.ClientTrace{
		GotConn:      func(i httptrace.GotConnInfo) { s.reused = i.Reused },
		WroteRequest: func(i httptrace.WroteRequestInfo) { s.written = i.Err == nil },
	}
	resp, err := c.Do(hr.WithContext(httptrace.WithClientTrace(hr.Context(), trace)))
	return resp, s, err
}

// rebuild makes the request anew with a fresh body.
func rebuild(hr *http.Request, body string) (*http.Request, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	n, err := http.NewRequestWithContext(hr.Context(), hr.Method, hr.URL.String(), r)
	if err != nil {
		return nil, err
	}
	n.Header = hr.Header.Clone()
	return n, nil
}

// describe turns client errors into one line naming the likely cause.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "certificate signed by unknown authority"):
		return s + " (pass the CA with --ca-file)"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(s, "Client.Timeout"):
		return s + " (no answer within the timeout)"
	}
	return s
}

var tokenMember = regexp.MustCompile(`"(access_token|refresh_token|id_token)"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)

// Fingerprint identifies a token in reports without revealing it.
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// record builds the redacted exchange: secrets in any encoding, the
// Authorization header and issued tokens never reach it.
func (p *Prober) record(req Request, resp *Response, d time.Duration, err error) reports.Exchange {
	r := p.redactor(req)
	ex := reports.Exchange{
		Method:         req.Method,
		URL:            r.url(req.URL),
		RequestHeaders: r.header(req.Header, true),
		RequestBody:    r.form(req.Body),
		Duration:       reports.Duration(d),
		ClientCert:     req.ClientCert,
	}
	if ex.Method == "" {
		ex.Method = http.MethodPost
	}
	if err != nil {
		ex.Error = r.text(err.Error())
	}
	if resp != nil {
		ex.Status = resp.Status
		ex.ResponseHeaders = r.header(resp.Header, false)
		ex.Truncated = resp.Truncated
		body := resp.Body
		if len(body) > maxRecordedBody {
			body, ex.Truncated = body[:maxRecordedBody], true
		}
		ex.ResponseBody = r.responseBody(string(body), resp.Header.Get("Content-Type"))
	}
	return ex
}

// redactor knows every form the request's secrets took.
type redactor struct{ words *redact.Words }

func (p *Prober) redactor(req Request) *redactor {
	var words []string
	for _, s := range p.Secrets {
		if len(s.Value) < 3 {
			continue
		}
		words = append(words, s.forms()...)
	}
	for _, v := range req.Header.Values("Authorization") {
		if _, cred, ok := strings.Cut(v, " "); ok && len(cred) >= 3 {
			words = append(words, strings.TrimSpace(cred))
		}
	}
	return &redactor{words: redact.New(words, 3)}
}

func (r *redactor) text(s string) string { return r.words.Replace(s) }

var secretParams = map[string]bool{"client_secret": true, "client_assertion": true, "password": true, "refresh_token": true, "token": true, "code": true, "access_token": true}

// form redacts a request body; in a form body the secret parameters lose
// their values whatever they hold.
// url redacts the secret parameters of a URL's query (an access token
// sent as ?access_token=, RFC 6750 §2.3) and every known secret.
func (r *redactor) url(u string) string {
	base, query, ok := strings.Cut(u, "?")
	if !ok {
		return r.text(u)
	}
	return r.text(base) + "?" + r.form(query)
}

func (r *redactor) form(body string) string {
	if body == "" {
		return ""
	}
	parts := strings.Split(body, "&")
	for i, part := range parts {
		k, _, ok := strings.Cut(part, "=")
		if name, err := url.QueryUnescape(k); ok && err == nil && secretParams[name] {
			parts[i] = k + "=" + Redacted
		}
	}
	return r.text(strings.Join(parts, "&"))
}

func (r *redactor) header(h http.Header, request bool) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		cp := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case request && (k == "Authorization" || k == "Cookie" || k == "Proxy-Authorization"):
				scheme, _, _ := strings.Cut(v, " ")
				cp[i] = scheme + " " + Redacted
			case request && k == "Dpop":
				// A DPoP proof (RFC 9449) is a credential for its
				// request: shown by fingerprint only.
				cp[i] = Redacted + " " + Fingerprint(v)
			default:
				cp[i] = r.text(v)
			}
		}
		out[displayName(k)] = cp
	}
	return out
}

// displayName is a header's name as its RFC spells it, where Go's
// canonical form differs: DPoP and DPoP-Nonce (RFC 9449).
func displayName(k string) string {
	switch k {
	case "Dpop":
		return "DPoP"
	case "Dpop-Nonce":
		return "DPoP-Nonce"
	}
	return k
}

// responseBody replaces issued tokens by fingerprints, in JSON and form
// bodies, and any echoed secret.
func (r *redactor) responseBody(body, contentType string) string {
	var tokens []string
	body = tokenMember.ReplaceAllStringFunc(body, func(m string) string {
		sub := tokenMember.FindStringSubmatch(m)
		tokens = append(tokens, sub[3])
		return `"` + sub[1] + `"` + sub[2] + `"` + Redacted + " " + Fingerprint(sub[3]) + `"`
	})
	if strings.HasPrefix(strings.ToLower(contentType), "application/x-www-form-urlencoded") {
		if vals, err := url.ParseQuery(body); err == nil {
			for _, k := range []string{"access_token", "refresh_token", "id_token"} {
				if v := vals.Get(k); v != "" {
					tokens = append(tokens, v, url.QueryEscape(v))
				}
			}
		}
	}
	for _, t := range tokens {
		if len(t) >= 8 {
			body = strings.ReplaceAll(body, t, Redacted+" "+Fingerprint(t))
		}
	}
	return r.text(body)
}

// Curl returns a shell command that sends req again. Secrets are read from
// their environment variables, never written out.
func (p *Prober) Curl(req Request) string {
	var b strings.Builder
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	b.WriteString("curl -sS -i -X " + method + " " + p.curlURL(req.URL))
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "User-Agent" {
			continue
		}
		for _, v := range req.Header[k] {
			if k == "Authorization" {
				b.WriteString(" -H " + p.curlAuthorization(v))
				continue
			}
			if k == "Dpop" {
				// A proof is single use: the reader makes a fresh one.
				b.WriteString(` -H "DPoP: $` + EnvDPoPProof + `"`)
				continue
			}
			b.WriteString(" -H " + p.splice(k+": "+v))
		}
	}
	if req.Body != "" {
		b.WriteString(p.curlBody(req.Body))
	}
	if req.ClientCert != "" {
		// The certificate and its key stay in files the user names.
		b.WriteString(` --cert "$OCCHECK_CLIENT_CERT" --key "$OCCHECK_CLIENT_CERT_KEY"`)
	}
	return b.String()
}

// curlURL quotes a URL for the shell; an access token in its query is
// read from $OCCHECK_TOKEN, and secrets from their variables.
func (p *Prober) curlURL(u string) string {
	const marker = "OCCHECKTOKENVALUE"
	base, query, ok := strings.Cut(u, "?")
	if !ok {
		return p.splice(u)
	}
	parts := strings.Split(query, "&")
	for i, part := range parts {
		if k, _, _ := strings.Cut(part, "="); k == "access_token" || k == "token" {
			parts[i] = k + "=" + marker
		}
	}
	return strings.ReplaceAll(p.splice(base+"?"+strings.Join(parts, "&")), marker, `'"$`+EnvToken+`"'`)
}

// curlAuthorization rebuilds an Authorization header whose credential
// holds a secret (raw or form-encoded, under any scheme) from the secret's
// variable; a header without a secret is written as it was sent.
func (p *Prober) curlAuthorization(v string) string {
	scheme, cred, _ := strings.Cut(v, " ")
	if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil && p.holdsSecret(string(raw)) {
		return `"Authorization: ` + scheme + ` $(printf '%s' ` + p.splice(string(raw)) + ` | base64 | tr -d '\n')"`
	}
	if strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "DPoP") {
		// An access token: never written out; the reader puts a fresh one
		// into the variable.
		return `"Authorization: ` + scheme + ` $` + EnvToken + `"`
	}
	return p.splice("Authorization: " + v)
}

// holdsSecret reports whether s contains a secret in any encoding.
func (p *Prober) holdsSecret(s string) bool {
	for _, sec := range p.Secrets {
		if len(sec.Value) < 3 {
			continue
		}
		// The encodings splice can rebuild from the variable.
		q := url.QueryEscape(sec.Value)
		for _, f := range []string{sec.Value, q, url.PathEscape(sec.Value), strings.ReplaceAll(q, "+", "%20")} {
			if strings.Contains(s, f) {
				return true
			}
		}
	}
	return false
}

func (p *Prober) curlBody(body string) string {
	if !strings.Contains(body, "=") {
		return " --data-raw " + p.splice(body)
	}
	var b strings.Builder
	for _, part := range strings.Split(body, "&") {
		k, _, _ := strings.Cut(part, "=")
		switch {
		case k == "client_assertion":
			// A signed, single-use, short-lived credential: never written
			// out; the reader signs a fresh one into the variable.
			b.WriteString(` --data-raw "client_assertion=$` + EnvClientAssertion + `"`)
			continue
		case k == "token":
			// An access token (introspection, revocation): the reader
			// gets a fresh one into the variable.
			b.WriteString(` --data-raw "token=$` + EnvToken + `"`)
			continue
		case k != "client_secret" && secretParams[k]:
			b.WriteString(" --data-raw " + p.splice(k+"=[REDACTED]"))
			continue
		}
		b.WriteString(" --data-raw " + p.splice(part))
	}
	return b.String()
}

// EnvClientAssertion is the variable a curl reproducer reads a client
// assertion from.
const EnvClientAssertion = "OCCHECK_CLIENT_ASSERTION"

// EnvToken is the variable a curl reproducer reads an access token from.
const EnvToken = "OCCHECK_TOKEN"

// EnvDPoPProof is the variable reproducing curl lines read a DPoP proof
// from: proofs are single use, so the reader makes a fresh one.
const EnvDPoPProof = "OCCHECK_DPOP_PROOF"

// splice single-quotes s for the shell, replacing every secret by a read
// of its variable in the same encoding: raw as "$VAR"; form-encoded
// through jq (and '+' for spaces, as form encoding writes them);
// percent-encoded through jq alone.
func (p *Prober) splice(s string) string {
	type hit struct{ form, expr string }
	var hits []hit
	for _, sec := range p.Secrets {
		if len(sec.Value) < 3 {
			continue
		}
		v := `"$` + sec.Env + `"`
		q := url.QueryEscape(sec.Value)
		hits = append(hits,
			hit{sec.Value, v},
			hit{q, `"$(printf '%s' ` + v + ` | jq -sRr @uri | sed 's/%20/+/g')"`},
			hit{strings.ReplaceAll(q, "+", "%20"), `"$(printf '%s' ` + v + ` | jq -sRr @uri)"`})
	}
	sort.SliceStable(hits, func(i, j int) bool { return len(hits[i].form) > len(hits[j].form) })
	var out bytes.Buffer
	for len(s) > 0 {
		best, at := -1, len(s)
		for i, h := range hits {
			if j := strings.Index(s, h.form); j >= 0 && j < at {
				best, at = i, j
			}
		}
		if best < 0 {
			out.WriteString(shellQuote(s))
			break
		}
		if at > 0 {
			out.WriteString(shellQuote(s[:at]))
		}
		out.WriteString(hits[best].expr)
		s = s[at+len(hits[best].form):]
	}
	if out.Len() == 0 {
		return "''"
	}
	return out.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var jwsLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)

// Redact removes every form of the known secrets, and anything shaped like
// a JWS, from text that did not come through an exchange: failure
// messages and notes quote responses too.
func (p *Prober) Redact(s string) string {
	s = tokenMember.ReplaceAllStringFunc(s, func(m string) string {
		sub := tokenMember.FindStringSubmatch(m)
		return `"` + sub[1] + `"` + sub[2] + `"` + Redacted + " " + Fingerprint(sub[3]) + `"`
	})
	s = p.redactor(Request{Header: http.Header{}}).text(s)
	return jwsLike.ReplaceAllStringFunc(s, func(t string) string { return Redacted + " " + Fingerprint(t) })
}

// ClientWithCA returns an HTTP client that trusts the PEM certificates in
// caFile besides the system roots (a test CA, a private PKI), TLS 1.2 or
// later.
func ClientWithCA(caFile string, timeout time.Duration) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

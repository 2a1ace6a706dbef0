package mockserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
)

// FaultAction is what a fault does to a request it matches.
type FaultAction string

// The fault actions.
const (
	// FaultError answers with an OAuth error: Status (default 400) and
	// Error (default server_error), Description optional.
	FaultError FaultAction = "error"
	// FaultTooManyRequests answers 429 with Retry-After (RetryAfter,
	// default 1s).
	FaultTooManyRequests FaultAction = "too_many_requests"
	// FaultUnavailable answers 503 with Retry-After.
	FaultUnavailable FaultAction = "unavailable"
	// FaultDelay waits Delay, then answers as usual.
	FaultDelay FaultAction = "delay"
	// FaultDrip sends the usual response a few bytes at a time, Delay
	// apart (default 100ms).
	FaultDrip FaultAction = "drip"
	// FaultDrop closes the connection without any response.
	FaultDrop FaultAction = "drop"
	// FaultTruncate sends the headers of the usual response and half its
	// body, then closes the connection.
	FaultTruncate FaultAction = "truncate"
	// FaultMalformedJSON answers 200 with half of the usual JSON body.
	FaultMalformedJSON FaultAction = "malformed_json"
	// FaultExpiredToken issues a token whose exp has already passed.
	FaultExpiredToken FaultAction = "expired_token"
	// FaultUnpublishedKey issues a token signed with a key the JWKS does
	// not publish.
	FaultUnpublishedKey FaultAction = "unpublished_key"
	// FaultQuirk applies Quirk to the matching requests only.
	FaultQuirk FaultAction = "quirk"
)

var faultActions = []FaultAction{FaultError, FaultTooManyRequests, FaultUnavailable, FaultDelay, FaultDrip, FaultDrop,
	FaultTruncate, FaultMalformedJSON, FaultExpiredToken, FaultUnpublishedKey, FaultQuirk}

// Fault is a failure injected into chosen requests, so a client's error
// paths (retries, backoff, token refresh, JWKS refetch) can be tested. It
// matches requests by endpoint, client and grant; a count says which of
// the matching requests it hits; the action says what happens to them.
type Fault struct {
	// Endpoint is EndpointToken, EndpointJWKS or EndpointMetadata; empty
	// matches every endpoint.
	Endpoint string `json:"endpoint,omitempty"`
	// ClientID matches token requests that name this client (in Basic or
	// client_id), whether or not they authenticate.
	ClientID string `json:"client_id,omitempty"`
	// GrantType matches token requests with this grant_type.
	GrantType string `json:"grant_type,omitempty"`

	// Times hits the next Times matching requests, then the fault is
	// spent. Every hits every Every-th matching request. Probability hits
	// each matching request with that chance. None set: every matching
	// request until the fault is removed. A request counts when it reaches
	// the fault, whether or not the flow then issues a token; when several
	// faults match, the oldest live one takes the request and the others
	// do not see it.
	Times       int     `json:"times,omitempty"`
	Every       int     `json:"every,omitempty"`
	Probability float64 `json:"probability,omitempty"`

	// Action is what happens to a hit request.
	Action FaultAction `json:"action"`
	// Status and Error are the answer of FaultError.
	Status      int    `json:"status,omitempty"`
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description,omitempty"`
	// RetryAfter is the Retry-After of FaultTooManyRequests and
	// FaultUnavailable.
	RetryAfter Duration `json:"retry_after,omitempty"`
	// Delay is the wait of FaultDelay and the pace of FaultDrip.
	Delay Duration `json:"delay,omitempty"`
	// Quirk is the deviation of FaultQuirk.
	Quirk Quirk `json:"quirk,omitempty"`
}

// MarshalJSON writes a Duration as a Go duration string ("1.5s").
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as 1s or 250ms, got %q", s)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("want a duration such as \"1s\" or a number of seconds")
	}
	if math.IsNaN(secs) || math.Abs(secs) > float64(math.MaxInt64)/float64(time.Second) {
		return fmt.Errorf("%v seconds is out of range", secs)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// validate names the first bad field.
func (f *Fault) validate() error {
	switch f.Endpoint {
	case "", EndpointToken, EndpointJWKS, EndpointMetadata:
	default:
		return fmt.Errorf("endpoint: %q is not token, jwks or metadata", f.Endpoint)
	}
	if (f.ClientID != "" || f.GrantType != "") && f.Endpoint != EndpointToken && f.Endpoint != "" {
		return fmt.Errorf("client_id and grant_type match token requests only")
	}
	n := 0
	for _, set := range []bool{f.Times != 0, f.Every != 0, f.Probability != 0} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return fmt.Errorf("times, every and probability: set at most one")
	case f.Times < 0 || f.Every < 0:
		return fmt.Errorf("times and every must not be negative")
	case f.Probability < 0 || f.Probability > 1:
		return fmt.Errorf("probability: must be between 0 and 1")
	case f.RetryAfter < 0 || f.Delay < 0:
		return fmt.Errorf("retry_after and delay must not be negative")
	case time.Duration(f.Delay) > maxDelay:
		return fmt.Errorf("delay: at most %v, inside the server's write timeout (use drop for a request that never gets an answer)", maxDelay)
	}
	valid := false
	for _, a := range faultActions {
		valid = valid || a == f.Action
	}
	if !valid {
		return fmt.Errorf("action: %q is not one of %s", f.Action, joinActions())
	}
	if f.Action == FaultError && f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		return fmt.Errorf("status: %d is not an error status", f.Status)
	}
	if f.Action == FaultError && f.Error != "" && !rfc6749.ValidErrorText(f.Error) {
		return fmt.Errorf("error: %q holds characters RFC 6749 Appendix A.7 forbids", f.Error)
	}
	if f.Action == FaultQuirk {
		if _, ok := quirkTable[f.Quirk]; !ok {
			return fmt.Errorf("quirk: unknown quirk %q", f.Quirk)
		}
	}
	if (f.Action == FaultExpiredToken || f.Action == FaultUnpublishedKey || f.Action == FaultQuirk) && f.Endpoint != EndpointToken {
		return fmt.Errorf("action %s applies to the token endpoint: set endpoint to token", f.Action)
	}
	return nil
}

func joinActions() string {
	var s []string
	for _, a := range faultActions {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}

// FaultStatus is a fault with its id and how often it has hit.
type FaultStatus struct {
	ID      string `json:"id"`
	Fault   Fault  `json:"fault"`
	Matched int    `json:"matched"`
	Hits    int    `json:"hits"`
	Spent   bool   `json:"spent"`
}

// faultSet holds the faults; requests take its lock only when one exists.
type faultSet struct {
	mu     sync.Mutex
	n      atomic.Int32 // live faults, read lock-free on every request
	next   int
	faults []*FaultStatus
}

// AddFault schedules f and returns its id. It is safe while requests are
// served; the next matching request is hit.
func (a *Authority) AddFault(f Fault) (string, error) {
	if err := f.validate(); err != nil {
		return "", err
	}
	if f.Action == FaultQuirk && !a.rewiresToken(f.Quirk) {
		return "", fmt.Errorf("quirk: %s changes the metadata or the JWK Set, not token requests; switch it on with SetQuirks", f.Quirk)
	}
	fs := &a.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.next++
	st := &FaultStatus{ID: strconv.Itoa(fs.next), Fault: f}
	fs.faults = append(fs.faults, st)
	fs.n.Add(1)
	return st.ID, nil
}

// Faults lists the scheduled faults, spent ones included, oldest first.
func (a *Authority) Faults() []FaultStatus {
	fs := &a.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]FaultStatus, 0, len(fs.faults))
	for _, f := range fs.faults {
		out = append(out, *f)
	}
	return out
}

// RemoveFault removes one fault; false when no fault has that id.
func (a *Authority) RemoveFault(id string) bool {
	fs := &a.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.faults {
		if f.ID == id {
			if !f.Spent {
				fs.n.Add(-1)
			}
			fs.faults = append(fs.faults[:i], fs.faults[i+1:]...)
			return true
		}
	}
	return false
}

// ClearFaults removes every fault.
func (a *Authority) ClearFaults() {
	fs := &a.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = nil
	fs.n.Store(0)
}

// Reset clears the faults and the journal and returns the clock to its
// source: the state a test starts from. Quirks and keys stay as they are
// (SetQuirks with none, and DropRetiredKeys, undo those).
func (a *Authority) Reset() {
	a.ClearFaults()
	a.ResetRequests()
	a.clock.Reset()
}

// hit finds the first live fault that matches and decides whether it hits
// this request, counting it.
func (fs *faultSet) hit(endpoint, clientID, grantType string) (*Fault, string) {
	if fs.n.Load() == 0 {
		return nil, ""
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, st := range fs.faults {
		f := &st.Fault
		if st.Spent || (f.Endpoint != "" && f.Endpoint != endpoint) ||
			(f.ClientID != "" && f.ClientID != clientID) || (f.GrantType != "" && f.GrantType != grantType) {
			continue
		}
		st.Matched++
		switch {
		case f.Every > 0 && st.Matched%f.Every != 0:
			continue
		case f.Probability > 0 && rand.Float64() >= f.Probability: //nolint:gosec // test fault injection, not security
			continue
		}
		st.Hits++
		if f.Times > 0 && st.Hits >= f.Times {
			st.Spent = true
			fs.n.Add(-1)
		}
		fc := *f
		return &fc, "fault " + st.ID + " (" + string(f.Action) + ")"
	}
	return nil, ""
}

// serveTokenWithFaults is the token endpoint when faults may be
// scheduled: the reference flow, unless a fault hits the request.
func (a *Authority) serveTokenWithFaults(w http.ResponseWriter, r *http.Request) {
	if a.faults.n.Load() == 0 {
		a.serveToken(w, r)
		return
	}
	var claimed, grant string
	if a.faults.needPeek() {
		claimed, grant = peekToken(r)
	}
	f, name := a.faults.hit(EndpointToken, claimed, grant)
	switch {
	case f == nil:
		a.serveToken(w, r)
	case a.tokenDeviation(f) != nil:
		rec := a.runToken(w, r, a.compileWith(a.tokenDeviation(f)))
		rec.Fault = name
		a.reqlog.add(rec)
	default:
		served := false
		var rec rawRequest
		a.faulty(w, r, f, func(w http.ResponseWriter) { served = true; rec = a.runToken(w, r, a.steps.Load()) })
		if !served {
			if claimed == "" && grant == "" {
				claimed, grant = peekToken(r) // for the journal
			}
			rec = rawRequest{RecordedRequest: RecordedRequest{Time: a.now(), Endpoint: EndpointToken, Method: r.Method, Path: r.URL.Path,
				Claimed: claimed, GrantType: grant}, header: r.Header, rawQuery: r.URL.RawQuery}
		}
		a.faultOutcome(w, &rec, f, name)
		a.reqlog.add(rec)
	}
}

// faultOutcome makes the journal say what the client got from a fault,
// not what the flow behind it produced.
func (a *Authority) faultOutcome(w http.ResponseWriter, rec *rawRequest, f *Fault, name string) {
	rec.Fault = name
	sw, _ := w.(*statusWriter)
	switch f.Action {
	case FaultError, FaultTooManyRequests, FaultUnavailable:
		rec.Status, rec.Error = faultStatus(f), faultCode(f)
		rec.Reason = "injected fault: " + string(f.Action)
	case FaultDrop, FaultTruncate:
		rec.Status, rec.Error = 0, ""
	case FaultMalformedJSON:
		rec.Error = "malformed_json"
	case FaultDelay, FaultDrip:
		if sw != nil && sw.code == 0 {
			rec.Status = 0 // the client left before the answer
		}
	}
	if sw != nil && sw.aborted {
		rec.Status = 0
	}
	if sw != nil {
		sw.clientID, sw.errCode = rec.ClientID, rec.Error
	}
}

// needPeek: some live fault matches by client or grant.
func (fs *faultSet) needPeek() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, st := range fs.faults {
		if !st.Spent && (st.Fault.ClientID != "" || st.Fault.GrantType != "") {
			return true
		}
	}
	return false
}

// errReader replays a read error after the bytes that came before it.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// peekToken reads who a token request claims to be and its grant, and
// puts the body back exactly as it came, read error included, for the
// flow to read after.
func peekToken(r *http.Request) (clientID, grantType string) {
	var form url.Values
	if r.Method == http.MethodPost && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		rest := io.Reader(r.Body)
		if err != nil {
			rest = errReader{err}
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), rest), r.Body}
		if err == nil {
			form, _ = url.ParseQuery(string(body))
		}
	}
	grantType = form.Get(rfc6749.ParamGrantType)
	clientID = form.Get(rfc6749.ParamClientID)
	if scheme, cred, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " "); ok && strings.EqualFold(scheme, "Basic") {
		if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
			if id, _, ok := strings.Cut(string(raw), ":"); ok {
				if dec, err := url.QueryUnescape(id); err == nil {
					id = dec
				}
				clientID = id
			}
		}
	}
	return clientID, grantType
}

// faulty serves a request a fault hit. serve runs the usual handler into
// the writer it is given; it returns false when the fault only changes
// how the token is made (the flow then runs with extra steps).
func (a *Authority) faulty(w http.ResponseWriter, r *http.Request, f *Fault, serve func(http.ResponseWriter)) {
	switch f.Action {
	case FaultError:
		a.writeFaultError(w, faultStatus(f), faultCode(f), f.Description, "")
	case FaultTooManyRequests, FaultUnavailable:
		ra := time.Duration(f.RetryAfter)
		if ra <= 0 {
			ra = time.Second
		}
		a.writeFaultError(w, faultStatus(f), faultCode(f), "injected fault", strconv.Itoa(int((ra+time.Second-1)/time.Second)))
	case FaultDelay:
		t := time.NewTimer(time.Duration(f.Delay))
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		serve(w)
	case FaultDrop:
		abortConnection(w)
	case FaultDrip, FaultTruncate, FaultMalformedJSON:
		rec := httptest.NewRecorder()
		serve(rec)
		body := rec.Body.Bytes()
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		switch f.Action {
		case FaultMalformedJSON:
			w.Header().Del("Content-Length")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body[:len(body)/2])
		case FaultTruncate:
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body[:len(body)/2])
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			abortConnection(w)
		case FaultDrip:
			drip(w, r, rec.Code, body, time.Duration(f.Delay))
		}
	}
}

// maxDrip bounds how long a drip takes, and maxDelay a delay: both stay
// inside the server's WriteTimeout (10 s), so the client gets the answer.
const (
	maxDrip  = 5 * time.Second
	maxDelay = 8 * time.Second
)

// drip writes body a few bytes at a time.
func drip(w http.ResponseWriter, r *http.Request, status int, body []byte, pace time.Duration) {
	if pace <= 0 {
		pace = 100 * time.Millisecond
	}
	// Chunks big enough that the whole drip ends within maxDrip, well
	// inside the server's write timeout: a drip, not a truncation.
	steps := max(1, int(maxDrip/pace))
	chunk := max(8, (len(body)+steps-1)/steps)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	fl, _ := w.(http.Flusher)
	for len(body) > 0 {
		n := min(chunk, len(body))
		if _, err := w.Write(body[:n]); err != nil {
			return
		}
		body = body[n:]
		if fl != nil {
			fl.Flush()
		}
		t := time.NewTimer(pace)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
}

// faultStatus and faultCode are the answer of an error fault: 500
// server_error unless chosen; 429 and 503 carry temporarily_unavailable.
func faultStatus(f *Fault) int {
	switch {
	case f.Action == FaultTooManyRequests:
		return http.StatusTooManyRequests
	case f.Action == FaultUnavailable:
		return http.StatusServiceUnavailable
	case f.Status != 0:
		return f.Status
	case f.Error == "" || f.Error == rfc6749.ErrServerError:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func faultCode(f *Fault) string {
	switch {
	case f.Action == FaultTooManyRequests || f.Action == FaultUnavailable:
		return "temporarily_unavailable"
	case f.Error != "":
		return f.Error
	}
	return rfc6749.ErrServerError
}

// writeFaultError writes an injected error in the §5.2 shape.
func (a *Authority) writeFaultError(w http.ResponseWriter, status int, code, desc, retryAfter string) {
	h := w.Header()
	setNoStore(h)
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Basic realm="`+a.realm+`", charset="UTF-8"`)
	}
	body, _ := json.Marshal(errorBody{Error: code, Description: sanitizeDescription(desc)})
	h.Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// abortConnection asks ServeHTTP to close the connection without (more
// of) a response.
func abortConnection(w http.ResponseWriter) {
	if sw, ok := w.(*statusWriter); ok {
		sw.aborted = true
		return
	}
	panic(http.ErrAbortHandler)
}

// rewiresToken reports whether quirk q changes a step of the token
// endpoint (not only the metadata or the JWK Set).
func (a *Authority) rewiresToken(q Quirk) bool {
	ref, s := a.reference(), a.reference()
	quirkTable[q].hooks(s, a)
	rv, sv := reflect.ValueOf(ref).Elem(), reflect.ValueOf(s).Elem()
	for i := 0; i < rv.NumField(); i++ {
		switch rv.Type().Field(i).Name {
		case "metadata", "jwks":
			continue
		}
		if rv.Field(i).Pointer() != sv.Field(i).Pointer() {
			return true
		}
	}
	return false
}

// tokenDeviation is how a fault changes the token the flow mints.
func (a *Authority) tokenDeviation(f *Fault) deviation {
	switch f.Action {
	case FaultExpiredToken:
		return func(s *steps, a *Authority) {
			wrapClaims(s, func(_ *exchange, c *tokenClaims) {
				life := c.Exp - c.Iat
				c.Iat -= life + 60
				c.Exp = c.Iat + life
			})
		}
	case FaultUnpublishedKey:
		return func(s *steps, a *Authority) {
			s.sign = func(_ *exchange, c *tokenClaims) (string, error) { return a.signUnpublished(c) }
		}
	case FaultQuirk:
		return quirkTable[f.Quirk].hooks
	}
	return nil
}

// signUnpublished signs with a key of the same algorithm that the JWKS
// never lists, under a kid of its own.
func (a *Authority) signUnpublished(c *tokenClaims) (string, error) {
	alg := string(a.currentKey().alg)
	v, ok := a.extraKeys.Load("unpublished:" + alg)
	if !ok {
		priv, err := generateKey(alg)
		if err != nil {
			return "", err
		}
		k, err := newSigningKey(priv, alg, "at+jwt")
		if err != nil {
			return "", err
		}
		v, _ = a.extraKeys.LoadOrStore("unpublished:"+alg, k)
	}
	payload, err := c.payload()
	if err != nil {
		return "", err
	}
	return v.(*signingKey).compact(payload)
}

package probe

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const secret = "p+ss w%rd&:x/é"

func basicHeader(id, s string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(s)))
}

// echo answers with everything it received, plus a token, to prove the
// recorded exchange hides secrets whatever the server does with them.
func echo(w http.ResponseWriter, r *http.Request) {
	b := make([]byte, 4096)
	n, _ := r.Body.Read(b)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Echo", r.Header.Get("Authorization"))
	_ = json.NewEncoder(w).Encode(map[string]string{
		"access_token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig-abcdefgh",
		"echo_body":    string(b[:n]),
		"echo_query":   r.URL.RawQuery,
		"echo_secret":  secret,
	})
}

func TestExchangeIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	p := &Prober{Client: srv.Client(), Secrets: []Secret{{Value: secret, Env: "OCCHECK_CLIENT_SECRET"}}}
	req := Request{
		URL:    srv.URL + "/token?client_secret=" + url.QueryEscape(secret),
		Header: http.Header{"Authorization": {basicHeader("svc:1", secret)}, "Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   "grant_type=client_credentials&client_id=svc%3A1&client_secret=" + url.QueryEscape(secret),
	}
	resp, ex, err := p.Do(t.Context(), req)
	if err != nil || resp.Status != 200 {
		t.Fatalf("Do: %v %v", resp, err)
	}
	dump, _ := json.Marshal(ex)
	for _, leak := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), strings.TrimPrefix(basicHeader("svc:1", secret), "Basic "),
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig-abcdefgh", `p+ss w%rd\u0026:x/é`} {
		if strings.Contains(string(dump), leak) {
			t.Errorf("exchange leaks %q:\n%s", leak, dump)
		}
	}
	if got := ex.RequestHeaders["Authorization"]; len(got) != 1 || got[0] != "Basic [REDACTED]" {
		t.Errorf("Authorization recorded as %v", got)
	}
	if !strings.Contains(ex.ResponseBody, Fingerprint("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig-abcdefgh")) {
		t.Errorf("token not fingerprinted: %s", ex.ResponseBody)
	}
	if !strings.Contains(ex.RequestBody, "client_secret=[REDACTED]") || !strings.Contains(ex.RequestBody, "client_id=svc%3A1") {
		t.Errorf("request body recorded as %s", ex.RequestBody)
	}
	p.Secrets[0].ID = "svc:1"
	msg := "error: " + secret + " and eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln " + basicHeader("svc:1", secret) + ` {"access_token":"opq_1234567890"}`
	if got := p.Redact(msg); strings.Contains(got, secret) || strings.Contains(got, "eyJ") || strings.Contains(got, strings.TrimPrefix(basicHeader("svc:1", secret), "Basic ")) || strings.Contains(got, "opq_1234567890") {
		t.Errorf("Redact = %s", got)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	p := &Prober{Client: srv.Client()}
	resp, _, err := p.Do(t.Context(), Request{URL: srv.URL, Header: http.Header{"Authorization": {"Basic eDp5"}}, Body: "a=b"})
	if err != nil || resp.Status != http.StatusTemporaryRedirect || followed.Load() != 0 {
		t.Fatalf("resp %v err %v, %d requests followed", resp, err, followed.Load())
	}
}

func TestBodiesAreBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 64; i++ { // 4 MiB
			if _, err := w.Write([]byte(chunk)); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	p := &Prober{Client: srv.Client(), MaxBody: 1 << 20}
	resp, ex, err := p.Do(t.Context(), Request{Method: "GET", URL: srv.URL})
	if err != nil || len(resp.Body) != 1<<20 || !resp.Truncated || !ex.Truncated {
		t.Fatalf("read %d bytes, truncated %v, err %v", len(resp.Body), resp.Truncated, err)
	}
}

func TestTimeoutIsATransportError(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	p := &Prober{Client: srv.Client(), Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, ex, err := p.Do(t.Context(), Request{URL: srv.URL, Body: "a=b"})
	if !errors.Is(err, ErrTransport) || ex.Error == "" || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v, exchange error %q after %v", err, ex.Error, time.Since(start))
	}
}

func TestCircuitBreaker(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	p := &Prober{Client: srv.Client(), BreakAfter: 3}
	for i := 0; i < 5; i++ {
		_, _, _ = p.Do(t.Context(), Request{URL: srv.URL, Body: "a=b"})
	}
	if hits.Load() != 3 || !errors.Is(p.Tripped(), ErrCircuitOpen) {
		t.Fatalf("%d requests reached the server, tripped: %v", hits.Load(), p.Tripped())
	}
}

func TestRate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	p := &Prober{Client: srv.Client(), Rate: 50}
	start := time.Now()
	for i := 0; i < 6; i++ {
		_, _, _ = p.Do(t.Context(), Request{Method: "GET", URL: srv.URL})
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("6 requests at 50/s took %v, want at least 100ms", d)
	}
}

// TestCurlReproduces runs the generated curl lines in a shell with the
// secret only in the environment, against a server that records what it
// gets: the reproducer must send byte for byte what the suite sent, in
// every encoding the suite uses.
func TestCurlReproduces(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "base64", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (CI installs it)", tool)
		}
	}
	type seen struct{ auth, body, query string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 4096)
		n, _ := r.Body.Read(b)
		got <- seen{r.Header.Get("Authorization"), string(b[:n]), r.URL.RawQuery}
	}))
	defer srv.Close()
	p := &Prober{Secrets: []Secret{{Value: secret, Env: "OCCHECK_CLIENT_SECRET", ID: "svc:1"}}}
	raw := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	form := "application/x-www-form-urlencoded"
	reqs := map[string]Request{
		"basic encoded": {URL: srv.URL, Header: http.Header{"Authorization": {basicHeader("svc:1", secret)}, "Content-Type": {form}}, Body: "grant_type=client_credentials"},
		"basic %20":     {URL: srv.URL, Header: http.Header{"Authorization": {raw("svc%3A1:" + strings.ReplaceAll(url.QueryEscape(secret), "+", "%20"))}}, Body: "grant_type=client_credentials"},
		"basic raw":     {URL: srv.URL, Header: http.Header{"Authorization": {raw("svc:1:" + secret)}}, Body: "grant_type=client_credentials"},
		"bearer scheme": {URL: srv.URL, Header: http.Header{"Authorization": {"Bearer " + strings.TrimPrefix(basicHeader("svc:1", secret), "Basic ")}}, Body: "grant_type=client_credentials"},
		"post":          {URL: srv.URL, Header: http.Header{"Content-Type": {form}}, Body: "grant_type=client_credentials&client_id=svc%3A1&client_secret=" + url.QueryEscape(secret)},
		"query":         {URL: srv.URL + "/token?client_id=svc%3A1&client_secret=" + url.QueryEscape(secret), Header: http.Header{"Content-Type": {form}}, Body: "grant_type=client_credentials"},
	}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			line := p.Curl(req)
			for _, f := range (Secret{Value: secret, ID: "svc:1"}).forms() {
				if strings.Contains(line, f) {
					t.Fatalf("curl line holds the secret as %q: %s", f, line)
				}
			}
			cmd := exec.Command("bash", "-c", line)
			cmd.Env = []string{"PATH=/usr/bin:/bin:/usr/local/bin", "OCCHECK_CLIENT_SECRET=" + secret}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s\n%v\n%s", line, err, out)
			}
			s := <-got
			wantQuery := ""
			if u, _ := url.Parse(req.URL); u != nil {
				wantQuery = u.RawQuery
			}
			if s.auth != req.Header.Get("Authorization") || s.body != req.Body || s.query != wantQuery {
				t.Errorf("reproducer sent %+v\nwant auth %q body %q query %q\n%s", s, req.Header.Get("Authorization"), req.Body, wantQuery, line)
			}
		})
	}
}

// TestCurlReadsTheAssertionFromTheEnvironment: a client assertion is never
// written into a reproducer; the line reads it from a variable.
func TestCurlReadsTheAssertionFromTheEnvironment(t *testing.T) {
	p := &Prober{}
	jwt := "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqIn0.c2lnbmF0dXJl"
	line := p.Curl(Request{URL: "https://as.example/token", Body: "grant_type=client_credentials&client_assertion_type=x&client_assertion=" + jwt})
	if strings.Contains(line, jwt) || strings.Contains(line, "eyJ") || !strings.Contains(line, `"client_assertion=$OCCHECK_CLIENT_ASSERTION"`) {
		t.Fatalf("curl line: %s", line)
	}
}

// TestCurlNeverWritesATokenParameter: the token parameter of an
// introspection or revocation request is read from a variable.
func TestCurlNeverWritesATokenParameter(t *testing.T) {
	p := &Prober{}
	got := p.Curl(Request{Method: "POST", URL: "https://as.example.test/introspect", Body: "token=eyJhbGciOi.secret.part&token_type_hint=access_token&refresh_token=rt-secret"})
	if strings.Contains(got, "eyJhbGciOi") || strings.Contains(got, "rt-secret") || !strings.Contains(got, `"token=$OCCHECK_TOKEN"`) {
		t.Errorf("curl line: %s", got)
	}
	got = p.Curl(Request{Method: "GET", URL: "https://rs.example.test/r?access_token=eyJhbGciOi.q.z&x=1"})
	if strings.Contains(got, "eyJhbGciOi") || !strings.Contains(got, `access_token='"$OCCHECK_TOKEN"'&x=1`) {
		t.Errorf("curl line: %s", got)
	}
	if ex := p.record(Request{Method: "GET", URL: "https://rs.example.test/r?access_token=eyJhbGciOi.q.z"}, nil, 0, nil); strings.Contains(ex.URL, "eyJhbGciOi") {
		t.Errorf("transcript URL: %s", ex.URL)
	}
	got = p.Curl(Request{Method: "GET", URL: "https://rs.example.test/r", Header: map[string][]string{"Authorization": {"Bearer eyJhbGciOi.x.y"}}})
	if strings.Contains(got, "eyJhbGciOi") || !strings.Contains(got, `"Authorization: Bearer $OCCHECK_TOKEN"`) {
		t.Errorf("curl line: %s", got)
	}
}

// TestDPoPProofsAreRedacted: a DPoP proof (RFC 9449) shows in exchanges
// by fingerprint only, under its RFC name, and a curl line reads a fresh
// one from $OCCHECK_DPOP_PROOF.
func TestDPoPProofsAreRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("DPoP-Nonce", "n-1")
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	const proof = "eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJqdGkiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
	p := &Prober{Client: srv.Client()}
	req := Request{URL: srv.URL + "/token", Header: http.Header{"Dpop": {proof}}, Body: "grant_type=client_credentials"}
	_, ex, err := p.Do(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	dump, _ := json.Marshal(ex)
	if strings.Contains(string(dump), proof) || strings.Contains(string(dump), "c2lnbmF0dXJlLXZhbHVl") {
		t.Errorf("the exchange holds the proof:\n%s", dump)
	}
	if got := ex.RequestHeaders["DPoP"]; len(got) != 1 || !strings.HasPrefix(got[0], "[REDACTED] sha256:") {
		t.Errorf("DPoP recorded as %v", ex.RequestHeaders)
	}
	if got := ex.ResponseHeaders["DPoP-Nonce"]; len(got) != 1 || got[0] != "n-1" {
		t.Errorf("DPoP-Nonce recorded as %v", ex.ResponseHeaders)
	}
	if line := p.Curl(req); strings.Contains(line, proof) || !strings.Contains(line, `-H "DPoP: $OCCHECK_DPOP_PROOF"`) {
		t.Errorf("curl line %s", line)
	}
}

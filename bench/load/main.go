// Command load measures occheck mock under load on this machine, next to
// two baselines taken in the same run: a bare net/http handler answering a
// fixed JSON body of the same size, and the raw signing rate of each
// algorithm. Every figure it prints is also a ratio against a baseline from
// the same run, so a noisy machine still compares.
//
// Run it through bench/load.sh, which builds occheck first.
//
//	go run ./bench/load -occheck /path/to/occheck [-duration 10s] [-runs 3] [-conns 32] [-algs RS256,ES256]
//	    [-format opaque [-endpoint introspect] [-ttl 10s] [-store redis://127.0.0.1:6379/0 -replicas 2]]
package main

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/mockserver"
)

func main() {
	occheck := flag.String("occheck", "", "path to the occheck binary")
	duration := flag.Duration("duration", 10*time.Second, "load duration per run")
	runs := flag.Int("runs", 1, "runs per target, alternating with the bare baseline; the row gives medians")
	conns := flag.Int("conns", 32, "concurrent connections")
	algs := flag.String("algs", "RS256,PS256,ES256,EdDSA", "algorithms to measure")
	format := flag.String("format", "jwt", "token format of the mock: jwt or opaque (kept in the store)")
	endpoint := flag.String("endpoint", "token", "what is loaded: token (issuance) or introspect (RFC 7662, of one opaque token)")
	ttl := flag.Duration("ttl", 0, "token lifetime of the loaded client (token_ttl); 0 keeps the mock's 1h")
	store := flag.String("store", "", "the mock's --store (redis://HOST:PORT/DB for a fleet)")
	replicas := flag.Int("replicas", 1, "mock processes sharing -store; connections are spread over them")
	auth := flag.String("auth", "client_secret_basic", "client authentication: client_secret_basic, private_key_jwt (an ES256 assertion per request, signed before the load starts), or both")
	serveBare := flag.String("serve-bare", "", "internal: serve the bare baseline on this address with a body of -bare-size bytes")
	bareSize := flag.Int("bare-size", 0, "internal: bare body size")
	flag.Parse()
	if *serveBare != "" {
		serveBareHandler(*serveBare, *bareSize)
		return
	}
	if *occheck == "" {
		fmt.Fprintln(os.Stderr, "load: -occheck is required (bench/load.sh sets it)")
		os.Exit(2)
	}
	if *endpoint != "token" && *endpoint != "introspect" {
		fmt.Fprintf(os.Stderr, "load: -endpoint %q is not token or introspect\n", *endpoint)
		os.Exit(2)
	}
	if *runs < 1 || *replicas < 1 || (*replicas > 1 && *store == "") {
		fmt.Fprintln(os.Stderr, "load: -runs and -replicas are at least 1, and replicas share a -store")
		os.Exit(2)
	}
	cores := runtime.NumCPU()
	fmt.Printf("# occheck mock load test: %s, %d cores, %d connections, %d × %v per target, %s\n\n",
		runtime.GOARCH, cores, *conns, *runs, *duration, time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| target | start→token | idle RSS | requests/s | bare rps | sign/s (1 core) | bound | % of bound | p50 | p99 | bare p99 | p99 ratio | RSS after load | peak RSS | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	auths := []string{*auth}
	if *auth == "both" {
		auths = []string{"client_secret_basic", "private_key_jwt"}
	}
	for _, alg := range strings.Split(*algs, ",") {
		for _, a := range auths {
			o := options{alg: alg, auth: a, format: *format, endpoint: *endpoint, ttl: *ttl, store: *store, replicas: *replicas, d: *duration, runs: *runs, conns: *conns, cores: cores}
			if err := measure(*occheck, o); err != nil {
				fmt.Fprintf(os.Stderr, "load %s %s: %v\n", alg, a, err)
				os.Exit(1)
			}
		}
	}
}

// options are one row's settings.
type options struct {
	alg, auth, format, endpoint, store string
	ttl, d                             time.Duration
	replicas, runs, conns, cores       int
}

// mockProc is one running mock.
type mockProc struct {
	cmd                  *exec.Cmd
	tokenURL, user, pass string
}

// startMock starts the mock as a user does and reads its banner.
func startMock(bin string, args []string) (*mockProc, error) {
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	m := &mockProc{cmd: cmd}
	if m.tokenURL, m.user, m.pass, err = readBanner(out); err != nil {
		m.stop()
		return nil, err
	}
	if m.user == "" {
		m.user, m.pass = url.QueryEscape(mockserver.DemoClientID), url.QueryEscape(mockserver.DemoClientSecret)
	}
	return m, nil
}

func (m *mockProc) stop() { _ = m.cmd.Process.Signal(os.Interrupt); _ = m.cmd.Wait() }

func measure(bin string, o options) error {
	// The mock, as a user starts it; for private_key_jwt with a client
	// registered with this run's key.
	args := []string{"mock", "--addr", "127.0.0.1:0", "--signing-alg", o.alg}
	if o.store != "" {
		args = append(args, "--store", o.store)
	}
	if o.replicas > 1 {
		// One issuer for the fleet: each replica takes the others' tokens.
		args = append(args, "--issuer", "https://fleet.occheck.test")
	}
	var key *mockserver.ClientKey
	switch {
	case o.auth == "private_key_jwt":
		if o.format != "jwt" || o.endpoint != "token" {
			return fmt.Errorf("private_key_jwt is measured on JWT issuance only")
		}
		var err error
		if key, err = mockserver.GenerateClientKey(mockserver.ES256); err != nil {
			return err
		}
		cfg, err := assertionConfig(key)
		if err != nil {
			return err
		}
		defer os.Remove(cfg)
		args = append(args, "--config", cfg)
	case o.auth != "client_secret_basic":
		return fmt.Errorf("-auth %q is not client_secret_basic, private_key_jwt or both", o.auth)
	case o.format == "opaque" || o.ttl > 0:
		if o.format != "opaque" && o.format != "jwt" {
			return fmt.Errorf("-format %q is not jwt or opaque", o.format)
		}
		c := fmt.Sprintf("token_format: %s\nclients:\n  - id: %s\n    secret: %q\n    scopes: [read, write]\n    default_scopes: [read]\n",
			o.format, mockserver.DemoClientID, mockserver.DemoClientSecret)
		if o.ttl > 0 {
			c += fmt.Sprintf("    token_ttl: %s\n", o.ttl)
		}
		cfg, err := writeConfig(c)
		if err != nil {
			return err
		}
		defer os.Remove(cfg)
		args = append(args, "--config", cfg)
	case o.format != "jwt":
		return fmt.Errorf("-format %q is not jwt or opaque", o.format)
	}
	if o.endpoint == "introspect" && o.format != "opaque" {
		return fmt.Errorf("-endpoint introspect is measured with -format opaque")
	}
	if o.replicas > 1 && o.format != "opaque" {
		return fmt.Errorf("a fleet is measured with -format opaque (JWT replicas share no state)")
	}
	start := time.Now()
	var mocks []*mockProc
	defer func() {
		for _, m := range mocks {
			m.stop()
		}
	}()
	for range o.replicas {
		m, err := startMock(bin, args)
		if err != nil {
			return err
		}
		mocks = append(mocks, m)
	}
	creds := basicCreds(mocks[0].user, mocks[0].pass)
	var signing time.Duration // the client's pre-signing, not the server's start-up
	if key != nil {
		t := time.Now()
		// Each request needs its own assertion (jti is single use): sign
		// them all before the clock starts, so the client's signing is
		// not measured.
		var err error
		if creds, err = assertionCreds(key, mocks[0].tokenURL, int(12000*o.d.Seconds()*float64(o.runs))+1, o.d*time.Duration(o.runs)); err != nil {
			return err
		}
		signing = time.Since(t)
	}
	client := newClient(o.conns)
	var body []byte
	var err error
	for {
		if body, err = post(client, mocks[0].tokenURL, tokenBody, creds); err == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			return fmt.Errorf("no token after 10 s: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	startup := time.Since(start) - signing
	urls, reqBody := make([]string, len(mocks)), tokenBody
	for i, m := range mocks {
		urls[i] = m.tokenURL
	}
	if o.endpoint == "introspect" {
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(body, &tr); err != nil {
			return err
		}
		reqBody = "token=" + url.QueryEscape(tr.AccessToken)
		for i := range urls {
			urls[i] = strings.TrimSuffix(urls[i], "/token") + "/introspect"
		}
		if body, err = post(client, urls[len(urls)-1], reqBody, creds); err != nil || !strings.Contains(string(body), `"active":true`) {
			return fmt.Errorf("introspection of the token: %s %v", body, err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	idle := rss(mocks[0].cmd.Process.Pid, "VmRSS")

	var mockRuns, bareRuns []result
	for range o.runs {
		mockRuns = append(mockRuns, load(client, urls, reqBody, creds, o.d, o.conns))
		// The bare baseline in its own process, same body size.
		bare, err := bareRun(len(body), o.d, o.conns)
		if err != nil {
			return err
		}
		bareRuns = append(bareRuns, bare)
	}
	after := rss(mocks[0].cmd.Process.Pid, "VmRSS")
	peak := rss(mocks[0].cmd.Process.Pid, "VmHWM")
	res, bare := median(mockRuns), median(bareRuns)

	label := o.alg
	signRate, bound := 0.0, bare.rps
	if o.format == "opaque" {
		label = "opaque"
		if o.endpoint == "introspect" {
			label = "introspect (opaque)"
		}
	} else {
		if signRate, err = signingRate(o.alg); err != nil {
			return err
		}
		bound = 1 / (1/bare.rps + (1/signRate)/float64(o.cores))
	}
	if o.ttl > 0 {
		label += fmt.Sprintf(", token_ttl %v", o.ttl)
	}
	if o.replicas > 1 {
		label += fmt.Sprintf(", %d replicas on %s", o.replicas, redactStore(o.store))
	} else if o.store != "" {
		label += ", store " + redactStore(o.store)
	}
	if key != nil {
		label += " (private_key_jwt, ES256 assertions)"
	}
	fmt.Printf("| %s | %v | %.1f MiB | %.0f | %.0f | %.0f | %.0f | %.0f%% | %v | %v | %v | %.2f | %.1f MiB | %.1f MiB | %d |\n",
		label, startup.Round(time.Millisecond), mib(idle), res.rps, bare.rps, signRate, bound, 100*res.rps/bound,
		res.p50.Round(10*time.Microsecond), res.p99.Round(10*time.Microsecond), bare.p99.Round(10*time.Microsecond),
		float64(res.p99)/float64(bare.p99), mib(after), mib(peak), res.errors)
	return nil
}

// median is the run with the median rate (its latencies with it); the
// errors are the sum over the runs.
func median(rs []result) result {
	sorted := append([]result(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].rps < sorted[j].rps })
	m := sorted[len(sorted)/2]
	m.errors = 0
	for _, r := range rs {
		m.errors += r.errors
	}
	return m
}

// redactStore drops a password from a store URL.
func redactStore(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		p.User = nil
		return p.String()
	}
	return u
}

// tokenBody is the token request's body before the credentials.
const tokenBody = "grant_type=client_credentials"

func mib(kb int64) float64 { return float64(kb) / 1024 }

var bannerURL = regexp.MustCompile(`token URL\s+(\S+)`)
var bannerCurl = regexp.MustCompile(`curl -s -u '([^:']+):([^']+)'`)

// readBanner reads the mock's start-up lines for the token URL and the
// demo client's (form-encoded) credentials.
func readBanner(r io.Reader) (tokenURL, user, pass string, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if m := bannerURL.FindStringSubmatch(line); m != nil {
			tokenURL = m[1]
		}
		m := bannerCurl.FindStringSubmatch(line)
		if m != nil {
			user, pass = m[1], m[2]
		}
		// The curl line for the demo client, or, with a configuration
		// file, the clients line: either ends the banner's useful part.
		if m != nil || strings.HasPrefix(strings.TrimSpace(line), "clients ") {
			go func() { _, _ = io.Copy(io.Discard, r) }()
			return tokenURL, user, pass, nil
		}
	}
	return "", "", "", fmt.Errorf("the mock printed no banner")
}

func newClient(conns int) *http.Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// credentials authenticates one request: it returns the extra body and
// sets headers; ok is false when it has run out of assertions.
type credentials func(req *http.Request) (body string, ok bool)

// basicCreds is HTTP Basic with the banner's (already form-encoded) id
// and secret.
func basicCreds(user, pass string) credentials {
	return func(req *http.Request) (string, bool) {
		req.SetBasicAuth(user, pass)
		return "", true
	}
}

// assertionCreds hands out n assertions signed in advance (on every core),
// one per request, each valid until well after the run; when the pool
// runs dry it says so once.
func assertionCreds(key *mockserver.ClientKey, aud string, n int, d time.Duration) (credentials, error) {
	pool := make(chan string, n)
	now := time.Now()
	exp := now.Add(d + 10*time.Minute).Unix()
	var wg sync.WaitGroup
	var failed atomic.Value
	workers := runtime.NumCPU()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				jwt, err := key.Sign(mockserver.AssertionClaims{Issuer: loadClientID, Subject: loadClientID, Audience: aud,
					IssuedAt: now.Unix(), Expiry: exp, ID: fmt.Sprintf("load-%d-%d", now.UnixNano(), i)}, "")
				if err != nil {
					failed.Store(err)
					return
				}
				pool <- jwt
			}
		}()
	}
	wg.Wait()
	close(pool)
	if err, _ := failed.Load().(error); err != nil {
		return nil, err
	}
	var dry sync.Once
	return func(*http.Request) (string, bool) {
		jwt, ok := <-pool
		if !ok {
			dry.Do(func() {
				fmt.Fprintf(os.Stderr, "load: all %d pre-signed assertions used before the end of the run; the row covers a shorter time\n", n)
			})
		}
		return "&client_assertion_type=" + url.QueryEscape(mockserver.AssertionType) + "&client_assertion=" + jwt, ok
	}, nil
}

// loadClientID is the private_key_jwt client of the load test.
const loadClientID = "load-jwt-client"

// assertionConfig writes a mock configuration with the demo client and a
// private_key_jwt client holding key, and returns its path.
// writeConfig writes a mock configuration to a temporary file.
func writeConfig(cfg string) (string, error) {
	f, err := os.CreateTemp("", "occheck-load-*.yaml")
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(cfg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func assertionConfig(key *mockserver.ClientKey) (string, error) {
	jwks, err := json.Marshal(key.PublicJWKS())
	if err != nil {
		return "", err
	}
	return writeConfig(fmt.Sprintf("clients:\n  - id: %s\n    secret: %q\n    scopes: [read, write]\n    default_scopes: [read]\n  - id: %s\n    jwks: '%s'\n    scopes: [read]\nreplay_cache_size: 10000000\n",
		mockserver.DemoClientID, mockserver.DemoClientSecret, loadClientID, jwks))
}

var errNoCredentials = errors.New("out of pre-signed assertions")

// post sends body (and the credentials) as a form and returns the 200
// response's body.
func post(c *http.Client, u, body string, creds credentials) ([]byte, error) {
	hdr := &http.Request{Header: http.Header{}}
	extra, ok := creds(hdr)
	if !ok {
		return nil, errNoCredentials
	}
	// The body is known before the request is made, so it goes out with a
	// Content-Length, never chunked.
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body+extra))
	req.Header = hdr.Header
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return b, nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// load runs conns workers for d, spread over urls, and collects
// latencies.
func load(c *http.Client, urls []string, body string, creds credentials, d time.Duration, conns int) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var ok, bad atomic.Int64
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				t := time.Now()
				_, err := post(c, urls[w%len(urls)], body, creds)
				if ctx.Err() != nil || errors.Is(err, errNoCredentials) {
					return
				}
				if err != nil {
					bad.Add(1)
					continue
				}
				ok.Add(1)
				lat[w] = append(lat[w], time.Since(t))
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := result{rps: float64(ok.Load()) / elapsed.Seconds(), errors: bad.Load()}
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}

// bareRun starts this program as a bare handler and loads it the same way.
func bareRun(size int, d time.Duration, conns int) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, _ := os.Executable()
	cmd := exec.Command(self, "-serve-bare", addr, "-bare-size", strconv.Itoa(size))
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	c := newClient(conns)
	u := "http://" + addr + "/token"
	for i := 0; ; i++ {
		if _, err := post(c, u, tokenBody, basicCreds("x", "y")); err == nil {
			break
		}
		if i > 5000 {
			return result{}, fmt.Errorf("bare handler did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return load(c, []string{u}, tokenBody, basicCreds("x", "y"), d, conns), nil
}

// serveBareHandler answers every request with a fixed JSON body: the cost
// of HTTP alone on this machine.
func serveBareHandler(addr string, size int) {
	body := []byte(`{"access_token":"` + strings.Repeat("a", max(0, size-60)) + `","token_type":"Bearer","expires_in":3600}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
	_ = http.ListenAndServe(addr, h)
}

// signingRate is JWS signatures per second on one core for alg, over a
// token-sized payload, with the library the mock uses.
func signingRate(alg string) (float64, error) {
	var key crypto.Signer
	var err error
	switch alg {
	case "RS256", "PS256":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		return 0, fmt.Errorf("unknown alg %s", alg)
	}
	if err != nil {
		return 0, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, (&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return 0, err
	}
	payload := []byte(`{"aud":"http://127.0.0.1:8080","client_id":"demo-client","exp":1795352765,"iat":1795349165,"iss":"http://127.0.0.1:8080","jti":"` +
		base64.RawURLEncoding.EncodeToString(make([]byte, 16)) + `","scope":"read","sub":"demo-client"}`)
	n := 0
	start := time.Now()
	for time.Since(start) < time.Second {
		if _, err := signer.Sign(payload); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// rss reads a memory figure (kB) of a process from /proc.
func rss(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
	}
	return 0
}

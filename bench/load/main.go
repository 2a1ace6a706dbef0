// Command load measures occheck mock under load on this machine, next to
// two baselines taken in the same run: a bare net/http handler answering a
// fixed JSON body of the same size, and the raw signing rate of each
// algorithm. Every figure it prints is also a ratio against a baseline from
// the same run, so a noisy machine still compares.
//
// Run it through bench/load.sh, which builds occheck first.
//
//	go run ./bench/load -occheck /path/to/occheck [-duration 10s] [-conns 32] [-algs RS256,ES256]
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
	duration := flag.Duration("duration", 10*time.Second, "load duration per target")
	conns := flag.Int("conns", 32, "concurrent connections")
	algs := flag.String("algs", "RS256,PS256,ES256,EdDSA", "algorithms to measure")
	format := flag.String("format", "jwt", "token format of the mock: jwt or opaque (kept in the in-memory store)")
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
	cores := runtime.NumCPU()
	fmt.Printf("# occheck mock load test: %s, %d cores, %d connections, %v per target, %s\n\n",
		runtime.GOARCH, cores, *conns, *duration, time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| alg | start→token | idle RSS | tokens/s | bare rps | sign/s (1 core) | bound | % of bound | p50 | p99 | bare p99 | p99 ratio | RSS after load | peak RSS | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	auths := []string{*auth}
	if *auth == "both" {
		auths = []string{"client_secret_basic", "private_key_jwt"}
	}
	for _, alg := range strings.Split(*algs, ",") {
		for _, a := range auths {
			if err := measure(*occheck, alg, a, *format, *duration, *conns, cores); err != nil {
				fmt.Fprintf(os.Stderr, "load %s %s: %v\n", alg, a, err)
				os.Exit(1)
			}
		}
	}
}

func measure(bin, alg, auth, format string, d time.Duration, conns, cores int) error {
	// The mock, as a user starts it; for private_key_jwt with a client
	// registered with this run's key.
	args := []string{"mock", "--addr", "127.0.0.1:0", "--signing-alg", alg}
	var key *mockserver.ClientKey
	if auth == "private_key_jwt" {
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
	} else if auth != "client_secret_basic" {
		return fmt.Errorf("-auth %q is not client_secret_basic, private_key_jwt or both", auth)
	}
	if format == "opaque" {
		if key != nil {
			return fmt.Errorf("-format opaque is measured with client_secret_basic only")
		}
		cfg, err := writeConfig(fmt.Sprintf("token_format: opaque\nclients:\n  - id: %s\n    secret: %q\n    scopes: [read, write]\n    default_scopes: [read]\n",
			mockserver.DemoClientID, mockserver.DemoClientSecret))
		if err != nil {
			return err
		}
		defer os.Remove(cfg)
		args = append(args, "--config", cfg)
	} else if format != "jwt" {
		return fmt.Errorf("-format %q is not jwt or opaque", format)
	}
	start := time.Now()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	tokenURL, user, pass, err := readBanner(out)
	if err != nil {
		return err
	}
	if user == "" {
		user, pass = url.QueryEscape(mockserver.DemoClientID), url.QueryEscape(mockserver.DemoClientSecret)
	}
	creds := basicCreds(user, pass)
	var signing time.Duration // the client's pre-signing, not the server's start-up
	if key != nil {
		t := time.Now()
		// Each request needs its own assertion (jti is single use): sign
		// them all before the clock starts, so the client's signing is
		// not measured.
		if creds, err = assertionCreds(key, tokenURL, int(12000*d.Seconds())+1, d); err != nil {
			return err
		}
		signing = time.Since(t)
	}
	client := newClient(conns)
	var body []byte
	for {
		if body, err = token(client, tokenURL, creds); err == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			return fmt.Errorf("no token after 10 s: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	startup := time.Since(start) - signing
	time.Sleep(500 * time.Millisecond)
	idle := rss(cmd.Process.Pid, "VmRSS")

	res := load(client, tokenURL, creds, d, conns)
	after := rss(cmd.Process.Pid, "VmRSS")
	peak := rss(cmd.Process.Pid, "VmHWM")

	// The bare baseline in its own process, same body size.
	bare, err := bareRun(len(body), d, conns)
	if err != nil {
		return err
	}
	signRate, err := signingRate(alg)
	if err != nil {
		return err
	}
	tSign := 1 / signRate
	bound := 1 / (1/bare.rps + tSign/float64(cores))
	label := alg
	if format == "opaque" {
		label, signRate, bound = "opaque", 0, bare.rps
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

func token(c *http.Client, tokenURL string, creds credentials) ([]byte, error) {
	hdr := &http.Request{Header: http.Header{}}
	extra, ok := creds(hdr)
	if !ok {
		return nil, errNoCredentials
	}
	// The body is known before the request is made, so it goes out with a
	// Content-Length, never chunked.
	req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader("grant_type=client_credentials"+extra))
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

// load runs conns workers for d and collects latencies.
func load(c *http.Client, u string, creds credentials, d time.Duration, conns int) result {
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
				_, err := token(c, u, creds)
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
		if _, err := token(c, u, basicCreds("x", "y")); err == nil {
			break
		}
		if i > 5000 {
			return result{}, fmt.Errorf("bare handler did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return load(c, u, basicCreds("x", "y"), d, conns), nil
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

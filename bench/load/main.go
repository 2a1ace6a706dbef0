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
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
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
)

func main() {
	occheck := flag.String("occheck", "", "path to the occheck binary")
	duration := flag.Duration("duration", 10*time.Second, "load duration per target")
	conns := flag.Int("conns", 32, "concurrent connections")
	algs := flag.String("algs", "RS256,PS256,ES256,EdDSA", "algorithms to measure")
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
	for _, alg := range strings.Split(*algs, ",") {
		if err := measure(*occheck, alg, *duration, *conns, cores); err != nil {
			fmt.Fprintf(os.Stderr, "load %s: %v\n", alg, err)
			os.Exit(1)
		}
	}
}

func measure(bin, alg string, d time.Duration, conns, cores int) error {
	// The mock, as a user starts it.
	start := time.Now()
	cmd := exec.Command(bin, "mock", "--addr", "127.0.0.1:0", "--signing-alg", alg)
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
	client := newClient(conns)
	var body []byte
	for {
		if body, err = token(client, tokenURL, user, pass); err == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			return fmt.Errorf("no token after 10 s: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	startup := time.Since(start)
	time.Sleep(500 * time.Millisecond)
	idle := rss(cmd.Process.Pid, "VmRSS")

	res := load(client, tokenURL, user, pass, d, conns)
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
	fmt.Printf("| %s | %v | %.1f MiB | %.0f | %.0f | %.0f | %.0f | %.0f%% | %v | %v | %v | %.2f | %.1f MiB | %.1f MiB | %d |\n",
		alg, startup.Round(time.Millisecond), mib(idle), res.rps, bare.rps, signRate, bound, 100*res.rps/bound,
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
		if m := bannerCurl.FindStringSubmatch(line); m != nil {
			user, pass = m[1], m[2]
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

func token(c *http.Client, tokenURL, user, pass string) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, pass) // already form-encoded by the banner
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
func load(c *http.Client, u, user, pass string, d time.Duration, conns int) result {
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
				_, err := token(c, u, user, pass)
				if ctx.Err() != nil {
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
		if _, err := token(c, u, "x", "y"); err == nil {
			break
		}
		if i > 5000 {
			return result{}, fmt.Errorf("bare handler did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return load(c, u, "x", "y", d, conns), nil
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

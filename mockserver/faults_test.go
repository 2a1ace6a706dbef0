package mockserver

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// tokenPost sends a valid token request for client A to a live server.
func tokenPost(t *testing.T, s *Server) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(cc))
	req.Header.Set("Content-Type", formMediaType)
	req.Header.Set("Authorization", basic(idA, secretA))
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func mustAddFault(t *testing.T, a *Authority, f Fault) string {
	t.Helper()
	id, err := a.AddFault(f)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestFaultActions: every action does what it says to the request it hits,
// and the next request is served as usual.
func TestFaultActions(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, took time.Duration)
	}{
		{"error", Fault{Action: FaultError, Status: 500, Error: "server_error", Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			if err != nil || resp.StatusCode != 500 || !strings.Contains(string(body), `"error":"server_error"`) {
				t.Errorf("%v %v %s", err, resp, body)
			}
		}},
		{"429", Fault{Action: FaultTooManyRequests, RetryAfter: Duration(3 * time.Second), Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" {
				t.Errorf("%v %v %s", err, resp, body)
			}
		}},
		{"503", Fault{Action: FaultUnavailable, Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
				t.Errorf("%v %v %s", err, resp, body)
			}
		}},
		{"delay", Fault{Action: FaultDelay, Delay: Duration(150 * time.Millisecond), Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, took time.Duration) {
			if err != nil || resp.StatusCode != 200 || took < 150*time.Millisecond {
				t.Errorf("%v %v took %v", err, resp, took)
			}
		}},
		{"drip", Fault{Action: FaultDrip, Delay: Duration(2 * time.Millisecond), Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			var tok map[string]any
			if err != nil || resp.StatusCode != 200 || json.Unmarshal(body, &tok) != nil || tok["access_token"] == nil {
				t.Errorf("%v %v %s", err, resp, body)
			}
		}},
		{"drop", Fault{Action: FaultDrop, Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			if err == nil || !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") {
				t.Errorf("err %v, want EOF", err)
			}
		}},
		{"truncate", Fault{Action: FaultTruncate, Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err %v, want unexpected EOF", err)
			}
		}},
		{"malformed JSON", Fault{Action: FaultMalformedJSON, Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			var v any
			if err != nil || resp.StatusCode != 200 || json.Unmarshal(body, &v) == nil {
				t.Errorf("%v %v %s", err, resp, body)
			}
		}},
		{"expired token", Fault{Endpoint: EndpointToken, Action: FaultExpiredToken, Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			claims := jwtClaimsFromBody(t, body)
			if exp, _ := claims["exp"].(float64); int64(exp) >= time.Now().Unix() {
				t.Errorf("exp %v is not in the past", claims["exp"])
			}
		}},
		{"unpublished key", Fault{Endpoint: EndpointToken, Action: FaultUnpublishedKey, Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			if err != nil {
				t.Fatal(err)
			}
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			_ = json.Unmarshal(body, &tok)
			jws, perr := jose.ParseSignedCompact(tok.AccessToken, []jose.SignatureAlgorithm{jose.RS256})
			if perr != nil {
				t.Fatal(perr)
			}
			kid := jws.Signatures[0].Header.KeyID
			set := s.JWKS()
			if len(set.Key(kid)) != 0 {
				t.Errorf("kid %s is published", kid)
			}
		}},
		{"quirk", Fault{Endpoint: EndpointToken, Action: FaultQuirk, Quirk: QuirkNoTokenType, Times: 1}, func(t *testing.T, s *Server, resp *http.Response, body []byte, err error, _ time.Duration) {
			if err != nil || resp.StatusCode != 200 || strings.Contains(string(body), "token_type") {
				t.Errorf("%v %s", err, body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewTestServer(t, testConfig())
			mustAddFault(t, s.Authority, tt.fault)
			start := time.Now()
			resp, body, err := tokenPost(t, s)
			tt.check(t, s, resp, body, err, time.Since(start))
			if resp, body, err := tokenPost(t, s); err != nil || resp.StatusCode != 200 {
				t.Errorf("after the fault: %v %v %s", err, resp, body)
			}
			reqs := s.Requests()
			if len(reqs) != 2 || reqs[0].Fault == "" || reqs[1].Fault != "" {
				t.Errorf("journal faults: %+v", reqs)
			}
		})
	}
}

func jwtClaimsFromBody(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	jws, err := jose.ParseSignedCompact(tok.AccessToken, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.PS256, jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFaultCountsAndMatching: times, every and probability pick the hit
// requests among the matching ones; client and grant narrow the match.
func TestFaultCountsAndMatching(t *testing.T) {
	s := NewTestServer(t, testConfig())
	status := func() int {
		resp, _, err := tokenPost(t, s)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	seq := func(n int) (out []int) {
		for i := 0; i < n; i++ {
			out = append(out, status())
		}
		return out
	}
	id := mustAddFault(t, s.Authority, Fault{Action: FaultUnavailable, Times: 2})
	if got := seq(3); got[0] != 503 || got[1] != 503 || got[2] != 200 {
		t.Errorf("times 2: %v", got)
	}
	if fs := s.Faults(); len(fs) != 1 || !fs[0].Spent || fs[0].Hits != 2 || fs[0].ID != id {
		t.Errorf("faults %+v", fs)
	}
	s.ClearFaults()
	mustAddFault(t, s.Authority, Fault{Action: FaultUnavailable, Every: 3})
	if got := seq(6); got[2] != 503 || got[5] != 503 || got[0] != 200 || got[1] != 200 || got[3] != 200 || got[4] != 200 {
		t.Errorf("every 3: %v", got)
	}
	s.ClearFaults()
	mustAddFault(t, s.Authority, Fault{Action: FaultUnavailable, Probability: 1})
	if got := seq(2); got[0] != 503 || got[1] != 503 {
		t.Errorf("probability 1: %v", got)
	}
	s.ClearFaults()
	mustAddFault(t, s.Authority, Fault{Endpoint: EndpointToken, ClientID: "someone-else", Action: FaultUnavailable})
	mustAddFault(t, s.Authority, Fault{Endpoint: EndpointToken, GrantType: "password", Action: FaultUnavailable})
	if got := seq(2); got[0] != 200 || got[1] != 200 {
		t.Errorf("client and grant of others: %v", got)
	}
	s.ClearFaults()
	mustAddFault(t, s.Authority, Fault{Endpoint: EndpointToken, ClientID: idA, Action: FaultUnavailable, Times: 1})
	if got := status(); got != 503 {
		t.Errorf("client A: %d", got)
	}
	// A JWKS fault leaves the token endpoint alone.
	mustAddFault(t, s.Authority, Fault{Endpoint: EndpointJWKS, Action: FaultUnavailable})
	if got := status(); got != 200 {
		t.Errorf("token during a JWKS fault: %d", got)
	}
	resp, err := s.Client().Get(s.JWKSURL())
	if err != nil || resp.StatusCode != 503 {
		t.Errorf("JWKS: %v %v", err, resp)
	}
	if err == nil {
		resp.Body.Close()
	}
	if s.RemoveFault("99") {
		t.Errorf("removing an unknown fault succeeded")
	}
}

// TestFaultValidation: a bad fault is refused with the field named.
func TestFaultValidation(t *testing.T) {
	a := newTestAuthority(t)
	for _, f := range []Fault{
		{Action: "explode"},
		{Action: FaultError, Times: 1, Every: 2},
		{Action: FaultError, Probability: 2},
		{Action: FaultError, Status: 200},
		{Action: FaultError, Error: `bad"code`},
		{Endpoint: "authorize", Action: FaultDrop},
		{Endpoint: EndpointJWKS, ClientID: "x", Action: FaultDrop},
		{Action: FaultQuirk, Endpoint: EndpointToken, Quirk: "no-such-quirk"},
		{Action: FaultExpiredToken},
	} {
		if _, err := a.AddFault(f); err == nil {
			t.Errorf("fault %+v accepted", f)
		}
	}
	if len(a.Faults()) != 0 {
		t.Errorf("faults %+v", a.Faults())
	}
}

// TestFaultsUnderConcurrency: faults added and removed while many clients
// ask for tokens; every request gets a complete answer, -race clean.
func TestFaultsUnderConcurrency(t *testing.T) {
	s := NewTestServer(t, testConfig())
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id, _ := s.AddFault(Fault{Action: FaultUnavailable, Every: 2})
			_ = s.SetQuirks(QuirkNoPragma)
			s.RemoveFault(id)
			_ = s.SetQuirks()
		}
	}()
	var clients sync.WaitGroup
	for g := 0; g < 8; g++ {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := 0; i < 25; i++ {
				resp, _, err := tokenPost(t, s)
				if err != nil || (resp.StatusCode != 200 && resp.StatusCode != 503) {
					t.Errorf("%v %v", err, resp)
					return
				}
			}
		}()
	}
	clients.Wait()
	close(stop)
	wg.Wait()
}

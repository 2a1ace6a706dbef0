package mockmatchers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	"golang.org/x/oauth2"

	"github.com/occheck/occheck/mockserver"
	mm "github.com/occheck/occheck/mockserver/mockmatchers"
)

const (
	billingSecret = "billing-s3cret+/="
	ordersSecret  = "orders-s3cret+/="
	wrongSecret   = "not-the-s3cret"
)

// busyServer is a server whose journal holds, in order:
//
//	billing, Basic, scope "write read"  → 200
//	orders, post, no scope              → 200
//	billing, Basic, wrong secret        → 401 invalid_client
//	orders, post, scope "admin"         → 400 invalid_scope
//	GET /jwks                           → 200
func busyServer(t *testing.T) *mockserver.Server {
	t.Helper()
	srv := mockserver.NewTestServer(t, mockserver.Config{Clients: []mockserver.Client{
		{ID: "billing", Secret: billingSecret, Scopes: []string{"read", "write"}},
		{ID: "orders", Secret: ordersSecret, Scopes: []string{"read"}},
	}})
	fetch := func(id, secret string, style oauth2.AuthStyle, wantErr bool, scopes ...string) {
		t.Helper()
		cc := srv.ClientCredentials(id, scopes...)
		cc.ClientSecret, cc.AuthStyle = secret, style
		_, err := cc.Token(t.Context())
		if (err != nil) != wantErr {
			t.Fatalf("token for %s: err = %v, want error %v", id, err, wantErr)
		}
	}
	fetch("billing", billingSecret, oauth2.AuthStyleInHeader, false, "write", "read")
	fetch("orders", ordersSecret, oauth2.AuthStyleInParams, false)
	fetch("billing", wrongSecret, oauth2.AuthStyleInHeader, true)
	fetch("orders", ordersSecret, oauth2.AuthStyleInParams, true, "admin")
	resp, err := srv.Client().Get(srv.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return srv
}

// failure runs one assertion and returns the message it failed with, ""
// when it passed.
func failure(assert func(g gomega.Gomega)) string {
	var msg string
	assert(gomega.NewGomega(func(m string, _ ...int) { msg = m }))
	return msg
}

func TestMatchersCount(t *testing.T) {
	srv := busyServer(t)
	cases := []struct {
		name    string
		matcher types.GomegaMatcher
	}{
		{"all token requests", mm.HaveReceivedTokenRequests(4)},
		{"from billing, failed or not", mm.HaveReceivedTokenRequests(2, mm.FromClient("billing"))},
		{"from orders", mm.HaveReceivedTokenRequests(2, mm.FromClient("orders"))},
		{"from nobody known", mm.HaveReceivedTokenRequests(0, mm.FromClient("shipping"))},
		{"basic", mm.HaveReceivedTokenRequests(2, mm.WithAuthMethod("client_secret_basic"))},
		{"post", mm.HaveReceivedTokenRequests(2, mm.WithAuthMethod("client_secret_post"))},
		{"no authentication", mm.HaveReceivedTokenRequests(0, mm.WithAuthMethod(""))},
		{"grant type", mm.HaveReceivedTokenRequests(4, mm.WithGrantType("client_credentials"))},
		{"other grant type", mm.HaveReceivedTokenRequests(0, mm.WithGrantType("password"))},
		{"scope as one string, other order", mm.HaveReceivedTokenRequests(1, mm.WithScope("read write"))},
		{"scope as tokens", mm.HaveReceivedTokenRequests(1, mm.WithScope("write", "read"))},
		{"scope subset is not the set", mm.HaveReceivedTokenRequests(0, mm.WithScope("read"))},
		{"no scope sent", mm.HaveReceivedTokenRequests(2, mm.WithScope())},
		{"refused, any way", mm.HaveReceivedTokenRequests(2, mm.Refused())},
		{"refused with a code", mm.HaveReceivedTokenRequests(1, mm.Refused("invalid_client"))},
		{"refused with either code", mm.HaveReceivedTokenRequests(2, mm.Refused("invalid_client", "invalid_scope"))},
		{"refused with another code", mm.HaveReceivedTokenRequests(0, mm.Refused("invalid_grant"))},
		{"issued", mm.HaveIssuedTokens(2)},
		{"issued to billing", mm.HaveIssuedTokens(1, mm.FromClient("billing"))},
		{"issued with scope", mm.HaveIssuedTokens(1, mm.FromClient("billing"), mm.WithScope("write read"), mm.WithAuthMethod("client_secret_basic"))},
		{"issued and refused is nothing", mm.HaveIssuedTokens(0, mm.Refused())},
		{"billing's wrong secret", mm.HaveReceivedTokenRequests(1, mm.FromClient("billing"), mm.WithAuthMethod("client_secret_basic"), mm.Refused("invalid_client"))},
		{"orders' bad scope", mm.HaveReceivedTokenRequests(1, mm.FromClient("orders"), mm.WithScope("admin"), mm.Refused("invalid_scope"))},
		{"where", mm.HaveReceivedTokenRequests(3, mm.Where("answered in the 4xx range or with 200", func(r mockserver.RecordedRequest) bool {
			return r.Status == http.StatusOK || r.Status == http.StatusUnauthorized
		}))},
		{"count matcher", mm.HaveReceivedTokenRequests(gomega.BeNumerically(">=", 3), mm.WithGrantType("client_credentials"))},
		{"count of another integer type", mm.HaveIssuedTokens(int64(2))},
		{"jwks", mm.HaveFetchedJWKS(1)},
		{"jwks with a count matcher", mm.HaveFetchedJWKS(gomega.BeNumerically("<=", 1))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			g.Expect(srv).To(c.matcher)
			g.Expect(srv.Authority).To(c.matcher, "an *Authority is a journal too")
		})
	}
}

func TestMatchersFail(t *testing.T) {
	srv := busyServer(t)
	cases := []struct {
		name    string
		matcher types.GomegaMatcher
		want    string
	}{
		{"too few", mm.HaveReceivedTokenRequests(5), "Expected 5 token requests, found 4."},
		{"one", mm.HaveReceivedTokenRequests(1, mm.FromClient("orders")), `Expected 1 token request from client "orders", found 2.`},
		{"issued", mm.HaveIssuedTokens(2, mm.FromClient("billing")), `Expected 2 successful token requests from client "billing", found 1.`},
		{"options read as a sentence", mm.HaveIssuedTokens(1, mm.FromClient("billing"), mm.WithAuthMethod("client_secret_post"), mm.WithScope("read"), mm.WithGrantType("client_credentials")),
			`Expected 1 successful token request from client "billing" authenticated with client_secret_post with scope "read" with grant_type client_credentials, found 0.`},
		{"refused", mm.HaveReceivedTokenRequests(0, mm.Refused("invalid_client", "invalid_scope")), "Expected 0 token requests refused with invalid_client or invalid_scope, found 2."},
		{"where", mm.HaveReceivedTokenRequests(1, mm.Where("over HTTP/2", func(r mockserver.RecordedRequest) bool { return false })), "Expected 1 token request over HTTP/2, found 0."},
		{"jwks", mm.HaveFetchedJWKS(0), "Expected 0 JWKS requests, found 1."},
		{"count matcher", mm.HaveReceivedTokenRequests(gomega.BeNumerically("<=", 1), mm.FromClient("billing")),
			"Expected the number of token requests from client \"billing\" to match:\n    Expected\n        <int>: 2\n    to be <="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			msg := failure(func(g gomega.Gomega) { g.Expect(srv).To(c.matcher) })
			g.Expect(msg).To(gomega.HavePrefix(c.want))
			// The journal, with what each option looks at.
			g.Expect(msg).To(gomega.ContainSubstring("The journal holds 5 requests (* marks those counted):"))
			g.Expect(msg).To(gomega.MatchRegexp(`\n {6}TIME +ENDPOINT +METHOD +CLIENT +AUTH +GRANT +SCOPE +STATUS +ERROR +REASON\n`))
			g.Expect(msg).To(gomega.MatchRegexp(`\d\d:\d\d:\d\d\.\d{3} +token +POST +billing +client_secret_basic +client_credentials +write read +200 +- *\n`))
			g.Expect(msg).To(gomega.MatchRegexp(`token +POST +orders +client_secret_post +client_credentials +- +200`))
			g.Expect(msg).To(gomega.MatchRegexp(`token +POST +billing \(unauthenticated\) +client_secret_basic +client_credentials +- +401 +invalid_client +\S`))
			g.Expect(msg).To(gomega.MatchRegexp(`token +POST +orders +client_secret_post +client_credentials +admin +400 +invalid_scope +\S`))
			g.Expect(msg).To(gomega.MatchRegexp(`jwks +GET +- +- +- +- +200 +-\n?$`))
			g.Expect(msg).NotTo(gomega.ContainSubstring(billingSecret))
			g.Expect(msg).NotTo(gomega.ContainSubstring(ordersSecret))
			g.Expect(msg).NotTo(gomega.ContainSubstring(wrongSecret))
			g.Expect(msg).NotTo(gomega.MatchRegexp(`(?m) +$`), "no trailing blanks")
		})
	}
}

// TestFailureMarksCounted: * marks exactly the requests counted.
func TestFailureMarksCounted(t *testing.T) {
	g := gomega.NewWithT(t)
	srv := busyServer(t)
	msg := failure(func(g gomega.Gomega) {
		g.Expect(srv).To(mm.HaveReceivedTokenRequests(3, mm.FromClient("billing")))
	})
	var marked []string
	for _, line := range strings.Split(msg, "\n") {
		if strings.HasPrefix(line, "    * ") {
			marked = append(marked, line)
		}
	}
	g.Expect(marked).To(gomega.HaveLen(2), msg)
	g.Expect(marked[0]).To(gomega.MatchRegexp(`billing +client_secret_basic .* 200`))
	g.Expect(marked[1]).To(gomega.MatchRegexp(`billing \(unauthenticated\) .* 401 +invalid_client`))
}

func TestNegatedFailure(t *testing.T) {
	g := gomega.NewWithT(t)
	srv := busyServer(t)

	g.Expect(srv).NotTo(mm.HaveIssuedTokens(1))
	g.Expect(srv).NotTo(mm.HaveFetchedJWKS(gomega.BeZero()))

	msg := failure(func(g gomega.Gomega) { g.Expect(srv).NotTo(mm.HaveIssuedTokens(2)) })
	g.Expect(msg).To(gomega.HavePrefix("Expected not 2 successful token requests, but found exactly that.\nThe journal holds 5 requests"))

	msg = failure(func(g gomega.Gomega) {
		g.Expect(srv).NotTo(mm.HaveReceivedTokenRequests(gomega.BeNumerically(">", 1), mm.Refused()))
	})
	g.Expect(msg).To(gomega.HavePrefix("Expected the number of token requests refused not to match:\n    Expected\n        <int>: 2\n    not to be >"))
	g.Expect(msg).To(gomega.ContainSubstring("The journal holds 5 requests"))
}

func TestEmptyJournal(t *testing.T) {
	g := gomega.NewWithT(t)
	srv := mockserver.NewTestServer(t, mockserver.Config{})
	g.Expect(srv).To(mm.HaveReceivedTokenRequests(0))
	g.Expect(srv).To(mm.HaveFetchedJWKS(0))
	msg := failure(func(g gomega.Gomega) { g.Expect(srv).To(mm.HaveIssuedTokens(1)) })
	g.Expect(msg).To(gomega.Equal("Expected 1 successful token request, found 0.\nThe journal is empty: the server has received no requests."))
}

// TestEventually: the matchers read the journal afresh on every poll, for
// clients that fetch tokens in the background.
func TestEventually(t *testing.T) {
	g := gomega.NewWithT(t)
	srv := mockserver.NewTestServer(t, mockserver.Config{})
	done := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, err := srv.ClientCredentials(mockserver.DemoClientID).Token(context.Background())
		done <- err
	}()
	g.Expect(srv).To(mm.HaveIssuedTokens(0))
	g.Eventually(srv).WithTimeout(5 * time.Second).WithPolling(10 * time.Millisecond).Should(mm.HaveIssuedTokens(1))
	g.Expect(<-done).To(gomega.Succeed())
	g.Consistently(srv).WithTimeout(100 * time.Millisecond).Should(mm.HaveIssuedTokens(1))

	// Between tests that share a server.
	srv.ResetRequests()
	g.Expect(srv).To(mm.HaveIssuedTokens(0))
}

func TestMisuseIsAnError(t *testing.T) {
	srv := mockserver.NewTestServer(t, mockserver.Config{})
	cases := []struct {
		name    string
		matcher types.GomegaMatcher
		actual  any
		want    string
	}{
		{"not a journal", mm.HaveIssuedTokens(1), "http://localhost", "HaveIssuedTokens expects a mockmatchers.Journal"},
		{"nil", mm.HaveReceivedTokenRequests(1), nil, "HaveReceivedTokenRequests expects a mockmatchers.Journal"},
		{"nil server", mm.HaveFetchedJWKS(1), (*mockserver.Server)(nil), "got a nil *mockserver.Server"},
		{"nil authority", mm.HaveFetchedJWKS(1), (*mockserver.Authority)(nil), "got a nil *mockserver.Authority"},
		{"zero server", mm.HaveIssuedTokens(1), &mockserver.Server{}, "got one with no Authority"},
		{"count of the wrong type", mm.HaveIssuedTokens("one"), srv, `the count must be an int or a Gomega matcher, got`},
		{"float count", mm.HaveIssuedTokens(1.0), srv, `the count must be an int or a Gomega matcher, got`},
		{"nil count", mm.HaveIssuedTokens(nil), srv, "the count is nil"},
		{"count matcher errs", mm.HaveIssuedTokens(gomega.HaveLen(1)), srv, "HaveIssuedTokens: the count matcher failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := gomega.NewWithT(t)
			ok, err := c.matcher.Match(c.actual)
			g.Expect(ok).To(gomega.BeFalse())
			g.Expect(err).To(gomega.MatchError(gomega.ContainSubstring(c.want)))
		})
	}
}

// TestFailureMessageWithoutMatch: a failure message asked for before any
// Match still reads the journal.
func TestFailureMessageWithoutMatch(t *testing.T) {
	g := gomega.NewWithT(t)
	srv := busyServer(t)
	g.Expect(mm.HaveFetchedJWKS(2).FailureMessage(srv)).To(gomega.HavePrefix("Expected 2 JWKS requests, found 1.\nThe journal holds 5 requests"))
	g.Expect(mm.HaveFetchedJWKS(2).FailureMessage(42)).To(gomega.ContainSubstring("expects a mockmatchers.Journal"))
}

// TestLongJournal: a long journal shows its most recent requests only.
func TestLongJournal(t *testing.T) {
	g := gomega.NewWithT(t)
	srv := mockserver.NewTestServer(t, mockserver.Config{})
	for range 60 {
		resp, err := srv.Client().Get(srv.JWKSURL())
		g.Expect(err).NotTo(gomega.HaveOccurred())
		resp.Body.Close()
	}
	msg := failure(func(g gomega.Gomega) { g.Expect(srv).To(mm.HaveFetchedJWKS(59)) })
	g.Expect(msg).To(gomega.HavePrefix("Expected 59 JWKS requests, found 60.\nThe journal holds 60 requests (* marks those counted):\n    (10 earlier requests not shown)\n"))
	g.Expect(strings.Count(msg, "\n    * ")).To(gomega.Equal(50))
}

// TestOddClientID: a client id that would break the table is quoted.
func TestOddClientID(t *testing.T) {
	g := gomega.NewWithT(t)
	srv := mockserver.NewTestServer(t, mockserver.Config{})
	resp, err := srv.Client().PostForm(srv.TokenURL(), url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {"evil\nclient\tid"},
		"client_secret": {"x"},
	})
	g.Expect(err).NotTo(gomega.HaveOccurred())
	resp.Body.Close()
	g.Expect(srv).To(mm.HaveReceivedTokenRequests(1, mm.FromClient("evil\nclient\tid"), mm.Refused("invalid_client")))
	msg := failure(func(g gomega.Gomega) { g.Expect(srv).To(mm.HaveIssuedTokens(1)) })
	lines := strings.Split(msg, "\n")
	g.Expect(lines).To(gomega.HaveLen(4), msg)
	g.Expect(lines[3]).To(gomega.ContainSubstring(`"evil\nclient\tid" (unauthenticated)`))
}

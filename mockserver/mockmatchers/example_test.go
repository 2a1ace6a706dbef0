package mockmatchers_test

import (
	"context"
	"fmt"
	"time"

	"github.com/onsi/gomega"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/mockserver/mockmatchers"
)

// uncached asks the token endpoint every time, as a client without a
// token cache would.
type uncached struct {
	ctx context.Context
	cc  *clientcredentials.Config
}

func (u uncached) Token() (*oauth2.Token, error) { return u.cc.Token(u.ctx) }

// My client fetched one token for ten calls: the journal shows that its
// oauth2.ReuseTokenSource cache asked the token endpoint once.
func Example_tokenCache() {
	srv := mockserver.NewServer(mockserver.Config{Clients: []mockserver.Client{
		{ID: "billing", Secret: "s3cr%t+/= x", Scopes: []string{"invoices:read"}},
	}})
	defer srv.Close()

	// In a test, gomega.NewWithT(t) or Ginkgo's Expect; here, print.
	g := gomega.NewGomega(func(message string, _ ...int) { fmt.Println(message) })

	cc := srv.ClientCredentials("billing", "invoices:read")
	cached := oauth2.ReuseTokenSource(nil, uncached{context.Background(), cc})
	tokens := map[string]bool{}
	for range 10 {
		tok, err := cached.Token()
		if err != nil {
			fmt.Println(err)
			return
		}
		tokens[tok.AccessToken] = true
	}

	g.Expect(srv).To(mockmatchers.HaveReceivedTokenRequests(1))
	g.Expect(srv).To(mockmatchers.HaveIssuedTokens(1,
		mockmatchers.FromClient("billing"),
		mockmatchers.WithAuthMethod("client_secret_basic"),
		mockmatchers.WithScope("invoices:read"),
	))
	fmt.Printf("10 calls, %d distinct token, %d token request\n", len(tokens), len(srv.Requests()))
	// Output: 10 calls, 1 distinct token, 1 token request
}

// A failing expectation shows the journal, with the requests it counted
// marked: here the client authenticated with HTTP Basic, not in the body.
func ExampleHaveIssuedTokens_failure() {
	srv := mockserver.NewServer(mockserver.Config{})
	defer srv.Close()
	// A stopped clock, so the journal's times print the same every run.
	srv.Clock().Set(time.Date(2030, 1, 2, 9, 30, 0, 0, time.UTC))

	if _, err := srv.ClientCredentials(mockserver.DemoClientID).Token(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	g := gomega.NewGomega(func(message string, _ ...int) { fmt.Println(message) })
	g.Expect(srv).To(mockmatchers.HaveIssuedTokens(1, mockmatchers.WithAuthMethod("client_secret_post")))
	// Output:
	// Expected 1 successful token request authenticated with client_secret_post, found 0.
	// The journal holds 1 request (* marks those counted):
	//       TIME          ENDPOINT  METHOD  CLIENT       AUTH                 GRANT               SCOPE  STATUS  ERROR  REASON
	//       09:30:00.000  token     POST    demo-client  client_secret_basic  client_credentials  -      200     -
}

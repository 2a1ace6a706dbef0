// Package mockmatchers holds Gomega matchers that assert on the journal of
// a mockserver authorization server, so that a client developer's test
// says what the client did rather than how to count it:
//
//	srv := mockserver.NewTestServer(t, cfg)
//	// ... exercise the client under test ...
//	g.Expect(srv).To(mockmatchers.HaveIssuedTokens(1, mockmatchers.FromClient("billing")))
//	g.Expect(srv).To(mockmatchers.HaveReceivedTokenRequests(0, mockmatchers.Refused()))
//
// The actual value of every matcher is a Journal: *mockserver.Server and
// *mockserver.Authority both are one. The count is an int or a Gomega
// matcher such as BeNumerically("<=", 1). Options narrow the requests
// counted; each one is a further condition, so all of them must hold.
//
// The matchers read the journal each time they match, so they work with
// Eventually and Consistently for clients that fetch tokens in the
// background:
//
//	Eventually(srv).Should(mockmatchers.HaveIssuedTokens(1))
//
// A failure message shows the journal as a table (time, endpoint, HTTP
// method, client, authentication method, grant type, scope, status, error
// code and reason), with the requests that were counted marked, so the
// reason an expectation failed is on screen. The journal is redacted by
// mockserver before the matchers see it, so no secret reaches a message.
//
// The journal keeps at most Config.RequestLogSize requests; counts above
// that size see only the most recent ones. Call ResetRequests on the server
// between tests that share one.
package mockmatchers

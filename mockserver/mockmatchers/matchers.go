package mockmatchers

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/occheck/occheck/mockserver"
)

// Journal is what the matchers read: the request journal of a mock
// authorization server. *mockserver.Server and *mockserver.Authority
// implement it.
type Journal interface {
	RequestsFor(mockserver.RequestFilter) []mockserver.RecordedRequest
}

var (
	_ Journal = (*mockserver.Server)(nil)
	_ Journal = (*mockserver.Authority)(nil)
)

// HaveReceivedTokenRequests succeeds when the token endpoint received n
// requests that satisfy every option, whatever the answer was. n is an int
// or a Gomega matcher for the count, such as BeNumerically(">=", 2).
//
//	Expect(srv).To(HaveReceivedTokenRequests(1, FromClient("billing"), WithAuthMethod("client_secret_basic")))
func HaveReceivedTokenRequests(n any, opts ...Option) types.GomegaMatcher {
	return &countMatcher{
		name:     "HaveReceivedTokenRequests",
		noun:     "token request",
		endpoint: mockserver.EndpointToken,
		n:        n,
		opts:     opts,
	}
}

// HaveIssuedTokens succeeds when n token requests that satisfy every option
// were answered with a token: status 200 and no error code. n is an int or
// a Gomega matcher for the count.
//
//	Expect(srv).To(HaveIssuedTokens(1, FromClient("billing"), WithScope("read write")))
func HaveIssuedTokens(n any, opts ...Option) types.GomegaMatcher {
	return &countMatcher{
		name:     "HaveIssuedTokens",
		noun:     "successful token request",
		endpoint: mockserver.EndpointToken,
		n:        n,
		opts:     append([]Option{{match: issued}}, opts...),
	}
}

// HaveFetchedJWKS succeeds when the JWK Set endpoint received n requests,
// as a client that verifies tokens or discovers keys makes them. n is an
// int or a Gomega matcher for the count.
//
//	Expect(srv).To(HaveFetchedJWKS(BeNumerically("<=", 1)))
func HaveFetchedJWKS(n any) types.GomegaMatcher {
	return &countMatcher{
		name:     "HaveFetchedJWKS",
		noun:     "JWKS request",
		endpoint: mockserver.EndpointJWKS,
		n:        n,
	}
}

// Option narrows the requests a token matcher counts to those that satisfy
// it. Options combine with "and".
type Option struct {
	desc  string
	match func(*mockserver.RecordedRequest) bool
}

// FromClient counts requests that named client id, by HTTP Basic or by
// client_id, whether or not the client then authenticated; so
// FromClient("billing") with Refused("invalid_client") counts billing's
// requests with a wrong secret. This is the journal's own notion of a
// client (mockserver.RequestFilter).
func FromClient(id string) Option {
	return Option{
		desc: fmt.Sprintf("from client %q", id),
		match: func(r *mockserver.RecordedRequest) bool {
			return r.ClientID == id || r.Claimed == id
		},
	}
}

// WithAuthMethod counts requests that used client authentication method m:
// "client_secret_basic" or "client_secret_post". "" counts requests that
// presented no client credentials.
func WithAuthMethod(m string) Option {
	desc := "authenticated with " + m
	if m == "" {
		desc = "with no client authentication"
	}
	return Option{
		desc:  desc,
		match: func(r *mockserver.RecordedRequest) bool { return r.AuthMethod == m },
	}
}

// WithScope counts requests whose scope parameter, as sent, is exactly the
// set of scope tokens given, in any order: WithScope("read write"),
// WithScope("write", "read") and WithScope("write read") are the same.
// Scope tokens are case-sensitive (RFC 6749 §3.3). WithScope() counts
// requests that sent no scope.
func WithScope(scope ...string) Option {
	want := scopeSet(strings.Join(scope, " "))
	desc := "with no scope"
	if len(want) > 0 {
		desc = fmt.Sprintf("with scope %q", strings.Join(want, " "))
	}
	return Option{
		desc: desc,
		match: func(r *mockserver.RecordedRequest) bool {
			return slices.Equal(scopeSet(r.Scope), want)
		},
	}
}

// WithGrantType counts requests whose grant_type parameter is g, such as
// "client_credentials".
func WithGrantType(g string) Option {
	return Option{
		desc:  "with grant_type " + g,
		match: func(r *mockserver.RecordedRequest) bool { return r.GrantType == g },
	}
}

// Refused counts requests the server answered with one of the given OAuth
// error codes, such as "invalid_client" or "invalid_scope". With no code it
// counts every request that did not get a token: any error, any status
// other than 200, or a connection dropped without an answer.
func Refused(codes ...string) Option {
	if len(codes) == 0 {
		return Option{
			desc:  "refused",
			match: func(r *mockserver.RecordedRequest) bool { return !issued(r) },
		}
	}
	return Option{
		desc: "refused with " + strings.Join(codes, " or "),
		match: func(r *mockserver.RecordedRequest) bool {
			return r.Error != "" && slices.Contains(codes, r.Error)
		},
	}
}

// Where counts requests for which keep returns true, for a condition the
// other options do not cover. description completes the failure message's
// sentence: Where("with a resource parameter", ...) reads "Expected 1 token
// request with a resource parameter".
func Where(description string, keep func(mockserver.RecordedRequest) bool) Option {
	return Option{
		desc:  description,
		match: func(r *mockserver.RecordedRequest) bool { return keep(*r) },
	}
}

// issued: the request got a token.
func issued(r *mockserver.RecordedRequest) bool {
	return r.Status == http.StatusOK && r.Error == ""
}

// scopeSet is the sorted, deduplicated set of scope tokens in s.
func scopeSet(s string) []string {
	f := strings.Fields(s)
	slices.Sort(f)
	return slices.Compact(f)
}

// countMatcher counts the journal entries of one endpoint that satisfy
// every option and matches the count against n.
type countMatcher struct {
	name     string
	noun     string
	endpoint string
	n        any
	opts     []Option

	// what the last Match saw, for the failure messages
	seen    bool
	entries []mockserver.RecordedRequest
	counted []bool
	count   int
}

func (m *countMatcher) Match(actual any) (bool, error) {
	j, err := m.journal(actual)
	if err != nil {
		return false, err
	}
	m.read(j)
	switch n := m.n.(type) {
	case types.GomegaMatcher:
		ok, err := n.Match(m.count)
		if err != nil {
			return false, fmt.Errorf("%s: the count matcher failed: %w", m.name, err)
		}
		return ok, nil
	case nil:
		return false, fmt.Errorf("%s: the count is nil; want an int or a Gomega matcher", m.name)
	}
	want, ok := wantInt(m.n)
	if !ok {
		return false, fmt.Errorf("%s: the count must be an int or a Gomega matcher, got %s", m.name, format.Object(m.n, 1))
	}
	return m.count == want, nil
}

func (m *countMatcher) FailureMessage(actual any) string {
	return m.message(actual, false)
}

func (m *countMatcher) NegatedFailureMessage(actual any) string {
	return m.message(actual, true)
}

// journal checks that actual is a usable Journal.
func (m *countMatcher) journal(actual any) (Journal, error) {
	j, ok := actual.(Journal)
	if !ok {
		return nil, fmt.Errorf("%s expects a mockmatchers.Journal (*mockserver.Server or *mockserver.Authority), got\n%s", m.name, format.Object(actual, 1))
	}
	if v := reflect.ValueOf(j); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("%s expects a mockmatchers.Journal, got a nil %T", m.name, actual)
	}
	if s, ok := actual.(*mockserver.Server); ok && s.Authority == nil {
		return nil, fmt.Errorf("%s expects a *mockserver.Server made by a mockserver constructor, got one with no Authority", m.name)
	}
	return j, nil
}

// read takes a snapshot of the whole journal and counts the entries.
func (m *countMatcher) read(j Journal) {
	m.seen = true
	m.entries = j.RequestsFor(mockserver.RequestFilter{})
	m.counted = make([]bool, len(m.entries))
	m.count = 0
	for i := range m.entries {
		if m.counts(&m.entries[i]) {
			m.counted[i] = true
			m.count++
		}
	}
}

func (m *countMatcher) counts(r *mockserver.RecordedRequest) bool {
	if r.Endpoint != m.endpoint {
		return false
	}
	for _, o := range m.opts {
		if o.match != nil && !o.match(r) {
			return false
		}
	}
	return true
}

// what names the requests counted: "token requests from client "billing"".
func (m *countMatcher) what(n int) string {
	s := m.noun
	if n != 1 {
		s += "s"
	}
	for _, o := range m.opts {
		if o.desc != "" {
			s += " " + o.desc
		}
	}
	return s
}

func (m *countMatcher) message(actual any, negated bool) string {
	if !m.seen {
		// A failure message without a Match first: read the journal now.
		j, err := m.journal(actual)
		if err != nil {
			return err.Error()
		}
		m.read(j)
	}
	var b strings.Builder
	if inner, ok := m.n.(types.GomegaMatcher); ok {
		if negated {
			fmt.Fprintf(&b, "Expected the number of %s not to match:\n", m.what(2))
			b.WriteString(format.IndentString(inner.NegatedFailureMessage(m.count), 1))
		} else {
			fmt.Fprintf(&b, "Expected the number of %s to match:\n", m.what(2))
			b.WriteString(format.IndentString(inner.FailureMessage(m.count), 1))
		}
	} else {
		want, _ := wantInt(m.n)
		if negated {
			fmt.Fprintf(&b, "Expected not %d %s, but found exactly that.", want, m.what(want))
		} else {
			fmt.Fprintf(&b, "Expected %d %s, found %d.", want, m.what(want), m.count)
		}
	}
	b.WriteString("\n")
	b.WriteString(journalTable(m.entries, m.counted))
	return b.String()
}

// wantInt reads an integer count of any integer type.
func wantInt(n any) (int, bool) {
	v := reflect.ValueOf(n)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int(v.Uint()), true
	}
	return 0, false
}

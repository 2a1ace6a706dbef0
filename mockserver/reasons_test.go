package mockserver

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/occheck/occheck/internal/rfc6749"
)

// reasonCase is one refusal and the words its reason must hold.
type reasonCase struct {
	name   string
	method string // POST when empty
	target string // /token when empty
	body   string
	header map[string]string
	code   string
	reason []string
	// journalHoldsSecret marks a request that puts a secret where the
	// journal keeps values (client_id, the Authorization scheme): only the
	// reason and the answer are searched for it.
	journalHoldsSecret bool
}

func postCreds(id, secret string) string {
	return "&client_id=" + url.QueryEscape(id) + "&client_secret=" + url.QueryEscape(secret)
}

func authz(v string) map[string]string { return map[string]string{"Authorization": v} }

func reasonCases() []reasonCase {
	hA := authz(basic(idA, secretA))
	urlSafe := base64.URLEncoding.EncodeToString([]byte("a:~~~?"))
	const (
		invalidRequest = rfc6749.ErrInvalidRequest
		invalidClient  = rfc6749.ErrInvalidClient
		invalidScope   = rfc6749.ErrInvalidScope
		invalidTarget  = rfc6749.ErrInvalidTarget
	)
	return []reasonCase{
		// Encoding mistakes: a variant of the credentials authenticates.
		{name: "raw basic, reserved characters", body: cc, header: authz(basicRaw(idA + ":" + secretA)), code: invalidClient,
			reason: []string{"HTTP Basic credentials are not form-encoded (RFC 6749 Appendix B): the raw id and secret match client 'client-a'", "use client_secret_post"}},
		{name: "raw basic, id with a colon", body: cc, header: authz(basicRaw(idS + ":" + secretS)), code: invalidClient,
			reason: []string{"HTTP Basic credentials are not form-encoded (RFC 6749 Appendix B): the raw id and secret match client 'svc:1'"}},
		{name: "basic percent-encoded, '+' kept", body: cc, header: authz(basicRaw("svc%3A1:s3%20cr+t")), code: invalidClient,
			reason: []string{"percent-encoded but a '+' is not sent as %2B", "match client 'svc:1'"}},
		{name: "basic form-encoded twice", body: cc, header: authz(basicRaw(url.QueryEscape(url.QueryEscape(idA)) + ":" + url.QueryEscape(url.QueryEscape(secretA)))), code: invalidClient,
			reason: []string{"HTTP Basic credentials are form-encoded twice", "match client 'client-a'"}},
		{name: "basic secret with a trailing newline", body: cc, header: authz(basic(idA, secretA+"\n")), code: invalidClient,
			reason: []string{"leading or trailing whitespace", "match client 'client-a'"}},
		{name: "post with a raw '+'", body: cc + "&client_id=svc%3A1&client_secret=" + url.PathEscape(secretS), code: invalidClient,
			reason: []string{"match client 'svc:1' only if some spaces are read as '+'", "send '+' as %2B"}},
		{name: "post with a space sent as %2B", body: cc + "&client_id=svc%3A1&client_secret=s3%2Bcr%2Bt", code: invalidClient,
			reason: []string{"match client 'svc:1' only if some '+' signs are read as spaces"}},
		{name: "post form-encoded twice", body: cc + postCreds(url.QueryEscape(idS), url.QueryEscape(secretS)), code: invalidClient,
			reason: []string{"form-encoded twice in the body", "match client 'svc:1'"}},

		// Authentication.
		{name: "unknown client", body: cc, header: authz(basic("nobody", "x")), code: invalidClient,
			reason: []string{"unknown client id 'nobody' (sent with HTTP Basic); registered clients: 'client-a', 'svc:1', 'basic-only', 'no-cc'"}},
		{name: "unknown client, other case", body: cc, header: authz(basic("CLIENT-A", secretA)), code: invalidClient,
			reason: []string{"unknown client id 'CLIENT-A'", "client ids are case-sensitive: did you mean 'client-a'?"}},
		{name: "id and secret swapped", body: cc + postCreds(secretB, idBasic), code: invalidClient, journalHoldsSecret: true,
			reason: []string{"unknown client id (sent in the body)", "are the id and the secret swapped?"}},
		{name: "wrong secret basic", body: cc, header: authz(basic(idA, "nope")), code: invalidClient,
			reason: []string{"wrong client secret for client 'client-a' (sent with HTTP Basic)"}},
		{name: "wrong secret post", body: cc + postCreds(idS, "nope"), code: invalidClient,
			reason: []string{"wrong client secret for client 'svc:1' (sent in the body)"}},
		{name: "method not allowed for the client", body: cc + postCreds(idBasic, secretB), code: invalidClient,
			reason: []string{"client 'basic-only' is registered for client_secret_basic only; it used client_secret_post"}},
		{name: "no credentials", body: cc, code: invalidClient,
			reason: []string{"client authentication required: the request has neither an Authorization header nor client_id and client_secret in the body"}},
		{name: "client_id alone", body: cc + "&client_id=" + idBasic, code: invalidClient,
			reason: []string{"client_id 'basic-only' alone does not authenticate a confidential client", "add client_secret or use HTTP Basic"}},
		{name: "client_secret alone", body: cc + "&client_secret=x", code: invalidClient,
			reason: []string{"client_secret was sent without client_id"}},
		{name: "bearer scheme", body: cc, header: authz("Bearer xyz"), code: invalidClient,
			reason: []string{"the Authorization header uses the Bearer scheme", "HTTP Basic"}},
		{name: "bare secret as the header", body: cc, header: authz(secretB), code: invalidClient, journalHoldsSecret: true,
			reason: []string{"the Authorization header is not of the form 'Basic base64(id:secret)'"}},
		{name: "basic not base64", body: cc, header: authz("Basic !!!"), code: invalidClient,
			reason: []string{"HTTP Basic credentials are not valid base64"}},
		{name: "basic url-safe base64", body: cc, header: authz("Basic " + urlSafe), code: invalidClient,
			reason: []string{"not valid base64: it uses the URL-safe alphabet"}},
		{name: "basic without padding", body: cc, header: authz("Basic " + base64.RawStdEncoding.EncodeToString([]byte("a:bc"))), code: invalidClient,
			reason: []string{"not valid base64: the '=' padding is missing"}},
		{name: "basic without colon", body: cc, header: authz(basicRaw("nocolon")), code: invalidClient,
			reason: []string{"HTTP Basic credentials have no ':' between the client id and the secret"}},
		{name: "basic empty", body: cc, header: authz("Basic"), code: invalidClient,
			reason: []string{"HTTP Basic credentials are empty"}},
		{name: "basic bad escape", body: cc, header: authz(basicRaw("a%zz:b")), code: invalidClient,
			reason: []string{"the HTTP Basic client id holds an invalid %-escape", "%25"}},
		{name: "basic empty id", body: cc, header: authz(basicRaw(":b")), code: invalidClient,
			reason: []string{"the HTTP Basic client id is empty"}},
		{name: "two methods", body: cc + postCreds(idA, secretA), header: hA, code: invalidRequest,
			reason: []string{"two client authentication methods in one request (RFC 6749 section 2.3): HTTP Basic (client_secret_basic) and client_secret in the body (client_secret_post)"}},
		{name: "client_id other than basic", body: cc + "&client_id=" + idBasic, header: hA, code: invalidRequest,
			reason: []string{"client_id 'basic-only' in the body does not match client 'client-a' authenticated by HTTP Basic"}},
		{name: "client assertion", body: cc + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c", code: invalidClient,
			reason: []string{"client assertions are not supported", "client_assertion and client_assertion_type"}},

		// The request.
		{name: "credentials in the query", target: "/token?client_id=" + idBasic + "&client_secret=" + secretB, body: cc, code: invalidRequest,
			reason: []string{"client credentials must not be sent in the request URI (RFC 6749 section 2.3.1): the query holds client_id and client_secret"}},
		{name: "GET", method: http.MethodGet, target: "/token?" + cc, header: hA, code: invalidRequest,
			reason: []string{"the token endpoint accepts only POST", "this request used 'GET'"}},
		{name: "JSON body", body: `{"grant_type":"client_credentials"}`, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "application/json"}, code: invalidRequest,
			reason: []string{"Content-Type must be application/x-www-form-urlencoded (RFC 6749 section 3.2), not 'application/json': send the parameters form-encoded, not as JSON"}},
		{name: "no content type", body: cc, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": ""}, code: invalidRequest,
			reason: []string{"the request has no Content-Type"}},
		{name: "latin-1 charset", body: cc, header: map[string]string{"Authorization": basic(idA, secretA), "Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}, code: invalidRequest,
			reason: []string{"the form body must be UTF-8", "charset 'ISO-8859-1'"}},
		{name: "bad escape in the body", body: cc + "&x=%zz", header: hA, code: invalidRequest,
			reason: []string{"the value of parameter 'x' holds an invalid %-escape"}},
		{name: "semicolon separator", body: cc + ";scope=read", header: hA, code: invalidRequest,
			reason: []string{"parameter 'grant_type' holds a raw ';'"}},
		{name: "invalid utf-8", body: cc + "&x=%ff", header: hA, code: invalidRequest,
			reason: []string{"request body is not valid UTF-8 (RFC 6749 Appendix B) in the value of parameter 'x'"}},
		{name: "body too large", body: cc + "&pad=" + strings.Repeat("a", MaxBodyBytes), header: hA, code: invalidRequest,
			reason: []string{fmt.Sprintf("request body exceeds %d bytes", MaxBodyBytes)}},
		{name: "repeated parameter", body: cc + "&" + cc, header: hA, code: invalidRequest,
			reason: []string{"parameter 'grant_type' is repeated (RFC 6749 section 3.2)"}},
		{name: "two repeated parameters", body: cc + "&" + cc + "&scope=read&scope=write", header: hA, code: invalidRequest,
			reason: []string{"parameters 'grant_type', 'scope' are repeated"}},
		{name: "missing grant_type", body: "scope=read", header: hA, code: invalidRequest,
			reason: []string{"grant_type is required"}},

		// The grant.
		{name: "unknown grant", body: "grant_type=password&username=u&password=p", header: hA, code: rfc6749.ErrUnsupportedGrantType,
			reason: []string{"unsupported grant_type 'password': this server supports only client_credentials"}},
		{name: "grant in another case", body: "grant_type=Client_Credentials", header: hA, code: rfc6749.ErrUnsupportedGrantType,
			reason: []string{"unsupported grant_type 'Client_Credentials'", "(grant_type values are case-sensitive)"}},
		{name: "grant with a hyphen", body: "grant_type=client-credentials", header: hA, code: rfc6749.ErrUnsupportedGrantType,
			reason: []string{"(spelled client_credentials, with an underscore)"}},
		{name: "client not registered for the grant", body: cc, header: authz(basic(idNoCC, secretN)), code: rfc6749.ErrUnauthorizedClient,
			reason: []string{"client 'no-cc' is not registered for client_credentials (its grants: authorization_code)"}},

		// Scope.
		{name: "scope not allowed", body: cc + "&scope=admin", header: hA, code: invalidScope,
			reason: []string{"scope 'admin' is not allowed for client 'client-a' (allowed: read write)"}},
		{name: "scope in another case", body: cc + "&scope=READ", header: hA, code: invalidScope,
			reason: []string{"scope 'READ' is not allowed", "scope tokens are case-sensitive: did you mean 'read'?"}},
		{name: "scopes with commas", body: cc + "&scope=read,write", header: hA, code: invalidScope,
			reason: []string{"scope 'read,write' is not allowed", "separate scope tokens with spaces, not commas"}},
		{name: "scope double space", body: cc + "&scope=read++write", header: hA, code: invalidScope,
			reason: []string{"invalid scope syntax (RFC 6749 section 3.3): it has two spaces in a row; separate scope tokens with single spaces"}},
		{name: "scope trailing space", body: cc + "&scope=read+", header: hA, code: invalidScope,
			reason: []string{"it ends with a space"}},
		{name: "scope with a double quote", body: cc + "&scope=read%22x", header: hA, code: invalidScope,
			reason: []string{"token 'read?x' holds a double quote, which a scope token may not"}},
		{name: "scope with a backslash", body: cc + "&scope=read%5Cx", header: hA, code: invalidScope,
			reason: []string{"holds a backslash"}},

		// Resource.
		{name: "relative resource", body: cc + "&resource=%2Frelative", header: hA, code: invalidTarget,
			reason: []string{"resource '/relative' must be an absolute URI without a fragment (RFC 8707 section 2): it is relative"}},
		{name: "resource with a fragment", body: cc + "&resource=https%3A%2F%2Fapi.example.test%2F%23f", header: hA, code: invalidTarget,
			reason: []string{"must be an absolute URI without a fragment (RFC 8707 section 2): it has a fragment"}},
		{name: "resource outside the audience", body: cc + "&resource=https%3A%2F%2Fother.example%2F", header: hA, code: invalidTarget,
			reason: []string{"resource 'https://other.example/' is not in the audience of client 'client-a' (allowed: https://api.example.test)"}},
		{name: "resource with a trailing slash", body: cc + "&resource=https%3A%2F%2Fapi.example.test%2F", header: hA, code: invalidTarget,
			reason: []string{"did you mean 'https://api.example.test'?"}},
	}
}

func (c reasonCase) send(t *testing.T, a *Authority) reply {
	t.Helper()
	method, target := c.method, c.target
	if method == "" {
		method = http.MethodPost
	}
	if target == "" {
		target = "/token"
	}
	return do(t, a, method, target, c.body, c.header)
}

// lastReason is the journal's reason for the latest token request.
func lastReason(t *testing.T, a *Authority) RecordedRequest {
	t.Helper()
	reqs := a.Requests()
	if len(reqs) == 0 {
		t.Fatal("the journal is empty")
	}
	return reqs[len(reqs)-1]
}

// TestRefusalReasons: by default every refusal's error_description is its
// detailed reason, the same text the journal records.
func TestRefusalReasons(t *testing.T) {
	a := newTestAuthority(t)
	for _, c := range reasonCases() {
		t.Run(c.name, func(t *testing.T) {
			got := c.send(t, a)
			if got.body["error"] != c.code {
				t.Fatalf("error = %v, want %s; body %s", got.body["error"], c.code, got.raw)
			}
			desc, _ := got.body["error_description"].(string)
			for _, want := range c.reason {
				if !strings.Contains(desc, want) {
					t.Errorf("error_description = %q, want it to hold %q", desc, want)
				}
			}
			if !rfc6749.ValidErrorText(desc) || strings.Contains(desc, `"`) {
				t.Errorf("error_description %q leaves the Appendix A.8 set", desc)
			}
			if rec := lastReason(t, a); rec.Reason != desc {
				t.Errorf("journal Reason = %q, want the description %q", rec.Reason, desc)
			}
		})
	}
}

func newTerseAuthority(t *testing.T) *Authority {
	t.Helper()
	cfg := testConfig()
	cfg.Issuer = "https://as.example.test"
	cfg.TerseErrors = true
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestTerseRefusals: with TerseErrors the answer says only what its code
// says; the journal still has the detailed reason.
func TestTerseRefusals(t *testing.T) {
	a := newTerseAuthority(t)
	for _, c := range reasonCases() {
		t.Run(c.name, func(t *testing.T) {
			got := c.send(t, a)
			if got.body["error"] != c.code {
				t.Fatalf("error = %v, want %s; body %s", got.body["error"], c.code, got.raw)
			}
			if desc := got.body["error_description"]; desc != terseDescription(c.code) {
				t.Errorf("error_description = %q, want the generic %q", desc, terseDescription(c.code))
			}
			rec := lastReason(t, a)
			for _, want := range c.reason {
				if !strings.Contains(rec.Reason, want) {
					t.Errorf("journal Reason = %q, want it to hold %q", rec.Reason, want)
				}
			}
		})
	}
	if d := terseDescription(rfc6749.ErrInvalidClient); d != "client authentication failed" {
		t.Errorf("terse invalid_client description = %q", d)
	}
	for code, d := range terseDescriptions {
		if !rfc6749.ValidErrorText(d) {
			t.Errorf("terse description of %s = %q leaves the Appendix A.8 set", code, d)
		}
	}
}

// TestTerseAuthFailuresAnswerAlike: on a terse server an unknown client, a
// wrong secret and a credential that only lacks its encoding get the same
// answer, byte for byte, over a real connection (RFC 6749 §10.10); only the
// journal tells them apart.
func TestTerseAuthFailuresAnswerAlike(t *testing.T) {
	cfg := testConfig()
	cfg.TerseErrors = true
	s := NewTestServer(t, cfg)
	groups := map[string][]reasonCase{
		"basic": {
			{name: "unknown client", header: authz(basic("nobody", secretA))},
			{name: "wrong secret", header: authz(basic(idA, "nope"))},
			{name: "raw basic", header: authz(basicRaw(idS + ":" + secretS))},
		},
		"post": {
			{name: "unknown client", body: postCreds("nobody", "nope")},
			{name: "wrong secret", body: postCreds(idA, "nope")},
		},
	}
	for name, cases := range groups {
		t.Run(name, func(t *testing.T) {
			var first *http.Response
			var firstBody string
			var reasons []string
			for _, c := range cases {
				req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(cc+c.body))
				req.Header.Set("Content-Type", formMediaType)
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				resp, err := s.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				resp.Header.Del("Date")
				reasons = append(reasons, lastReason(t, s.Authority).Reason)
				if first == nil {
					first, firstBody = resp, string(b)
					if resp.StatusCode != 401 || firstBody != `{"error":"invalid_client","error_description":"client authentication failed"}` {
						t.Fatalf("%s: %d %s, want 401 and the generic invalid_client", c.name, resp.StatusCode, b)
					}
					continue
				}
				if resp.StatusCode != first.StatusCode || string(b) != firstBody || fmt.Sprint(resp.Header) != fmt.Sprint(first.Header) {
					t.Errorf("%s answers %d %v %s; %s answers %d %v %s", c.name, resp.StatusCode, resp.Header, b, cases[0].name, first.StatusCode, first.Header, firstBody)
				}
			}
			slices.Sort(reasons)
			if len(slices.Compact(reasons)) != len(cases) {
				t.Errorf("journal reasons %q do not tell the refusals apart", reasons)
			}
		})
	}
}

// secretSpellings are the forms a secret could leak in.
func secretSpellings(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		out = append(out, s, url.QueryEscape(s), url.PathEscape(s), sanitizeDescription(s))
	}
	return out
}

// TestReasonsNeverHoldASecret searches every answer and journal entry, in
// both modes, for the secret of every configured client.
func TestReasonsNeverHoldASecret(t *testing.T) {
	var secrets []string
	for _, c := range testConfig().Clients {
		secrets = append(secrets, c.Secret)
	}
	spellings := secretSpellings(secrets...)
	for _, terse := range []bool{false, true} {
		a := newTestAuthority(t)
		if terse {
			a = newTerseAuthority(t)
		}
		for _, c := range reasonCases() {
			got := c.send(t, a)
			rec := lastReason(t, a)
			places := map[string]string{
				"answer": fmt.Sprint(got.status, got.header, got.raw),
				"reason": rec.Reason,
			}
			if !c.journalHoldsSecret {
				places["journal entry"] = fmt.Sprintf("%+v", rec)
			}
			for where, text := range places {
				for _, s := range spellings {
					if strings.Contains(text, s) {
						t.Errorf("terse=%v %s: the %s holds the secret %q: %s", terse, c.name, where, s, text)
					}
				}
			}
		}
	}
}

// TestOAuth2ClientAndRawBasic: golang.org/x/oauth2 form-encodes before
// Basic and gets a token for the demo client; the same id and secret in a
// raw Basic header, as some HTTP clients' basic-auth helpers send them,
// are refused with the reason that says so.
func TestOAuth2ClientAndRawBasic(t *testing.T) {
	s := NewTestServer(t, Config{})
	ccfg := s.ClientCredentials(DemoClientID)
	ccfg.AuthStyle = oauth2.AuthStyleInHeader
	if _, err := ccfg.Token(t.Context()); err != nil {
		t.Fatalf("x/oauth2 with AuthStyleInHeader: %v", err)
	}

	req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(cc))
	req.Header.Set("Content-Type", formMediaType)
	req.SetBasicAuth(DemoClientID, DemoClientSecret) // no Appendix B encoding
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	const want = "HTTP Basic credentials are not form-encoded (RFC 6749 Appendix B): the raw id and secret match client 'demo-client'; encode them"
	if resp.StatusCode != 401 || !strings.Contains(string(body), want) {
		t.Errorf("raw Basic: %d %s, want 401 with %q", resp.StatusCode, body, want)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Reason != "" || !strings.Contains(reqs[1].Reason, want) {
		t.Errorf("journal = %+v, want the success and then the reason %q", reqs, want)
	}
	for _, sp := range secretSpellings(DemoClientSecret) {
		if strings.Contains(string(body), sp) || strings.Contains(reqs[1].Reason, sp) {
			t.Errorf("the refusal holds the demo secret as %q", sp)
		}
	}
}

// TestMissingGrantTypeReasons: missingGrantType says where grant_type
// went. It is run as the step it is meant to be.
func TestMissingGrantTypeReasons(t *testing.T) {
	a := newTestAuthority(t)
	a.steps.Store(a.compile([]deviation{func(s *steps, _ *Authority) { s.missingGrantType = missingGrantType }}))
	hA := authz(basic(idA, secretA))
	for _, c := range []reasonCase{
		{name: "other parameters only", body: "scope=read&foo=bar", reason: []string{"grant_type is required (RFC 6749 section 4.4.2); the form body holds only 'foo', 'scope'"}},
		{name: "sent empty", body: "grant_type=&scope=read", reason: []string{"grant_type is required (RFC 6749 section 4.4.2) but was sent empty"}},
		{name: "in the query", target: "/token?" + cc, reason: []string{"the request URI's query holds one"}},
		{name: "empty body", reason: []string{"the form body is empty"}},
		{name: "JSON under the form type", body: `{"grant_type":"client_credentials"}`, reason: []string{"the body looks like JSON"}},
		{name: "secret as a parameter name", body: url.QueryEscape(secretA), reason: []string{"the form body has no grant_type parameter"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.header = hA
			got := c.send(t, a)
			desc, _ := got.body["error_description"].(string)
			if got.body["error"] != rfc6749.ErrInvalidRequest || !strings.Contains(desc, c.reason[0]) {
				t.Errorf("answer %s, want invalid_request with %q", got.raw, c.reason[0])
			}
			if rec := lastReason(t, a); rec.Reason != desc || !rfc6749.ValidErrorText(desc) {
				t.Errorf("journal Reason = %q, description %q", rec.Reason, desc)
			}
		})
	}
}

// TestUnknownClientListsOnlyFewClients: the registered ids are named when
// there are at most five, never their secrets.
func TestUnknownClientListsOnlyFewClients(t *testing.T) {
	for _, n := range []int{5, 6} {
		cfg := Config{}
		for i := range n {
			cfg.Clients = append(cfg.Clients, Client{ID: fmt.Sprintf("c%d", i), Secret: fmt.Sprintf("secret-%d", i)})
		}
		a, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := do(t, a, http.MethodPost, "/token", cc, authz(basic("nobody", "x")))
		desc, _ := got.body["error_description"].(string)
		if listed := strings.Contains(desc, "registered clients: 'c0', 'c1'"); listed != (n <= 5) || strings.Contains(desc, "secret-") {
			t.Errorf("%d clients: error_description = %q", n, desc)
		}
	}
}

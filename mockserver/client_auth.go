package mockserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
)

// client is a registered client with its defaults resolved.
type client struct {
	Client
	secretHash [32]byte
	ttl        time.Duration
}

func newClient(c Client) *client {
	cl := &client{Client: c, secretHash: sha256.Sum256([]byte(c.Secret)), ttl: time.Duration(c.TokenTTL)}
	if len(cl.AuthMethods) == 0 {
		cl.AuthMethods = []string{rfc6749.AuthClientSecretBasic, rfc6749.AuthClientSecretPost}
	}
	if len(cl.GrantTypes) == 0 {
		cl.GrantTypes = []string{rfc6749.GrantClientCredentials}
	}
	if len(cl.DefaultScopes) == 0 {
		cl.DefaultScopes = cl.Scopes
	}
	return cl
}

func (c *client) allowsMethod(m string) bool { return slices.Contains(c.AuthMethods, m) }
func (c *client) allowsGrant(g string) bool  { return slices.Contains(c.GrantTypes, g) }
func (c *client) allowsScope(s string) bool  { return slices.Contains(c.Scopes, s) }

// credentials are what a request presents to authenticate.
type credentials struct {
	// method is client_secret_basic, client_secret_post, or "" for none.
	method string
	// id and secret are the presented client id and secret; with no
	// method, id is a bare client_id parameter (identification only).
	id, secret string
	// bodyID and bodySecret are the client_id and client_secret body
	// parameters, whatever the method.
	bodyID, bodySecret string
}

// credentials finds the one client authentication method a request uses
// (§2.3.1): HTTP Basic, or client_id with client_secret in the body.
func (a *Authority) credentials(x *exchange) (credentials, *oauthError) {
	p := x.req.params
	if p[rfc6749.ParamClientAssertion] != "" || p[rfc6749.ParamClientAssertionType] != "" {
		return credentials{}, errInvalidClient("client assertions are not supported by this server; use client_secret_basic or client_secret_post")
	}
	c := credentials{bodyID: p[rfc6749.ParamClientID], bodySecret: p[rfc6749.ParamClientSecret]}
	authz := x.r.Header.Values("Authorization")
	switch {
	case len(authz) > 1:
		return c, errInvalidRequest("more than one Authorization header")
	case len(authz) == 1:
		scheme, cred, _ := strings.Cut(strings.TrimSpace(authz[0]), " ")
		if e := x.s.scheme(x, scheme); e != nil {
			return c, e
		}
		id, secret, e := x.s.decodeBasic(x, strings.TrimSpace(cred))
		if e != nil {
			return c, e
		}
		c.method, c.id, c.secret = rfc6749.AuthClientSecretBasic, id, secret
		return c, x.s.conflict(x, c)
	case c.bodyID != "" && c.bodySecret != "":
		c.method, c.id, c.secret = rfc6749.AuthClientSecretPost, c.bodyID, c.bodySecret
	case c.bodySecret != "":
		return c, errInvalidClient("client_secret without client_id")
	default:
		c.id = c.bodyID
	}
	return c, nil
}

// basicScheme accepts Basic in any case (RFC 9110 §11.1).
func basicScheme(_ *exchange, scheme string) *oauthError {
	if !strings.EqualFold(scheme, "Basic") {
		return errInvalidClient("unsupported authentication scheme; use HTTP Basic")
	}
	return nil
}

// decodeBasic decodes an HTTP Basic credential the way RFC 6749 §2.3.1 and
// Appendix B require: base64, split at the first colon, then form-urldecode
// each half ('+' is a space, %XX an octet).
func decodeBasic(_ *exchange, cred string) (id, secret string, e *oauthError) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", errMalformedBasic()
	}
	rawID, rawSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errMalformedBasic()
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil || id == "" {
		return "", "", errMalformedBasic()
	}
	return id, secret, nil
}

func errMalformedBasic() *oauthError { return errInvalidClient("malformed HTTP Basic credentials") }

// oneMethod refuses a second method next to Basic (§2.3), and a client_id
// parameter naming another client than the one Basic authenticates; the
// same client_id is identification, which §3.2.1 allows.
func oneMethod(_ *exchange, c credentials) *oauthError {
	if c.method != rfc6749.AuthClientSecretBasic {
		return nil
	}
	if c.bodySecret != "" {
		return errInvalidRequest("more than one client authentication method used (RFC 6749 section 2.3)")
	}
	if c.bodyID != "" && c.bodyID != c.id {
		return errInvalidRequest("client_id does not match the client authenticated by HTTP Basic")
	}
	return nil
}

// verify authenticates the claimed client (§2.3.1, §3.2.1). Unknown client
// and wrong secret get the same answer, in the same time.
func (a *Authority) verify(x *exchange, c credentials) (*client, *oauthError) {
	if c.method == "" {
		if c.id != "" {
			return nil, errInvalidClient("client authentication required: client_id alone does not authenticate a confidential client")
		}
		return nil, errInvalidClient("client authentication required")
	}
	cl := a.clients[c.id]
	if !x.s.secretOK(cl, c.secret) {
		return nil, x.s.badSecret(x)
	}
	if !cl.allowsMethod(c.method) {
		return nil, errInvalidClient("this client may not authenticate with " + c.method)
	}
	return cl, nil
}

// dummySecretHash is compared against when the client is unknown, so an
// unknown id costs the same time as a wrong secret (§10.10).
var dummySecretHash = sha256.Sum256([]byte("occheck-unknown-client"))

// secretMatches compares in constant time. Hashing first makes the
// comparison independent of the secret's length too.
func secretMatches(cl *client, secret string) bool {
	got := sha256.Sum256([]byte(secret))
	want := dummySecretHash
	if cl != nil {
		want = cl.secretHash
	}
	eq := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	return eq && cl != nil
}

package mockserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
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
	keys       *keySource
}

func newClient(c Client) (*client, error) {
	cl := &client{Client: c, secretHash: sha256.Sum256([]byte(c.Secret)), ttl: time.Duration(c.TokenTTL)}
	cl.AuthMethods = c.methods()
	switch {
	case c.JWKS != nil:
		cl.keys = &keySource{static: &c.JWKS.JSONWebKeySet}
	case c.JWKSFile != "":
		set, err := loadClientKeys(c.JWKSFile)
		if err == nil {
			err = checkClientKeys(set)
		}
		if err != nil {
			return nil, fmt.Errorf("client %q: jwks_file %s: %w", c.ID, c.JWKSFile, err)
		}
		cl.keys = &keySource{static: set}
	case c.JWKSURI != "":
		cl.keys = &keySource{uri: c.JWKSURI, client: &http.Client{Timeout: keyFetchTimeout}}
	}
	if len(cl.GrantTypes) == 0 {
		cl.GrantTypes = []string{rfc6749.GrantClientCredentials}
	}
	if len(cl.DefaultScopes) == 0 {
		cl.DefaultScopes = cl.Scopes
	}
	return cl, nil
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
	// assertion is the client assertion of private_key_jwt and
	// client_secret_jwt, parsed but not verified.
	assertion *assertion
}

// credentials finds the one client authentication method a request uses
// (§2.3.1): HTTP Basic, or client_id with client_secret in the body.
func (a *Authority) credentials(x *exchange) (credentials, *oauthError) {
	p := x.req.params
	c := credentials{bodyID: p[rfc6749.ParamClientID], bodySecret: p[rfc6749.ParamClientSecret]}
	if p[rfc6749.ParamClientAssertion] != "" || p[rfc6749.ParamClientAssertionType] != "" {
		return a.assertionCredentials(x, c)
	}
	authz := x.r.Header.Values("Authorization")
	switch {
	case len(authz) > 1:
		return c, errInvalidRequest("the request has %d Authorization headers; send one", len(authz))
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
		return c, errInvalidClient("client_secret was sent without client_id; send both in the body (client_secret_post), or use HTTP Basic")
	default:
		c.id = c.bodyID
	}
	return c, nil
}

// basicScheme accepts Basic in any case (RFC 9110 §11.1).
func basicScheme(x *exchange, scheme string) *oauthError {
	if !strings.EqualFold(scheme, "Basic") {
		return errInvalidClient("the Authorization header " + schemeName(x, scheme) +
			"; this token endpoint takes client credentials with HTTP Basic (RFC 6749 section 2.3.1), or client_id and client_secret in the body")
	}
	return nil
}

// schemeName names the scheme of a refused Authorization header, but only
// when it looks like a scheme: a header without a space may be a bare
// secret, and is never repeated.
func schemeName(x *exchange, scheme string) string {
	v := strings.TrimSpace(x.r.Header.Get("Authorization"))
	if !strings.Contains(v, " ") || len(scheme) > 24 || !isSchemeToken(scheme) || x.a.isRegisteredSecret(scheme) {
		return "is not of the form 'Basic base64(id:secret)'"
	}
	return "uses the " + scheme + " scheme"
}

func isSchemeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// decodeBasic decodes an HTTP Basic credential the way RFC 6749 §2.3.1 and
// Appendix B require: base64, split at the first colon, then form-urldecode
// each half ('+' is a space, %XX an octet).
func decodeBasic(x *exchange, cred string) (id, secret string, e *oauthError) {
	if cred == "" {
		return "", "", errBadBasic("HTTP Basic credentials are empty: send 'Basic ' followed by base64(id:secret)")
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", errBadBasic("HTTP Basic credentials are not valid base64" + base64Hint(cred) + " (RFC 7617 section 2)")
	}
	rawID, rawSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errBadBasic("HTTP Basic credentials have no ':' between the client id and the secret (RFC 7617 section 2)")
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	if err1 != nil || err2 != nil {
		if cl := x.a.rawBasicClient(string(raw)); cl != nil {
			return "", "", errBadBasic(notFormEncoded(cl))
		}
		half := "secret"
		if err1 != nil {
			half = "client id"
		}
		return "", "", errBadBasic("the HTTP Basic " + half + " holds an invalid %-escape: RFC 6749 Appendix B form-decodes both halves, so a literal '%' must be sent as %25")
	}
	if id == "" {
		return "", "", errBadBasic("the HTTP Basic client id is empty")
	}
	return id, secret, nil
}

// base64Hint says how a credential that standard base64 refuses was
// probably encoded.
func base64Hint(cred string) string {
	switch {
	case strings.ContainsAny(cred, "-_"):
		if _, err := base64.URLEncoding.DecodeString(cred); err == nil {
			return ": it uses the URL-safe alphabet; Basic uses standard base64"
		}
		if _, err := base64.RawURLEncoding.DecodeString(cred); err == nil {
			return ": it uses the URL-safe alphabet without padding; Basic uses standard base64 with '=' padding"
		}
	default:
		if _, err := base64.RawStdEncoding.DecodeString(cred); err == nil {
			return ": the '=' padding is missing"
		}
	}
	return ""
}

func errMalformedBasic() *oauthError { return errInvalidClient("malformed HTTP Basic credentials") }

// errBadBasic is a malformed Basic credential, saying what is wrong.
func errBadBasic(reason string) *oauthError { return errInvalidClient(reason) }

// notFormEncoded is the reason for a Basic credential that authenticates
// only without the decoding of Appendix B.
func notFormEncoded(cl *client) string {
	return "HTTP Basic credentials are not form-encoded (RFC 6749 Appendix B): the raw id and secret match client " +
		reasonQuote(cl.ID) + "; encode them (application/x-www-form-urlencoded) before base64, or use client_secret_post"
}

// oneMethod refuses a second method next to Basic (§2.3), and a client_id
// parameter naming another client than the one Basic authenticates; the
// same client_id is identification, which §3.2.1 allows.
func oneMethod(x *exchange, c credentials) *oauthError {
	if c.method != rfc6749.AuthClientSecretBasic {
		return nil
	}
	if c.bodySecret != "" {
		return errInvalidRequest("two client authentication methods in one request (RFC 6749 section 2.3): HTTP Basic (client_secret_basic) " +
			"and client_secret in the body (client_secret_post); use one")
	}
	if c.bodyID != "" && c.bodyID != c.id {
		return errInvalidRequest("client_id %s in the body does not match client %s authenticated by HTTP Basic; drop client_id or make them the same",
			x.a.reasonEcho(c.bodyID), x.a.reasonEcho(c.id))
	}
	return nil
}

// verify authenticates the claimed client (§2.3.1, §3.2.1). Unknown client
// and wrong secret get the same answer, in the same time; only the
// description, which a terse server replaces (shapeError), says which.
func (a *Authority) verify(x *exchange, c credentials) (*client, *oauthError) {
	if c.assertion != nil {
		return a.verifyAssertion(x, c)
	}
	if c.method == "" {
		if cl := a.clients[c.id]; cl != nil && cl.mtlsMethod() != "" {
			return a.verifyMTLS(x, cl, cl.mtlsMethod()) // RFC 8705 §2: client_id plus the certificate
		}
		if c.id != "" {
			return nil, errInvalidClient("client authentication required: client_id " + a.reasonEcho(c.id) +
				" alone does not authenticate a confidential client (RFC 6749 section 3.2.1); add client_secret or use HTTP Basic")
		}
		return nil, errInvalidClient("client authentication required: the request has neither an Authorization header nor client_id and client_secret in the body (RFC 6749 section 2.3.1)")
	}
	cl := a.clients[c.id]
	if !x.s.secretOK(cl, c.secret) {
		e := x.s.badSecret(x)
		if e == nil {
			e = errInvalidClient("client authentication failed") // a refusal step must refuse
		}
		if e == errAbort {
			return nil, e
		}
		withReason := *e
		withReason.Description = a.authFailure(x, c, cl)
		return nil, &withReason
	}
	if !cl.allowsMethod(c.method) {
		return nil, errInvalidClient(methodRefused(cl, c.method))
	}
	return cl, nil
}

// methodRefused says which methods a client is registered for.
func methodRefused(cl *client, used string) string {
	if len(cl.AuthMethods) == 1 {
		return fmt.Sprintf("client %s is registered for %s only; it used %s", reasonQuote(cl.ID), cl.AuthMethods[0], used)
	}
	return fmt.Sprintf("client %s may not use %s (its methods: %s)", reasonQuote(cl.ID), used, strings.Join(cl.AuthMethods, " "))
}

// authFailure is the detailed reason of a failed authentication: an
// encoding mistake when a variant of the credentials would have matched,
// else the unknown id or the wrong secret. It names clients, never a
// secret.
func (a *Authority) authFailure(x *exchange, c credentials, cl *client) string {
	if hint := a.encodingMistake(x, c); hint != "" {
		return hint
	}
	via := "with HTTP Basic"
	if c.method == rfc6749.AuthClientSecretPost {
		via = "in the body"
	}
	idIsSecret := a.isRegisteredSecret(c.id) // on both paths, for equal time
	if cl == nil {
		return a.unknownClient(c.id, via, idIsSecret)
	}
	return "wrong client secret for client " + reasonQuote(cl.ID) + " (sent " + via + ")"
}

// encodingMistake tries the usual ways a client mangles its id and
// secret; the first variant that authenticates a client names the
// mistake. Every comparison is secretMatches.
func (a *Authority) encodingMistake(x *exchange, c credentials) string {
	if c.method == rfc6749.AuthClientSecretBasic {
		if raw, ok := basicPayload(x); ok {
			if cl := a.rawBasicClient(raw); cl != nil {
				return notFormEncoded(cl)
			}
			if rawID, rawSecret, ok := strings.Cut(raw, ":"); ok && strings.Contains(raw, "+") {
				id, err1 := url.PathUnescape(rawID)
				secret, err2 := url.PathUnescape(rawSecret)
				if cl := a.matching(id, secret); err1 == nil && err2 == nil && cl != nil {
					return "HTTP Basic credentials are percent-encoded but a '+' is not sent as %2B: RFC 6749 Appendix B reads '+' as a space; read as '+', they match client " +
						reasonQuote(cl.ID) + "; form-encode them"
				}
			}
		}
		if cl := a.decodedAgain(c); cl != nil {
			return "HTTP Basic credentials are form-encoded twice: decoded once more they match client " + reasonQuote(cl.ID) + "; encode them once (RFC 6749 Appendix B)"
		}
	} else {
		if cl := a.readAs(c, ' ', '+'); cl != nil {
			return "client_id and client_secret match client " + reasonQuote(cl.ID) +
				" only if some spaces are read as '+': the form body carries a raw '+', which form-decoding reads as a space; send '+' as %2B (RFC 6749 Appendix B)"
		}
		if cl := a.readAs(c, '+', ' '); cl != nil {
			return "client_id and client_secret match client " + reasonQuote(cl.ID) +
				" only if some '+' signs are read as spaces: a space was sent as %2B; send it as '+' or %20 (RFC 6749 Appendix B)"
		}
		if cl := a.decodedAgain(c); cl != nil {
			return "client_id and client_secret are form-encoded twice in the body: decoded once more they match client " + reasonQuote(cl.ID) + "; encode them once"
		}
	}
	if id, secret := strings.TrimSpace(c.id), strings.TrimSpace(c.secret); id != c.id || secret != c.secret {
		if cl := a.matching(id, secret); cl != nil {
			return "the client id or secret has leading or trailing whitespace (a newline from a file or an environment variable?); without it they match client " +
				reasonQuote(cl.ID)
		}
	}
	return ""
}

// readAs is the client that the body credentials authenticate when some
// of the from bytes are read as to: the id with all of them replaced, the
// secret with any subset of its first few. It costs the same whether or
// not the ids are registered.
func (a *Authority) readAs(c credentials, from, to byte) *client {
	if !strings.ContainsRune(c.id+c.secret, rune(from)) {
		return nil
	}
	var at []int
	for i := 0; i < len(c.secret) && len(at) < 6; i++ {
		if c.secret[i] == from {
			at = append(at, i)
		}
	}
	var found *client
	for _, id := range []string{c.id, strings.ReplaceAll(c.id, string(from), string(to))} {
		cl := a.clients[id] // nil: compared against the dummy, in the same time
		secret := []byte(c.secret)
		for mask := 0; mask < 1<<len(at); mask++ {
			for bit, i := range at {
				secret[i] = from
				if mask&(1<<bit) != 0 {
					secret[i] = to
				}
			}
			if secretMatches(cl, string(secret)) && found == nil {
				found = cl
			}
		}
	}
	return found
}

// decodedAgain is the client that the id and secret, form-decoded once
// more, authenticate.
func (a *Authority) decodedAgain(c credentials) *client {
	if !strings.Contains(c.id+c.secret, "%") {
		return nil
	}
	id, err1 := url.QueryUnescape(c.id)
	secret, err2 := url.QueryUnescape(c.secret)
	if err1 != nil || err2 != nil {
		return nil
	}
	return a.matching(id, secret)
}

// matching is the registered client with this id and secret, or nil. An
// unknown id costs the same comparison as a known one.
func (a *Authority) matching(id, secret string) *client {
	cl := a.clients[id]
	if !secretMatches(cl, secret) {
		return nil
	}
	return cl
}

// basicPayload is the base64-decoded credential of the request's one
// Authorization header.
func basicPayload(x *exchange) (string, bool) {
	authz := x.r.Header.Values("Authorization")
	if len(authz) != 1 {
		return "", false
	}
	_, cred, _ := strings.Cut(strings.TrimSpace(authz[0]), " ")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	return string(raw), err == nil
}

// rawBasicClient is the client whose id and secret, taken raw (without
// the form-decoding of Appendix B), make up the Basic payload: split at
// any of its first colons, since a raw id may hold one.
func (a *Authority) rawBasicClient(raw string) *client {
	for i, n := 0, 0; i < len(raw) && n < 8; i++ {
		if raw[i] != ':' {
			continue
		}
		n++
		if cl := a.matching(raw[:i], raw[i+1:]); cl != nil {
			return cl
		}
	}
	return nil
}

// unknownClient says that no client has the id; with few clients it lists
// them, and it points out a near miss.
func (a *Authority) unknownClient(id, via string, idIsSecret bool) string {
	if idIsSecret {
		return "unknown client id (sent " + via + "): the value sent as the client id is a registered client's secret; are the id and the secret swapped?"
	}
	s := "unknown client id " + reasonQuote(id) + " (sent " + via + ")"
	for _, known := range a.order {
		switch {
		case known == strings.TrimSpace(id):
			return s + "; without its leading or trailing whitespace it is client " + reasonQuote(known)
		case strings.EqualFold(known, id):
			return s + "; client ids are case-sensitive: did you mean " + reasonQuote(known) + "?"
		}
	}
	if len(a.order) <= 5 {
		ids := make([]string, len(a.order))
		for i, known := range a.order {
			ids[i] = reasonQuote(known)
		}
		s += "; registered clients: " + strings.Join(ids, ", ")
	}
	return s
}

// isRegisteredSecret reports whether s is some client's secret, so that
// a value in the wrong place is never repeated in a reason.
func (a *Authority) isRegisteredSecret(s string) bool {
	if s == "" {
		return false
	}
	got := sha256.Sum256([]byte(s))
	found := 0
	for _, cl := range a.clients {
		found |= subtle.ConstantTimeCompare(got[:], cl.secretHash[:])
	}
	return found == 1
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
	return eq && cl != nil && cl.Secret != "" // a keys-only client has no secret to match
}

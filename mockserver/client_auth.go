package mockserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
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

// dummySecretHash is compared against when the client is unknown, so an
// unknown id costs the same time as a wrong secret (RFC 6749 §10.10).
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

var errMalformedBasic = errors.New("malformed HTTP Basic credentials")

// parseBasic decodes the credentials of an HTTP Basic header the way RFC
// 6749 §2.3.1 and Appendix B require: base64, split at the first colon,
// then form-urldecode each half ('+' is a space, %XX an octet). The quirks
// reproduce the usual ways servers get this wrong.
func (a *Authority) parseBasic(cred string) (id, secret string, err error) {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return "", "", errMalformedBasic
	}
	s := string(raw)
	if a.quirks.on(QuirkBasicSplitEveryColon) {
		dec, err := url.QueryUnescape(s)
		if err != nil {
			return "", "", errMalformedBasic
		}
		parts := strings.Split(dec, ":")
		if len(parts) < 2 {
			return "", "", errMalformedBasic
		}
		return parts[0], parts[1], nil
	}
	id, secret, ok := strings.Cut(s, ":")
	if !ok {
		return "", "", errMalformedBasic
	}
	switch {
	case a.quirks.on(QuirkBasicRaw):
		return id, secret, nil
	case a.quirks.on(QuirkBasicPercentOnly):
		id, err1 := url.PathUnescape(id)
		secret, err2 := url.PathUnescape(secret)
		if err1 != nil || err2 != nil {
			return "", "", errMalformedBasic
		}
		return id, secret, nil
	}
	id, err1 := url.QueryUnescape(id)
	secret, err2 := url.QueryUnescape(secret)
	if err1 != nil || err2 != nil || id == "" {
		return "", "", errMalformedBasic
	}
	return id, secret, nil
}

// badEscape reports whether the id or the secret of a Basic credential,
// base64-decoded and split at the first colon, holds a %-escape that
// form-urldecoding rejects. Only the crash-on-bad-escape quirks ask.
func badEscape(cred string) bool {
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return false
	}
	id, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return false
	}
	_, err1 := url.QueryUnescape(id)
	_, err2 := url.QueryUnescape(secret)
	return err1 != nil || err2 != nil
}

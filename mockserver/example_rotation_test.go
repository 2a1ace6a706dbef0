package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/occheck/occheck/mockserver"
)

// keyCache is what a resource server keeps: the JWKS, fetched once and
// fetched again only when a token names a kid it does not hold.
type keyCache struct {
	url     string
	client  *http.Client
	set     jose.JSONWebKeySet
	fetches int
}

func (c *keyCache) fetch() error {
	resp, err := c.client.Get(c.url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	c.fetches++
	c.set = jose.JSONWebKeySet{}
	return json.NewDecoder(resp.Body).Decode(&c.set)
}

// verify checks a token's signature with the cached key its kid names,
// refetching the JWKS once when the kid is unknown.
func (c *keyCache) verify(token string) error {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA})
	if err != nil {
		return err
	}
	kid := tok.Headers[0].KeyID
	if len(c.set.Key(kid)) == 0 {
		fmt.Println("unknown kid: refetching the JWKS")
		if err := c.fetch(); err != nil {
			return err
		}
		if len(c.set.Key(kid)) == 0 {
			return fmt.Errorf("kid %q is not published", kid)
		}
	}
	var claims jwt.Claims
	return tok.Claims(c.set.Key(kid)[0].Key, &claims)
}

// A resource server that caches the JWKS meets a token whose kid it does
// not know after the server rotated its key, and refetches the JWKS.
func ExampleAuthority_RotateKey() {
	srv := mockserver.NewServer(mockserver.Config{})
	defer srv.Close()
	ctx := context.Background()
	cc := srv.ClientCredentials(mockserver.DemoClientID)

	cache := &keyCache{url: srv.JWKSURL(), client: srv.Client()}
	if err := cache.fetch(); err != nil {
		fmt.Println(err)
		return
	}
	first, err := cc.Token(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("first token verifies:", cache.verify(first.AccessToken) == nil)

	oldKid := srv.KeyID()
	newKid, err := srv.RotateKey()
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.DropRetiredKeys() // an emergency rotation: the old key is gone at once
	fmt.Println("kid changed:", newKid != oldKid, "published:", len(srv.KeyIDs()))

	second, err := cc.Token(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("second token verifies:", cache.verify(second.AccessToken) == nil)
	fmt.Println("first token verifies:", cache.verify(first.AccessToken) == nil)
	fmt.Println("JWKS fetches:", cache.fetches)
	// Output:
	// first token verifies: true
	// kid changed: true published: 1
	// unknown kid: refetching the JWKS
	// second token verifies: true
	// unknown kid: refetching the JWKS
	// first token verifies: false
	// JWKS fetches: 3
}

package mockserver_test

import (
	"fmt"
	"net/url"

	"github.com/occheck/occheck/mockserver"
)

// A client registered with a public key authenticates with a signed JWT
// (private_key_jwt, RFC 7523); a replay of the same assertion is refused.
func ExampleClientKey() {
	key, err := mockserver.GenerateClientKey(mockserver.ES256)
	if err != nil {
		panic(err)
	}
	as := mockserver.NewServer(mockserver.Config{Clients: []mockserver.Client{key.Client("billing", "invoices:read")}})
	defer as.Close()

	jwt, err := key.Assertion("billing", as.Issuer())
	if err != nil {
		panic(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_assertion_type": {mockserver.AssertionType}, "client_assertion": {jwt}}
	for range 2 {
		resp, err := as.Client().PostForm(as.TokenURL(), form)
		if err != nil {
			panic(err)
		}
		_ = resp.Body.Close()
		fmt.Println(resp.Status)
	}
	fmt.Println(as.Metadata()["token_endpoint_auth_methods_supported"])
	// Output:
	// 200 OK
	// 400 Bad Request
	// [private_key_jwt]
}

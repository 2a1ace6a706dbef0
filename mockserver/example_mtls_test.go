package mockserver_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/occheck/occheck/mockserver"
)

// A client registered for tls_client_auth authenticates with a
// certificate the server's own client CA issues (no openssl needed), and
// gets a token bound to it (cnf x5t#S256, RFC 8705).
func ExampleServer_MTLSClient() {
	as := mockserver.NewUnstartedServer(mockserver.Config{Clients: []mockserver.Client{{
		ID: "billing", AuthMethods: []string{mockserver.AuthTLSClient}, TLSClientAuthSubjectDN: "CN=billing, O=Example",
		Scopes: []string{"invoices:read"}, CertificateBoundTokens: true,
	}}})
	as.StartTLS()
	defer as.Close()

	hc, err := as.MTLSClient("billing") // trusts the server, presents billing's certificate
	if err != nil {
		panic(err)
	}
	resp, err := hc.PostForm(as.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {"billing"}})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(body.AccessToken, ".")[1])
	var claims struct {
		Cnf map[string]string `json:"cnf"`
	}
	_ = json.Unmarshal(payload, &claims)
	fmt.Println(resp.Status, len(claims.Cnf["x5t#S256"]))

	// Without the certificate, client_id alone is refused.
	plain, _ := as.Client().PostForm(as.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {"billing"}})
	_ = plain.Body.Close()
	fmt.Println(plain.Status)
	// Output:
	// 200 OK 43
	// 400 Bad Request
}

package mockserver_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/occheck/occheck/mockserver"
)

// dpopClient is a DPoP client (RFC 9449) written with go-jose only: it
// knows nothing of occheck but the URLs. It makes a proof per request,
// retries once when the server asks for a nonce, and binds each resource
// call to its token with ath.
type dpopClient struct {
	key   *ecdsa.PrivateKey
	hc    *http.Client
	nonce string
}

// proof signs a DPoP proof for method and URL; ath binds it to a token.
func (c *dpopClient) proof(method, u, token string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: c.key},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		panic(err)
	}
	claims := map[string]any{"jti": rand.Text(), "htm": method, "htu": u, "iat": time.Now().Unix()}
	if c.nonce != "" {
		claims["nonce"] = c.nonce
	}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		panic(err)
	}
	return s
}

// token asks for a DPoP-bound token with client_secret_basic.
func (c *dpopClient) token(tokenURL, id, secret string) (tok, typ string) {
	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		req.Header.Set("DPoP", c.proof(http.MethodPost, tokenURL, ""))
		resp, err := c.hc.Do(req)
		if err != nil {
			panic(err)
		}
		var body struct{ AccessToken, TokenType, Error string }
		_ = json.NewDecoder(resp.Body).Decode(&struct {
			AccessToken *string `json:"access_token"`
			TokenType   *string `json:"token_type"`
			Error       *string `json:"error"`
		}{&body.AccessToken, &body.TokenType, &body.Error})
		_ = resp.Body.Close()
		if n := resp.Header.Get("DPoP-Nonce"); n != "" {
			c.nonce = n
		}
		if body.Error != "use_dpop_nonce" {
			return body.AccessToken, body.TokenType
		}
	}
	return "", ""
}

// call sends a GET to a protected resource with the token under the DPoP
// scheme and a proof carrying ath.
func (c *dpopClient) call(u, token string) int {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", c.proof(http.MethodGet, u, token))
	resp, err := c.hc.Do(req)
	if err != nil {
		panic(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// A DPoP client built on go-jose alone gets a token bound to its key from
// a server that demands nonces, calls the protected resource with it, and
// sees the same token refused as a plain Bearer token.
func ExampleServer_dPoP() {
	as := mockserver.NewServer(mockserver.Config{
		DPoPNonce: true,
		Clients: []mockserver.Client{{
			ID: "worker", Secret: "worker-secret", Scopes: []string{"read"}, DPoPBoundAccessTokens: true,
		}},
	})
	defer as.Close()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := &dpopClient{key: key, hc: as.Client()}

	tok, typ := c.token(as.TokenURL(), "worker", "worker-secret")
	fmt.Println("token_type:", typ)

	// cnf.jkt in the token is the RFC 7638 thumbprint of the client's key.
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	var claims struct {
		Cnf struct {
			JKT string `json:"jkt"`
		} `json:"cnf"`
	}
	_ = json.Unmarshal(payload, &claims)
	tp, _ := (&jose.JSONWebKey{Key: key.Public()}).Thumbprint(crypto.SHA256)
	fmt.Println("bound to my key:", claims.Cnf.JKT == base64.RawURLEncoding.EncodeToString(tp))

	fmt.Println(c.call(as.ResourceURL(), tok))

	bearer, _ := http.NewRequest(http.MethodGet, as.ResourceURL(), nil)
	bearer.Header.Set("Authorization", "Bearer "+tok)
	resp, _ := as.Client().Do(bearer)
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate")[:4])
	// Output:
	// token_type: DPoP
	// bound to my key: true
	// 200
	// 401 DPoP
}

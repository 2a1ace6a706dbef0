package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/occheck/occheck/mockserver"
)

// A zero Config serves the demo client; golang.org/x/oauth2 gets a token
// from it with no further set-up.
func ExampleNewServer() {
	srv := mockserver.NewServer(mockserver.Config{})
	defer srv.Close()

	tok, err := srv.ClientCredentials(mockserver.DemoClientID).Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.TokenType, tok.Extra("scope"), len(srv.Requests()))
	// Output: Bearer read 1
}

// Clients, scopes and audiences come from the Config; an HTTPS server's
// Client and Context trust its certificate.
func ExampleNewTLSServer() {
	srv := mockserver.NewTLSServer(mockserver.Config{
		SigningAlg: mockserver.ES256,
		Clients: []mockserver.Client{{
			ID:       "billing-service",
			Secret:   "s3cr%t+/= x",
			Scopes:   []string{"read", "write"},
			Audience: []string{"https://api.example.com"},
		}},
	})
	defer srv.Close()

	cc := srv.ClientCredentials("billing-service", "write")
	cc.AuthStyle = oauth2.AuthStyleInHeader
	tok, err := cc.Token(srv.OAuth2Context(context.Background()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(srv.TokenURL(), "https://"), tok.Extra("scope"))
	// Output: true write
}

// Every answer follows RFC 6749 §5.2: a wrong secret sent with HTTP Basic
// is a 401 invalid_client with a Basic challenge and no-store headers.
func ExampleServer_wrongSecret() {
	srv := mockserver.NewServer(mockserver.Config{})
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.TokenURL(), strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(mockserver.DemoClientID), "wrong")
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var body struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	fmt.Println(resp.StatusCode, body.Error, resp.Header.Get("WWW-Authenticate"), resp.Header.Get("Cache-Control"))
	// Output: 401 invalid_client Basic realm="occheck", charset="UTF-8" no-store
}

// Quirks switch on one real-world deviation each, to test that a client or
// a checker notices it.
func ExampleQuirk() {
	srv := mockserver.NewServer(mockserver.Config{Quirks: []mockserver.Quirk{mockserver.QuirkExpiresInString}})
	defer srv.Close()

	resp, err := srv.Client().PostForm(srv.TokenURL(), url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {mockserver.DemoClientID},
		"client_secret": {mockserver.DemoClientSecret},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	fmt.Printf("%T %s\n", body["expires_in"], mockserver.QuirkExpiresInString.Description())
	// Output: string expires_in is a JSON string, not a number (RFC 6749 §5.1)
}

// New serves the same server on a listener of your own; set Issuer
// so the iss claim and metadata are stable.
func ExampleNew() {
	h, err := mockserver.New(mockserver.Config{Issuer: "https://auth.example.test"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.TokenURL())
	fmt.Println(h.MetadataURL())
	// Output:
	// https://auth.example.test/token
	// https://auth.example.test/.well-known/oauth-authorization-server
}

package mockserver

import (
	"testing"

	"golang.org/x/oauth2"
)

// TestOAuth2ClientInterop drives the server with golang.org/x/oauth2 in
// each of its auth styles, with an id and secret that only survive when
// both sides apply RFC 6749 Appendix B.
func TestOAuth2ClientInterop(t *testing.T) {
	const id, secret = "svc:interop/1", "% + / = : é ü 秘密"
	cfg := Config{Clients: []Client{{ID: id, Secret: secret, Scopes: []string{"read", "write"}}}}
	styles := map[string]oauth2.AuthStyle{
		"InHeader":   oauth2.AuthStyleInHeader,
		"InParams":   oauth2.AuthStyleInParams,
		"AutoDetect": oauth2.AuthStyleAutoDetect,
	}
	for name, style := range styles {
		t.Run(name, func(t *testing.T) {
			s := NewTLSServer(cfg)
			defer s.Close()
			cc := s.ClientCredentials(id, "write")
			cc.AuthStyle = style
			tok, err := cc.Token(s.OAuth2Context(t.Context()))
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.Extra("scope") != "write" || tok.Expiry.IsZero() {
				t.Errorf("token = %+v, scope %v", tok, tok.Extra("scope"))
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].ClientID != id {
				t.Errorf("requests = %+v, want one request authenticated as %s", reqs, id)
			}
		})
	}
	t.Run("wrong secret is a RetrieveError", func(t *testing.T) {
		s := NewTestServer(t, cfg)
		cc := s.ClientCredentials(id)
		cc.ClientSecret = "nope"
		cc.AuthStyle = oauth2.AuthStyleInHeader
		_, err := cc.Token(t.Context())
		re, ok := err.(*oauth2.RetrieveError)
		if !ok || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 401 {
			t.Fatalf("err = %#v, want a 401 invalid_client RetrieveError", err)
		}
	})
}

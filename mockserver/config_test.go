package mockserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const exampleYAML = `
issuer: http://127.0.0.1:8080
signing_alg: ES256
token_ttl: 1h
clients:
  - id: billing-service
    secret: "s3cr%t+/= x"
    auth_methods: [client_secret_basic, client_secret_post]
    grant_types: [client_credentials]
    scopes: [read, write]
    default_scopes: [read]
    audience: [https://api.example.com]
    token_ttl: 10m
    claims: {tenant: acme}
`

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(exampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Clients[0]
	if cfg.Issuer != "http://127.0.0.1:8080" || cfg.SigningAlg != ES256 || time.Duration(cfg.TokenTTL) != time.Hour ||
		c.ID != "billing-service" || c.Secret != "s3cr%t+/= x" || time.Duration(c.TokenTTL) != 10*time.Minute ||
		c.Claims["tenant"] != "acme" || len(c.Scopes) != 2 {
		t.Errorf("ParseConfig = %+v", cfg)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"empty", "", "empty"},
		{"unknown field", "isuer: x", "field isuer not found"},
		{"bad alg", "signing_alg: HS256", `signing_alg: "HS256" is not one of`},
		{"bad ttl", "token_ttl: forever", "token_ttl"},
		{"issuer query", "issuer: https://a.example/?x=1", "issuer"},
		{"issuer relative", "issuer: /a", "issuer"},
		{"no id", "clients: [{secret: x}]", "clients[0]: id"},
		{"no secret", "clients: [{id: x}]", "clients[0]: secret"},
		{"bad method", "clients: [{id: x, secret: y, auth_methods: [private_key_jwt]}]", "clients[0]: auth_methods"},
		{"bad scope", `clients: [{id: x, secret: y, scopes: ["a b"]}]`, "clients[0]: scopes"},
		{"default not allowed", "clients: [{id: x, secret: y, scopes: [a], default_scopes: [b]}]", "default_scopes"},
		{"reserved claim", "clients: [{id: x, secret: y, claims: {sub: z}}]", "claims"},
		{"relative audience", "clients: [{id: x, secret: y, audience: [api]}]", "audience"},
		{"duplicate id", "clients: [{id: x, secret: y}, {id: x, secret: z}]", "clients[1].id"},
		{"unknown quirk", "quirks: [nope]", "unknown quirk"},
		{"not yaml", "clients: [", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("ParseConfig accepted %q", tt.yaml)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %q, want one line containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadConfigNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mock.yaml")
	if err := os.WriteFile(path, []byte("signing_alg: nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": signing_alg") {
		t.Errorf("LoadConfig error = %v, want it to start with the file and field", err)
	}
	if _, err := LoadConfig(path + ".missing"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("LoadConfig(missing) = %v", err)
	}
}

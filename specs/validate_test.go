package specs

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// jsonHeader returns the headers of a JSON response plus extra name/value
// pairs, so that each case shows only what it changes.
func jsonHeader(extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Add(extra[i], extra[i+1])
	}
	return h
}

// tokenHeader is what RFC 6749 section 5.1 asks of a token response.
func tokenHeader() http.Header {
	return jsonHeader("Cache-Control", "no-store", "Pragma", "no-cache")
}

const (
	goodToken    = `{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,"scope":"read write","example_parameter":"ignored"}`
	goodMetadata = `{"issuer":"http://127.0.0.1:8080","token_endpoint":"http://127.0.0.1:8080/token","jwks_uri":"http://127.0.0.1:8080/jwks","grant_types_supported":["client_credentials"],"token_endpoint_auth_methods_supported":["client_secret_basic","private_key_jwt"],"token_endpoint_auth_signing_alg_values_supported":["RS256","ES256"],"scopes_supported":["read","write"]}`
	goodJWKS     = `{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"0vx7agoebGcQSuuPiLJXZpt","e":"AQAB"},{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`
)

func TestLoad(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatalf("Load() error = %v, want nil", err)
	}
	if got, want := doc.OpenAPI, "3.0.3"; got != want {
		t.Errorf("openapi = %q, want %q", got, want)
	}
	if got, want := doc.Info.Title, "occheck reference authorization server"; got != want {
		t.Errorf("info.title = %q, want %q", got, want)
	}
	if got, want := doc.Info.License.Name, "Apache-2.0"; got != want {
		t.Errorf("info.license.name = %q, want %q", got, want)
	}
	for _, op := range operations {
		if doc.Paths.Value(contractRoute(t, op).Path) == nil {
			t.Errorf("operation %q: path not in document", op)
		}
	}
	again, err := Load()
	if err != nil || again != doc {
		t.Errorf("second Load() = %p, %v; want the cached %p, nil", again, err, doc)
	}
	if !bytes.Equal(OpenAPI, []byte(document)) {
		t.Error("OpenAPI differs from the document Load parses")
	}
}

// contractRoute returns the route built for op.
func contractRoute(t *testing.T, op Operation) routeInfo {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("loadContract() error = %v", err)
	}
	r := c.routes[op]
	if r == nil {
		t.Fatalf("no route for operation %q", op)
	}
	return routeInfo{Path: r.Path, Method: r.Method}
}

type routeInfo struct{ Path, Method string }

func TestRoutes(t *testing.T) {
	want := map[Operation]routeInfo{
		OpToken:               {"/token", http.MethodPost},
		OpMetadata:            {"/.well-known/oauth-authorization-server", http.MethodGet},
		OpOpenIDConfiguration: {"/.well-known/openid-configuration", http.MethodGet},
		OpJWKS:                {"/jwks", http.MethodGet},
		OpHealthz:             {"/healthz", http.MethodGet},
	}
	for op, w := range want {
		if got := contractRoute(t, op); got != w {
			t.Errorf("route of %q = %+v, want %+v", op, got, w)
		}
	}
}

func TestValidateResponse(t *testing.T) {
	tests := []struct {
		name   string
		op     Operation
		status int
		header http.Header
		body   string
		// wantErr is a substring of the expected error; empty means valid.
		wantErr string
	}{
		{
			name: "good token response", op: OpToken, status: 200,
			header: tokenHeader(), body: goodToken,
		},
		{
			name: "minimal token response without Pragma", op: OpToken, status: 200,
			header: jsonHeader("Cache-Control", "no-store"),
			body:   `{"access_token":"a","token_type":"bearer"}`,
		},
		{
			name: "content type with charset parameter", op: OpToken, status: 200,
			header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}, "Cache-Control": {"no-store"}},
			body:   goodToken,
		},
		{
			name: "lower-case header keys", op: OpToken, status: 200,
			header: http.Header{"content-type": {"application/json"}, "cache-control": {"no-cache, no-store"}},
			body:   goodToken,
		},
		{
			name: "expires_in as string", op: OpToken, status: 200,
			header: tokenHeader(), body: `{"access_token":"a","token_type":"Bearer","expires_in":"3600"}`,
			wantErr: `openapi: token 200: response body: property "expires_in": value must be an integer`,
		},
		{
			name: "negative expires_in", op: OpToken, status: 200,
			header: tokenHeader(), body: `{"access_token":"a","token_type":"Bearer","expires_in":-1}`,
			wantErr: `property "expires_in": number must be at least 0`,
		},
		{
			name: "missing access_token", op: OpToken, status: 200,
			header: tokenHeader(), body: `{"token_type":"Bearer"}`,
			wantErr: `openapi: token 200: response body: property "access_token" is missing`,
		},
		{
			name: "empty access_token", op: OpToken, status: 200,
			header: tokenHeader(), body: `{"access_token":"","token_type":"Bearer"}`,
			wantErr: `property "access_token": minimum string length is 1`,
		},
		{
			name: "access_token with control character", op: OpToken, status: 200,
			header: tokenHeader(), body: `{"access_token":"a\tb","token_type":"Bearer"}`,
			wantErr: `property "access_token": string doesn't match the regular expression`,
		},
		{
			name: "scope with double space", op: OpToken, status: 200,
			header: tokenHeader(), body: `{"access_token":"a","token_type":"Bearer","scope":"read  write"}`,
			wantErr: `property "scope": string doesn't match the regular expression`,
		},
		{
			name: "missing Cache-Control on 200", op: OpToken, status: 200,
			header: jsonHeader("Pragma", "no-cache"), body: goodToken,
			wantErr: `openapi: token 200: response header "Cache-Control" missing`,
		},
		{
			name: "Cache-Control without no-store", op: OpToken, status: 200,
			header: jsonHeader("Cache-Control", "no-cache"), body: goodToken,
			wantErr: `response header "Cache-Control" doesn't match schema`,
		},
		{
			name: "token response with trailing data", op: OpToken, status: 200,
			header: tokenHeader(), body: goodToken + `{}`,
			wantErr: `openapi: token 200: response body is not a single JSON value`,
		},
		{
			name: "empty token response body", op: OpToken, status: 200,
			header: tokenHeader(), body: ``,
			wantErr: `openapi: token 200: response body is empty`,
		},
		{
			name: "token response without content type", op: OpToken, status: 200,
			header: http.Header{"Cache-Control": {"no-store"}}, body: goodToken,
			wantErr: `response header Content-Type has unexpected value: ""`,
		},
		{
			name: "good 400 error", op: OpToken, status: 400,
			header: jsonHeader("Cache-Control", "no-store"),
			body:   `{"error":"invalid_grant","error_description":"The grant is invalid.","error_uri":"https://example.com/errors#invalid_grant"}`,
		},
		{
			name: "400 with extension error code and members", op: OpToken, status: 400,
			header: jsonHeader(), body: `{"error":"urn:example:custom","trace_id":"42"}`,
		},
		{
			name: "good 401 error", op: OpToken, status: 401,
			header: jsonHeader("WWW-Authenticate", `Basic realm="occheck"`), body: `{"error":"invalid_client"}`,
		},
		{
			name: "401 without WWW-Authenticate", op: OpToken, status: 401,
			header: jsonHeader(), body: `{"error":"invalid_client"}`,
			wantErr: `openapi: token 401: response header "WWW-Authenticate" missing`,
		},
		{
			name: "error_description with double quote", op: OpToken, status: 400,
			header: jsonHeader(), body: `{"error":"invalid_request","error_description":"bad \"scope\""}`,
			wantErr: `openapi: token 400: response body: property "error_description": string doesn't match the regular expression`,
		},
		{
			name: "error_uri with space", op: OpToken, status: 400,
			header: jsonHeader(), body: `{"error":"invalid_request","error_uri":"https://example.com/a b"}`,
			wantErr: `property "error_uri": string doesn't match the regular expression`,
		},
		{
			name: "error body missing error", op: OpToken, status: 400,
			header: jsonHeader(), body: `{"error_description":"no code"}`,
			wantErr: `property "error" is missing`,
		},
		{
			name: "HTML error body", op: OpToken, status: 400,
			header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, body: `<html><body>Bad Request</body></html>`,
			wantErr: `openapi: token 400: response header Content-Type has unexpected value: "text/html; charset=utf-8"`,
		},
		{
			name: "undocumented 500", op: OpToken, status: 500,
			header: jsonHeader(), body: `{"error":"server_error"}`,
			wantErr: `openapi: token 500: status 500 is not documented`,
		},
		{
			// kin-openapi itself never validates 307 responses.
			name: "undocumented redirect", op: OpToken, status: 307,
			header:  http.Header{"Location": {"/elsewhere"}},
			wantErr: `openapi: token 307: status 307 is not documented`,
		},
		{
			name: "good metadata", op: OpMetadata, status: 200,
			header: jsonHeader(), body: goodMetadata,
		},
		{
			name: "good openid configuration", op: OpOpenIDConfiguration, status: 200,
			header: jsonHeader(), body: `{"issuer":"https://as.example.com","subject_types_supported":["public"]}`,
		},
		{
			name: "metadata with none in signing algs", op: OpMetadata, status: 200,
			header: jsonHeader(), body: `{"issuer":"https://as.example.com","token_endpoint_auth_signing_alg_values_supported":["RS256","none"]}`,
			wantErr: `openapi: metadata 200: response body: property "token_endpoint_auth_signing_alg_values_supported/1": value must not be "none"`,
		},
		{
			name: "openid configuration with none in introspection algs", op: OpOpenIDConfiguration, status: 200,
			header: jsonHeader(), body: `{"issuer":"https://as.example.com","introspection_endpoint_auth_signing_alg_values_supported":["none"]}`,
			wantErr: `value must not be "none"`,
		},
		{
			name: "metadata without issuer", op: OpMetadata, status: 200,
			header: jsonHeader(), body: `{"token_endpoint":"https://as.example.com/token"}`,
			wantErr: `property "issuer" is missing`,
		},
		{
			name: "issuer with query", op: OpMetadata, status: 200,
			header: jsonHeader(), body: `{"issuer":"https://as.example.com/?tenant=1"}`,
			wantErr: `property "issuer": string doesn't match the regular expression`,
		},
		{
			name: "grant_types_supported not an array", op: OpMetadata, status: 200,
			header: jsonHeader(), body: `{"issuer":"https://as.example.com","grant_types_supported":"client_credentials"}`,
			wantErr: `property "grant_types_supported": value must be an array`,
		},
		{
			name: "good JWKS", op: OpJWKS, status: 200,
			header: jsonHeader(), body: goodJWKS,
		},
		{
			name: "empty JWKS", op: OpJWKS, status: 200,
			header: jsonHeader(), body: `{"keys":[]}`,
		},
		{
			name: "JWKS with private d", op: OpJWKS, status: 200,
			header: jsonHeader(), body: `{"keys":[{"kty":"RSA","n":"abc","e":"AQAB","d":"secret"}]}`,
			wantErr: `openapi: jwks 200: response body: property "keys/0": forbidden member "d" is present`,
		},
		{
			name: "JWKS with symmetric k", op: OpJWKS, status: 200,
			header: jsonHeader(), body: `{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"},{"kty":"oct","k":"c2VjcmV0"}]}`,
			wantErr: `property "keys/1": forbidden member "k" is present`,
		},
		{
			name: "JWK without kty", op: OpJWKS, status: 200,
			header: jsonHeader(), body: `{"keys":[{"kid":"k1"}]}`,
			wantErr: `property "keys/0": property "kty" is missing`,
		},
		{
			name: "JWKS without keys", op: OpJWKS, status: 200,
			header: jsonHeader(), body: `{}`,
			wantErr: `property "keys" is missing`,
		},
		{
			name: "healthy", op: OpHealthz, status: 200,
			header: jsonHeader(), body: `{"status":"ok"}`,
		},
		{
			name: "unhealthy body", op: OpHealthz, status: 200,
			header: jsonHeader(), body: `{"status":"degraded"}`,
			wantErr: `property "status": value is not one of the allowed values`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateResponse(t.Context(), tt.op, nil, tt.status, tt.header, []byte(tt.body))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateResponse() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateResponse() = nil, want error containing %q", tt.wantErr)
			}
			if got := err.Error(); !strings.Contains(got, tt.wantErr) {
				t.Errorf("ValidateResponse() error = %q, want it to contain %q", got, tt.wantErr)
			}
			if got := err.Error(); strings.Contains(got, "\n") {
				t.Errorf("ValidateResponse() error spans several lines: %q", got)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ValidateResponse() error is %T, want *ValidationError", err)
			}
			if ve.Op != tt.op || ve.Status != tt.status {
				t.Errorf("ValidationError{Op: %q, Status: %d}, want {Op: %q, Status: %d}", ve.Op, ve.Status, tt.op, tt.status)
			}
		})
	}
}

func TestValidateResponseJoinsDetails(t *testing.T) {
	body := `{"token_type":"Bearer","expires_in":"soon"}`
	err := ValidateResponse(t.Context(), OpToken, nil, 200, tokenHeader(), []byte(body))
	if err == nil {
		t.Fatal("ValidateResponse() = nil, want error")
	}
	for _, want := range []string{`property "expires_in": value must be an integer`, `property "access_token" is missing`} {
		if got := err.Error(); !strings.Contains(got, want) {
			t.Errorf("ValidateResponse() error = %q, want it to contain %q", got, want)
		}
	}
}

func TestValidateResponseUnwrap(t *testing.T) {
	err := ValidateResponse(t.Context(), OpToken, nil, 401, jsonHeader(), []byte(`{"error":"invalid_client"}`))
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("errors.As(%v, *openapi3filter.ResponseError) = false, want true", err)
	}
	if got, want := re.Reason, `response header "WWW-Authenticate" missing`; got != want {
		t.Errorf("ResponseError.Reason = %q, want %q", got, want)
	}
}

func TestValidateResponseUnknownOperation(t *testing.T) {
	err := ValidateResponse(t.Context(), Operation("authorize"), nil, 200, jsonHeader(), []byte(`{}`))
	if !errors.Is(err, ErrUnknownOperation) {
		t.Fatalf("ValidateResponse() error = %v, want ErrUnknownOperation", err)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		t.Errorf("ValidateResponse() error is a *ValidationError, want a programming error")
	}
}

func TestValidateResponseWithRequest(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		body    string
		wantErr bool
	}{
		{name: "matching method, good body", method: http.MethodGet, body: goodJWKS},
		// kin-openapi skips HEAD responses, so op must decide, not the method.
		{name: "HEAD is still validated", method: http.MethodHead, body: `{"keys":[{"kty":"oct","k":"x"}]}`, wantErr: true},
		{name: "matching method, bad body", method: http.MethodGet, body: `{"keys":[{"kty":"oct","k":"x"}]}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), tt.method, "https://as.example.com/tenant/keys", nil)
			err := ValidateResponse(t.Context(), OpJWKS, req, 200, jsonHeader(), []byte(tt.body))
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("ValidateResponse() = %v, want error: %v", err, tt.wantErr)
			}
			if req.Method != tt.method {
				t.Errorf("request method changed to %q, want %q", req.Method, tt.method)
			}
		})
	}
}

func TestValidateResponseConcurrent(t *testing.T) {
	type call struct {
		op      Operation
		status  int
		header  http.Header
		body    string
		wantErr bool
	}
	calls := []call{
		{OpToken, 200, tokenHeader(), goodToken, false},
		{OpToken, 200, tokenHeader(), `{"access_token":"a","token_type":"Bearer","expires_in":"3600"}`, true},
		{OpToken, 401, jsonHeader(), `{"error":"invalid_client"}`, true},
		{OpMetadata, 200, jsonHeader(), goodMetadata, false},
		{OpJWKS, 200, jsonHeader(), goodJWKS, false},
		{OpJWKS, 200, jsonHeader(), `{"keys":[{"kty":"RSA","d":"x"}]}`, true},
		{OpHealthz, 200, jsonHeader(), `{"status":"ok"}`, false},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16*len(calls))
	for i := range 16 * len(calls) {
		c := calls[i%len(calls)]
		wg.Go(func() {
			err := ValidateResponse(t.Context(), c.op, nil, c.status, c.header, []byte(c.body))
			if gotErr := err != nil; gotErr != c.wantErr {
				errs <- fmt.Errorf("%s %d: ValidateResponse() = %v, want error: %v", c.op, c.status, err, c.wantErr)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Package mockserver is a reference OAuth 2.0 authorization server for the
// client credentials grant (RFC 6749 §4.4), built to be exact to the RFC so
// that client developers can test against it and the occheck conformance
// suite can prove itself against it.
//
// It is shaped like net/http/httptest: NewServer, NewTLSServer and
// NewUnstartedServer start a real listener on loopback, Close stops it, URL
// and Client work as they do there. TokenURL, Issuer, Requests and
// ClientCredentials add what OAuth tests need. NewTestServer is the one-liner
// for tests: it closes itself when the test ends. New returns the same
// server as a plain http.Handler for callers that run their own listener.
//
// The token endpoint runs as named steps (steps.go), each the reference
// behaviour of one RFC rule, called in the order the RFC implies
// (flow.go). A quirk is one entry of the table in quirks.go that rewires
// some steps; no reference file mentions a quirk, and SetQuirks switches
// them at run time.
//
// Access tokens are JWTs (RFC 9068) signed with a key that is generated at
// start or loaded from a PEM or JWK file; the public keys are served at
// /jwks and described by RFC 8414 metadata at
// /.well-known/oauth-authorization-server.
//
// A zero Config works: it registers one demo client (DemoClientID,
// DemoClientSecret) whose secret needs form-encoding. Quirks switch on
// deliberate deviations from the RFC, one per real-world bug, so a
// conformance checker can be shown to catch each of them.
package mockserver

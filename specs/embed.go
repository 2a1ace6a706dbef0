// Package specs holds the HTTP contract of the occheck reference
// authorization server (openapi.yaml) and checks live responses against it.
//
// The contract is compiled into the binary so that the checker, the mock
// server and their tests always agree on one version of it, and so that
// occheck runs without any file next to the executable.
package specs

import _ "embed" // The contract ships inside the binary; see OpenAPI.

// OpenAPI is the OpenAPI 3.0.3 document, byte for byte as in openapi.yaml,
// for the mock server to publish and for tools to render. Load does not
// read it, so a caller that modifies it cannot change what is validated.
//
//go:embed openapi.yaml
var OpenAPI []byte

// document is the copy Load parses; a string cannot be modified.
//
//go:embed openapi.yaml
var document string

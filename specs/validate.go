package specs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Operation names an operation of the contract by its operationId. Servers
// under test host the token endpoint at arbitrary paths, so responses are
// matched to the contract by operation, never by URL.
type Operation string

// The operations of openapi.yaml. Load fails if any of them is missing from
// the document, so the constants cannot drift away from it unnoticed.
const (
	// OpToken is POST /token, the RFC 6749 token endpoint.
	OpToken Operation = "token"
	// OpMetadata is the RFC 8414 authorization server metadata document.
	OpMetadata Operation = "metadata"
	// OpOpenIDConfiguration is the OpenID Connect discovery document,
	// held to the same RFC 8414 schema as OpMetadata.
	OpOpenIDConfiguration Operation = "openidConfiguration"
	// OpJWKS is the RFC 7517 JSON Web Key Set.
	OpJWKS Operation = "jwks"
	// OpHealthz is the reference server's liveness probe.
	OpHealthz Operation = "healthz"
)

// The admin API of the reference mock (test controls under /_occheck/).
const (
	OpAdminListFaults    Operation = "adminListFaults"
	OpAdminAddFault      Operation = "adminAddFault"
	OpAdminClearFaults   Operation = "adminClearFaults"
	OpAdminRemoveFault   Operation = "adminRemoveFault"
	OpAdminRequests      Operation = "adminRequests"
	OpAdminResetRequests Operation = "adminResetRequests"
	OpAdminGetClock      Operation = "adminGetClock"
	OpAdminSetClock      Operation = "adminSetClock"
	OpAdminGetQuirks     Operation = "adminGetQuirks"
	OpAdminSetQuirks     Operation = "adminSetQuirks"
	OpAdminKeys          Operation = "adminKeys"
	OpAdminRotateKey     Operation = "adminRotateKey"
	OpAdminDropRetired   Operation = "adminDropRetiredKeys"
	OpAdminReset         Operation = "adminReset"
)

// operations lists every Operation so that Load can check the document.
var operations = []Operation{OpToken, OpMetadata, OpOpenIDConfiguration, OpJWKS, OpHealthz,
	OpAdminListFaults, OpAdminAddFault, OpAdminClearFaults, OpAdminRemoveFault, OpAdminRequests, OpAdminResetRequests,
	OpAdminGetClock, OpAdminSetClock, OpAdminGetQuirks, OpAdminSetQuirks, OpAdminKeys, OpAdminRotateKey, OpAdminDropRetired, OpAdminReset}

// ErrUnknownOperation is wrapped by ValidateResponse when op is not an
// operationId of the contract; it reports a programming error, not a
// non-conforming server, so callers can tell the two apart.
var ErrUnknownOperation = errors.New("unknown operation")

// contract is the parsed document with a route per operation, built once
// because parsing and validating the document costs milliseconds.
type contract struct {
	doc    *openapi3.T
	routes map[Operation]*routers.Route
}

// loadContract parses the document on first use only; sync.OnceValues
// makes concurrent first calls wait for one another instead of racing.
var loadContract = sync.OnceValues(func() (*contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(document))
	if err != nil {
		return nil, fmt.Errorf("openapi: parse openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi: invalid openapi.yaml: %w", err)
	}
	c := &contract{doc: doc, routes: make(map[Operation]*routers.Route)}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" {
				continue
			}
			c.routes[Operation(op.OperationID)] = &routers.Route{
				Spec:      doc,
				Path:      path,
				PathItem:  item,
				Method:    method,
				Operation: op,
			}
		}
	}
	for _, op := range operations {
		if c.routes[op] == nil {
			return nil, fmt.Errorf("openapi: openapi.yaml has no operation %q", op)
		}
	}
	return c, nil
})

// Load returns the parsed and validated contract. The document is parsed
// once and shared, which makes Load cheap and safe to call concurrently;
// callers must treat the result as read-only.
func Load() (*openapi3.T, error) {
	c, err := loadContract()
	if err != nil {
		return nil, err
	}
	return c.doc, nil
}

// ValidationError reports that a response violates the contract. Err is
// the underlying cause, usually a kin-openapi *openapi3filter.ResponseError
// wrapping *openapi3.SchemaError values, for callers that need more than
// the message.
type ValidationError struct {
	// Op is the operation whose contract was violated.
	Op Operation
	// Status is the HTTP status code of the offending response.
	Status int
	// Err describes the violation.
	Err error
}

// Error returns one line naming the operation, the status and what was
// violated, because kin-openapi's own messages span many lines and embed
// whole schemas, which is unreadable in a conformance report.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("openapi: %s %d: %s", e.Op, e.Status, describe(e.Err))
}

// Unwrap gives errors.As access to kin-openapi's error values.
func (e *ValidationError) Unwrap() error { return e.Err }

// ValidateResponse checks a response of operation op against the contract:
// status code, headers, content type and body. It returns nil if the
// response conforms, a *ValidationError if it does not, and another error
// if op is unknown or the contract cannot be loaded.
//
// req is the request that produced the response. It may be nil; it is not
// validated, and its method and URL do not select the contract, op does.
// ValidateResponse is safe for concurrent use.
func ValidateResponse(ctx context.Context, op Operation, req *http.Request, status int, header http.Header, body []byte) error {
	c, err := loadContract()
	if err != nil {
		return err
	}
	route := c.routes[op]
	if route == nil {
		return fmt.Errorf("openapi: %w %q", ErrUnknownOperation, op)
	}
	responses := route.Operation.Responses
	response := responses.Status(status)
	if response == nil {
		response = responses.Default()
	}
	if response == nil {
		// Checked here because kin-openapi passes 301, 304, 307 and 308
		// even with IncludeResponseStatus, yet the contract has no redirects.
		return &ValidationError{Op: op, Status: status, Err: fmt.Errorf("status %d is not documented", status)}
	}

	header = canonical(header)
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		// Only responses are validated; this merely satisfies the options
		// contract for documents that declare security schemes.
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: requestFor(ctx, route, req),
			Route:   route,
			Options: opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	}
	if err := openapi3filter.ValidateResponse(ctx, input); err != nil {
		return &ValidationError{Op: op, Status: status, Err: err}
	}
	// kin-openapi decodes only the first JSON value, so trailing data such
	// as a second object or an HTML footer would otherwise pass.
	if len(response.Value.Content) > 0 && isJSON(header.Get("Content-Type")) && !json.Valid(body) {
		return &ValidationError{Op: op, Status: status, Err: errors.New("response body is not a single JSON value")}
	}
	return nil
}

// requestFor returns a request whose method is the operation's, because
// kin-openapi silently skips validation of responses to HEAD requests.
func requestFor(ctx context.Context, route *routers.Route, req *http.Request) *http.Request {
	if req == nil {
		r, err := http.NewRequestWithContext(ctx, route.Method, route.Path, nil)
		if err == nil {
			return r
		}
		// Unreachable for the paths of openapi.yaml.
		return &http.Request{Method: route.Method, Header: make(http.Header)}
	}
	if req.Method == route.Method {
		return req
	}
	r := req.WithContext(ctx)
	r.Method = route.Method
	return r
}

// canonical copies header with canonical keys, because kin-openapi looks
// header fields up by canonical key only and a hand-built header need not
// use them.
func canonical(header http.Header) http.Header {
	out := make(http.Header, len(header))
	for k, v := range header {
		ck := http.CanonicalHeaderKey(k)
		out[ck] = append(out[ck], v...)
	}
	return out
}

// isJSON reports whether a Content-Type value denotes JSON.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// describe renders kin-openapi's error tree on one line. Its own Error
// methods print the failing schema and value over many lines.
func describe(err error) string {
	switch e := err.(type) {
	case nil:
		return "unknown error"
	case *openapi3filter.ResponseError:
		reason := e.Reason
		if strings.HasPrefix(reason, "response body doesn't match schema") {
			reason = "response body"
		}
		if e.Reason == "failed to decode response body" && errors.Is(e.Err, io.EOF) {
			return "response body is empty"
		}
		if e.Err == nil {
			return reason
		}
		return reason + ": " + describe(e.Err)
	case openapi3.MultiError:
		parts := make([]string, 0, len(e))
		for _, sub := range e {
			if d := describe(sub); !slices.Contains(parts, d) {
				parts = append(parts, d)
			}
		}
		return strings.Join(parts, "; ")
	case *openapi3.SchemaError:
		return describeSchemaError(e)
	default:
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return msg
	}
}

// describeSchemaError names the offending member by its JSON pointer and
// gives kin-openapi's reason, which never includes the value itself.
func describeSchemaError(e *openapi3.SchemaError) string {
	reason := e.Reason
	switch {
	case e.Origin != nil:
		reason = describe(e.Origin)
	case e.SchemaField == "not":
		reason = describeNot(e)
	case reason == "":
		reason = fmt.Sprintf("does not match %q of its schema", e.SchemaField)
	}
	path := e.JSONPointer()
	// A missing member's reason already names it.
	if n := len(path); n > 0 && strings.Contains(reason, strconv.Quote(path[n-1])) {
		path = path[:n-1]
	}
	if len(path) == 0 {
		return reason
	}
	return "property " + strconv.Quote(strings.Join(path, "/")) + ": " + reason
}

// describeNot explains a "not" failure, for which kin-openapi gives no
// reason at all. The contract uses "not" for two rules: forbidden values
// (alg "none") and forbidden members (private JWK parameters).
func describeNot(e *openapi3.SchemaError) string {
	var forbidden *openapi3.Schema
	if e.Schema != nil && e.Schema.Not != nil {
		forbidden = e.Schema.Not.Value
	}
	if forbidden == nil {
		return "matches a forbidden schema"
	}
	if len(forbidden.Enum) > 0 {
		values := make([]string, 0, len(forbidden.Enum))
		for _, v := range forbidden.Enum {
			values = append(values, fmt.Sprintf("%q", fmt.Sprint(v)))
		}
		return "value must not be " + strings.Join(values, " or ")
	}
	names := slices.Clone(forbidden.Required)
	for _, alt := range forbidden.AnyOf {
		if alt.Value != nil {
			names = append(names, alt.Value.Required...)
		}
	}
	object, _ := e.Value.(map[string]any)
	var present []string
	for _, name := range names {
		if _, ok := object[name]; ok && !slices.Contains(present, strconv.Quote(name)) {
			present = append(present, strconv.Quote(name))
		}
	}
	switch len(present) {
	case 0:
		return "matches a forbidden schema"
	case 1:
		return "forbidden member " + present[0] + " is present"
	default:
		return "forbidden members " + strings.Join(present, ", ") + " are present"
	}
}

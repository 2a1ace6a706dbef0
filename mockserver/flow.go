package mockserver

import (
	"net/http"
	"net/url"

	"github.com/occheck/occheck/internal/rfc6749"
)

// exchange is one token request on its way through the steps.
type exchange struct {
	a *Authority
	s *steps
	w http.ResponseWriter
	r *http.Request

	// usedHeader: the client tried the Authorization header, so a failed
	// authentication is 401 with a challenge (§5.2).
	usedHeader bool
	form       url.Values
	req        *tokenRequest
	cred       credentials
	client     *client
	// reason is why the request was refused, for the journal and the log.
	reason string
	// endpoint is the journal name of the endpoint (EndpointToken when
	// empty).
	endpoint string
}

// serveToken is the token endpoint: one request through the steps, then
// its record in the journal and the access log.
func (a *Authority) serveToken(w http.ResponseWriter, r *http.Request) {
	a.reqlog.add(a.runToken(w, r, a.steps.Load()))
}

// runToken runs one token request through s and returns its journal entry.
func (a *Authority) runToken(w http.ResponseWriter, r *http.Request, s *steps) rawRequest {
	x := &exchange{a: a, s: s, w: w, r: r, usedHeader: len(r.Header.Values("Authorization")) > 0}
	rec := rawRequest{RecordedRequest: RecordedRequest{Time: a.now(), Endpoint: EndpointToken, Method: r.Method, Path: r.URL.Path}, header: r.Header, rawQuery: r.URL.RawQuery}
	status, code := x.respond(x.token())
	rec.form = x.form
	rec.Status, rec.Error, rec.Reason = status, code, x.reason
	if x.client != nil {
		rec.ClientID = x.client.ID
	}
	rec.Claimed, rec.AuthMethod = x.cred.id, x.cred.method
	if x.req != nil {
		rec.GrantType, rec.Scope = x.req.params[rfc6749.ParamGrantType], x.req.params[rfc6749.ParamScope]
	}
	sw, _ := w.(*statusWriter)
	if sw != nil {
		sw.clientID, sw.errCode, sw.reason = rec.ClientID, code, x.reason
	}
	if status == statusAborted {
		if sw == nil {
			panic(http.ErrAbortHandler)
		}
		sw.aborted = true
	}
	return rec
}

// token runs RFC 6749 §4.4.2 and §4.4.3 in the order that tells an
// unauthenticated caller nothing: a malformed request, then client
// authentication, then the grant, then scope and resource; then the token.
func (x *exchange) token() (*successResponse, *oauthError) {
	s := x.s
	vals, e := s.readRequest(x) // §3.2: POST, a form body
	if e != nil {
		return nil, e
	}
	x.form = vals
	if vals, e = s.query(x, vals); e != nil { // §2.3.1, §4.4.2: not from the URI
		return nil, e
	}
	if x.req, e = s.parseParams(x, vals); e != nil { // §3.2: once each, empty is absent
		return nil, e
	}
	if _, ok := x.req.params[rfc6749.ParamGrantType]; !ok { // §4.4.2: REQUIRED
		if e := s.missingGrantType(x); e != nil {
			return nil, e
		}
	}
	if x.cred, e = s.credentials(x); e != nil { // §2.3: one method
		return nil, e
	}
	if x.client, e = s.verify(x, x.cred); e != nil { // §2.3.1, §3.2.1
		return nil, e
	}
	if e := s.grantType(x); e != nil { // §5.2 unsupported_grant_type
		return nil, e
	}
	if e := s.clientGrant(x, x.client); e != nil { // §5.2 unauthorized_client
		return nil, e
	}
	proof, e := x.dpop() // RFC 9449 §4.3, §5.2
	if e != nil {
		return nil, e
	}
	scopes, hide, e := s.grantScope(x, x.client) // §3.3
	if e != nil {
		return nil, e
	}
	aud, e := s.audience(x, x.client) // RFC 8707 §2
	if e != nil {
		return nil, e
	}
	c := x.a.newClaims(x.client, scopes, aud) // RFC 9068 §2.2
	lifetime := c.Exp - c.Iat
	s.claims(x, c)
	s.bind(x, c) // RFC 8705 §3
	if proof != nil {
		s.dpopBind(x, proof, c) // RFC 9449 §6
	}
	tok, err := s.sign(x, c)
	if err != nil && x.client != nil && x.a.formatOf(x.client) == FormatOpaque {
		// The store is full or unreachable: a passing condition.
		return nil, &oauthError{Code: rfc6749.ErrTemporarilyUnavail, Status: http.StatusServiceUnavailable, RetryAfter: "1", Description: "the token could not be stored"}
	}
	if err != nil {
		return nil, &oauthError{Code: rfc6749.ErrServerError, Status: http.StatusInternalServerError, Description: "token signing failed"}
	}
	resp := &successResponse{AccessToken: tok, TokenType: rfc6749.TokenTypeBearer, ExpiresIn: lifetime}
	if proof != nil {
		resp.TokenType = rfc6749.TokenTypeDPoP // RFC 9449 §5
	}
	if !hide && len(scopes) > 0 {
		resp.Scope = joinScopes(scopes)
	}
	resp.scopes, resp.requested = scopes, x.req.params[rfc6749.ParamScope]
	s.success(x, resp) // §5.1
	return resp, nil
}

// respond writes the outcome: the success, or the error through the one
// error writer.
func (x *exchange) respond(r *successResponse, e *oauthError) (status int, code string) {
	if e == errAbort {
		return statusAborted, ""
	}
	if e != nil {
		// No registered secret leaves the server, wherever a client put it.
		e.Description = x.a.scrub.text(e.Description)
		x.reason = e.Description
		x.s.failure(x, e)
		return x.writeError(e), e.Code
	}
	return x.s.writeSuccess(x, r), ""
}

// statusAborted is the status recorded when the connection is dropped
// without any response.
const statusAborted = 0

// errAbort makes the flow drop the connection instead of answering.
var errAbort = &oauthError{Code: rfc6749.ErrServerError, Status: http.StatusInternalServerError, Description: "connection aborted"}

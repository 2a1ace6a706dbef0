package mockserver

import (
	"crypto/x509"
	"net/http"
	"net/url"

	"github.com/go-jose/go-jose/v4"
)

// steps are the token endpoint's named hook points. Each field holds the
// reference behaviour of one RFC rule; flow.go calls them in the order
// the RFC implies. A deviation (a table entry, or a fault for chosen requests)
// attaches by replacing a step or wrapping the one it finds, so the
// reference code never asks whether a deviation is on, and switching one
// on or off at run time is building a new steps value.
type steps struct {
	// readRequest turns the HTTP request into raw parameters: POST with a
	// form body (RFC 6749 §3.2, Appendix B).
	readRequest func(x *exchange) (url.Values, *oauthError)
	// readBody reads a POST body: form-urlencoded, UTF-8, bounded.
	readBody func(x *exchange) (url.Values, *oauthError)
	// query applies the URI query: never a source of credentials (§2.3.1)
	// or of grant parameters (§4.4.2).
	query func(x *exchange, vals url.Values) (url.Values, *oauthError)
	// parseParams applies §3.2: each parameter once (resource excepted,
	// RFC 8707 §2), empty values absent, unknown ones ignored.
	parseParams func(x *exchange, vals url.Values) (*tokenRequest, *oauthError)
	// missingGrantType answers a request without grant_type (§4.4.2).
	missingGrantType func(x *exchange) *oauthError

	// credentials finds how the request authenticates (§2.3.1): HTTP
	// Basic, body credentials, or nothing.
	credentials func(x *exchange) (credentials, *oauthError)
	// scheme accepts the Authorization header's scheme: Basic, any case.
	scheme func(x *exchange, scheme string) *oauthError
	// decodeBasic decodes a Basic credential per Appendix B.
	decodeBasic func(x *exchange, cred string) (id, secret string, e *oauthError)
	// conflict refuses a request that uses two methods (§2.3), or names
	// another client in client_id than the one Basic authenticates.
	conflict func(x *exchange, c credentials) *oauthError
	// verify authenticates the claimed client: a known id, a matching
	// secret, a method the client may use.
	verify func(x *exchange, c credentials) (*client, *oauthError)
	// secretOK compares the presented secret, in constant time.
	secretOK func(cl *client, secret string) bool
	// assertionType accepts client_assertion_type (RFC 7523 §2.2).
	assertionType func(x *exchange, typ, raw string) *oauthError
	// parseAssertion reads client_assertion as one JWT (RFC 7523 §2.2).
	parseAssertion func(x *exchange, raw string) (*assertion, *oauthError)
	// assertionSubject checks iss and sub (RFC 7523 §3 items 1-2).
	assertionSubject func(x *exchange, as *assertion) *oauthError
	// assertionMethod checks that the client may use the assertion's
	// method and algorithm (OpenID Connect Core §9, FAPI 2.0 §5.4.1).
	assertionMethod func(x *exchange, cl *client, as *assertion) *oauthError
	// assertionSignature verifies the JWS with the client's own key or
	// secret (RFC 7523 §3 item 9).
	assertionSignature func(x *exchange, cl *client, as *assertion) *oauthError
	// assertionClaims checks typ, aud, exp, nbf, iat and the lifetime
	// (RFC 7523 §3 items 3-6).
	assertionClaims func(x *exchange, cl *client, as *assertion) *oauthError
	// assertionReplay makes each jti single use (RFC 7523 §3 item 7).
	assertionReplay func(x *exchange, cl *client, as *assertion) *oauthError
	// badSecret is the answer to an unknown client or a wrong secret: the
	// same for both (§10.10).
	badSecret func(x *exchange) *oauthError
	// clientCert is the client certificate of the connection (RFC 8705):
	// from TLS, or a trusted proxy's header; nil without one.
	clientCert func(x *exchange) *x509.Certificate
	// mtlsCert checks a certificate for an mTLS client: the chain and the
	// registered attribute (§2.1), or a registered certificate (§2.2).
	mtlsCert func(x *exchange, cl *client, method string, cert *x509.Certificate) *oauthError
	// bind adds the certificate binding to a token's claims (§3).
	bind func(x *exchange, c *tokenClaims)

	// dpopHeader finds the request's DPoP proof (RFC 9449 §4.3 item 1):
	// one field, one value; present is false without one.
	dpopHeader func(x *exchange) (raw string, present bool, e *oauthError)
	// dpopRequired refuses a request without a proof from a client whose
	// tokens must be bound (§5.2).
	dpopRequired func(x *exchange, cl *client) *oauthError
	// dpopParse reads the proof: one JWS, JSON header and claims, a jwk.
	dpopParse func(x *exchange, raw string) (*dpopProof, *oauthError)
	// dpopType checks typ dpop+jwt (§4.3 item 4).
	dpopType func(x *exchange, p *dpopProof) *oauthError
	// dpopAlg checks the algorithm: asymmetric and supported (item 5).
	dpopAlg func(x *exchange, p *dpopProof) *oauthError
	// dpopKey checks that the jwk is a public key (item 7).
	dpopKey func(x *exchange, p *dpopProof) *oauthError
	// dpopSignature verifies the proof with its jwk (item 6).
	dpopSignature func(x *exchange, p *dpopProof) *oauthError
	// dpopClaims checks that jti, htm, htu and iat are there (§4.2).
	dpopClaims func(x *exchange, p *dpopProof) *oauthError
	// dpopMethod compares htm with the request's method (item 8).
	dpopMethod func(x *exchange, p *dpopProof, method string) *oauthError
	// dpopTarget compares htu with the endpoint's URL (item 9).
	dpopTarget func(x *exchange, p *dpopProof, target string) *oauthError
	// dpopTime checks iat against the proof window (item 11).
	dpopTime func(x *exchange, p *dpopProof) *oauthError
	// dpopNonce demands a server nonce when nonces are on (§8).
	dpopNonce func(x *exchange, p *dpopProof) *oauthError
	// dpopReplay makes a proof single use (§11.1).
	dpopReplay func(x *exchange, p *dpopProof) *oauthError
	// dpopThumbprint is the proof key's RFC 7638 thumbprint (§6.1).
	dpopThumbprint func(p *dpopProof) string
	// dpopBind binds the token to the proof key: cnf.jkt (§6.1).
	dpopBind func(x *exchange, p *dpopProof, c *tokenClaims)
	// dpopResource checks a token's DPoP binding at the protected
	// resource (§7.1).
	dpopResource func(a *Authority, r *http.Request, scheme, tok string, st *tokenState) *bearerError

	// grantType accepts the grant: client_credentials only (§5.2).
	grantType func(x *exchange) *oauthError
	// clientGrant checks that the client may use the grant (§5.2
	// unauthorized_client).
	clientGrant func(x *exchange, cl *client) *oauthError
	// grantScope applies §3.3: syntax, the client's allowance, defaults.
	grantScope func(x *exchange, cl *client) (scopes []string, hide bool, e *oauthError)
	// audience applies RFC 8707 §2 to resource values.
	audience func(x *exchange, cl *client) ([]string, *oauthError)

	// claims fills the access token's claims (RFC 9068 §2.2).
	claims func(x *exchange, c *tokenClaims)
	// sign makes the JWT (RFC 9068 §2.1).
	sign func(x *exchange, c *tokenClaims) (string, error)

	// success shapes the §5.1 response.
	success func(x *exchange, r *successResponse)
	// writeSuccess writes it.
	writeSuccess func(x *exchange, r *successResponse) int
	// failure shapes a §5.2 error: status, challenge, description.
	failure func(x *exchange, e *oauthError)
	// errorBody encodes a §5.2 error body.
	errorBody func(x *exchange, e *oauthError) (contentType string, body []byte)
	// noStore sets the cache headers of every token endpoint response
	// (§5.1).
	noStore func(h http.Header)

	// callerAuth may let a caller of the introspection or revocation
	// endpoint in without authentication (a deviation; the reference
	// returns errAbort: authenticate).
	callerAuth func(x *exchange) *oauthError
	// callerError may reshape the refusal of an introspection or
	// revocation caller.
	callerError func(x *exchange, e *oauthError)
	// introspectToken finds the state of a token presented for
	// introspection (nil: inactive).
	introspectToken func(a *Authority, r *http.Request, tok string) *tokenState
	// introspection answers RFC 7662 for a token's state (nil: inactive).
	introspection func(x *exchange, st *tokenState) map[string]any
	// revoke applies RFC 7009 to a token the caller presented (nil:
	// unknown, expired or already revoked).
	revoke func(x *exchange, st *tokenState) *oauthError

	// resource checks a request to a protected resource (RFC 6750).
	resource func(a *Authority, r *http.Request, scopes []string) (map[string]any, *bearerError)
	// resourceToken finds the state of a token presented to the resource.
	resourceToken func(a *Authority, r *http.Request, tok string) *tokenState
	// bearerChallenge may reshape the WWW-Authenticate of a refusal.
	bearerChallenge func(e *bearerError, ch string) string

	// plainHTTP answers plain HTTP that reached the TLS port; true when
	// it answered (RFC 6749 §3.2: TLS at the token endpoint).
	plainHTTP func(w http.ResponseWriter, r *http.Request) bool

	// metadata shapes the RFC 8414 document.
	metadata func(m map[string]any)
	// jwks shapes the JWK Set; the result is its media type.
	jwks func(set *jose.JSONWebKeySet) string
}

// reference is the steps exactly as the RFCs say.
func (a *Authority) reference() *steps {
	return &steps{
		readRequest:        a.readRequest,
		readBody:           a.readBody,
		query:              refuseQueryCredentials,
		parseParams:        parseParams,
		missingGrantType:   missingGrantType,
		credentials:        a.credentials,
		scheme:             basicScheme,
		decodeBasic:        decodeBasic,
		conflict:           oneMethod,
		verify:             a.verify,
		secretOK:           secretMatches,
		badSecret:          func(*exchange) *oauthError { return errInvalidClient("client authentication failed") },
		clientCert:         a.peerCertificate,
		plainHTTP:          refusePlainHTTP,
		callerAuth:         demandCaller,
		resource:           checkResourceRequest,
		resourceToken:      activeToken,
		bearerChallenge:    keepChallenge,
		callerError:        keepCallerError,
		introspection:      a.introspection,
		introspectToken:    activeToken,
		revoke:             a.revokeOwn,
		mtlsCert:           a.mtlsCert,
		bind:               a.bindToken,
		assertionType:      exactAssertionType,
		parseAssertion:     parseOneJWT,
		assertionSubject:   issEqualsSub,
		assertionMethod:    a.methodAllowed,
		assertionSignature: a.signatureByClientKey,
		assertionClaims:    a.claimsByProfile,
		assertionReplay:    a.singleUse,
		dpopHeader:         oneDPoPHeader,
		dpopRequired:       dpopRequired,
		dpopParse:          parseProof,
		dpopType:           dpopTyp,
		dpopAlg:            a.dpopAlgAllowed,
		dpopKey:            dpopPublicKey,
		dpopSignature:      dpopSignatureValid,
		dpopClaims:         dpopClaimsPresent,
		dpopMethod:         dpopMethodMatches,
		dpopTarget:         dpopTargetMatches,
		dpopTime:           a.dpopTimely,
		dpopNonce:          a.dpopNonceValid,
		dpopReplay:         a.dpopSingleUse,
		dpopThumbprint:     jwkThumbprint,
		dpopBind:           bindDPoP,
		dpopResource:       dpopAtResource,
		grantType:          clientCredentialsOnly,
		clientGrant:        clientMayUseGrant,
		grantScope:         grantScope,
		audience:           a.audienceFor,
		claims:             a.claims,
		sign:               a.sign,
		success:            func(*exchange, *successResponse) {},
		writeSuccess:       writeSuccess,
		failure:            a.shapeError,
		errorBody:          jsonErrorBody,
		noStore:            setNoStore,
		metadata:           func(map[string]any) {},
		jwks:               func(*jose.JSONWebKeySet) string { return jsonContentType },
	}
}

// deviation is a change to the reference: it rewires some steps.
type deviation func(s *steps, a *Authority)

// compile builds the steps for a set of deviations, applied in order on
// top of the reference.
func (a *Authority) compile(devs []deviation) *steps {
	s := a.reference()
	for _, d := range devs {
		d(s, a)
	}
	return s
}

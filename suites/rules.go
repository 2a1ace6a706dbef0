package suites

// Rule is the RFC sentence a spec enforces, so a vendor can see why a
// spec is graded at its level: the BCP 14 keyword of that sentence, the
// sentence itself in paraphrase, and whose duty it is.
type Rule struct {
	// Keyword is the sentence's BCP 14 keyword ("MUST", "MUST NOT",
	// "REQUIRED", "SHOULD", "RECOMMENDED", "MAY", "OPTIONAL"), or "none"
	// when the RFC states no keyword (the spec then observes, or grades a
	// defined outcome).
	Keyword string
	// Sentence paraphrases the cited sentence, naming its section.
	Sentence string
	// Binds says whose duty the sentence states: "server", "client", or
	// "both". A duty of the client is never graded as the server's MUST.
	Binds string
	// Why explains a level that differs from a naive reading of the
	// keyword; empty when the level is the keyword's.
	Why string
}

// rules holds the Rule of every spec, by ID. The sentences are
// paraphrases (only keywords and protocol literals are the RFCs' own);
// rules_test.go checks that every spec has one and that docs/grading.md
// lists every spec with a Why.
var rules = map[string]Rule{
	// RFC 7523 and RFC 7521: JWT client assertions (private_key_jwt).
	"JWT-OK-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §2.2: a client authenticates with a JWT in client_assertion, and the authorization server MUST validate it by the rules of §3; a server that registered the client for private_key_jwt accepts a well-formed assertion.",
		Binds:    "server",
	},
	"JWT-TYPE-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §2.2: the value of client_assertion_type MUST be urn:ietf:params:oauth:client-assertion-type:jwt-bearer; RFC 7521 §4.2 makes parameter values case-sensitive.",
		Binds:    "both",
	},
	"JWT-ONE-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §2.2: the value of client_assertion MUST contain a single JWT.",
		Binds:    "client",
		Why:      "The sentence binds the client; what is graded at MUST is only no token for a list of JWTs, since a server that picks one element authenticates with a value it did not examine whole.",
	},
	"JWT-ISS-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the JWT MUST contain an iss claim, and RFC 7521 §5.2 makes it the client_id for client authentication; the server MUST reject a JWT that does not meet these rules.",
		Binds:    "server",
	},
	"JWT-SUB-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the JWT MUST contain a sub claim, which for client authentication MUST be the client_id; the server MUST reject a JWT that does not meet these rules.",
		Binds:    "server",
	},
	"JWT-AUD-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the JWT MUST contain an aud claim identifying the authorization server, and the server MUST reject any JWT that does not contain its own identity as the intended audience.",
		Binds:    "server",
	},
	"JWT-AUD-02": {
		Keyword:  "MAY",
		Sentence: "RFC 7523 §3: the token endpoint URL MAY be used as the audience value; draft-ietf-oauth-rfc7523bis and FAPI 2.0 allow only the issuer identifier.",
		Binds:    "server",
		Why:      "Recorded under the default profile, where RFC 7523 allows both values; a failure under --profile rfc7523bis or fapi2, whose rule is the issuer alone.",
	},
	"JWT-AUD-03": {
		Keyword:  "none",
		Sentence: "RFC 7523 §3 lets aud be any value identifying the server, a one-element array included (RFC 7519 §4.1.3); draft-ietf-oauth-rfc7523bis allows [issuer] since -03, while FAPI 2.0 and the current OpenID Connect text want the issuer as a string.",
		Binds:    "server",
		Why:      "Recorded under the default profile; a warning under --profile rfc7523bis when refused, a failure under fapi2 when accepted.",
	},
	"JWT-JTI-02": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 7523 §3: the JWT MAY contain a jti claim; OpenID Connect §9 makes it REQUIRED for client authentication.",
		Binds:    "client",
		Why:      "Recorded: jti is the client's to send and optional in RFC 7523; under --profile fapi2 a token for an assertion without one warns, since single use cannot be enforced.",
	},
	"JWT-MULTI-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 7521 §4.2.1 with RFC 6749 §2.3: the client MUST NOT use more than one authentication method in a request; the server answers a failed assertion with invalid_client and issues tokens only to a client it authenticated.",
		Binds:    "both",
		Why:      "The MUST NOT binds the client; graded at MUST is only a token for the client whose credential did not verify, and a token for the one that did warns.",
	},
	"JWT-ALG-02": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §2.2 with §3: a client_secret_jwt assertion is a JWT with a MAC keyed with the client secret (OpenID Connect Core §9), and the server MUST reject a JWT whose MAC is invalid.",
		Binds:    "server",
	},
	"JWT-EXP-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the JWT MUST contain an exp claim, and the server MUST reject a JWT with an expiration time that has passed, subject to allowable clock skew.",
		Binds:    "server",
	},
	"JWT-NBF-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 7523 §3: with an nbf claim, the JWT MUST NOT be accepted for processing before that time.",
		Binds:    "server",
	},
	"JWT-LIFE-01": {
		Keyword:  "MAY",
		Sentence: "RFC 7523 §3: the authorization server MAY reject JWTs with an exp claim value that is unreasonably far in the future.",
		Binds:    "server",
	},
	"JWT-IAT-01": {
		Keyword:  "MAY",
		Sentence: "RFC 7523 §3: the authorization server MAY reject JWTs with an iat claim value that is unreasonably far in the past.",
		Binds:    "server",
	},
	"JWT-IAT-02": {
		Keyword:  "none",
		Sentence: "RFC 7523 §3 says nothing on a future iat; the FAPI 2.0 Security Profile accepts timestamps up to 10 seconds ahead and refuses those more than 60 seconds ahead.",
		Binds:    "server",
		Why:      "Recorded under the RFC profiles, where a verifier may allow minutes of leeway (RFC 7519); graded only under --profile fapi2.",
	},
	"JWT-SIG-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the JWT MUST be digitally signed or have a MAC applied, and the server MUST reject a JWT with an invalid signature or MAC.",
		Binds:    "server",
	},
	"JWT-KEY-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the server MUST reject a JWT with an invalid signature or MAC; an HMAC keyed with the client's public key is no valid MAC of that client (RFC 8725 §3.1).",
		Binds:    "server",
	},
	"JWT-KEY-02": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the server MUST reject a JWT with an invalid signature, and the keys that verify it are agreed out of band (§5), so a key the JWT carries proves nothing.",
		Binds:    "server",
	},
	"JWT-KEY-03": {
		Keyword:  "MUST",
		Sentence: "RFC 7523 §3: the server MUST reject a JWT with an invalid signature; a kid names a registered key, it does not make another key valid.",
		Binds:    "server",
	},
	"JWT-CID-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7521 §4.2: client_id is OPTIONAL next to an assertion, and if present it MUST identify the client the assertion authenticates.",
		Binds:    "client",
		Why:      "The sentence binds the client; the server's part graded at MUST is only no token when client_id names another client, and a refusal of the matching client_id warns.",
	},
	"JWT-TYP-01": {
		Keyword:  "SHOULD NOT",
		Sentence: "RFC 7523 §3 as updated by draft-ietf-oauth-rfc7523bis §4: clients SHOULD type assertions client-authentication+jwt and servers rejecting untyped ones is NOT RECOMMENDED; RFC 8725 §3.11 keeps JWTs of one kind from passing as another.",
		Binds:    "server",
	},
	"JWT-JTI-01": {
		Keyword:  "MAY",
		Sentence: "RFC 7523 §3: the authorization server MAY ensure that JWTs are not replayed, by keeping each jti until the JWT expires.",
		Binds:    "server",
		Why:      "Recorded under the default profile, as RFC 7523 makes replay protection optional; a warning when the server publishes OpenID Provider metadata, since OpenID Connect §9 makes each assertion single use (a rule worded for the client that a provider enforces by refusing replays); a failure under --profile fapi2.",
	},
	"JWT-ERR-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7521 §4.2.1: when the client assertion is invalid, the value of the error parameter MUST be invalid_client.",
		Binds:    "server",
		Why:      "The code is graded one level below the refusal: the JWT-* negatives grade no token at MUST, and invalid_request or invalid_grant here warns, as the catalogue grades every refusal code.",
	},
	"JWT-ERR-02": {
		Keyword:  "MAY",
		Sentence: "RFC 6749 §5.2: the server MAY answer a failed client authentication with 401, and a 401 MUST carry WWW-Authenticate.",
		Binds:    "server",
		Why:      "No HTTP authentication scheme exists for assertions, so 400 is the plain answer; a 401 without WWW-Authenticate breaks RFC 9110 §15.5.2 and warns, one level below the refusal.",
	},
	"JWT-ALG-01": {
		Keyword:  "SHOULD",
		Sentence: "RFC 7523 §5 makes RS256 mandatory to implement; OpenID Connect Core §9 has a private_key_jwt client sign its assertion with the private key whose public part it registered, and the FAPI 2.0 Security Profile §5.4.1 allows only PS256, ES256 and EdDSA.",
		Binds:    "server",
		Why:      "RFC 7523 itself allows MACs, so a private_key_jwt client's HS256 assertion keyed with its secret warns under the RFC profiles (the method binding comes from OpenID Connect and RFC 7591) and fails under --profile fapi2. An RS256 refusal is recorded, not graded: a key registered with an alg member is bound to that algorithm (RFC 7517 §4.4).",
	},
	"JWT-MD-01": {
		Keyword:  "none",
		Sentence: "RFC 8414 §2: token_endpoint_auth_methods_supported lists the client authentication methods the token endpoint supports; the FAPI 2.0 Security Profile §5.3.2.1 authenticates clients only with private_key_jwt or mTLS.",
		Binds:    "server",
		Why:      "A listed assertion method that fails is JWT-OK-01's or JWT-ALG-02's failure (one root cause, one failure) and is named here; a working method left unlisted is recorded; under --profile fapi2 any other listed method warns.",
	},
	"JWT-MD-02": {
		Keyword:  "MUST",
		Sentence: "RFC 8414 §2: token_endpoint_auth_signing_alg_values_supported MUST be present when private_key_jwt or client_secret_jwt is listed in token_endpoint_auth_methods_supported.",
		Binds:    "server",
	},
	// RFC 6750: the protected resource.
	"RS-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6750 §3: a request without a token gets a WWW-Authenticate Bearer challenge, and by §3.1 it SHOULD NOT carry an error code.",
		Binds:    "server",
		Why:      "The challenge is the MUST; an error attribute on a request without a token warns.",
	},
	"RS-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6750 §3: the Bearer scheme is followed by auth-params; realm, scope, error, error_description and error_uri each MUST NOT appear more than once, and their values keep to the character sets of RFC 6749 Appendix A.",
		Binds:    "server",
		Why:      "A bare Bearer, widespread and harmless, warns instead of failing (the catalogue's softened reading).",
	},
	"RS-03": {
		Keyword:  "MUST",
		Sentence: "RFC 6750 §3: a resource server answers a request whose token does not grant access with a challenge; §3.1 gives invalid_token, usually with 401, for a malformed, expired or revoked token.",
		Binds:    "server",
		Why:      "No access and a challenge are the MUST; 401 with error=\"invalid_token\" is graded one level down.",
	},
	"RS-04": {
		Keyword:  "MUST",
		Sentence: "RFC 6750 §3: a token that does not grant access gets a challenge; §3.1 gives insufficient_scope, with 403, when the request needs more privileges than the token holds, and the scope attribute MAY name them.",
		Binds:    "server",
		Why:      "No access and a challenge are the MUST; 403 insufficient_scope is graded one level down, and a missing scope attribute is recorded.",
	},
	"RS-06": {
		Keyword:  "MUST",
		Sentence: "RFC 9700 §2.3 (with RFC 8707 §2): access tokens are restricted to their audience, and a resource server must refuse a token meant for another.",
		Binds:    "server",
	},
	"RS-08": {
		Keyword:  "MAY",
		Sentence: "RFC 6750 §2.2 and §2.3: resource servers MAY support the form-encoded body and the URI query parameter; a 2xx to a query token SHOULD carry Cache-Control: private.",
		Binds:    "server",
		Why:      "Recorded; the cache header of a query token's answer warns, and under --profile fapi2 any accepted query token fails.",
	},
	"RS-05": {
		Keyword:  "SHOULD",
		Sentence: "RFC 6750 §2: clients MUST NOT use more than one method to send the token in a request; §3.1 names invalid_request, 400, for a malformed request.",
		Binds:    "client",
		Why:      "The MUST NOT binds the client; the resource's answer to a token sent twice is graded as the SHOULD of §3.1.",
	},
	"RS-07": {
		Keyword:  "MUST",
		Sentence: "RFC 6750 §2.1: resource servers MUST support the Authorization request header field with the Bearer scheme; RFC 9110 §11.1 makes the scheme name case-insensitive.",
		Binds:    "server",
		Why:      "A refusal of the lower-case scheme warns.",
	},
	// RFC 7662 (introspection) and RFC 7009 (revocation).
	"INT-01": {
		Keyword:  "MUST",
		Sentence: "RFC 7662 §2.1: to prevent token scanning, the introspection endpoint MUST require some form of authorization from the caller, such as client authentication.",
		Binds:    "server",
	},
	"INT-02": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 7662 §2.2: the answer is an application/json object whose active member, a boolean, is REQUIRED and true for a token that is currently active.",
		Binds:    "server",
	},
	"INT-03": {
		Keyword:  "SHOULD NOT",
		Sentence: "RFC 7662 §2.2: for a token that is not active, or not for this caller, the server answers {\"active\": false} and SHOULD NOT include any other member.",
		Binds:    "server",
		Why:      "active false is the MUST; extra members are graded at the SHOULD NOT, one level down.",
	},
	"INT-04": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 7662 §2.2: scope (a space-separated string), client_id, token_type, exp, iat and nbf (integer seconds), aud, iss, sub and jti are OPTIONAL members that describe the token.",
		Binds:    "server",
		Why:      "The members are optional, but present they must carry their defined types and the token's values; a wrong one warns.",
	},
	"INT-05": {
		Keyword:  "none",
		Sentence: "RFC 7662 §2.3: a caller that is not authorized, or whose credentials are invalid, gets 401 Unauthorized.",
		Binds:    "server",
		Why:      "A 200 to such a caller fails (it is INT-01's MUST); 400 instead of 401 warns.",
	},
	"INT-06": {
		Keyword:  "MUST",
		Sentence: "RFC 7662 §2.1: a token_type_hint that is wrong does not stop the server: it MUST extend its search across all of its supported token types.",
		Binds:    "server",
	},
	"INT-07": {
		Keyword:  "MUST",
		Sentence: "RFC 7662 §4: if the token can expire, the authorization server MUST determine whether or not it has expired before answering active:true.",
		Binds:    "server",
		Why:      "Black-box only when a token expires during the run: the spec waits out tokens of at most 120 s and polls from 1 s to 5 s (the catalogue's margin for clock skew) after the expiry, failing only a token still active at 5 s; longer-lived tokens skip, saying which flag gives a short-lived client.",
	},
	"INT-08": {
		Keyword:  "MUST",
		Sentence: "RFC 7662 §4: the introspection endpoint MUST be protected by TLS.",
		Binds:    "server",
		Why:      "A static check of the URL; plain http on loopback is noted (local testing). The other INT-* specs send nothing to an endpoint that fails it.",
	},
	"REV-01": {
		Keyword:  "SHOULD",
		Sentence: "RFC 7009 §2: implementations MUST support the revocation of refresh tokens and SHOULD support the revocation of access tokens; and by §2.1 a client revokes its own token with a POST carrying token.",
		Binds:    "server",
		Why:      "A client credentials client holds no refresh token, so only the SHOULD applies: 400 unsupported_token_type warns, any other refusal fails.",
	},
	"REV-02": {
		Keyword:  "MUST",
		Sentence: "RFC 7009 §2.1: after a successful revocation the token is invalid; RFC 7662 §4 has the introspection endpoint check whether a token was revoked.",
		Binds:    "server",
	},
	"REV-03": {
		Keyword:  "none",
		Sentence: "RFC 7009 §2.2: an invalid token in a revocation request is not an error: the server answers 200.",
		Binds:    "server",
		Why:      "A defined outcome; graded at MUST like the RFC's other defined answers.",
	},
	"REV-04": {
		Keyword:  "MUST",
		Sentence: "RFC 7009 §2.1: the authorization server first validates the client credentials; refusals use the error responses of RFC 6749 §5.2.",
		Binds:    "server",
		Why:      "A token revoked by a caller that did not authenticate fails; the status and code of the refusal warn.",
	},
	"REV-05": {
		Keyword:  "none",
		Sentence: "RFC 7009 §2.1: the server verifies that the token was issued to the client making the revocation request, and refuses otherwise.",
		Binds:    "server",
		Why:      "Another client's request must leave the token alive (fail otherwise); an error is what §2.1 describes, and a 200 without effect is recorded.",
	},
	"REV-06": {
		Keyword:  "MUST",
		Sentence: "RFC 7009 §2.1: when the token_type_hint does not fit, the server MUST extend its search across all of its supported token types.",
		Binds:    "server",
	},
	"REV-07": {
		Keyword:  "MUST",
		Sentence: "RFC 7009 §2: the revocation endpoint MUST use TLS (RFC 6749 §1.6 and the token endpoint's rules).",
		Binds:    "server",
		Why:      "A static check of the URL; plain http on loopback is noted. The other REV-* specs send nothing to an endpoint that fails it.",
	},
	// RFC 8705: mutual-TLS client authentication and bound tokens.
	"MTLS-01": {
		Keyword:  "MUST",
		Sentence: "RFC 8705 §2.1: with tls_client_auth the client authenticates by a certificate from a trusted CA presented in the TLS handshake, plus its client_id; a server that registered the client for the method accepts it.",
		Binds:    "server",
	},
	"MTLS-02": {
		Keyword:  "MUST",
		Sentence: "RFC 8705 §2: the authorization server MUST enforce the binding between client and certificate, and a failed mTLS authentication is invalid_client (RFC 6749 §5.2).",
		Binds:    "server",
		Why:      "No token is graded at MUST; the code and status one level down (invalid_client; 400, or 401 with a challenge), as the catalogue grades every refusal code. A handshake the server refuses is a refusal too.",
	},
	"MTLS-03": {
		Keyword:  "MUST",
		Sentence: "RFC 8705 §2.2: with self_signed_tls_client_auth the certificate presented must match one the client registered in its JWK Set; the chain is not validated.",
		Binds:    "server",
	},
	"MTLS-04": {
		Keyword:  "MUST",
		Sentence: "RFC 9700 §4.13: a TLS-terminating reverse proxy MUST sanitize inbound headers that carry client certificate data, so that a client cannot forge them; RFC 8705 §6.5 leaves that hop to the deployment.",
		Binds:    "server",
	},
	"MTLS-05": {
		Keyword:  "SHOULD",
		Sentence: "RFC 8705 §3.1: a certificate-bound JWT access token carries cnf with x5t#S256, the base64url SHA-256 of the DER encoding of the certificate, without padding.",
		Binds:    "server",
		Why:      "The binding may live only in introspection (§3.2), so a missing cnf warns, and only when the metadata announces bound tokens; a cnf of another value is a wrong binding and fails.",
	},
	"MTLS-06": {
		Keyword:  "MUST",
		Sentence: "RFC 8705 §2: the client sends its client_id with every mTLS-authenticated request.",
		Binds:    "client",
		Why:      "The MUST binds the client: a server may refuse a request without client_id or find the client from its certificate, so the answer is recorded.",
	},
	"MTLS-07": {
		Keyword:  "MUST",
		Sentence: "RFC 8705 §2.1: tls_client_auth rests on a certificate chain validated to a trusted anchor; §7.4 warns that a certificate with the right subject from another CA would otherwise pass.",
		Binds:    "server",
	},
	"MTLS-09": {
		Keyword:  "MUST",
		Sentence: "RFC 8705 §3: a protected resource that accepts a certificate-bound token MUST obtain the client certificate of the mutual-TLS connection and verify that it matches the token's binding, and refuse otherwise (invalid_token).",
		Binds:    "server",
		Why:      "No access without the bound certificate is the MUST; the status and code of the refusal are RS-03's to grade and are recorded here.",
	},
	"MTLS-10": {
		Keyword:  "none",
		Sentence: "RFC 8705 §3.2: the introspection answer for a certificate-bound token carries a top-level cnf with x5t#S256, in the format of §3.1.",
		Binds:    "server",
		Why:      "A wrong thumbprint fails; a bound token introspected without cnf warns, since the binding is then invisible to resource servers that introspect.",
	},
	"MTLS-11": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 8705 §3.3: tls_client_certificate_bound_access_tokens is an OPTIONAL JSON boolean metadata parameter saying that the server issues certificate-bound tokens; its default is false.",
		Binds:    "server",
		Why:      "Optional, but a value that is not a boolean breaks the metadata's type and fails; true while the mTLS client's JWT carries no cnf warns.",
	},
	"MTLS-12": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 8705 §5: mtls_endpoint_aliases is an OPTIONAL JSON object of endpoint URLs that mTLS clients use instead of the ones at the top level of the metadata.",
		Binds:    "server",
		Why:      "Optional, but present it must be an object of absolute https URLs: an mTLS client sends its certificate there, so anything else fails.",
	},
	// RFC 6749 §2.3, §2.3.1, §3.2.1 and Appendix B: client authentication.
	"CC-AUTH-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2.1: confidential clients MUST authenticate when they call the token endpoint, and §4.4.2 says the authorization server MUST authenticate the client.",
		Binds:    "both",
	},
	"CC-AUTH-01-CODE": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.2: the error parameter is REQUIRED, and invalid_client is its code for a failed client authentication, a request carrying none included; the server MAY use 401.",
		Binds:    "server",
		Why:      "The code is graded one level below the refusal: CC-AUTH-01 grades no token at MUST, and invalid_request or another code here warns, as the catalogue grades every refusal code.",
	},
	"CC-AUTH-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2.1: a client MAY send client_id to identify itself, yet §4.4.2 still says the authorization server MUST authenticate the client, and an identifier alone authenticates nobody.",
		Binds:    "server",
	},
	"CC-AUTH-02-CODE": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.2: the error parameter is REQUIRED, and invalid_client is its code for a failed client authentication; the server MAY use 401.",
		Binds:    "server",
		Why:      "The code is graded one level below the refusal: CC-AUTH-02 grades no token at MUST, and another code here warns.",
	},
	"AUTH-BASIC-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §2.3.1: a client that holds a client password can always authenticate with HTTP Basic, because the authorization server MUST support that scheme for such clients.",
		Binds:    "server",
		Why:      "MUST when --auth-method names client_secret_basic. Under --auth-method auto a refusal is a skip that names it: this client may be registered for client_secret_post only (RFC 7591 §2), which a black box cannot tell from missing support.",
	},
	"AUTH-BASIC-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 Appendix B and §2.3.1: the client id and password are each form-urlencoded before they become the Basic user name and password, and the authorization server MUST support Basic used this way.",
		Binds:    "server",
	},
	"AUTH-BASIC-03": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 Appendix B: whoever produces form-encoded names and values MUST encode them as UTF-8 first and then escape them, and §2.3.1 applies that encoding to the Basic user name and password.",
		Binds:    "client",
		Why:      "The MUST binds the client; the RFC says nothing about what a server does with raw, unencoded credentials, so acceptance or refusal is only recorded. A 5xx or a dropped connection still fails, as in every spec (ERR-5XX-01).",
	},
	"AUTH-BASIC-04": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 Appendix B and §2.3.1: decoding undoes the form escaping, in which '+' stands for a space and %XX for an octet, and the authorization server MUST support Basic credentials encoded that way.",
		Binds:    "server",
	},
	"AUTH-BASIC-05": {
		Keyword:  "none",
		Sentence: "RFC 9110 §11.1: an authentication scheme is named by a token compared without regard to case, so 'basic' names the Basic scheme.",
		Binds:    "server",
		Why:      "A definition without a keyword; clients nearly always write Basic, so the catalogue grades a refusal of another case as a warning.",
	},
	"AUTH-BASIC-06": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §4.4.2: the authorization server MUST authenticate the client; with §2.3.1 Basic that means checking the client password, so a wrong one authenticates nobody.",
		Binds:    "server",
	},
	"AUTH-BASIC-07": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §4.4.2: the authorization server MUST authenticate the client, and §5.2 answers a failed authentication with invalid_client and a malformed request with invalid_request.",
		Binds:    "server",
		Why:      "Only no token is graded at MUST (a crash fails too, through ERR-5XX-01); which of 400 or 401 and of invalid_client or invalid_request comes back is graded at SHOULD.",
	},
	"AUTH-BASIC-08": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §2.3.1 and §4.4.2: Basic is for clients that were issued a password, and the authorization server MUST authenticate the client; §5.2 counts an unknown client as a failed authentication.",
		Binds:    "server",
	},
	"AUTH-BASIC-08-ENUM": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §10.10: the authorization server MUST keep attackers from guessing credentials, client credentials among them.",
		Binds:    "server",
		Why:      "Recorded only: client identifiers are not secrets, and different answers for an unknown client and a wrong secret help an attacker find valid ids without breaking the guessing rule itself (catalogue: info).",
	},
	"AUTH-POST-01": {
		Keyword:  "MAY",
		Sentence: "RFC 6749 §2.3.1: the authorization server MAY accept client_id and client_secret in the request body instead of Basic, a form the RFC does not recommend to clients that can use Basic.",
		Binds:    "server",
		Why:      "Support is optional, but a method the client is configured for (--auth-method client_secret_post) must work, so the spec is graded MUST then. Under auto it runs only when the metadata advertises client_secret_post, and a refusal is a skip that names it (the client may be registered for Basic only).",
	},
	"AUTH-POST-02": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 §2.3.1: client_id and client_secret travel only in the request body and MUST NOT be placed in the request URI.",
		Binds:    "client",
		Why:      "The MUST NOT binds the client; the server-side spec grades at MUST only that credentials in the URI yield no token (and no 5xx): a server that honours them makes a request that leaks the secret into logs succeed.",
	},
	"AUTH-POST-03": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §2.3.1 and §4.4.2: the authorization server MUST authenticate the client, and a wrong client_secret in the body fails that; §5.2 names the failure invalid_client.",
		Binds:    "server",
		Why:      "Only no token is graded at MUST; the status (400 or 401) and the invalid_client code are graded at SHOULD.",
	},
	"AUTH-MULTI-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 §2.3: a client MUST NOT authenticate with two or more methods in the same request, and §5.2 counts doing so among the causes of invalid_request.",
		Binds:    "client",
		Why:      "The MUST NOT binds the client and no sentence makes the server refuse: a token for the client that did authenticate warns, and so does a refusal with a code other than invalid_request or invalid_client.",
	},
	"AUTH-MULTI-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §2.3 and §4.4.2: the client MUST NOT combine authentication methods, and the authorization server MUST authenticate the client it issues a token to.",
		Binds:    "server",
		Why:      "Only a token for a client whose own credential did not verify fails (the server's MUST); a token for a client that did authenticate warns, since the MUST NOT on two methods binds the client, and so does a token whose client cannot be seen.",
	},
	"AUTH-MULTI-03": {
		Keyword:  "MAY",
		Sentence: "RFC 6749 §3.2.1: a client MAY send client_id to identify itself at the token endpoint.",
		Binds:    "client",
		Why:      "The MAY is the client's: a server that refuses client_id next to Basic for the same client denies a permitted request (identification, not a second method), which the catalogue grades as a warning.",
	},
	"AUTH-MULTI-03-OTHER": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2.1 and §4.4.2: client_id only identifies a client, and the authorization server MUST authenticate the client before it issues a token.",
		Binds:    "server",
		Why:      "Only a token for the client named by client_id, which never authenticated, fails; a token for the Basic client warns (the conflicting client_id was ignored rather than refused), as does a token whose client cannot be seen.",
	},
	"AUTH-SCHEME-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §2.3.1 and §4.4.2: a client password is presented with HTTP Basic (or, where supported, in the body), and the authorization server MUST authenticate the client, so id:secret under another scheme authenticates nobody.",
		Binds:    "server",
		Why:      "Only no token is graded at MUST; the status and code (400 or 401, invalid_client or invalid_request) are graded at SHOULD.",
	},

	// RFC 6749 §3.2, §4.4.2 and Appendix B: the token endpoint request.
	"TE-TLS-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2: since token requests and responses carry credentials in clear text, the authorization server MUST require TLS (§1.6) for every request to the token endpoint.",
		Binds:    "server",
	},
	"TE-POST-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2: the client MUST use HTTP POST when it requests an access token.",
		Binds:    "client",
		Why:      "The MUST binds the client; the server-side spec grades at MUST only that a GET yields no token (a token rewards the forbidden request, typically a handler reading the query); any refusal status passes.",
	},
	"TE-POST-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2: the client MUST use HTTP POST when it requests an access token.",
		Binds:    "client",
		Why:      "The MUST binds the client; the server-side spec grades at MUST only that PUT, PATCH and DELETE yield no token, and any refusal status passes. OPTIONS is BCP-06's.",
	},
	"TE-POST-03": {
		Keyword:  "MUST",
		Sentence: "RFC 9110 §15.5.6: an origin server MUST send an Allow header listing the supported methods with every 405 response.",
		Binds:    "server",
		Why:      "Recorded only: the OAuth rule is met by any refusal of a non-POST request (TE-POST-01), and the catalogue treats a 405 without Allow at a token endpoint as an HTTP nicety, not an OAuth failure.",
	},
	"TE-CT-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §4.4.2 with Appendix B: the client sends the grant parameters in the entity-body, form-urlencoded in UTF-8; §5.2 calls an otherwise malformed request invalid_request.",
		Binds:    "client",
		Why:      "No keyword, and nothing forbids a server to read JSON: a token warns (an extension). A refusal passes as 400 invalid_request or 415; another status, such as 401 for a client that authenticated correctly, or another code warns.",
	},
	"TE-CT-02": {
		Keyword:  "none",
		Sentence: "RFC 6749 §4.4.2 with Appendix B: the client sends its parameters form-urlencoded in UTF-8, and §4.4.3 answers a valid, authorized request with an access token.",
		Binds:    "server",
		Why:      "No keyword obliges a server to accept a charset parameter, but a body labelled charset=UTF-8 is exactly the UTF-8 form body §4.4.2 describes, so refusing it refuses a valid request; the catalogue grades that MUST.",
	},
	"TE-CT-02-CASE": {
		Keyword:  "none",
		Sentence: "RFC 9110 §8.3.1: media type and subtype names are compared without regard to case.",
		Binds:    "server",
		Why:      "A definition without a keyword; a server comparing Content-Type as a literal string refuses a valid request, which the catalogue grades as a warning.",
	},
	"TE-BODY-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §4.4.2: the client puts grant_type and scope in the HTTP request entity-body, form-urlencoded.",
		Binds:    "client",
		Why:      "The placement binds the client and has no keyword, so a server that also reads the URI query only warns; client credentials in the query are graded at MUST by AUTH-POST-02.",
	},
	"TE-PARAM-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2: a parameter sent with an empty value MUST be handled as if it had been left out of the request.",
		Binds:    "server",
	},
	"TE-PARAM-01-GRANT": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2: a parameter sent with an empty value MUST be handled as if it had been left out of the request.",
		Binds:    "server",
		Why:      "Any answer that treats grant_type= like a missing grant_type meets the MUST; what this spec grades is the code (invalid_request rather than unsupported_grant_type), one level down like every refusal code.",
	},
	"TE-PARAM-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.2: the authorization server MUST ignore request parameters it does not recognize.",
		Binds:    "server",
	},
	"TE-PARAM-03": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 §3.2: request and response parameters MUST NOT appear more than once, and §5.2 counts a repeated parameter among the causes of invalid_request.",
		Binds:    "client",
		Why:      "For requests the MUST NOT binds the client and no sentence makes the server refuse; the spec grades at MUST only that a parameter repeated with different values yields no token (the server would silently pick one value), and the invalid_request code at SHOULD.",
	},
	"TE-PARAM-03-SAME": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 §3.2: request and response parameters MUST NOT appear more than once.",
		Binds:    "client",
		Why:      "The MUST NOT binds the client, and a repeat with the same value cannot change the outcome, so the catalogue only warns when it is accepted or refused with a code other than invalid_request.",
	},
	"RESP-JSON-02": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 §3.2: request and response parameters MUST NOT appear more than once; for the server, that is every member of its JSON responses.",
		Binds:    "server",
	},
	"TE-URI-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 §3.2: the token endpoint URI may carry a form-encoded query but MUST NOT carry a fragment.",
		Binds:    "server",
	},
	"BCP-06": {
		Keyword:  "MAY",
		Sentence: "RFC 9700 §2.6: endpoints that browser-based clients call directly, the token endpoint among them, MAY support CORS (which MUST NOT be offered at the authorization endpoint).",
		Binds:    "server",
		Why:      "The cited sentence only permits CORS; the MUST rests on RFC 6749 §3.2 (tokens are requested with POST): a preflight is a non-POST request and never yields a token, graded like TE-POST-02.",
	},

	// RFC 6749 §3.3: access token scope.
	"CC-SCOPE-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.3: when the client leaves out scope, the authorization server MUST either apply a predefined default or refuse the request as an invalid scope.",
		Binds:    "server",
	},
	"CC-SCOPE-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.3: the authorization server MAY ignore all or part of the requested scope, but when the issued scope differs from the request it MUST return scope to say what was granted.",
		Binds:    "server",
		Why:      "The grant is graded at MUST: the forbidden scope granted, or a narrowing left unreported, fails. When the server refuses instead, only no token is graded at MUST and the invalid_scope code at SHOULD.",
	},
	"CC-SCOPE-03": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §3.3: the authorization server MAY leave requested scope out of the grant, but when the issued scope differs from the request it MUST return scope to say what was granted.",
		Binds:    "server",
		Why:      "The grant is graded at MUST: an unknown scope reported as granted fails. When the server refuses instead, only no token is graded at MUST and the invalid_scope code at SHOULD.",
	},
	"CC-SCOPE-04": {
		Keyword:  "none",
		Sentence: "RFC 6749 Appendix A.4, the syntax of §3.3: a scope token is made of characters from %x21 / %x23-5B / %x5D-7E, so a double quote or a backslash never occurs in a valid scope.",
		Binds:    "client",
		Why:      "The syntax binds what the client sends, and no sentence makes the server refuse other characters: a server accepting them warns (catalogue), and a refusal passes as 400 invalid_scope or invalid_request.",
	},
	"CC-SCOPE-05": {
		Keyword:  "none",
		Sentence: "RFC 6749 §3.3: scope is a space-delimited list of case-sensitive strings whose order does not matter.",
		Binds:    "server",
		Why:      "A definition without a keyword; a server that ignores case or order grants something other than what was asked, which the catalogue grades as a warning.",
	},

	// RFC 6749 §4.4: the client credentials grant.
	"CC-OK-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §4.4.2 and §4.4.3: when the client credentials request is valid and authorized, the authorization server issues an access token as §5.1 describes.",
		Binds:    "server",
		Why:      "The outcome is stated without a keyword; a server that gives a correctly configured client no token supports none of the grant, so the catalogue grades it MUST, and every spec that needs a token is skipped naming this one.",
	},
	"CC-GT-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §4.4.2: grant_type is REQUIRED in the request, with the value client_credentials; §5.2 calls a missing required parameter invalid_request.",
		Binds:    "client",
		Why:      "REQUIRED of the client; the spec grades at MUST only that a request without grant_type yields no token (and no 5xx), since a server that assumes client_credentials serves malformed requests. The invalid_request code is CC-GT-01-CODE's, at SHOULD.",
	},
	"CC-GT-01-CODE": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.2: the error parameter is REQUIRED, and invalid_request is its code for a request that lacks a required parameter.",
		Binds:    "server",
		Why:      "The code is graded one level below the refusal: CC-GT-01 grades no token at MUST, and unsupported_grant_type or invalid_client here warns.",
	},
	"CC-GT-02": {
		Keyword:  "none",
		Sentence: "RFC 6749 §4.4.2 and §5.2: the request names its grant in grant_type, unsupported_grant_type answers a grant type the authorization server does not support, and §4.4.3 and §4.5 issue tokens only for valid, authorized requests.",
		Binds:    "server",
		Why:      "No keyword, but a token for a grant type the server does not support means it ignores grant_type altogether; the catalogue grades that MUST. The code is CC-GT-02-CODE's, at SHOULD.",
	},
	"CC-GT-02-CODE": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.2: the error parameter is REQUIRED, and unsupported_grant_type is its code for a grant type the authorization server does not support.",
		Binds:    "server",
		Why:      "The code is graded one level below the refusal: CC-GT-02 grades no token at MUST, and invalid_grant, invalid_request or unauthorized_client here warn.",
	},
	"CC-GT-03": {
		Keyword:  "none",
		Sentence: "RFC 6749 Appendix A.10: grant_type is a grant name or a URI reference; the RFC gives no rule on comparing its case.",
		Binds:    "server",
	},
	"CC-UC-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §4.4 and §5.2: a client asks for the client credentials grant on its own behalf, unauthorized_client answers an authenticated client that is not authorized to use the grant type, and §4.4.3 issues tokens only for authorized requests.",
		Binds:    "server",
		Why:      "No keyword, but a client the server itself has not allowed the grant must not get a token from it; the catalogue grades that MUST. The code is CC-UC-01-CODE's, at SHOULD.",
	},
	"CC-UC-01-CODE": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.2: the error parameter is REQUIRED, and unauthorized_client, with status 400, is its code for an authenticated client not allowed the grant type.",
		Binds:    "server",
		Why:      "The code is graded one level below the refusal: CC-UC-01 grades no token at MUST, and 403 or invalid_client here warn.",
	},
	"BCP-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 9700 §2.4: the resource owner password credentials grant is not to be used at all (MUST NOT); RFC 6749 §5.2 supplies the refusal codes (unsupported_grant_type, unauthorized_client).",
		Binds:    "both",
		Why:      "Only a token is graded at MUST (the user credentials are made up too, and RFC 6749 §4.3.2 has the server validate them); the status and code of the refusal are graded at SHOULD, and an answer identical to the one for an unknown grant type is left to CC-GT-02-CODE, so one deviation warns once.",
	},

	// RFC 6749 §4.4.3, §5.1, §10: the successful response.
	"RESP-STATUS-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §5.1: the authorization server returns the access token in a response with status 200 (OK).",
		Binds:    "server",
		Why:      "The status is part of the response §5.1 defines, without a keyword; clients test for 200, so the catalogue grades another 2xx as a failure.",
	},
	"RESP-CT-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §5.1: the response parameters go into the entity-body as application/json.",
		Binds:    "server",
		Why:      "Stated as the definition of the response, without a keyword; a client cannot read the token from any other format, so the catalogue grades it MUST. Media type parameters such as charset are ignored.",
	},
	"RESP-JSON-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.1: access_token is REQUIRED, and every response parameter is a member at the top level of one JSON object.",
		Binds:    "server",
	},
	"RESP-AT-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 Appendix A.12 with §5.1: access_token is REQUIRED and consists of one or more visible ASCII characters (%x20-7E).",
		Binds:    "server",
	},
	"RESP-TT-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.1: token_type is REQUIRED, and its value is compared without regard to case.",
		Binds:    "server",
	},
	"RESP-EXP-01": {
		Keyword:  "RECOMMENDED",
		Sentence: "RFC 6749 §5.1: expires_in, the token lifetime in seconds, is RECOMMENDED, and numeric response values are JSON numbers.",
		Binds:    "server",
		Why:      "Presence is RECOMMENDED, so a missing expires_in warns; the JSON-number rule has no keyword and a quoted 3600 still carries the value, so the catalogue warns for a string too. A value that is no whole number of seconds fails RESP-EXP-01-INT.",
	},
	"RESP-EXP-01-INT": {
		Keyword:  "none",
		Sentence: "RFC 6749 Appendix A.14: expires-in is one or more decimal digits.",
		Binds:    "server",
		Why:      "An ABNF rule without a keyword, but a negative, fractional or non-numeric value is no lifetime a client can use; the catalogue grades it MUST. The digits of a quoted value are judged too; the quoting is RESP-EXP-01's warning.",
	},
	"RESP-EXP-02": {
		Keyword:  "SHOULD",
		Sentence: "RFC 6750 §5.3: token servers SHOULD issue short-lived bearer tokens (an hour or less), above all to clients running in browsers or other places where tokens leak.",
		Binds:    "server",
		Why:      "Recorded only: the SHOULD aims at clients where tokens leak easily; for a back-end client credentials client a longer lifetime is a policy choice, which the catalogue records rather than grades.",
	},
	"RESP-SCOPE-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.1: scope is OPTIONAL when it equals the requested scope and REQUIRED when it does not.",
		Binds:    "server",
	},
	"RESP-SCOPE-02": {
		Keyword:  "none",
		Sentence: "RFC 6749 Appendix A.4 with §3.3: scope is one string of scope tokens separated by single spaces.",
		Binds:    "server",
		Why:      "An ABNF rule without a keyword, but an array or a comma list is not the scope parameter at all and misleads every client reading it; the catalogue grades it MUST.",
	},
	"RESP-HDR-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §5.1: the authorization server MUST send Cache-Control: no-store on every response that holds tokens, credentials or other sensitive information.",
		Binds:    "server",
	},
	"RESP-HDR-02": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §5.1: the same sentence requires Pragma: no-cache next to Cache-Control: no-store on such responses (MUST).",
		Binds:    "server",
		Why:      "MUST under the default profile rfc6749; under --profile oauth21 a missing Pragma only warns, since the OAuth 2.1 drafts drop it and RFC 9111 deprecates Pragma.",
	},
	"CC-RT-01": {
		Keyword:  "SHOULD NOT",
		Sentence: "RFC 6749 §4.4.3: a client credentials response SHOULD NOT include a refresh token.",
		Binds:    "server",
	},
	"RESP-NOLEAK-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 §10.8: access tokens, refresh tokens, resource owner passwords and client credentials MUST NOT be transmitted in the clear.",
		Binds:    "both",
		Why:      "The sentence is about clear-text transport; the catalogue reads it as also forbidding the server to send the client's secret back, since an echoed secret ends up unencrypted in logs, proxies and error trackers, and grades that MUST.",
	},
	"TOK-ENT-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §10.10: the chance of guessing a generated token MUST be at most 2^-128 (and SHOULD be at most 2^-160), and §10.3 has the server make access tokens impossible to guess.",
		Binds:    "server",
		Why:      "Recorded only: a client cannot see how tokens are generated; a token's length is only an upper bound on its entropy and a repeat among five tokens is a hint, not proof. Uniqueness of JWT access tokens is graded at MUST by ATJ-JTI-01.",
	},

	// RFC 6749 §5.2 and Appendix A.7-A.9: the error response.
	"ERR-400-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §5.2: the authorization server answers an error with status 400 (Bad Request) unless another status is specified, and a JSON body naming the error.",
		Binds:    "server",
		Why:      "The status rule has no keyword; the spec grades at MUST only what leaves no doubt, that an error is a 4xx answer (a 2xx error or a 5xx is no §5.2 error response). The exact 400 is graded per request by the -CODE specs at SHOULD.",
	},
	"ERR-400-01-STATUS": {
		Keyword:  "none",
		Sentence: "RFC 6749 §5.2: errors use status 400 unless another status is specified (invalid_client may use 401).",
		Binds:    "server",
		Why:      "Recorded only, though the catalogue treats 400 as the default every error must use: each request's status is graded by the spec of that request (CC-GT-01-CODE, CC-GT-02-CODE, CC-SCOPE-04, CC-UC-01-CODE) at SHOULD, so one wrong status warns once, not twice.",
	},
	"ERR-JSON-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.2: the error parameter is REQUIRED, and the error response puts its parameters at the top level of a JSON object sent as application/json.",
		Binds:    "server",
	},
	"ERR-CODE-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 Appendix A.7 and §5.2: every character of an error code lies in %x20-21 / %x23-5B / %x5D-7E; any other character is forbidden (MUST NOT).",
		Binds:    "server",
	},
	"ERR-CODE-02": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 6749 §5.2: error is REQUIRED and holds one of the codes §5.2 lists, and §8.5 has extension codes registered.",
		Binds:    "server",
		Why:      "Recorded only: each request's code is graded by the spec of that request at SHOULD; an unregistered code is noted here so that one deviation is graded once.",
	},
	"ERR-DESC-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 6749 Appendix A.8 and §5.2: every character of error_description lies in %x20-21 / %x23-5B / %x5D-7E (MUST NOT go outside it), which rules out double quotes, backslashes, control and non-ASCII characters.",
		Binds:    "server",
	},
	"ERR-URI-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 Appendix A.9 and §5.2: error_uri MUST follow the URI-reference syntax, which keeps every character in %x21 / %x23-5B / %x5D-7E.",
		Binds:    "server",
	},
	"ERR-401-01": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §5.2: when a client tried to authenticate with the Authorization header and failed, the authorization server MUST answer 401 with a WWW-Authenticate header for the scheme the client used.",
		Binds:    "server",
	},
	"ERR-401-02": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 7617 §2: in a Basic challenge the realm parameter is REQUIRED.",
		Binds:    "server",
		Why:      "REQUIRED by HTTP Basic, but OAuth clients neither prompt users nor use the realm, so a challenge without one is an interoperability blemish the catalogue warns about.",
	},
	"ERR-401-03": {
		Keyword:  "MUST",
		Sentence: "RFC 9110 §15.5.2: a server that sends a 401 MUST include a WWW-Authenticate header with at least one challenge.",
		Binds:    "server",
		Why:      "RFC 6749 §5.2 lets the server answer failed body credentials with 400 or 401 (MAY); the catalogue grades a 401 without a challenge there as a warning and keeps MUST for the Authorization header case (ERR-401-01).",
	},
	"ERR-NOTOK-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §5.2: an error response carries error, error_description and error_uri, while §5 issues a token only for a valid, authorized request.",
		Binds:    "server",
		Why:      "No sentence forbids it in words, but a token in an error response makes the refusal meaningless and hands out a credential; the catalogue grades it MUST.",
	},
	"ERR-ORDER-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §5.2: the RFC does not say which error code wins when one request has several faults.",
		Binds:    "server",
		Why:      "The codes are recorded because the RFC is silent; a token for a request with a wrong secret still fails at MUST, since §4.4.2 has the server authenticate the client.",
	},
	"RESP-HDR-03": {
		Keyword:  "MUST",
		Sentence: "RFC 6749 §5.1: the authorization server MUST send Cache-Control: no-store on responses that hold tokens, credentials or other sensitive information.",
		Binds:    "server",
		Why:      "A plain error holds none of these; the §5.2 example shows the header, but an example is not a rule, so errors without it are recorded. An error that does carry a token fails ERR-NOTOK-01.",
	},
	"ERR-5XX-01": {
		Keyword:  "none",
		Sentence: "RFC 6749 §5.2 with §5 and §4.4.3: a request that fails client authentication or is invalid gets an error response as §5.2 describes, and §5.2 defines no server_error code for the token endpoint.",
		Binds:    "server",
		Why:      "No keyword, but a 5xx or a dropped connection for client input is no §5.2 error response, and usually a crash; the catalogue grades it MUST, and the spec that sent the request fails as well. A 503 with Retry-After is an error verdict, not a failure.",
	},

	// RFC 8414: authorization server metadata.
	"MD-01": {
		Keyword:  "MUST",
		Sentence: "RFC 8414 §3: an authorization server that supports metadata MUST publish it at the path formed by inserting /.well-known/oauth-authorization-server between the host and the path of its issuer.",
		Binds:    "server",
		Why:      "Recorded only: publishing metadata is itself optional (RFC 9700 §2.6 RECOMMENDS it) and other registered suffixes such as openid-configuration are allowed (§3, §5), so a document elsewhere is noted.",
	},
	"MD-02": {
		Keyword:  "MUST",
		Sentence: "RFC 8414 §3.3: the issuer in the document MUST be identical to the issuer the metadata URL was built from, and a document that fails this MUST NOT be used.",
		Binds:    "server",
		Why:      "MUST, with one allowance: with only a metadata URL configured, an issuer that differs by a terminating '/' is noted, since §3.1 removes that slash before building the URL and both spellings lead to the same document; with --issuer the comparison is exact (the server's own spelling is adopted when the typed issuer differs only by that slash); without any issuer to compare, the spec is skipped. The consequence (do not use the data) binds the client: the run goes on with the token URL.",
	},
	"MD-03": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 8414 §2: issuer is REQUIRED and is an https URL without query or fragment.",
		Binds:    "server",
	},
	"MD-04": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 8414 §2: token_endpoint is REQUIRED unless the server supports only the implicit grant.",
		Binds:    "server",
	},
	"MD-04-MATCH": {
		Keyword:  "none",
		Sentence: "RFC 8414 §2: token_endpoint is the URL of the authorization server's token endpoint.",
		Binds:    "server",
		Why:      "No keyword says the published URL equals the one under test (a deployment may publish another host name for the same endpoint), so a difference warns (catalogue MD-04).",
	},
	"MD-05": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 8414 §2: token_endpoint_auth_methods_supported is OPTIONAL and lists the client authentication methods the token endpoint supports; without it, client_secret_basic is implied.",
		Binds:    "server",
		Why:      "The member is OPTIONAL, but what it lists is the server's claim: a listed method that fails for a client configured for it (--auth-method) fails at MUST. Under auto a refusal is noted instead, since methods are registered per client (RFC 7591 §2) and a black box cannot tell a broken method from a client registered for another.",
	},
	"MD-06": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 8414 §2: grant_types_supported is OPTIONAL; without it, only authorization_code and implicit are implied.",
		Binds:    "server",
		Why:      "The member is OPTIONAL, but a list (or the implied default) without client_credentials tells clients the grant is unsupported while it works; the catalogue warns.",
	},
	"MD-07": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 8414 §2: none MUST NOT be listed in token_endpoint_auth_signing_alg_values_supported.",
		Binds:    "server",
	},
	"MD-08": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 8414 §2: jwks_uri is OPTIONAL and, when present, MUST be an https URL of the server's JWK Set; RFC 9068 §4 asks (SHOULD) servers that sign JWT access tokens to publish their keys there.",
		Binds:    "server",
		Why:      "jwks_uri is OPTIONAL in RFC 8414, but RFC 9068 §4's SHOULD applies once access tokens are JWTs, so a missing jwks_uri or a document without keys warns.",
	},
	"MD-09": {
		Keyword:  "OPTIONAL",
		Sentence: "RFC 8414 §2: revocation_endpoint and introspection_endpoint are OPTIONAL members.",
		Binds:    "server",
	},

	// RFC 8707: resource indicators.
	"RI-01": {
		Keyword:  "SHOULD",
		Sentence: "RFC 8707 §2: the authorization server SHOULD restrict the audience of issued access tokens to the resources named by resource.",
		Binds:    "server",
	},
	"RI-02": {
		Keyword:  "MUST",
		Sentence: "RFC 8707 §2: resource MUST be an absolute URI and MUST NOT contain a fragment; a server that cannot parse or accept it should (lowercase, §2.1) answer invalid_target.",
		Binds:    "client",
		Why:      "The MUSTs bind the value the client sends, and the server's refusal with invalid_target is only a lowercase should, so acceptance or another code warns.",
	},
	"RI-03": {
		Keyword:  "none",
		Sentence: "RFC 8707 §2: invalid_target is the code for a resource that is invalid, missing, unknown or malformed, and §2.2 leaves which resources are acceptable to the server's policy.",
		Binds:    "server",
		Why:      "No keyword: acceptable resources are the server's choice, so an accepted unknown resource is noted and a refusal with a code other than invalid_target warns.",
	},
	"RI-04": {
		Keyword:  "MAY",
		Sentence: "RFC 8707 §2: a client MAY send several resource parameters to ask for a token usable at several resources.",
		Binds:    "client",
		Why:      "The MAY is the client's; a server that calls a repeated resource a repeated-parameter error (invalid_request) denies it, which warns, while refusing the combination by policy with invalid_target passes.",
	},

	// RFC 9068: JWT access tokens.
	"ATJ-TYP-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9068 §2.1: a JWT access token MUST declare the application/at+jwt media type in its typ header, preferably written at+jwt.",
		Binds:    "server",
	},
	"ATJ-ALG-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9068 §2.1: a JWT access token always carries a signature (MUST), and its alg is never none (MUST NOT).",
		Binds:    "server",
	},
	"ATJ-CLM-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti are all REQUIRED claims.",
		Binds:    "server",
	},
	"ATJ-CID-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 9068 §2.2: client_id is REQUIRED and, as RFC 8693 §4.3 defines it, names the client the token was issued to.",
		Binds:    "server",
	},
	"ATJ-SUB-01": {
		Keyword:  "SHOULD",
		Sentence: "RFC 9068 §2.2: for grants without a resource owner, such as client credentials, sub SHOULD identify the client application in the server's own terms.",
		Binds:    "server",
	},
	"ATJ-ISS-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 9068 §2.2: iss is REQUIRED, and §4 has resource servers accept a token only when iss exactly matches the issuer identifier learned through discovery.",
		Binds:    "server",
	},
	"ATJ-TIME-01": {
		Keyword:  "none",
		Sentence: "RFC 9068 §2.2: exp and iat carry the meanings RFC 7519 gives them (expiry and issue time); nothing ties exp minus iat to expires_in.",
		Binds:    "server",
		Why:      "No keyword states consistency; times that contradict the clock or expires_in mislead clients and resource servers, so the catalogue warns (5 s tolerance).",
	},
	"ATJ-AUD-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9068 §3: without a resource parameter, aud MUST still hold a resource indicator, a default the server chooses (with one, aud SHOULD equal it).",
		Binds:    "server",
	},
	"ATJ-SCOPE-01": {
		Keyword:  "SHOULD",
		Sentence: "RFC 9068 §2.2.3: when the request carried scope, the JWT access token SHOULD include a scope claim as RFC 8693 §4.2 defines it, a space-separated string.",
		Binds:    "server",
	},
	"ATJ-JTI-01": {
		Keyword:  "REQUIRED",
		Sentence: "RFC 9068 §2.2: jti is REQUIRED, and RFC 7519 §4.1.7 has it assigned so that reuse for another token is negligibly likely.",
		Binds:    "server",
	},
	"ATJ-SIG-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9068 §4: resource servers MUST verify every JWT access token's signature with keys the authorization server provides, which it SHOULD publish through jwks_uri.",
		Binds:    "server",
	},

	// RFC 9700: security best current practice.
	"BCP-02": {
		Keyword:  "RECOMMENDED",
		Sentence: "RFC 9700 §2.5: asymmetric client authentication, mTLS or signed JWTs such as private_key_jwt, is RECOMMENDED.",
		Binds:    "both",
		Why:      "Recorded only: a recommendation on which methods to deploy, read from the advertised metadata; a server offering only shared secrets is still conformant (catalogue: info).",
	},
	"BCP-03": {
		Keyword:  "SHOULD",
		Sentence: "RFC 9700 §2.2.1: authorization and resource servers SHOULD sender-constrain access tokens, with mTLS (RFC 8705) or DPoP (RFC 9449).",
		Binds:    "server",
		Why:      "Recorded only: sender-constraining needs client keys this run does not configure, so bearer tokens are noted, not warned (catalogue: info outside the fapi2 profile).",
	},
	"BCP-05": {
		Keyword:  "SHOULD NOT",
		Sentence: "RFC 9700 §4.15: clients SHOULD NOT be able to steer their client_id, sub or other claims into values that pass for a resource owner; where the server cannot prevent that, it MUST give resource servers another way to tell client tokens from user tokens.",
		Binds:    "server",
		Why:      "Recorded only: registration policy is invisible to a black box, and resource-owner claims in a client credentials token are a hint of that confusion, not proof.",
	},

	// The OpenAPI contract (specs/openapi.yaml).
	"OAS-TOKEN-200": {
		Keyword:  "none",
		Sentence: "OpenAPI contract §token (specs/openapi.yaml): successful token responses match the status, media type, headers and schema that encode RFC 6749 §5.1.",
		Binds:    "server",
		Why:      "No RFC sentence of its own: the contract restates rules that their RFC specs grade at their own level, so a contract violation warns, and only where no RFC spec already fails or warns about the same responses (one deviation, one verdict).",
	},
	"OAS-TOKEN-ERROR": {
		Keyword:  "none",
		Sentence: "OpenAPI contract §token (specs/openapi.yaml): token error responses (400, 401) match the media type, headers and schema that encode RFC 6749 §5.2.",
		Binds:    "server",
		Why:      "No RFC sentence of its own: the contract restates rules that their RFC specs grade at their own level, so a contract violation warns, and only where no RFC spec already fails or warns about the same responses (one deviation, one verdict).",
	},
	"OAS-METADATA": {
		Keyword:  "none",
		Sentence: "OpenAPI contract §metadata (specs/openapi.yaml): the metadata document matches the schema that encodes RFC 8414 §2 and §3.2.",
		Binds:    "server",
		Why:      "No RFC sentence of its own: the contract restates rules that the MD specs grade at their own level, so a contract violation warns, and only where no RFC spec already fails or warns about the same responses (one deviation, one verdict).",
	},
	"OAS-JWKS": {
		Keyword:  "none",
		Sentence: "OpenAPI contract §jwks (specs/openapi.yaml): the JWK Set matches the schema that encodes RFC 7517 §5 (a keys array, served as application/jwk-set+json or application/json).",
		Binds:    "server",
		Why:      "No RFC sentence of its own: the contract restates rules that MD-08 and ATJ-SIG-01 grade at their own level, so a contract violation warns, and only where no RFC spec already fails or warns about the same responses (one deviation, one verdict).",
	},
	// RFC 9449: DPoP.
	"DPOP-OK-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §5: a server that supports DPoP answers a token request carrying a valid proof; when it binds the token to the proof key, the token_type of the response MUST be DPoP (an unbound token is announced as Bearer).",
		Binds:    "server",
		Why:      "DPoP is optional: the spec runs only when the server advertises it (or --dpop). An unbound Bearer token is recorded, and fails only under fapi2 or when the token carries cnf.jkt.",
	},
	"DPOP-HDR-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3: to validate a proof the receiving server MUST ensure that there is not more than one DPoP HTTP request header field.",
		Binds:    "server",
	},
	"DPOP-JWT-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3: the server MUST ensure that the DPoP header value is a single well-formed JWT and that all required claims per §4.2 (jti, htm, htu, iat) are contained in it.",
		Binds:    "server",
	},
	"DPOP-TYP-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3: the server MUST ensure that the typ JOSE header parameter has the value dpop+jwt.",
		Binds:    "server",
	},
	"DPOP-ALG-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 9449 §4.3 and §4.2: alg is an asymmetric digital signature algorithm the server supports; it MUST NOT be none or a MAC-based algorithm.",
		Binds:    "server",
		Why:      "RS256 is legitimate under the RFC; FAPI 2.0 §5.4.1 allows PS256, ES256 and EdDSA only, so an RS256 proof is sent and graded under fapi2 alone.",
	},
	"DPOP-JWK-01": {
		Keyword:  "MUST NOT",
		Sentence: "RFC 9449 §4.3 and §4.2: the jwk header represents the public key the client chose and MUST NOT contain a private key.",
		Binds:    "server",
	},
	"DPOP-SIG-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3: the server MUST ensure that the JWT signature verifies with the public key contained in the jwk JOSE header parameter.",
		Binds:    "server",
	},
	"DPOP-HTM-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3: the server MUST ensure that the htm claim matches the HTTP method of the current request.",
		Binds:    "server",
		Why:      "A lower-case htm accepted warns: methods are case-sensitive (RFC 9110 §9.1), but the mismatch is one of spelling, not of method.",
	},
	"DPOP-HTU-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3: the server MUST ensure that the htu claim matches the HTTP URI of the current request, ignoring query and fragment; to reduce false negatives it SHOULD apply syntax- and scheme-based normalisation (RFC 3986 §6.2.2, §6.2.3) first.",
		Binds:    "server",
		Why:      "Another path or host accepted fails (MUST); refusing a normalised form of the endpoint's URL warns (SHOULD).",
	},
	"DPOP-IAT-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3 and §11.1: the server MUST ensure that the creation time of the proof (iat, or a server nonce) is within an acceptable window; it MAY accept a slightly future iat to allow for clock skew.",
		Binds:    "server",
		Why:      "An hour off either way accepted fails, unless the server uses nonces: §4.3 item 11 lets it judge a proof's age by its nonce, so with a fresh nonce an accepted iat is recorded (fapi2 still fails it). 5 s ahead refused and 120 s ahead accepted are recorded: the window is the server's to choose; FAPI 2.0 §5.3.2.1 fixes it, so under fapi2 both are graded.",
	},
	"DPOP-JTI-01": {
		Keyword:  "MAY",
		Sentence: "RFC 9449 §11.1: a server MAY keep the jti values of recent proofs to detect replay; §4.3 only requires the proof to be fresh.",
		Binds:    "server",
		Why:      "Tracking jti is permitted, not required (stateless replicas may bound replay with nonces instead): an accepted replay is recorded.",
	},
	"DPOP-NONCE-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §8: a server that requires a nonce answers use_dpop_nonce with a DPoP-Nonce header field; §8.1: the nonce value is 1*NQCHAR; the client then sends a proof with that nonce, which the server accepts.",
		Binds:    "server",
		Why:      "Using nonces is a MAY, so the spec is skipped without one. A nonce that never leads to a token (three fresh ones) is a loop and fails; a status other than 400 warns.",
	},
	"DPOP-NONCE-02": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §4.3 and §8: when the server provided a nonce, it MUST ensure that the proof's nonce claim holds a value it recognises; a proof without one, or with one it never issued, is refused.",
		Binds:    "server",
	},
	"DPOP-ERR-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §5 and §12.2: an invalid DPoP proof at the token endpoint is answered with the error code invalid_dpop_proof, in a §5.2 error response of RFC 6749 (400).",
		Binds:    "server",
		Why:      "The refusal is each negative's MUST; its code and status are graded one level down, as for the other error codes.",
	},
	"DPOP-CNF-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §6 and §6.1: a JWT access token bound to a DPoP key MUST carry cnf with jkt, the base64url SHA-256 JWK thumbprint (RFC 7638) of the proof key; §6.2: introspection returns that cnf, and token_type DPoP.",
		Binds:    "server",
		Why:      "For an opaque token, introspection is the only view: a missing cnf there warns, a wrong one fails.",
	},
	"DPOP-MD-01": {
		Keyword:  "none",
		Sentence: "RFC 9449 §5.1: dpop_signing_alg_values_supported is a JSON array of the JWS alg values the server supports for DPoP proofs.",
		Binds:    "server",
		Why:      "Not an array, or a listed algorithm refused, fails (the document misleads clients); none or a MAC listed warns, since such proofs can never be valid; the member absent is recorded.",
	},
	"DPOP-REQ-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §5.2: for a client registered with dpop_bound_access_tokens true, the authorization server MUST reject token requests that do not include a DPoP proof.",
		Binds:    "server",
	},
	"DPOP-RS-01": {
		Keyword:  "MUST",
		Sentence: "RFC 9449 §7.1: a resource server receiving a DPoP-bound token MUST check the DPoP proof of the request (§4.3, with ath the hash of the token) and that the token is bound to the proof's key; §7.2: a bound token is not accepted as a Bearer token.",
		Binds:    "server",
		Why:      "No access is the MUST; 401 with a DPoP challenge is graded as a SHOULD, and left to RS-01 and RS-03 when they already found the resource's refusals wrong.",
	},
}

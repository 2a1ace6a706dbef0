package mockserver

import (
	"net/http"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Metadata is the RFC 8414 document the server publishes; every field is
// true of this server. The same document is served at the issuer's
// /.well-known/openid-configuration (unless Config.NoOpenIDAlias), for
// client libraries that discover there: it is not a full OpenID Provider
// document (no authorization endpoint, no ID tokens).
func (a *Authority) Metadata() map[string]any {
	m := a.referenceMetadata()
	a.steps.Load().metadata(m)
	return m
}

// advertisedMethods are the client authentication methods some client is
// registered for, in a fixed order. fapiOnly keeps those FAPI 2.0 allows
// (private_key_jwt and the mTLS methods): a FAPI 2.0 server advertises no
// secret methods, while clients registered for one still use it.
func (a *Authority) advertisedMethods(fapiOnly bool) []string {
	methods := map[string]bool{}
	for _, id := range a.order {
		for _, m := range a.clients[id].AuthMethods {
			methods[m] = true
		}
	}
	// mTLS methods only where a certificate can be presented: over HTTPS.
	https := strings.HasPrefix(a.TokenURL(), "https://")
	ms := []string{}
	for _, m := range clientAuthMethods {
		if methodNeedsCert(m) && !https {
			continue
		}
		if methods[m] && (!fapiOnly || m == rfc6749.AuthPrivateKeyJWT || methodNeedsCert(m)) {
			ms = append(ms, m)
		}
	}
	return ms
}

func (a *Authority) referenceMetadata() map[string]any {
	var scopes []string
	for _, id := range a.order {
		for _, s := range a.clients[id].Scopes {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
	}
	ms := a.advertisedMethods(a.profile == ProfileFAPI2)
	methods := map[string]bool{}
	for _, m := range ms {
		methods[m] = true
	}
	slices.Sort(scopes)
	if scopes == nil {
		scopes = []string{}
	}
	m := map[string]any{
		"issuer":                                a.Issuer(),
		"token_endpoint":                        a.TokenURL(),
		"jwks_uri":                              a.JWKSURL(),
		"grant_types_supported":                 []string{rfc6749.GrantClientCredentials},
		"token_endpoint_auth_methods_supported": ms,
		"scopes_supported":                      scopes,
		"response_types_supported":              []string{},
	}
	// RFC 8414 §2: the algorithms for the assertion methods, never none.
	var algs []string
	if methods[rfc6749.AuthPrivateKeyJWT] {
		for _, alg := range clientAssertionAlgs {
			if a.profile != ProfileFAPI2 || slices.Contains(fapi2Algs, alg) {
				algs = append(algs, string(alg))
			}
		}
	}
	if methods[rfc6749.AuthClientSecretJWT] {
		algs = append(algs, string(jose.HS256))
	}
	if algs != nil {
		m["token_endpoint_auth_signing_alg_values_supported"] = algs
	}
	a.mtlsMetadata(m, methods)
	a.dpopMetadata(m)
	// RFC 8414 §2: introspection (RFC 7662) and revocation (RFC 7009),
	// authenticated like the token endpoint.
	m["introspection_endpoint"] = a.IntrospectionURL()
	m["revocation_endpoint"] = a.RevocationURL()
	m["introspection_endpoint_auth_methods_supported"] = ms
	m["revocation_endpoint_auth_methods_supported"] = ms
	if algs != nil {
		m["introspection_endpoint_auth_signing_alg_values_supported"] = algs
		m["revocation_endpoint_auth_signing_alg_values_supported"] = algs
	}
	return m
}

func (a *Authority) serveMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, a.Metadata())
	a.recordDocument(r, EndpointMetadata)
}

// journaledKey marks a request its caller journals itself.
type journaledKey struct{}

// recordDocument puts a document request into the journal.
func (a *Authority) recordDocument(r *http.Request, endpoint string) {
	if r.Context().Value(journaledKey{}) != nil {
		return
	}
	a.reqlog.add(rawRequest{RecordedRequest: RecordedRequest{Time: a.now(), Endpoint: endpoint, Method: r.Method, Path: r.URL.Path, Status: http.StatusOK},
		header: r.Header, rawQuery: r.URL.RawQuery})
}

// JWKS is the JSON Web Key Set the server publishes (RFC 7517): the
// signing key, the extra keys (Config.ExtraSigningAlgs) and the keys
// retired by a rotation whose overlap has not passed, each with kid, alg
// and use=sig.
func (a *Authority) JWKS() jose.JSONWebKeySet {
	set, _ := a.jwks()
	return set
}

func (a *Authority) jwks() (jose.JSONWebKeySet, string) {
	set := jose.JSONWebKeySet{Keys: a.publishedJWKs()}
	ct := a.steps.Load().jwks(&set)
	return set, ct
}

func (a *Authority) serveJWKS(w http.ResponseWriter, r *http.Request) {
	set, ct := a.jwks()
	writeJSONType(w, ct, set)
	a.recordDocument(r, EndpointJWKS)
}

func (a *Authority) serveHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]string{"status": "ok"})
}

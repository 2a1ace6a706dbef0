package mockserver

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/occheck/occheck/internal/rfc6749"
)

// Deviations of client assertion handling (RFC 7523) that real servers
// show, each attached to the assertion hook points.
const (
	QuirkAssertionTypRequired      Quirk = "assertion-typ-required"
	QuirkAssertionTypUnknown       Quirk = "assertion-typ-unknown"
	QuirkAssertionAnyType          Quirk = "assertion-any-type"
	QuirkAssertionFirstOfMany      Quirk = "assertion-first-of-many"
	QuirkAssertionIssUnchecked     Quirk = "assertion-iss-unchecked"
	QuirkAssertionSubUnchecked     Quirk = "assertion-sub-unchecked"
	QuirkAssertionAudUnchecked     Quirk = "assertion-aud-unchecked"
	QuirkAssertionExpUnchecked     Quirk = "assertion-exp-unchecked"
	QuirkAssertionNbfIgnored       Quirk = "assertion-nbf-ignored"
	QuirkAssertionAlgNone          Quirk = "assertion-alg-none"
	QuirkAssertionNoSignature      Quirk = "assertion-no-signature"
	QuirkAssertionHMACPublicKey    Quirk = "assertion-hmac-public-key"
	QuirkAssertionHeaderJWK        Quirk = "assertion-header-jwk"
	QuirkAssertionHeaderJWKSameKid Quirk = "assertion-header-jwk-same-kid"
	QuirkAssertionClientIDIgnored  Quirk = "assertion-client-id-ignored"
	QuirkAssertionInvalidRequest   Quirk = "assertion-invalid-request"
	QuirkAssertion401NoChallenge   Quirk = "assertion-401-no-challenge"
	QuirkAssertionMetadataNoAlgs   Quirk = "assertion-metadata-no-algs"
	QuirkAssertionReplay           Quirk = "assertion-replay"
	QuirkAssertionAudNormalized    Quirk = "assertion-aud-normalized"
	QuirkAssertionAudStringOnly    Quirk = "assertion-aud-string-only"
	QuirkAssertionMultiWins        Quirk = "assertion-multi-assertion-wins"
	QuirkAssertionSecretUnverified Quirk = "assertion-secret-jwt-unverified"
	QuirkAssertionClientIDRefused  Quirk = "assertion-client-id-refused"
	QuirkAssertionMACForPrivateKey Quirk = "assertion-mac-for-private-key"
	QuirkAssertionNonFAPIMethods   Quirk = "assertion-metadata-non-fapi-methods"
	QuirkAssertionKidAnyClient     Quirk = "assertion-kid-any-client"
	QuirkAssertionNonFAPIAlgs      Quirk = "assertion-metadata-non-fapi-algs"
)

func init() {
	for q, d := range map[Quirk]quirkDef{
		QuirkAssertionTypRequired: {"client assertions without typ client-authentication+jwt are refused (rfc7523bis §4: NOT RECOMMENDED)", func(s *steps, a *Authority) {
			wrapAssertionClaims(s, func(x *exchange, cl *client, as *assertion) *oauthError {
				if !strings.EqualFold(as.typ, TypClientAuthentication) {
					return errAssertion("the client assertion is not typed %s", TypClientAuthentication)
				}
				return nil
			})
		}},
		QuirkAssertionTypUnknown: {"client assertions typed client-authentication+jwt are refused as an unknown type (rfc7523bis §4)", func(s *steps, a *Authority) {
			wrapAssertionClaims(s, func(x *exchange, cl *client, as *assertion) *oauthError {
				if strings.EqualFold(as.typ, TypClientAuthentication) {
					return errAssertion("unknown JWT type %s", reasonQuote(as.typ))
				}
				return nil
			})
		}},
		QuirkAssertionAnyType: {"any client_assertion_type is accepted, in any case (RFC 7523 §2.2)", func(s *steps, a *Authority) {
			s.assertionType = func(_ *exchange, typ, raw string) *oauthError {
				if typ == "" || raw == "" {
					return errAssertion("client_assertion and client_assertion_type go together")
				}
				return nil
			}
		}},
		QuirkAssertionFirstOfMany: {"of several JWTs in client_assertion, the first is used (RFC 7523 §2.2)", func(s *steps, a *Authority) {
			next := s.parseAssertion
			s.parseAssertion = func(x *exchange, raw string) (*assertion, *oauthError) {
				first, _, _ := strings.Cut(raw, ",")
				return next(x, strings.TrimSpace(first))
			}
		}},
		QuirkAssertionIssUnchecked: {"the client assertion's iss is not checked; the client comes from sub (RFC 7523 §3 item 1)", func(s *steps, a *Authority) {
			s.assertionSubject = func(_ *exchange, as *assertion) *oauthError {
				if as.sub == "" {
					return errAssertion("the client assertion has no sub claim")
				}
				return nil
			}
		}},
		QuirkAssertionSubUnchecked: {"the client assertion's sub is not checked; the client comes from iss (RFC 7523 §3 item 2)", func(s *steps, a *Authority) {
			s.assertionSubject = func(_ *exchange, as *assertion) *oauthError {
				if as.iss == "" {
					return errAssertion("the client assertion has no iss claim")
				}
				as.sub = as.iss
				return nil
			}
		}},
		QuirkAssertionAudUnchecked: {"the client assertion's aud is not checked (RFC 7523 §3 item 3)", func(s *steps, a *Authority) {
			prepAssertionClaims(s, func(_ *exchange, as *assertion) { as.aud, as.audArray = []string{a.Issuer()}, false })
		}},
		QuirkAssertionExpUnchecked: {"the client assertion's exp is neither required nor checked (RFC 7523 §3 item 4)", func(s *steps, a *Authority) {
			prepAssertionClaims(s, func(_ *exchange, as *assertion) {
				exp := float64(a.now().Unix() + 60)
				as.exp = &exp
			})
		}},
		QuirkAssertionNbfIgnored: {"the client assertion's nbf is ignored (RFC 7523 §3 item 5)", func(s *steps, a *Authority) {
			prepAssertionClaims(s, func(_ *exchange, as *assertion) { as.nbf = nil })
		}},
		QuirkAssertionAlgNone: {"an unsigned client assertion (alg none) is accepted (RFC 7523 §3 item 9)", func(s *steps, a *Authority) {
			nextParse, nextSig := s.parseAssertion, s.assertionSignature
			s.parseAssertion = func(x *exchange, raw string) (*assertion, *oauthError) {
				if !strings.EqualFold(headerAlg(raw), "none") {
					return nextParse(x, raw)
				}
				parts := strings.Split(raw, ".")
				payload, err := base64.RawURLEncoding.DecodeString(parts[min(1, len(parts)-1)])
				if err != nil || len(parts) != 3 {
					return nil, errAssertion("malformed unsigned assertion")
				}
				as := &assertion{alg: "none"}
				if e := as.readClaims(payload); e != nil {
					return nil, e
				}
				return as, nil
			}
			s.assertionSignature = func(x *exchange, cl *client, as *assertion) *oauthError {
				if as.alg == "none" {
					return nil
				}
				return nextSig(x, cl, as)
			}
		}},
		QuirkAssertionNoSignature: {"the signature of a private_key_jwt assertion is not verified (RFC 7523 §3 item 9)", func(s *steps, a *Authority) {
			next := s.assertionSignature
			s.assertionSignature = func(x *exchange, cl *client, as *assertion) *oauthError {
				if as.method() == rfc6749.AuthPrivateKeyJWT {
					return nil
				}
				return next(x, cl, as)
			}
		}},
		QuirkAssertionHMACPublicKey: {"an HS256 client assertion is verified with the client's public key as the secret (RFC 8725 §2.1)", func(s *steps, a *Authority) {
			nextMethod, nextSig := s.assertionMethod, s.assertionSignature
			s.assertionMethod = func(x *exchange, cl *client, as *assertion) *oauthError {
				if cl.keys != nil && as.method() == rfc6749.AuthClientSecretJWT {
					return nil // the key decides, the header picks the algorithm
				}
				return nextMethod(x, cl, as)
			}
			s.assertionSignature = func(x *exchange, cl *client, as *assertion) *oauthError {
				if !slices.Contains(secretAssertionAlgs, as.alg) || cl.keys == nil {
					return nextSig(x, cl, as)
				}
				set, err := cl.keys.get(x.r.Context(), false)
				if err != nil {
					return nextSig(x, cl, as)
				}
				for _, k := range set.Keys {
					der, _ := x509.MarshalPKIXPublicKey(k.Key)
					js, _ := json.Marshal(k)
					for _, secret := range [][]byte{pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), der, js} {
						if _, err := as.jws.Verify(secret); err == nil {
							return nil
						}
					}
				}
				return nextSig(x, cl, as)
			}
		}},
		QuirkAssertionHeaderJWK: {"a key in the client assertion's jwk header verifies it (RFC 7523 §3 item 9)", func(s *steps, a *Authority) {
			trustHeaderJWK(s, func(*exchange, *client, *assertion) bool { return true })
		}},
		QuirkAssertionHeaderJWKSameKid: {"a key in the jwk header verifies the client assertion when its kid is a registered one (RFC 7523 §3 item 9)", func(s *steps, a *Authority) {
			trustHeaderJWK(s, func(x *exchange, cl *client, as *assertion) bool {
				set, err := cl.keys.get(x.r.Context(), false)
				return err == nil && as.kid != "" && len(set.Key(as.kid)) > 0
			})
		}},
		QuirkAssertionNonFAPIAlgs: {"under the fapi2 profile the metadata still lists RS256 and HS256 as signing algorithms (FAPI 2.0 §5.4.1: PS256, ES256, EdDSA)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) {
				if algs, ok := m["token_endpoint_auth_signing_alg_values_supported"].([]string); ok && a.profile == ProfileFAPI2 {
					m["token_endpoint_auth_signing_alg_values_supported"] = append([]string{"RS256"}, append(algs, "HS256")...)
				}
			})
		}},
		QuirkAssertionKidAnyClient: {"the client assertion's kid is looked up among every client's keys, not only the keys of the client it names (RFC 7523 §3 item 9)", func(s *steps, a *Authority) {
			next := s.assertionSignature
			s.assertionSignature = func(x *exchange, cl *client, as *assertion) *oauthError {
				e := next(x, cl, as)
				if e == nil || as.kid == "" || as.method() != rfc6749.AuthPrivateKeyJWT {
					return e
				}
				for _, id := range a.order {
					other := a.clients[id]
					if other.keys == nil {
						continue
					}
					set, err := other.keys.get(x.r.Context(), false)
					if err != nil {
						continue
					}
					for _, k := range set.Key(as.kid) {
						if _, err := as.jws.Verify(k.Key); err == nil {
							return nil
						}
					}
				}
				return e
			}
		}},
		QuirkAssertionClientIDIgnored: {"a client_id parameter next to a client assertion is not compared (RFC 7521 §4.2)", func(s *steps, a *Authority) {
			next := s.verify
			s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
				if c.assertion != nil {
					c.bodyID = ""
				}
				return next(x, c)
			}
		}},
		QuirkAssertionInvalidRequest: {"a refused client assertion is answered invalid_request, not invalid_client (RFC 7521 §4.2.1)", func(s *steps, a *Authority) {
			wrapFailure(s, func(x *exchange, e *oauthError) {
				if e.Code == rfc6749.ErrInvalidClient && x.cred.assertion != nil {
					e.Code = rfc6749.ErrInvalidRequest
				}
			})
		}},
		QuirkAssertion401NoChallenge: {"a refused client assertion is a 401 without WWW-Authenticate (RFC 9110 §15.5.2)", func(s *steps, a *Authority) {
			wrapFailure(s, func(x *exchange, e *oauthError) {
				if e.Code == rfc6749.ErrInvalidClient && x.cred.assertion != nil {
					e.Status, e.WWWAuthenticate = http.StatusUnauthorized, ""
				}
			})
		}},
		QuirkAssertionMetadataNoAlgs: {"the metadata lists assertion methods without token_endpoint_auth_signing_alg_values_supported (RFC 8414 §2)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) { delete(m, "token_endpoint_auth_signing_alg_values_supported") })
		}},
		QuirkAssertionReplay: {"client assertions are not single use: no jti cache (OpenID Connect Core §9)", func(s *steps, a *Authority) {
			s.assertionReplay = func(*exchange, *client, *assertion) *oauthError { return nil }
		}},
		QuirkAssertionAudNormalized: {"the client assertion's aud is compared case-insensitively and without a trailing slash (RFC 7519 §4.1.3)", func(s *steps, a *Authority) {
			prepAssertionClaims(s, func(_ *exchange, as *assertion) {
				for i, v := range as.aud {
					for _, self := range []string{a.Issuer(), a.TokenURL()} {
						if strings.EqualFold(strings.TrimSuffix(v, "/"), self) {
							as.aud[i] = self
						}
					}
				}
			})
		}},
		QuirkAssertionAudStringOnly: {"an aud array in a client assertion is refused, even [issuer] (OpenID Connect Core §9, draft 36)", func(s *steps, a *Authority) {
			wrapAssertionClaims(s, func(x *exchange, cl *client, as *assertion) *oauthError {
				if as.audArray {
					return errAssertion("aud must be a JSON string")
				}
				return nil
			})
		}},
		QuirkAssertionMultiWins: {"with HTTP Basic and a client assertion, the token goes to the assertion's client, unverified (RFC 7521 §4.2.1)", func(s *steps, a *Authority) {
			nextCred, nextVerify := s.credentials, s.verify
			s.credentials = func(x *exchange) (credentials, *oauthError) {
				raw := x.req.params[rfc6749.ParamClientAssertion]
				if !x.usedHeader || raw == "" {
					return nextCred(x)
				}
				as, e := s.parseAssertion(x, raw)
				if e != nil {
					return credentials{}, e
				}
				return credentials{assertion: as, method: as.method(), id: as.sub}, nil
			}
			s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
				if x.usedHeader && c.assertion != nil {
					if cl := a.clients[c.id]; cl != nil {
						return cl, nil
					}
				}
				return nextVerify(x, c)
			}
		}},
		QuirkAssertionSecretUnverified: {"client_secret_jwt assertions are accepted without checking the MAC (RFC 7523 §3 item 9)", func(s *steps, a *Authority) {
			next := s.assertionSignature
			s.assertionSignature = func(x *exchange, cl *client, as *assertion) *oauthError {
				if as.method() == rfc6749.AuthClientSecretJWT {
					return nil
				}
				return next(x, cl, as)
			}
		}},
		QuirkAssertionMACForPrivateKey: {"a private_key_jwt client may also MAC its assertion with its secret, and RS256 is accepted under every profile (OpenID Connect Core §9, FAPI 2.0 §5.4.1)", func(s *steps, a *Authority) {
			next := s.assertionMethod
			s.assertionMethod = func(x *exchange, cl *client, as *assertion) *oauthError {
				switch {
				case as.method() == rfc6749.AuthClientSecretJWT && cl.allowsMethod(rfc6749.AuthPrivateKeyJWT) && cl.Secret != "":
					return nil
				case as.alg == jose.RS256 && cl.allowsMethod(rfc6749.AuthPrivateKeyJWT):
					return nil
				}
				return next(x, cl, as)
			}
		}},
		QuirkAssertionNonFAPIMethods: {"under the fapi2 profile the metadata still lists the secret methods (FAPI 2.0 §5.3.2.1: private_key_jwt or mTLS only)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) {
				if a.profile == ProfileFAPI2 {
					m["token_endpoint_auth_methods_supported"] = a.advertisedMethods(false)
				}
			})
		}},
		QuirkAssertionClientIDRefused: {"a client_id parameter next to a client assertion is refused as a second method, even naming the same client (RFC 7521 §4.2 allows it)", func(s *steps, a *Authority) {
			next := s.verify
			s.verify = func(x *exchange, c credentials) (*client, *oauthError) {
				if c.assertion != nil && c.bodyID != "" {
					return nil, errInvalidRequest("client_id is not allowed next to a client assertion")
				}
				return next(x, c)
			}
		}},
	} {
		quirkTable[q] = d
	}
}

// wrapAssertionClaims adds a check after the reference claim checks.
func wrapAssertionClaims(s *steps, f func(x *exchange, cl *client, as *assertion) *oauthError) {
	next := s.assertionClaims
	s.assertionClaims = func(x *exchange, cl *client, as *assertion) *oauthError {
		if e := next(x, cl, as); e != nil {
			return e
		}
		return f(x, cl, as)
	}
}

// prepAssertionClaims changes the claims before the reference checks see
// them, so a check is skipped.
func prepAssertionClaims(s *steps, f func(x *exchange, as *assertion)) {
	next := s.assertionClaims
	s.assertionClaims = func(x *exchange, cl *client, as *assertion) *oauthError {
		f(x, as)
		return next(x, cl, as)
	}
}

// trustHeaderJWK verifies an assertion with the key in its jwk header
// when trusted says so.
func trustHeaderJWK(s *steps, trusted func(x *exchange, cl *client, as *assertion) bool) {
	next := s.assertionSignature
	s.assertionSignature = func(x *exchange, cl *client, as *assertion) *oauthError {
		if as.jws != nil && cl.keys != nil {
			if k := as.jws.Signatures[0].Protected.JSONWebKey; k != nil && trusted(x, cl, as) {
				if _, err := as.jws.Verify(k.Key); err == nil {
					return nil
				}
			}
		}
		return next(x, cl, as)
	}
}

package mockserver

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/occheck/occheck/internal/rfc6749"
)

// Deviations of DPoP (RFC 9449) that real servers show: each §4.3 check
// skipped, nonce handling gone wrong, and tokens bound or announced
// wrongly.
const (
	QuirkDPoPMultiHeader       Quirk = "dpop-multi-header"
	QuirkDPoPClaimsOptional    Quirk = "dpop-claims-optional"
	QuirkDPoPTypUnchecked      Quirk = "dpop-typ-unchecked"
	QuirkDPoPAlgLax            Quirk = "dpop-alg-lax"
	QuirkDPoPPrivateJWK        Quirk = "dpop-private-jwk"
	QuirkDPoPSigUnchecked      Quirk = "dpop-sig-unchecked"
	QuirkDPoPHtmUnchecked      Quirk = "dpop-htm-unchecked"
	QuirkDPoPHtuUnchecked      Quirk = "dpop-htu-unchecked"
	QuirkDPoPHtuRaw            Quirk = "dpop-htu-raw"
	QuirkDPoPIatUnchecked      Quirk = "dpop-iat-unchecked"
	QuirkDPoPNonceNoHeader     Quirk = "dpop-nonce-no-header"
	QuirkDPoPNonceLoop         Quirk = "dpop-nonce-loop"
	QuirkDPoPNonceUnchecked    Quirk = "dpop-nonce-unchecked"
	QuirkDPoPErrorCode         Quirk = "dpop-error-code"
	QuirkDPoPBearerType        Quirk = "dpop-bearer-type"
	QuirkDPoPNoCnf             Quirk = "dpop-no-cnf"
	QuirkDPoPThumbprintAll     Quirk = "dpop-thumbprint-all-members"
	QuirkDPoPMetadataHMAC      Quirk = "dpop-md-hmac"
	QuirkDPoPBindingOptional   Quirk = "dpop-binding-not-required"
	QuirkDPoPRSBearerDowngrade Quirk = "dpop-rs-bearer-downgrade"
)

// skipAbsent lets a proof without the claim through a check of it.
func skipAbsent(claim string, next func(x *exchange, p *dpopProof) *oauthError) func(x *exchange, p *dpopProof) *oauthError {
	return func(x *exchange, p *dpopProof) *oauthError {
		if _, ok := p.claims[claim]; !ok {
			return nil
		}
		return next(x, p)
	}
}

func init() {
	for q, d := range map[Quirk]quirkDef{
		QuirkDPoPMultiHeader: {"the first of several DPoP header fields is used (RFC 9449 §4.3 item 1)", func(s *steps, a *Authority) {
			s.dpopHeader = func(x *exchange) (string, bool, *oauthError) {
				vs := x.r.Header.Values(rfc6749.HeaderDPoP)
				if len(vs) == 0 {
					return "", false, nil
				}
				return vs[0], true, nil
			}
		}},
		QuirkDPoPClaimsOptional: {"a DPoP proof without jti, htm, htu or iat is accepted (RFC 9449 §4.2)", func(s *steps, a *Authority) {
			s.dpopClaims = func(*exchange, *dpopProof) *oauthError { return nil }
			method, target := s.dpopMethod, s.dpopTarget
			s.dpopMethod = func(x *exchange, p *dpopProof, m string) *oauthError {
				return skipAbsent("htm", func(x *exchange, p *dpopProof) *oauthError { return method(x, p, m) })(x, p)
			}
			s.dpopTarget = func(x *exchange, p *dpopProof, t string) *oauthError {
				return skipAbsent("htu", func(x *exchange, p *dpopProof) *oauthError { return target(x, p, t) })(x, p)
			}
			s.dpopTime = skipAbsent("iat", s.dpopTime)
		}},
		QuirkDPoPTypUnchecked: {"the DPoP proof's typ is not checked (RFC 9449 §4.3 item 4)", func(s *steps, a *Authority) {
			s.dpopType = func(*exchange, *dpopProof) *oauthError { return nil }
		}},
		QuirkDPoPAlgLax: {"DPoP proofs with alg none or HS256 are accepted (RFC 9449 §4.3 item 5)", func(s *steps, a *Authority) {
			alg, sig := s.dpopAlg, s.dpopSignature
			lax := func(p *dpopProof) bool { return strings.EqualFold(p.alg, "none") || strings.HasPrefix(p.alg, "HS") }
			s.dpopAlg = func(x *exchange, p *dpopProof) *oauthError {
				if lax(p) {
					return nil
				}
				return alg(x, p)
			}
			s.dpopSignature = func(x *exchange, p *dpopProof) *oauthError {
				if lax(p) {
					return nil
				}
				return sig(x, p)
			}
		}},
		QuirkDPoPPrivateJWK: {"a private key in the DPoP proof's jwk is tolerated (RFC 9449 §4.3 item 7)", func(s *steps, a *Authority) {
			s.dpopKey = func(*exchange, *dpopProof) *oauthError { return nil }
		}},
		QuirkDPoPSigUnchecked: {"the DPoP proof's signature is not verified (RFC 9449 §4.3 item 6)", func(s *steps, a *Authority) {
			s.dpopSignature = func(*exchange, *dpopProof) *oauthError { return nil }
		}},
		QuirkDPoPHtmUnchecked: {"the DPoP proof's htm is not compared with the method (RFC 9449 §4.3 item 8)", func(s *steps, a *Authority) {
			s.dpopMethod = func(*exchange, *dpopProof, string) *oauthError { return nil }
		}},
		QuirkDPoPHtuUnchecked: {"the DPoP proof's htu is not compared with the endpoint (RFC 9449 §4.3 item 9)", func(s *steps, a *Authority) {
			s.dpopTarget = func(*exchange, *dpopProof, string) *oauthError { return nil }
		}},
		QuirkDPoPHtuRaw: {"the DPoP proof's htu is compared as a raw string, without normalisation (RFC 9449 §4.3 item 9)", func(s *steps, a *Authority) {
			s.dpopTarget = func(x *exchange, p *dpopProof, target string) *oauthError {
				if normalizeHTU(target) == "" {
					target = requestURL(x.r) // no published URL: the request's
				}
				if htu, _ := p.claim("htu"); htu == target {
					return nil
				}
				return errDPoP("the DPoP proof's htu is not %s", target)
			}
		}},
		QuirkDPoPIatUnchecked: {"the DPoP proof's age is not checked (RFC 9449 §4.3 item 11)", func(s *steps, a *Authority) {
			s.dpopTime = func(*exchange, *dpopProof) *oauthError { return nil }
		}},
		QuirkDPoPNonceNoHeader: {"use_dpop_nonce comes without a DPoP-Nonce header (RFC 9449 §8)", func(s *steps, a *Authority) {
			wrapFailure(s, func(x *exchange, e *oauthError) {
				if e.Code == rfc6749.ErrUseDPoPNonce {
					e.Nonce = ""
				}
			})
		}},
		QuirkDPoPNonceLoop: {"every DPoP proof, with a nonce or not, gets use_dpop_nonce and a fresh nonce (RFC 9449 §8)", func(s *steps, a *Authority) {
			s.dpopNonce = func(*exchange, *dpopProof) *oauthError {
				return a.useNonce("the authorization server requires a nonce in DPoP proofs")
			}
		}},
		QuirkDPoPNonceUnchecked: {"a DPoP nonce is demanded once; afterwards any nonce, or none, passes (RFC 9449 §8)", func(s *steps, a *Authority) {
			var asked atomic.Bool
			next := s.dpopNonce
			s.dpopNonce = func(x *exchange, p *dpopProof) *oauthError {
				if asked.Load() {
					return nil
				}
				e := next(x, p)
				if e != nil {
					asked.Store(true)
				}
				return e
			}
		}},
		QuirkDPoPErrorCode: {"invalid DPoP proofs are answered invalid_request, not invalid_dpop_proof (RFC 9449 §5)", func(s *steps, a *Authority) {
			wrapFailure(s, func(x *exchange, e *oauthError) {
				if e.Code == rfc6749.ErrInvalidDPoPProof {
					e.Code = rfc6749.ErrInvalidRequest
				}
			})
		}},
		QuirkDPoPBearerType: {"a DPoP-bound token is announced with token_type Bearer (RFC 9449 §5)", func(s *steps, a *Authority) {
			wrapSuccess(s, func(x *exchange, r *successResponse) {
				if r.TokenType == rfc6749.TokenTypeDPoP {
					r.TokenType = rfc6749.TokenTypeBearer
				}
			})
		}},
		QuirkDPoPNoCnf: {"DPoP tokens carry no cnf.jkt (RFC 9449 §6)", func(s *steps, a *Authority) {
			s.dpopBind = func(*exchange, *dpopProof, *tokenClaims) {}
		}},
		QuirkDPoPThumbprintAll: {"cnf.jkt is the SHA-256 of the whole JWK as sent, optional members included, not its RFC 7638 thumbprint (RFC 9449 §6.1)", func(s *steps, a *Authority) {
			s.dpopThumbprint = func(p *dpopProof) string {
				sum := sha256.Sum256(p.jwkJSON)
				return base64.RawURLEncoding.EncodeToString(sum[:])
			}
		}},
		QuirkDPoPMetadataHMAC: {"dpop_signing_alg_values_supported lists HS256 (RFC 9449 §5.1: asymmetric algorithms only)", func(s *steps, a *Authority) {
			wrapMetadata(s, func(m map[string]any) {
				if algs, ok := m["dpop_signing_alg_values_supported"].([]string); ok && !slices.Contains(algs, "HS256") {
					m["dpop_signing_alg_values_supported"] = append(slices.Clone(algs), "HS256")
				}
			})
		}},
		QuirkDPoPBindingOptional: {"dpop_bound_access_tokens is ignored: the client gets a token without a proof (RFC 9449 §5.2)", func(s *steps, a *Authority) {
			s.dpopRequired = func(*exchange, *client) *oauthError { return nil }
		}},
		QuirkDPoPRSBearerDowngrade: {"the protected resource accepts a DPoP-bound token as a Bearer token (RFC 9449 §7.1)", func(s *steps, a *Authority) {
			next := s.dpopResource
			s.dpopResource = func(a *Authority, r *http.Request, scheme, tok string, st *tokenState) *bearerError {
				if strings.EqualFold(scheme, "Bearer") {
					return nil
				}
				return next(a, r, scheme, tok, st)
			}
		}},
	} {
		quirkTable[q] = d
	}
}

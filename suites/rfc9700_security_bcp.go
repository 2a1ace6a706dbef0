package suites

import (
	"slices"
	"strings"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/reports"
)

// RFC 9700 (OAuth 2.0 security best current practice): observations that
// tell a vendor where the endpoint stands, never failures.

func init() {
	add(Spec{
		ID: "BCP-02", RFC: "9700", Section: "2.5", Level: reports.Note,
		Title:   "Asymmetric client authentication (private_key_jwt, mTLS) is offered.",
		How:     "token_endpoint_auth_methods_supported in the metadata.",
		Accepts: "Observation only: RFC 9700 recommends asymmetric methods.",
		Labels:  []string{"metadata"}, Needs: []Need{needMetadata},
		Run: func(h *H) {
			_, meta := h.Metadata()
			methods, _ := strList(meta["token_endpoint_auth_methods_supported"])
			var asym []string
			for _, m := range methods {
				if m == rfc6749.AuthPrivateKeyJWT || m == "tls_client_auth" || m == "self_signed_tls_client_auth" {
					asym = append(asym, m)
				}
			}
			if len(asym) == 0 {
				h.Note("only shared-secret client authentication is advertised (%s)", strings.Join(methods, ", "))
			} else {
				h.Note("asymmetric client authentication advertised: %s", strings.Join(asym, ", "))
			}
		},
	})
	add(Spec{
		ID: "BCP-03", RFC: "9700", Section: "2.2.1", Level: reports.Note,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "Access tokens are sender-constrained (mTLS cnf or DPoP).",
		How:       "token_type DPoP, or a cnf claim in a JWT access token.",
		Accepts:   "Observation only.",
		Run: func(h *H) {
			_, obj := h.MustToken()
			tt, _ := obj["token_type"].(string)
			at, _ := obj["access_token"].(string)
			claims, isJWT := jwtClaims(at)
			_, cnf := claims["cnf"]
			switch {
			case strings.EqualFold(tt, "DPoP"):
				h.Note("DPoP-bound tokens")
			case isJWT && cnf:
				h.Note("tokens carry a cnf confirmation claim")
			default:
				h.Note("bearer tokens, not sender-constrained: anyone holding one can use it")
			}
		},
	})
	add(Spec{
		ID: "BCP-05", RFC: "9700", Section: "4.15", Level: reports.Note,
		DependsOn: []string{"RESP-JSON-01"},
		Title:     "Client credentials tokens carry no resource-owner claims.",
		How:       "A JWT access token's claims are searched for auth_time, acr, amr and user profile claims.",
		Accepts:   "Observation only: such claims would let a client pass for a user.",
		Run: func(h *H) {
			_, obj := h.MustToken()
			at, _ := obj["access_token"].(string)
			claims, ok := jwtClaims(at)
			if !ok {
				h.Note("opaque token: its claims cannot be seen")
				return
			}
			var user []string
			for _, c := range []string{"auth_time", "acr", "amr", "email", "name", "preferred_username", "given_name", "family_name"} {
				if _, ok := claims[c]; ok {
					user = append(user, c)
				}
			}
			slices.Sort(user)
			if len(user) > 0 {
				h.Note("resource-owner claims in a client credentials token: %s", strings.Join(user, ", "))
			}
		},
	})
	add(Spec{
		ID: "MD-09", RFC: "8414", Section: "2", Level: reports.Note,
		Title:   "Revocation and introspection endpoints are discoverable.",
		How:     "revocation_endpoint and introspection_endpoint in the metadata.",
		Accepts: "Observation only.",
		Labels:  []string{"metadata"}, Needs: []Need{needMetadata},
		Run: func(h *H) {
			_, meta := h.Metadata()
			for _, k := range []string{"revocation_endpoint", "introspection_endpoint"} {
				if v, _ := meta[k].(string); v != "" {
					h.Note("%s %s", k, v)
				} else {
					h.Note("no %s advertised", k)
				}
			}
		},
	})
}

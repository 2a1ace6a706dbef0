package suites

import (
	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/specs"
)

// Contract checks: every response the suite saw against specs/openapi.yaml.
// They run last, so they judge every exchange of the run, and send their
// own request too so they stand alone under a filter.

func init() {
	contract := func(id, title string, op specs.Operation, key specs.Operation, deps []string, send func(h *H), needs ...Need) {
		add(Spec{
			ID: id, RFC: "OpenAPI", Section: string(op), Level: reports.Should,
			Title:     title,
			DependsOn: deps,
			How:       "Every response of the run for this operation is validated with kin-openapi against specs/openapi.yaml (status, Content-Type, headers, body schema).",
			Accepts:   "No violation.",
			Labels:    []string{"openapi"},
			Needs:     needs,
			Run: func(h *H) {
				send(h)
				h.st.mu.Lock()
				rec := h.st.oas[key]
				h.st.mu.Unlock()
				if rec == nil {
					h.Skip("no response of this kind was seen")
				}
				if rec.violation != nil {
					h.exchanges = append(h.exchanges, rec.exchange)
					h.lastCurl = rec.curl
				}
				h.Require(rec.violation == nil, "responses that match specs/openapi.yaml", "%v", rec.violation)
			},
		})
	}
	contract("OAS-TOKEN-200", "Token responses (200) match the OpenAPI contract.", specs.OpToken, specs.OpToken, []string{idBaseline},
		func(h *H) { h.Token() })
	contract("OAS-TOKEN-ERROR", "Token error responses (400, 401) match the OpenAPI contract.", specs.OpToken, opTokenError, []string{idBaseline},
		func(h *H) { h.Send(form("grant_type", "urn:example:occheck:nope"), h.As(&h.T.Client)) })
	contract("OAS-METADATA", "The metadata document matches the OpenAPI contract.", specs.OpMetadata, specs.OpMetadata, nil,
		func(h *H) { h.Metadata() }, needMetadata)
	contract("OAS-JWKS", "The JWK Set matches the OpenAPI contract.", specs.OpJWKS, specs.OpJWKS, nil,
		func(h *H) {
			_, meta := h.Metadata()
			if uri, _ := meta["jwks_uri"].(string); uri != "" {
				h.getValidated(uri, specs.OpJWKS)
			}
		}, needMetadata)
}

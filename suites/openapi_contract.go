package suites

import (
	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/specs"
)

// Contract checks: every response the suite saw against specs/openapi.yaml.
// They run last, so they judge every exchange of the run, and send their
// own request too so they stand alone under a filter. The contract is a
// second lens on the same responses: where an RFC spec already fails or
// warns about that kind of response, the contract spec stands back, so one
// deviation is one verdict.

// gradedBy are, per contract spec, the RFC specs that judge the same
// responses.
var gradedBy = map[string][]string{
	"OAS-TOKEN-200": {"RESP-STATUS-01", "RESP-CT-01", "RESP-JSON-01", "RESP-JSON-02", "RESP-AT-01", "RESP-TT-01", "RESP-EXP-01",
		"RESP-EXP-01-INT", "RESP-SCOPE-02", "RESP-HDR-01", "RESP-HDR-02", "CC-RT-01", "ERR-400-01"},
	"OAS-TOKEN-ERROR": {"ERR-400-01", "ERR-JSON-01", "ERR-CODE-01", "ERR-DESC-01", "ERR-URI-01", "ERR-NOTOK-01", "ERR-401-01", "ERR-401-03", "JWT-ERR-02"},
	"OAS-METADATA":    {"MD-02", "MD-03", "MD-04", "MD-06", "MD-07"},
}

// alreadyGraded names an RFC spec of the run that already failed or
// warned about the responses a contract spec judges.
func (h *H) alreadyGraded() string {
	for _, id := range gradedBy[h.spec.ID] {
		s := specByID(id)
		if s == nil || (len(s.Needs) > 0 && needsUnmet(s, h.T)) {
			continue
		}
		if r := h.st.result(h.ctx, s); r.Verdict == reports.Fail || r.Verdict == reports.Warn {
			return id
		}
	}
	return ""
}

func needsUnmet(s *Spec, t *Target) bool {
	for _, n := range s.Needs {
		if n(t) != "" {
			return true
		}
	}
	return false
}

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
					if by := h.alreadyGraded(); by != "" {
						h.Note("the contract violation (%v) is left to %s, which already grades these responses", rec.violation, by)
						return
					}
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

package suites

import (
	"github.com/occheck/occheck/reports"
)

// RFC 6749 §4.4.2 (access token request) and the grant errors of §5.2.

func init() {
	add(Spec{
		ID: "CC-OK-01", RFC: "6749", Section: "4.4.2", Level: reports.Must,
		Title:   "A confidential client with grant_type=client_credentials obtains an access token.",
		How:     "POST grant_type=client_credentials, authenticated with the client's preferred method.",
		Accepts: "200 with access_token and token_type.",
		Run: func(h *H) {
			r := h.Token()
			h.Require(r.Status == 200, "status 200", "%s", r.Summary())
			h.Require(r.String("access_token") != "" && r.String("token_type") != "",
				"a JSON body with access_token and token_type", "members %v", keys(mustObj(r)))
		},
	})
	add(Spec{
		ID: "CC-GT-01", RFC: "6749", Section: "4.4.2", Level: reports.Must,
		Title:   "A request without grant_type is refused.",
		How:     "Valid client credentials, body without grant_type.",
		Accepts: "A 4xx without a token.",
		Catches: "Servers that assume client_credentials when grant_type is missing.",
		Run: func(h *H) {
			r := h.Send(form("x_occheck", "1"), As(&h.T.Client))
			h.ClientError(r, "without grant_type")
		},
	})
	add(Spec{
		ID: "CC-GT-01-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		Title:   "A missing grant_type is invalid_request.",
		How:     "Valid client credentials, body without grant_type.",
		Accepts: "400 invalid_request.",
		Catches: "unsupported_grant_type or invalid_client for a missing parameter.",
		Run: func(h *H) {
			r := h.Send(form("x_occheck", "1"), As(&h.T.Client))
			h.ErrorCode(r, []int{400}, "invalid_request")
		},
	})
	add(Spec{
		ID: "CC-GT-02", RFC: "6749", Section: "4.4.2", Level: reports.Must,
		Title:   "An unknown grant_type never yields a token.",
		How:     "grant_type=urn:example:occheck:nope with valid client credentials.",
		Accepts: "A 4xx without a token.",
		Catches: "Servers that issue client credentials tokens whatever grant_type says.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "urn:example:occheck:nope"), As(&h.T.Client))
			h.ClientError(r, "for an unknown grant type")
		},
	})
	add(Spec{
		ID: "CC-GT-02-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		Title:   "An unknown grant_type is unsupported_grant_type.",
		How:     "grant_type=urn:example:occheck:nope with valid client credentials.",
		Accepts: "400 unsupported_grant_type.",
		Catches: "invalid_request, invalid_grant or unauthorized_client for an unknown grant.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "urn:example:occheck:nope"), As(&h.T.Client))
			h.ErrorCode(r, []int{400}, "unsupported_grant_type")
		},
	})
	add(Spec{
		ID: "CC-GT-03", RFC: "6749", Section: "A.10", Level: reports.Note,
		Title:   "grant_type values are matched exactly (Client_Credentials is another value).",
		How:     "grant_type=Client_Credentials with valid client credentials.",
		Accepts: "Observation only: the RFC states no case rule for grant names.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "Client_Credentials"), As(&h.T.Client))
			if r.HasToken() {
				h.Note("grant_type is matched case-insensitively: Client_Credentials yields a token")
			}
		},
	})
	add(Spec{
		ID: "CC-UC-01", RFC: "6749", Section: "4.4", Level: reports.Must,
		Title:   "A client not allowed the client_credentials grant gets no token.",
		How:     "The no-grant client, correctly authenticated, asks for client_credentials.",
		Accepts: "A 4xx without a token.",
		Needs:   []Need{needNoGrant},
		Run: func(h *H) {
			r := h.Send(ccBody(), As(h.T.NoGrantClient))
			h.ClientError(r, "for a client not allowed client_credentials")
		},
	})
	add(Spec{
		ID: "CC-UC-01-CODE", RFC: "6749", Section: "5.2", Level: reports.Should,
		Title:   "A client not allowed the grant gets 400 unauthorized_client.",
		How:     "The no-grant client, correctly authenticated, asks for client_credentials.",
		Accepts: "400 unauthorized_client.",
		Catches: "403 Forbidden or invalid_client for an authenticated client.",
		Needs:   []Need{needNoGrant},
		Run: func(h *H) {
			r := h.Send(ccBody(), As(h.T.NoGrantClient))
			h.ErrorCode(r, []int{400}, "unauthorized_client")
		},
	})
	add(Spec{
		ID: "BCP-01", RFC: "9700", Section: "2.4", Level: reports.Should,
		Title:   "The resource owner password grant is not offered.",
		How:     "grant_type=password&username=occheck&password=occheck with valid client credentials.",
		Accepts: "A 4xx without a token.",
		Run: func(h *H) {
			r := h.Send(form("grant_type", "password", "username", "occheck", "password", "occheck"), As(&h.T.Client))
			h.ClientError(r, "for the password grant")
		},
	})
}

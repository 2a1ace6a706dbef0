package suites

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/reports"
)

// quirkExpectations lists, for every quirk of the mock, exactly the specs
// that must turn red (fail) or yellow (warn). Anything else that changes
// colour is a spec checking more than it says, or a missing entry here.
var quirkExpectations = map[mockserver.Quirk][]string{
	"accept-get":                       {"TE-POST-01"},
	"accept-json-body":                 {"TE-CT-01"},
	"access-token-non-ascii":           {"ATJ-SIG-01", "OAS-TOKEN-200", "RESP-AT-01"},
	"any-auth-scheme":                  {"AUTH-SCHEME-01"},
	"any-grant-type":                   {"BCP-01", "CC-GT-02", "CC-GT-02-CODE"},
	"any-method":                       {"BCP-06", "TE-POST-02"},
	"any-secret":                       {"AUTH-BASIC-06", "AUTH-POST-03", "ERR-401-01"},
	"bad-error-uri":                    {"ERR-URI-01", "OAS-TOKEN-ERROR"},
	"basic-400":                        {"ERR-401-01"},
	"basic-percent-only":               {"AUTH-BASIC-02", "AUTH-BASIC-04"},
	"basic-raw":                        {"AUTH-BASIC-02", "AUTH-BASIC-04"},
	"basic-scheme-case-sensitive":      {"AUTH-BASIC-05"},
	"basic-split-every-colon":          {"AUTH-BASIC-02", "AUTH-BASIC-04"},
	"client-id-alone":                  {"CC-AUTH-02", "CC-AUTH-02-CODE"},
	"client-id-with-basic-rejected":    {"AUTH-MULTI-03"},
	"default-grant-type":               {"CC-GT-01", "CC-GT-01-CODE", "TE-BODY-01", "TE-PARAM-01-GRANT"},
	"duplicate-member":                 {"RESP-JSON-02"},
	"echo-secret":                      {"RESP-NOLEAK-01"},
	"empty-scope-invalid":              {"TE-PARAM-01"},
	"empty-values-kept":                {"TE-PARAM-01", "TE-PARAM-01-GRANT"},
	"error-code-chars":                 {"CC-GT-02-CODE", "ERR-CODE-01", "ERR-CODE-02", "OAS-TOKEN-ERROR"},
	"expires-in-fraction":              {"OAS-TOKEN-200", "RESP-EXP-01-INT"},
	"expires-in-string":                {"OAS-TOKEN-200", "RESP-EXP-01"},
	"fixed-jti":                        {"TOK-ENT-01"},
	"forbidden-grant":                  {"CC-UC-01-CODE", "ERR-400-01-STATUS"},
	"grant-types-not-enforced":         {"CC-UC-01", "CC-UC-01-CODE"},
	"issuer-mismatch":                  {"ATJ-ISS-01", "MD-02"},
	"issuer-query":                     {"ATJ-ISS-01", "MD-02", "MD-03", "OAS-METADATA"},
	"jwks-private-key":                 {"OAS-JWKS"},
	"jwks-wrong-key":                   {"ATJ-SIG-01"},
	"jwt-alg-none":                     {"ATJ-ALG-01", "ATJ-SIG-01"},
	"jwt-exp-mismatch":                 {"ATJ-TIME-01"},
	"jwt-missing-claims":               {"ATJ-CID-01", "ATJ-CLM-01"},
	"jwt-no-aud":                       {"ATJ-AUD-01", "ATJ-CLM-01", "RI-01"},
	"jwt-scope-array":                  {"ATJ-SCOPE-01"},
	"jwt-sub-not-client":               {"ATJ-SUB-01"},
	"jwt-typ-jwt":                      {"ATJ-TYP-01"},
	"malformed-basic-500":              {"AUTH-BASIC-07"},
	"metadata-alg-none":                {"MD-07", "OAS-METADATA"},
	"metadata-no-grant-types":          {"MD-06"},
	"metadata-no-jwks-uri":             {"ATJ-SIG-01", "MD-08"},
	"metadata-no-token-endpoint":       {"MD-04", "MD-04-MATCH"},
	"metadata-token-endpoint-fragment": {"MD-04-MATCH", "TE-URI-01"},
	"metadata-wrong-token-endpoint":    {"MD-04-MATCH"},
	"missing-auth-invalid-request":     {"CC-AUTH-01-CODE"},
	"missing-grant-invalid-client":     {"CC-GT-01-CODE", "TE-PARAM-01-GRANT"},
	// The target prefers client_secret_post here, so only what needs Basic
	// (and the no-grant client, which prefers Basic) is affected.
	"no-basic":                 {"AUTH-BASIC-01", "AUTH-BASIC-02", "AUTH-BASIC-04", "AUTH-BASIC-05", "AUTH-MULTI-01", "AUTH-MULTI-03", "CC-UC-01-CODE", "MD-05"},
	"no-cache-control":         {"OAS-TOKEN-200", "RESP-HDR-01", "RESP-HDR-03"},
	"no-client-auth":           {"CC-AUTH-01", "CC-AUTH-01-CODE"},
	"no-post":                  {"AUTH-POST-01", "MD-05"},
	"no-pragma":                {"RESP-HDR-02"},
	"no-realm":                 {"ERR-401-02"},
	"no-token-type":            {"CC-OK-01", "OAS-TOKEN-200", "RESP-TT-01"},
	"no-www-authenticate":      {"ERR-401-01", "ERR-401-03", "OAS-TOKEN-ERROR"},
	"non-registry-error":       {"CC-SCOPE-02", "CC-SCOPE-03", "CC-SCOPE-04", "ERR-CODE-02"},
	"query-params":             {"AUTH-POST-02", "TE-BODY-01"},
	"quoted-error-description": {"ERR-DESC-01", "OAS-TOKEN-ERROR"},
	"refresh-token":            {"CC-RT-01"},
	"reject-unknown-params":    {"TE-PARAM-02"},
	"repeated-params":          {"TE-PARAM-03", "TE-PARAM-03-SAME"},
	"scope-array":              {"OAS-TOKEN-200", "RESP-SCOPE-02"},
	"scope-case-insensitive":   {"CC-SCOPE-05"},
	// The special client asks for no scope, so its Basic specs see the
	// refusal too.
	"scope-required":                {"AUTH-BASIC-02", "AUTH-BASIC-04", "CC-SCOPE-01"},
	"scopes-not-enforced":           {"CC-SCOPE-02", "CC-SCOPE-03", "CC-SCOPE-04", "OAS-TOKEN-200"},
	"status-201":                    {"CC-OK-01", "RESP-STATUS-01"},
	"strict-content-type":           {"TE-CT-02", "TE-CT-02-CASE"},
	"token-in-error":                {"ERR-NOTOK-01"},
	"two-auth-methods":              {"AUTH-MULTI-01", "AUTH-MULTI-02", "AUTH-MULTI-03-OTHER"},
	"unknown-clients":               {"AUTH-BASIC-08"},
	"unknown-grant-invalid-request": {"CC-GT-02-CODE"},
	"widened-scope-hidden":          {"CC-SCOPE-02", "CC-SCOPE-03"},
	"resource-ignored":              {"RI-01", "RI-02"},
	"resource-unchecked":            {"RI-02"},
	"resource-wrong-error":          {"RI-03"},
	"resource-repeat-rejected":      {"RI-04"},
	// A wrong code for a bad secret is also a wrong code when a second
	// fault is present.
	"wrong-secret-invalid-grant":       {"AUTH-POST-03", "ERR-401-01", "ERR-ORDER-01"},
	"wrong-secret-unauthorized-client": {"AUTH-POST-03", "ERR-401-01", "ERR-ORDER-01"},
	// Errors that are not JSON, or not 4xx, hide the error code from every
	// spec that grades one.
	"error-200": {"AUTH-BASIC-07", "AUTH-MULTI-01", "AUTH-MULTI-02", "AUTH-POST-03", "AUTH-SCHEME-01", "CC-AUTH-01-CODE", "CC-AUTH-02-CODE",
		"CC-GT-01-CODE", "CC-GT-02-CODE", "CC-SCOPE-02", "CC-SCOPE-03", "CC-SCOPE-04", "CC-UC-01-CODE", "ERR-400-01", "ERR-400-01-STATUS",
		"ERR-401-01", "ERR-ORDER-01", "OAS-TOKEN-200", "RI-02", "RI-03", "TE-PARAM-01-GRANT", "TE-PARAM-03", "TE-PARAM-03-SAME"},
	"error-not-json": {"AUTH-BASIC-07", "AUTH-MULTI-01", "AUTH-MULTI-02", "AUTH-POST-03", "AUTH-SCHEME-01", "CC-AUTH-01-CODE", "CC-AUTH-02-CODE",
		"CC-GT-01-CODE", "CC-GT-02-CODE", "CC-SCOPE-02", "CC-SCOPE-03", "CC-SCOPE-04", "CC-UC-01-CODE", "ERR-400-01-STATUS", "ERR-401-01",
		"ERR-JSON-01", "ERR-ORDER-01", "OAS-TOKEN-ERROR", "RI-02", "RI-03", "TE-PARAM-01-GRANT", "TE-PARAM-03", "TE-PARAM-03-SAME"},
	// A form-encoded success hides every member from the JSON specs.
	"form-response": {"ATJ-ALG-01", "ATJ-AUD-01", "ATJ-CID-01", "ATJ-CLM-01", "ATJ-ISS-01", "ATJ-SCOPE-01", "ATJ-SIG-01", "ATJ-SUB-01",
		"ATJ-TIME-01", "ATJ-TYP-01", "CC-OK-01", "CC-RT-01", "MD-08", "OAS-TOKEN-200", "RESP-AT-01", "RESP-CT-01", "RESP-EXP-01",
		"RESP-EXP-01-INT", "RESP-JSON-01", "RESP-SCOPE-01", "RESP-SCOPE-02", "RESP-TT-01", "RI-01", "TOK-ENT-01"},
}

// quirkTargets adjusts the target for quirks that need it.
var quirkTargets = map[mockserver.Quirk]func(*Target){
	"no-basic": func(t *Target) {
		t.Client.AuthMethods = []string{rfc6749.AuthClientSecretPost, rfc6749.AuthClientSecretBasic}
	},
}

// uncoverable lists MUST and SHOULD specs no quirk of the mock can break,
// with the reason; each is proven some other way or documented.
var uncoverable = map[string]string{
	"TE-TLS-01": "the mock cannot serve one port over both http and https; TestTLSSpecFailsOnPlainHTTP proves the plain-http branch",
}

func TestEveryQuirkIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per quirk")
	}
	caught := map[string]bool{}
	for _, q := range mockserver.Quirks() {
		want, ok := quirkExpectations[q]
		if !ok {
			t.Errorf("quirk %s has no expectation in quirkExpectations", q)
			continue
		}
		t.Run(string(q), func(t *testing.T) {
			s := mockserver.NewTestServer(t, mockConfig(q))
			target := mockTarget(s)
			if tweak := quirkTargets[q]; tweak != nil {
				tweak(&target)
			}
			run, err := Run(t.Context(), target, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]reports.SpecResult{}
			for _, r := range run.Specs {
				switch r.Verdict {
				case reports.Fail, reports.Warn:
					got[r.ID] = r
				case reports.Error:
					t.Errorf("%s errored: %s", r.ID, r.Message.Detail)
				}
			}
			for _, id := range want {
				if _, ok := got[id]; !ok {
					t.Errorf("quirk %s (%s) is not caught by %s", q, q.Description(), id)
				}
				caught[id] = true
				delete(got, id)
			}
			for id, r := range got {
				t.Errorf("quirk %s also turns %s %s, which quirkExpectations does not list:\n%s", q, id, r.Verdict, failureText(r))
			}
		})
	}
	for q := range quirkExpectations {
		if q.Description() == "" {
			t.Errorf("quirkExpectations names %s, which the mock does not have", q)
		}
	}
	var must, should, mustCaught, shouldCaught int
	var gaps []string
	for _, s := range allSpecs() {
		if s.Level != reports.Must && s.Level != reports.Should {
			continue
		}
		if s.Level == reports.Must {
			must++
		} else {
			should++
		}
		if caught[s.ID] {
			if s.Level == reports.Must {
				mustCaught++
			} else {
				shouldCaught++
			}
			continue
		}
		reason, ok := uncoverable[s.ID]
		if !ok {
			t.Errorf("%s (%s) is broken by no quirk of the mock and not listed in uncoverable", s.ID, s.Level)
			continue
		}
		gaps = append(gaps, s.ID+": "+reason)
	}
	sort.Strings(gaps)
	t.Logf("quirk coverage: %d/%d MUST and %d/%d SHOULD specs are proven to fail by a quirk; %d quirks", mustCaught, must, shouldCaught, should, len(mockserver.Quirks()))
	for _, g := range gaps {
		t.Logf("not proven by a quirk: %s", g)
	}
}

// TestTLSSpecFailsOnPlainHTTP proves TE-TLS-01 without sending anything:
// a plain-http token URL off loopback fails before any request.
func TestTLSSpecFailsOnPlainHTTP(t *testing.T) {
	target := Target{
		TokenURL: "http://auth.example.test/token",
		Client:   Client{ID: "a", Secret: "secret-a"},
	}
	run, err := Run(t.Context(), target, RunOptions{LabelFilter: "id: containsAny {TE-TLS-01}"})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Specs) != 1 || run.Specs[0].Verdict != reports.Fail || len(run.Specs[0].Exchanges) != 0 {
		t.Fatalf("TE-TLS-01 on a plain-http, non-loopback URL = %+v, want a failure without any exchange", run.Specs)
	}
}

// TestQuirkDescriptionsNameTheRule keeps the --list-quirks output useful.
func TestQuirkDescriptionsNameTheRule(t *testing.T) {
	for _, q := range mockserver.Quirks() {
		d := q.Description()
		if d == "" || strings.Contains(d, "\n") {
			t.Errorf("quirk %s: description %q", q, d)
		}
	}
	if !slices.IsSorted(mockserver.Quirks()) {
		t.Errorf("Quirks() is not sorted")
	}
	_ = fmt.Sprint()
}

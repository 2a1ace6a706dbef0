package reports

import "testing"

func TestOutcome(t *testing.T) {
	spec := func(v Verdict, baseline string) SpecResult {
		return SpecResult{ID: "X", Verdict: v, Baseline: baseline}
	}
	tests := []struct {
		name   string
		strict bool
		specs  []SpecResult
		want   string
	}{
		{"no specs", false, nil, Conformant},
		{"all pass", false, []SpecResult{spec(Pass, ""), spec(Info, ""), spec(Skip, "")}, Conformant},
		{"warn, lenient", false, []SpecResult{spec(Pass, ""), spec(Warn, "")}, Conformant},
		{"warn, strict", true, []SpecResult{spec(Pass, ""), spec(Warn, "")}, NotConformant},
		{"warn accepted, strict", true, []SpecResult{spec(Warn, BaselineExpected)}, Conformant},
		{"fail", false, []SpecResult{spec(Fail, "")}, NotConformant},
		{"fail accepted", false, []SpecResult{spec(Fail, BaselineExpected)}, Conformant},
		{"stale baseline", false, []SpecResult{spec(Pass, BaselineStale)}, NotConformant},
		{"error", false, []SpecResult{spec(Pass, ""), spec(Error, "")}, Incomplete},
		{"unknown verdict", false, []SpecResult{spec("maybe", "")}, Incomplete},
		{"fail beats error", false, []SpecResult{spec(Error, ""), spec(Fail, "")}, NotConformant},
		{"stale beats error", false, []SpecResult{spec(Error, ""), spec(Info, BaselineStale)}, NotConformant},
		{"sample", false, sampleRun().Specs, NotConformant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Outcome(&Run{Strict: tc.strict, Specs: tc.specs}); got != tc.want {
				t.Errorf("Outcome = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRFCHref(t *testing.T) {
	tests := []struct {
		rfc, section, want string
	}{
		{"6749", "5.2", "https://www.rfc-editor.org/rfc/rfc6749#section-5.2"},
		{"6749", "2.3.1", "https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1"},
		{"6749", "A.12", "https://www.rfc-editor.org/rfc/rfc6749#appendix-A.12"},
		{"6749", "B", "https://www.rfc-editor.org/rfc/rfc6749#appendix-B"},
		{"8414", "3.3", "https://www.rfc-editor.org/rfc/rfc8414#section-3.3"},
		{"6749", "", "https://www.rfc-editor.org/rfc/rfc6749"},
		{"6749", "5.2 x", "https://www.rfc-editor.org/rfc/rfc6749"},
		{"OpenAPI", "token", ""},
		{"", "1", ""},
	}
	for _, tc := range tests {
		if got := RFCLink(tc.rfc, tc.section); got != tc.want {
			t.Errorf("RFCLink(%q, %q) = %q, want %q", tc.rfc, tc.section, got, tc.want)
		}
	}
}

// Package vendorexample is a vendor's extension of the occheck catalogue,
// as a vendor would write one: a spec of its own profile, declared with
// suites.Extend and written with occheck's Gomega matchers. Importing the
// package adds the spec; its test runs it next to occheck's specs in a
// Ginkgo suite of its own.
package vendorexample

import (
	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
)

// Namespace is the extension's namespace: its spec is acme.SCOPE-01.
const Namespace = "acme"

func init() {
	suites.Extend(Namespace, suites.Spec{
		ID:      "SCOPE-01",
		RFC:     "ACME token profile",
		Section: "3.1",
		Level:   reports.Should,
		Title:   "A token asked for one scope is granted exactly that scope, as a space-separated string.",
		How:     "A client credentials request for the first scope of --scope.",
		Accepts: "200 with a JSON token response whose scope member is exactly that scope.",
		Catches: "Servers that widen a narrow request to every scope the client holds, or answer scope as an array.",
		// The token response must be JSON before its members can be read:
		// the spec builds on occheck's own RESP-JSON-01 (and so CC-OK-01).
		DependsOn: []string{"RESP-JSON-01"},
		Needs: []suites.Need{func(t *suites.Target) string {
			if t.Scope == "" {
				return "needs a scope the client may ask for (--scope)"
			}
			return ""
		}},
		Run: func(h *suites.H) {
			scope := firstField(h.T.Scope)
			r := h.Token("scope", scope)
			h.Expect(r).To(suites.BeTokenResponse())
			h.Expect(r).To(suites.HaveNoStoreHeaders())
			h.Expect(r).To(suites.HaveScope(scope), "the profile grants what was asked, no more")
		},
	})
}

func firstField(s string) string {
	for i, c := range s {
		if c == ' ' {
			return s[:i]
		}
	}
	return s
}

package suites_test

import (
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
)

// The README's examples, compiled (not run: they declare specs in the
// process-wide Ginkgo tree).

var euTarget, usTarget suites.Target

// ExampleDeclare checks two servers in one Ginkgo suite of your own and
// reads each one's verdicts afterwards.
func ExampleDeclare() {
	eu := suites.Declare("eu-west", func() suites.Target { return euTarget })
	us := suites.Declare("us-east", func() suites.Target { return usTarget })
	// In your TestXxx(t):
	//   gomega.RegisterFailHandler(ginkgo.Fail)
	//   ginkgo.RunSpecs(t, "conformance")
	// then eu.Results() and us.Results() are *reports.Run, as occheck run
	// reports them.
	_, _ = eu, us
}

// ExampleRegister is the one-line form for one target.
func ExampleRegister() {
	_ = suites.Register(func() suites.Target {
		return suites.Target{TokenURL: "https://as.example.com/token", Client: suites.Client{ID: "ci-client", Secret: "from a secret store"}}
	})
}

// ExampleExtend adds a spec of your own profile, written with occheck's
// matchers.
func ExampleExtend() {
	suites.Extend("acme", suites.Spec{
		ID: "SCOPE-01", RFC: "ACME token profile", Section: "3.1", Level: reports.Should,
		Title:     "A token asked for one scope is granted exactly that scope, as a space-separated string.",
		DependsOn: []string{"RESP-JSON-01"}, // a JSON token response first (and so CC-OK-01)
		Run: func(h *suites.H) {
			r := h.Token("scope", "read")
			h.Expect(r).To(suites.BeTokenResponse())
			h.Expect(r).To(suites.HaveScope("read"), "the profile grants what was asked, no more")
		},
	})
}

// runSpecs is how a vendor's test file runs what it declared.
func runSpecs(t *testing.T) {
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, "conformance")
}

var _ = runSpecs

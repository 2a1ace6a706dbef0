package vendorexample_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/occheck/occheck/cli"
	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
	"github.com/occheck/occheck/suites/vendorexample"
)

// The vendor's Ginkgo suite: its RunSpecs, occheck's catalogue and the
// extension declared into it for one server.
func TestVendorSuite(t *testing.T) {
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, "ACME conformance")
	// After RunSpecs, the verdicts as occheck run reports them.
	run := acme.Results()
	if run == nil {
		t.Fatal("no results")
	}
	got := verdictOf(run, vendorexample.Namespace+".SCOPE-01")
	if got != reports.Pass {
		t.Errorf("acme.SCOPE-01 = %q on the reference server, want pass", got)
	}
	if n := len(run.Specs); n < 150 {
		t.Errorf("only %d specs ran beside the extension", n)
	}
}

var server *mockserver.Server

var _ = ginkgo.BeforeSuite(func() { server = mockserver.NewServer(mockserver.Config{}) })
var _ = ginkgo.AfterSuite(func() { server.Close() })

// acme is occheck's catalogue, with the extension, for the server that
// BeforeSuite starts (the target is read when the first spec runs).
var acme = suites.Declare("occheck with the ACME profile", func() suites.Target { return target(server) })

func target(s *mockserver.Server) suites.Target {
	return suites.Target{TokenURL: s.TokenURL(), MetadataURL: s.MetadataURL(), Scope: "read write", HTTPClient: s.Client(),
		Client: suites.Client{ID: mockserver.DemoClientID, Secret: mockserver.DemoClientSecret}}
}

func verdictOf(run *reports.Run, id string) reports.Verdict {
	for _, r := range run.Specs {
		if r.ID == id {
			return r.Verdict
		}
	}
	return ""
}

// TestVendorSpecCatchesItsDeviation: against a server that answers scope
// as an array, the extension warns (a SHOULD of its profile) with what it
// expected and what came; it is in the catalogue after occheck's own
// specs, filterable by its label, and in all four report formats.
func TestVendorSpecCatchesItsDeviation(t *testing.T) {
	id := vendorexample.Namespace + ".SCOPE-01"
	cat := suites.Catalog()
	if last := cat[len(cat)-1]; last.ID != id && cat[len(cat)-2].ID != id {
		t.Errorf("the extension is not at the end of the catalogue")
	}
	s := mockserver.NewTestServer(t, mockserver.Config{Quirks: []mockserver.Quirk{mockserver.QuirkScopeArray}})
	run, err := suites.Run(context.Background(), target(s), suites.RunOptions{LabelFilter: "ext:acme"})
	if err != nil {
		t.Fatal(err)
	}
	var res *reports.SpecResult
	for i := range run.Specs {
		if run.Specs[i].ID == id {
			res = &run.Specs[i]
		}
	}
	if res == nil || res.Verdict != reports.Warn || !strings.Contains(res.Message.Expected, `scope "read"`) || !strings.Contains(res.Message.Actual, "[]interface {}{\"read\"}") {
		t.Fatalf("acme.SCOPE-01 under scope-array: %+v", res)
	}
	for name, write := range map[string]func(*bytes.Buffer, *reports.Run) error{
		"JSON":     func(b *bytes.Buffer, r *reports.Run) error { return reports.WriteJSON(b, r) },
		"JUnit":    func(b *bytes.Buffer, r *reports.Run) error { return reports.WriteJUnit(b, r) },
		"HTML":     func(b *bytes.Buffer, r *reports.Run) error { return reports.WriteHTML(b, r) },
		"Markdown": func(b *bytes.Buffer, r *reports.Run) error { return reports.WriteMarkdown(b, r) },
	} {
		var b bytes.Buffer
		if err := write(&b, run); err != nil || !strings.Contains(b.String(), id) || !strings.Contains(b.String(), "ACME token profile") {
			t.Errorf("%s report: %v, names the spec and its source: %v", name, err, strings.Contains(b.String(), id))
		}
	}
}

// TestVendorBinary: a vendor's occheck binary (cli.Main with the
// extension imported) lists and explains the extension's spec, and runs
// it by ID against a server.
func TestVendorBinary(t *testing.T) {
	id := vendorexample.Namespace + ".SCOPE-01"
	s := mockserver.NewTestServer(t, mockserver.Config{})
	env := func(k string) string {
		if k == suites.EnvClientSecret {
			return mockserver.DemoClientSecret
		}
		return ""
	}
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"list"}, 0, []string{id, "ACME token profile"}},
		{[]string{"explain", id}, 0, []string{id, "ACME token profile 3.1", "SHOULD", "space-separated string"}},
		{[]string{"run", "--token-url", s.TokenURL(), "--client-id", mockserver.DemoClientID, "--scope", "read write", "--run", id, "--no-color"}, 0,
			[]string{"PASS  " + id, "verdict: CONFORMANT"}},
		{[]string{"run", "--token-url", s.TokenURL(), "--client-id", mockserver.DemoClientID, "--scope", "read write", "--run", "ext:acme", "--no-color"}, 0,
			[]string{"PASS  " + id}},
	} {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), c.args, &out, &errb, env)
		if code != c.code {
			t.Errorf("occheck %v: exit %d, want %d\n%s%s", c.args, code, c.code, out.String(), errb.String())
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("occheck %v: no %q in\n%s", c.args, w, out.String())
			}
		}
	}
}

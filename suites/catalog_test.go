package suites

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/extensions/globals"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/reports"
)

var update = flag.Bool("update", false, "rewrite golden files")

// CatalogText is the reviewed form of the catalogue: one spec a line.
func catalogText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# occheck catalogue %s: ID, RFC and section, level, requirement\n", CatalogVersion)
	for _, e := range Catalog() {
		fmt.Fprintf(&b, "%-20s RFC %-7s §%-8s %-6s %s\n", e.ID, e.RFC, e.Section, e.Level, e.Title)
	}
	return b.String()
}

// TestCatalogGolden makes every change to the catalogue a reviewed one.
func TestCatalogGolden(t *testing.T) {
	path := filepath.Join("testdata", "catalog.golden")
	got := catalogText()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./suites -run TestCatalogGolden -update)", err)
	}
	if got != string(want) {
		t.Errorf("catalogue differs from %s; review and run with -update:\n%s", path, got)
	}
}

func TestCatalogIsWellFormed(t *testing.T) {
	entries := Catalog()
	if len(entries) < 60 {
		t.Errorf("%d specs, want at least 60", len(entries))
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Title, ".") || e.How == "" || e.Accepts == "" {
			t.Errorf("%s: title must be a sentence and How/Accepts filled: %+v", e.ID, e)
		}
		switch e.Level {
		case reports.Must, reports.Should, reports.May, reports.Note:
		default:
			t.Errorf("%s: level %q", e.ID, e.Level)
		}
		for _, l := range e.Labels {
			if strings.ContainsAny(l, "&|!,()/") {
				t.Errorf("%s: label %q has a character Ginkgo labels cannot hold", e.ID, l)
			}
		}
	}
}

// ginkgoMu serialises the tests that run Ginkgo's process-global suite.
var ginkgoMu sync.Mutex

// TestRegisterRunsUnderPlainGinkgo drives the suite the way a ginkgo test
// file does: Register, then RunSpecs with the testing.T.
func TestRegisterRunsUnderPlainGinkgo(t *testing.T) {
	ginkgoMu.Lock()
	defer ginkgoMu.Unlock()
	s := mockserver.NewTestServer(t, mockConfig())
	globals.Reset()
	Register(func() Target { return mockTarget(s) })
	sc, rc := types.NewDefaultSuiteConfig(), types.NewDefaultReporterConfig()
	sc.LabelFilter = "section:5.1"
	rc.Succinct = true
	if !ginkgo.RunSpecs(t, "occheck", sc, rc) {
		t.Errorf("the suite failed under ginkgo.RunSpecs")
	}
}

// TestDeclaredSuiteGivesRunsVerdicts: occheck's specs declared in a Ginkgo
// tree built from scratch (one Declare per target, as a vendor's suite
// would) give, target by target, the verdicts Run gives against the same
// server, for the clean mock and a sample of quirks across the families.
func TestDeclaredSuiteGivesRunsVerdicts(t *testing.T) {
	sample := []mockserver.Quirk{"", "basic-400", "no-basic", "assertion-replay", "mtls-no-cnf", "introspect-trusts-hint", "revoke-any-client", "rs-header-only"}
	ginkgoMu.Lock()
	defer ginkgoMu.Unlock()
	globals.Reset()
	declared := make([]*Suite, len(sample))
	for i, q := range sample {
		s, target := quirkServer(q)
		t.Cleanup(s.Close)
		declared[i] = Declare("occheck "+string(q), func() Target { return target })
	}
	sc, rc := types.NewDefaultSuiteConfig(), types.NewDefaultReporterConfig()
	rc.Succinct = true
	// The quirks fail specs on purpose: Ginkgo's verdict goes to a
	// stand-in, the comparison below is the test.
	ginkgo.RunSpecs(&gT{}, "vendor", sc, rc)
	runs, errs := quirkRuns(t.Context(), sample)
	for i, q := range sample {
		got := declared[i].Results()
		if got == nil || errs[i] != nil {
			t.Fatalf("quirk %q: declared results %v, Run error %v", q, got != nil, errs[i])
		}
		if len(got.Specs) != len(runs[i]) {
			t.Errorf("quirk %q: %d specs under Ginkgo, %d under Run", q, len(got.Specs), len(runs[i]))
		}
		failed := 0
		for _, r := range got.Specs {
			if r.Verdict == reports.Fail || r.Verdict == reports.Warn {
				failed++
			}
			if want := runs[i][r.ID]; r.Verdict != want.Verdict {
				t.Errorf("quirk %q: %s is %s under Ginkgo, %s under Run", q, r.ID, r.Verdict, want.Verdict)
			}
		}
		if (q == "" || q == "rs-header-only") != (failed == 0) {
			t.Errorf("quirk %q: %d failures and warnings under Ginkgo", q, failed)
		}
	}
}

// gT stands in for testing.T where Ginkgo's own verdict is not the test.
type gT struct{}

func (gT) Fail() {}

// TestDependencyMistakesStopAtOnce: a cycle or a dependency on a spec that
// does not exist is caught when the catalogue is first read, naming the
// spec, instead of hanging or crashing a run.
func TestDependencyMistakesStopAtOnce(t *testing.T) {
	saved := registry
	defer func() { registry = saved; checkOnce = sync.Once{} }()
	for name, c := range map[string]struct {
		specs []Spec
		want  string
	}{
		"cycle":   {[]Spec{{ID: "X-1", DependsOn: []string{"X-2"}}, {ID: "X-2", DependsOn: []string{"X-1"}}}, "cycle: X-1 -> X-2 -> X-1"},
		"self":    {[]Spec{{ID: "X-1", DependsOn: []string{"X-1"}}}, "cycle: X-1 -> X-1"},
		"missing": {[]Spec{{ID: "X-1", DependsOn: []string{"NOPE-01"}}}, "X-1 depends on NOPE-01, which is not in the catalogue"},
	} {
		registry, checkOnce = nil, sync.Once{}
		for _, s := range c.specs {
			s.Title, s.Level, s.Run = "t", reports.Must, func(*H) {}
			add(s)
		}
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Errorf("%s: %v, want a panic with %q", name, r, c.want)
				}
			}()
			allSpecs()
		}()
	}
	for _, bad := range []Spec{{ID: "A(1)", Title: "t", Level: reports.Must, Run: func(*H) {}}, {ID: "A-1", Title: "t", Level: "OPTIONAL", Run: func(*H) {}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("add(%s, level %q) did not refuse it", bad.ID, bad.Level)
				}
			}()
			registry = nil
			add(bad)
		}()
	}
}

package suites

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// TestRegisterRunsUnderPlainGinkgo drives the suite the way a ginkgo test
// file does: Register, then RunSpecs with the testing.T.
func TestRegisterRunsUnderPlainGinkgo(t *testing.T) {
	runMu.Lock()
	defer runMu.Unlock()
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

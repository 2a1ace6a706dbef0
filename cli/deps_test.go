package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection holds the layering: reports needs only the
// standard library; the mock never imports Ginkgo, the harness or the CLI;
// the harness never imports the mock; only cmd/occheck imports the CLI.
func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "github.com/occheck/occheck/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/occheck/occheck/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, imports := strings.TrimPrefix(f[0], mod), f[1:]
		for _, imp := range imports {
			own := strings.TrimPrefix(imp, mod)
			switch {
			case pkg == "reports" && strings.Contains(imp, "."):
				t.Errorf("reports imports %s: the report model and writers use the standard library only", imp)
			case strings.HasPrefix(pkg, "mockserver") && (strings.Contains(imp, "ginkgo") || own == "suites" || own == "cli"):
				t.Errorf("%s imports %s: the mock stands alone", pkg, imp)
			case pkg == "suites" && strings.HasPrefix(own, "mockserver"):
				t.Errorf("suites imports %s: the mock is one target among many", imp)
			case own == "cli" && pkg != "cmd/occheck":
				t.Errorf("%s imports the CLI", pkg)
			}
		}
	}
}

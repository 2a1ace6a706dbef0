package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
)

// baseline lists known deviations: a listed failure is expected; a listed
// spec that passes is stale and fails the run, so baselines only shrink.
type baseline struct {
	path    string
	Entries []baselineEntry `yaml:"deviations"`
	byID    map[string]baselineEntry
}

type baselineEntry struct {
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
}

func loadBaseline(path string) (*baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--baseline: %v", unwrapPath(err))
	}
	b := &baseline{path: path, byID: map[string]baselineEntry{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(b); err != nil && err != io.EOF {
		return nil, usagef("--baseline %s: %s", path, strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "yaml: ")), " "))
	}
	known := map[string]bool{}
	for _, e := range suites.Catalog() {
		known[e.ID] = true
	}
	for i, e := range b.Entries {
		switch {
		case !known[e.ID]:
			return nil, usagef("--baseline %s: deviations[%d]: unknown spec ID %q", path, i, e.ID)
		case strings.TrimSpace(e.Reason) == "":
			return nil, usagef("--baseline %s: deviations[%d] (%s): a reason is required", path, i, e.ID)
		}
		if _, dup := b.byID[e.ID]; dup {
			return nil, usagef("--baseline %s: %s is listed twice", path, e.ID)
		}
		b.byID[e.ID] = e
	}
	return b, nil
}

// apply marks results against the baseline.
func (b *baseline) apply(run *reports.Run) {
	if b == nil {
		return
	}
	for i := range run.Specs {
		s := &run.Specs[i]
		if _, ok := b.byID[s.ID]; !ok {
			continue
		}
		switch s.Verdict {
		case reports.Fail, reports.Warn:
			s.Baseline = reports.BaselineExpected
		case reports.Pass, reports.Info:
			s.Baseline = reports.BaselineStale
		}
	}
}

// writeBaseline records the failures and warnings of a run.
func writeBaseline(path string, run *reports.Run, now time.Time) (int, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# occheck baseline for %s, written %s.\n", run.Target.TokenURL, now.UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "# Each entry is a known deviation; replace every reason with why it is accepted.\n")
	fmt.Fprintf(&b, "# A listed spec that starts passing fails the run as stale: delete its entry then.\n")
	b.WriteString("deviations:\n")
	n := 0
	for _, s := range run.Specs {
		if s.Verdict != reports.Fail && s.Verdict != reports.Warn {
			continue
		}
		n++
		fmt.Fprintf(&b, "  - id: %s\n    reason: %q\n", s.ID, fmt.Sprintf("recorded %s (%s %s): %s", now.UTC().Format("2006-01-02"), s.Level, s.Verdict, s.Title))
	}
	if n == 0 {
		b.WriteString("  []\n")
	}
	out := b.String()
	if n == 0 {
		out = strings.Replace(out, "deviations:\n  []\n", "deviations: []\n", 1)
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		return 0, cannotf("write baseline: %v", unwrapPath(err))
	}
	return n, nil
}

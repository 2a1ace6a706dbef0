package suites

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/extensions/globals"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/occheck/occheck/reports"
)

// RunOptions tune a programmatic run.
type RunOptions struct {
	// LabelFilter is a Ginkgo label expression selecting specs, such as
	// "level:must && !section:A.12" or "id: containsAny {CC-OK-01}".
	LabelFilter string
	// GinkgoOutput receives Ginkgo's own progress report; nil discards it.
	GinkgoOutput io.Writer
	// Timeout bounds the whole run; zero means one hour.
	Timeout time.Duration
	// Now is the clock for run metadata; nil means time.Now.
	Now func() time.Time
}

// ValidateLabelFilter checks a label expression without running anything
// (a bad one would make Ginkgo exit the process).
func ValidateLabelFilter(expr string) error {
	if expr == "" {
		return nil
	}
	if _, err := types.ParseLabelFilter(expr); err != nil {
		return fmt.Errorf("label filter %q: %v", expr, err)
	}
	return nil
}

// runMu serialises runs: Ginkgo's suite is process-global.
var runMu sync.Mutex

// gT satisfies Ginkgo's testing interface outside go test.
type gT struct{ failed bool }

func (t *gT) Fail() { t.failed = true }

// Run runs the selected specs against target and returns the results in
// catalogue order. An error means the run could not be made (bad target
// or filter); conformance failures are in the results.
func Run(ctx context.Context, target Target, o RunOptions) (*reports.Run, error) {
	if err := target.Validate(); err != nil {
		return nil, err
	}
	if err := ValidateLabelFilter(o.LabelFilter); err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	runMu.Lock()
	defer runMu.Unlock()

	globals.Reset()
	sink := &collector{results: map[string]reports.SpecResult{}}
	t := target
	register(func() Target { return t }, sink, ctx)

	sc, rc := types.NewDefaultSuiteConfig(), types.NewDefaultReporterConfig()
	sc.LabelFilter = o.LabelFilter
	sc.Timeout = o.Timeout
	if sc.Timeout == 0 {
		sc.Timeout = time.Hour
	}
	rc.NoColor = true
	rc.Succinct = true
	out := o.GinkgoOutput
	if out == nil {
		out = io.Discard
	}
	saved := formatter.ColorableStdOut
	formatter.ColorableStdOut = out
	defer func() { formatter.ColorableStdOut = saved }()

	run := &reports.Run{
		Schema:           reports.SchemaV1,
		Tool:             "occheck",
		CatalogueVersion: CatalogVersion,
		Target:           reports.Target{TokenURL: target.TokenURL, MetadataURL: target.MetadataURL, ClientID: target.Client.ID, AuthMethods: target.Client.AuthMethods, Profiles: target.Profiles},
		Strict:           target.Strict,
		Start:            now(),
	}
	ginkgo.RunSpecs(&gT{}, "occheck", sc, rc)
	run.Finish = now()
	run.Target.BaselineRequest = sink.baseline
	sink.addRoots()
	for _, s := range allSpecs() {
		if r, ok := sink.results[s.ID]; ok {
			run.Specs = append(run.Specs, r)
		}
	}
	if sink.aborted != nil {
		return run, &AbortError{Err: sink.aborted}
	}
	return run, nil
}

// AbortError says the run stopped early (the circuit breaker tripped); the
// results so far come with it.
type AbortError struct{ Err error }

func (e *AbortError) Error() string { return "run stopped: " + e.Err.Error() }

// Unwrap gives the cause.
func (e *AbortError) Unwrap() error { return e.Err }

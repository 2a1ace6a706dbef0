package suites

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/occheck/occheck/reports"
)

// RunOptions tune a programmatic run.
type RunOptions struct {
	// LabelFilter is a Ginkgo label expression selecting specs, such as
	// "level:must && !section:A.12" or "id: containsAny {CC-OK-01}".
	LabelFilter string
	// GinkgoOutput receives a line per spec as it finishes (verdict and
	// ID); nil discards them.
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
	_, err := labelMatcher(expr)
	return err
}

// Run runs the selected specs against target and returns the results in
// catalogue order. An error means the run could not be made (bad target
// or filter); conformance failures are in the results.
//
// Run drives the same engine as Register (each spec through the run's
// state, dependencies first, results memoised) without Ginkgo's
// process-global suite: runs are independent, and several may go at once.
func Run(ctx context.Context, target Target, o RunOptions) (*reports.Run, error) {
	if err := target.Validate(); err != nil {
		return nil, err
	}
	match, err := labelMatcher(o.LabelFilter)
	if err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = time.Hour
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	sink := &collector{results: map[string]reports.SpecResult{}}
	t := target
	st := newRunState(&t, ctx, sink)
	sink.state = st
	start := now()
	out := o.GinkgoOutput
	for _, s := range allSpecs() {
		if !match(s.labelsFor(&target)) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		st.selected(s.ID)
		res := st.result(ctx, s)
		sink.put(res)
		if out != nil {
			fmt.Fprintf(out, "%s %s\n", res.Verdict, s.ID)
		}
		if err := st.prober.Tripped(); err != nil {
			sink.abort(err)
			break
		}
	}
	run := sink.report(&target, start, now()) // the target as given, not as the run resolved it
	if sink.aborted != nil {
		return run, &AbortError{Err: sink.aborted}
	}
	return run, nil
}

// labelMatcher compiles a Ginkgo label expression; the empty one
// matches every spec.
func labelMatcher(expr string) (func([]string) bool, error) {
	if expr == "" {
		return func([]string) bool { return true }, nil
	}
	f, err := types.ParseLabelFilter(expr)
	if err != nil {
		return nil, fmt.Errorf("label filter %q: %v", expr, err)
	}
	return f, nil
}

// AbortError says the run stopped early (the circuit breaker tripped); the
// results so far come with it.
type AbortError struct{ Err error }

func (e *AbortError) Error() string { return "run stopped: " + e.Err.Error() }

// Unwrap gives the cause.
func (e *AbortError) Unwrap() error { return e.Err }

package reports

import "sort"

// Baseline states a caller writes into SpecResult.Baseline after matching
// a run against its list of known deviations.
const (
	// BaselineExpected marks a failure or warning the baseline accepts.
	BaselineExpected = "expected"
	// BaselineStale marks a listed spec that passes now: the entry must go,
	// so that baselines only ever shrink.
	BaselineStale = "stale"
)

// The overall outcomes Outcome returns. They are the words CI logs, pull
// requests and certification claims quote, so they never change.
const (
	// Conformant means every requirement checked holds (or is an accepted
	// deviation).
	Conformant = "CONFORMANT"
	// NotConformant means at least one requirement is broken.
	NotConformant = "NOT CONFORMANT"
	// Incomplete means nothing is broken but some specs could not run, so
	// conformance is not shown.
	Incomplete = "INCOMPLETE"
)

// Outcome grades a whole run the way the console does, so that every
// report format states the same verdict: a failure the baseline does not
// accept, a stale baseline entry or (under strict grading) a warning makes
// the run NOT CONFORMANT; otherwise a spec that could not run makes it
// INCOMPLETE, since conformance was not shown. A verdict this version does
// not know counts as an error rather than a pass.
func Outcome(run *Run) string {
	incomplete := false
	for _, s := range run.Specs {
		if blocks(run, s) {
			return NotConformant
		}
		if s.Baseline == "" && (s.Verdict == Error || !known(s.Verdict)) {
			incomplete = true
		}
	}
	if incomplete {
		return Incomplete
	}
	return Conformant
}

// blocks reports whether s alone makes the run not conformant. An accepted
// baseline entry wins over the verdict, as in the console.
func blocks(run *Run, s SpecResult) bool {
	switch {
	case s.Baseline == BaselineStale:
		return true
	case s.Baseline == BaselineExpected:
		return false
	case s.Verdict == Fail:
		return true
	case s.Verdict == Warn:
		return run.Strict
	}
	return false
}

func known(v Verdict) bool { return containsVerdict(Verdicts, v) }

func containsVerdict(l []Verdict, v Verdict) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// attention ranks a spec for the reports' "needs attention first" order:
// 0 a failure (or a stale baseline entry, or a verdict this version does
// not know), 1 a warning, 2 an error; -1 for what needs none (pass, info,
// skip, a deviation the baseline expects).
func attention(s SpecResult) int {
	switch {
	case s.Baseline == BaselineStale, s.Verdict == Fail && s.Baseline != BaselineExpected, !known(s.Verdict):
		return 0
	case s.Baseline == BaselineExpected:
		return -1
	case s.Verdict == Warn:
		return 1
	case s.Verdict == Error:
		return 2
	}
	return -1
}

// attentionFirst orders specs: failures, then warnings, then errors, then
// the rest, each group in catalogue order.
func attentionFirst(specs []SpecResult) []SpecResult {
	out := append([]SpecResult(nil), specs...)
	rank := func(s SpecResult) int {
		if r := attention(s); r >= 0 {
			return r
		}
		return 3
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

package suites

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/occheck/occheck/reports"
)

// Spec is one conformance requirement and the check that proves it.
type Spec struct {
	// ID is stable across releases: reports, baselines and --run use it.
	ID string
	// RFC is the document number ("6749"), Section its section ("4.4.2",
	// "A.12").
	RFC     string
	Section string
	// Level is MUST, SHOULD, MAY or INFO.
	Level reports.Level
	// ProfileLevels grade the spec at another level under a profile (the
	// first of the target's profiles that names one wins): RESP-HDR-02's
	// Pragma is a MUST of RFC 6749 and a SHOULD under oauth21.
	ProfileLevels map[string]reports.Level
	// Title is the requirement in one sentence.
	Title string
	// How says how the spec tests it, and Accepts which outcomes pass.
	How     string
	Accepts string
	// Catches names the real-world deviations the spec exists for.
	Catches string
	// Labels add filter labels (auth method, feature) to the generated ones.
	Labels []string
	// Needs are checked before the spec runs; the first non-empty reason
	// skips it.
	Needs []Need
	// DependsOn names specs whose outcome this one builds on: when one of
	// them fails, errs or is skipped, this spec is skipped naming the root
	// cause, so one deviation is one failure, never a cascade. A spec
	// that authenticates as the client under test must depend on CC-OK-01
	// (directly or through another spec); the harness enforces it.
	DependsOn []string
	// Final specs run after every other selected spec (they grade the
	// exchanges of the whole run).
	Final bool
	// Run performs the check.
	Run func(h *H)

	// namespace is an extension's (Extend); empty for occheck's own.
	namespace string
}

// Need returns why a target cannot run a spec, or "" when it can.
type Need func(t *Target) string

var registry []*Spec

// add declares a spec; each section file calls it from init.
func add(s Spec) {
	for _, r := range registry {
		if r.ID == s.ID {
			panic("suites: duplicate spec ID " + s.ID)
		}
	}
	if strings.ContainsAny(s.ID, "/ &|!,()") || s.Run == nil || s.Title == "" {
		panic("suites: malformed spec " + s.ID + ": an ID without spaces or / & | ! , ( ), a Title and a Run")
	}
	for _, l := range append([]reports.Level{s.Level}, slices.Collect(maps.Values(s.ProfileLevels))...) {
		if !slices.Contains([]reports.Level{reports.Must, reports.Should, reports.May, reports.Note}, l) {
			panic(fmt.Sprintf("suites: spec %s: level %q is not MUST, SHOULD, MAY or INFO", s.ID, l))
		}
	}
	registry = append(registry, &s)
}

// Extend adds a spec of your own to the catalogue, under namespace (a
// lowercase name such as "acme"): its ID becomes namespace + "." + s.ID,
// so it never collides with occheck's IDs (which hold no dot) or another
// extension's, and it carries the label "ext:" + namespace. Call it from an
// init function of a package your test (or build) imports; like occheck's
// own declarations it panics on a malformed or duplicate spec. An
// extension runs in Run and in Declare'd Ginkgo suites, is listed by
// Catalog after occheck's specs, and is graded and reported like them.
// s.RFC names its source: an RFC number or your own document ("ACME
// profile"); DependsOn may name occheck's IDs and namespaced ones.
func Extend(namespace string, s Spec) {
	if !validNamespace(namespace) {
		panic(fmt.Sprintf("suites: extension namespace %q: want 2 to 32 lowercase letters, digits or hyphens, starting with a letter, and not \"occheck\"", namespace))
	}
	if s.ID == "" || strings.Contains(s.ID, ".") {
		panic(fmt.Sprintf("suites: extension spec ID %q: want a non-empty ID without a dot (the namespace is added)", s.ID))
	}
	s.ID = namespace + "." + s.ID
	s.namespace = namespace
	s.Labels = append(slices.Clone(s.Labels), "ext:"+namespace)
	add(s)
}

func validNamespace(ns string) bool {
	if len(ns) < 2 || len(ns) > 32 || ns == "occheck" || ns[0] < 'a' || ns[0] > 'z' {
		return false
	}
	for _, c := range ns {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

var checkOnce sync.Once

// checkDependencies runs once, when every package's specs are in: a
// dependency that names no spec, or a cycle, is a mistake in a
// declaration (an extension's, most likely) and would hang or crash a
// run, so it stops the program at once, naming the spec.
func checkDependencies() {
	byID := map[string]*Spec{}
	for _, s := range registry {
		byID[s.ID] = s
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(s *Spec, path []string)
	visit = func(s *Spec, path []string) {
		switch state[s.ID] {
		case 1:
			panic("suites: spec dependencies form a cycle: " + strings.Join(append(path, s.ID), " -> "))
		case 2:
			return
		}
		state[s.ID] = 1
		for _, d := range s.DependsOn {
			dep, ok := byID[d]
			if !ok {
				panic(fmt.Sprintf("suites: spec %s depends on %s, which is not in the catalogue", s.ID, d))
			}
			visit(dep, append(path, s.ID))
		}
		state[s.ID] = 2
	}
	for _, s := range registry {
		visit(s, nil)
	}
}

// allSpecs returns the registered specs in catalogue order.
func allSpecs() []*Spec {
	checkOnce.Do(checkDependencies)
	out := append([]*Spec(nil), registry...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Final != b.Final {
			return b.Final
		}
		if a.namespace != b.namespace { // occheck's own first, then extensions
			return a.namespace < b.namespace
		}
		if a.RFC != b.RFC {
			return rfcOrder(a.RFC) < rfcOrder(b.RFC)
		}
		if a.Section != b.Section {
			return reports.SectionLess(a.Section, b.Section)
		}
		return a.ID < b.ID
	})
	return out
}

// rfcOrder puts RFC 6749 first, the contract checks last.
func rfcOrder(rfc string) string {
	switch rfc {
	case "6749":
		return "0"
	case "OpenAPI":
		return "9"
	}
	return "5" + rfc
}

// ruleOf is the spec's Rule, nil when none is recorded.
func ruleOf(id string) *Rule {
	if r, ok := rules[id]; ok {
		return &r
	}
	return nil
}

// specByID finds a registered spec.
func specByID(id string) *Spec {
	for _, s := range registry {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// labels are the Ginkgo labels of a spec. Ginkgo labels may not hold
// "&|!,()/", which IDs and sections never do.
// levelFor is the spec's level for the target's profiles.
func (s *Spec) levelFor(t *Target) reports.Level {
	if t != nil {
		for _, p := range t.Profiles {
			if l, ok := s.ProfileLevels[p]; ok {
				return l
			}
		}
	}
	return s.Level
}

func (s *Spec) labels() []string { return s.labelsFor(nil) }

// labelsFor are the labels for a target: level: is the level the target's
// profiles grade the spec at, so --run level:should selects what is
// graded SHOULD.
func (s *Spec) labelsFor(t *Target) []string {
	l := []string{"id:" + s.ID, "rfc:" + s.RFC, "section:" + s.Section, "level:" + strings.ToLower(string(s.levelFor(t)))}
	return append(l, s.Labels...)
}

// CatalogEntry is one spec as listed by occheck list.
type CatalogEntry struct {
	ID      string        `json:"id"`
	RFC     string        `json:"rfc"`
	Section string        `json:"section"`
	Level   reports.Level `json:"level"`
	Title   string        `json:"title"`
	How     string        `json:"how,omitempty"`
	Accepts string        `json:"accepts,omitempty"`
	Catches string        `json:"catches,omitempty"`
	Labels  []string      `json:"labels"`
	// DependsOn lists the specs this one is skipped without.
	DependsOn []string `json:"depends_on,omitempty"`
	// ProfileLevels are the spec's levels under profiles that grade it
	// differently.
	ProfileLevels map[string]reports.Level `json:"profile_levels,omitempty"`
	// Rule is the RFC sentence behind the spec's level.
	Rule *Rule `json:"rule,omitempty"`
}

// Catalog lists every spec, in catalogue order, without running anything.
func Catalog() []CatalogEntry {
	var out []CatalogEntry
	for _, s := range allSpecs() {
		out = append(out, CatalogEntry{ID: s.ID, RFC: s.RFC, Section: s.Section, Level: s.Level, Title: s.Title,
			How: s.How, Accepts: s.Accepts, Catches: s.Catches, Labels: s.labels(), DependsOn: s.DependsOn, ProfileLevels: s.ProfileLevels, Rule: ruleOf(s.ID)})
	}
	return out
}

// CatalogVersion is bumped whenever a spec is added, removed or changes
// what it accepts, so reports say which catalogue graded them.
const CatalogVersion = "2026.12.1"

// Register declares the whole catalogue in Ginkgo's global tree for
// target: Declare("occheck", target), for a test file's
// var _ = suites.Register(...). The specs fail, warn (under Strict) and
// skip as Ginkgo specs; occheck run gives the same verdicts.
func Register(target func() Target) bool {
	Declare("occheck", target)
	return true
}

// Suite is the catalogue declared in a Ginkgo tree for one target.
type Suite struct {
	name   string
	target func() Target
	sink   *collector

	mu    sync.Mutex
	start time.Time
	tgt   *Target
}

// Declare declares the catalogue as a Ginkgo container named name for the
// target, in the caller's tree (at the top level of a test file, or inside
// a container): a vendor's own RunSpecs runs occheck's specs next to its
// own. target is called once, when the container's first spec runs, so a
// test may start its server in BeforeSuite. Declare it once per target to
// check several clients or servers in one suite; after RunSpecs, Results
// gives each one's verdicts as occheck run reports them.
func Declare(name string, target func() Target) *Suite {
	s := &Suite{name: name, target: target, sink: &collector{results: map[string]reports.SpecResult{}}}
	register(name, s.get, s.sink, context.Background())
	return s
}

// get is the target, and marks the start of the run (the end is the last
// result's time).
func (s *Suite) get() Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tgt == nil {
		t := s.target()
		s.tgt, s.start = &t, time.Now()
	}
	return *s.tgt
}

// Results returns the verdicts of the specs that ran, in catalogue order,
// as occheck run reports them (nil before any spec of the suite ran).
func (s *Suite) Results() *reports.Run {
	s.mu.Lock()
	t := s.tgt
	start := s.start
	s.mu.Unlock()
	if t == nil {
		return nil
	}
	s.sink.mu.Lock()
	finish := s.sink.last
	s.sink.mu.Unlock()
	return s.sink.report(t, start, finish)
}

// collector gathers spec results for Run.
type collector struct {
	mu       sync.Mutex
	results  map[string]reports.SpecResult
	aborted  error
	baseline string
	// state is the run's state, for the results of specs that ran only
	// because a selected spec depends on them.
	state *runState
	// last is when the latest result came.
	last time.Time
}

// addRoots adds the failed or errored root cause of every selected spec
// that was skipped for it, when the root was not selected itself: a run
// filtered to dependents must not call a broken server conformant.
func (c *collector) addRoots() {
	if c == nil || c.state == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.state
	for id, r := range c.results {
		if r.Verdict != reports.Skip {
			continue
		}
		root := st.root(id)
		if _, selected := c.results[root]; selected || root == id {
			continue
		}
		st.mu.Lock()
		m := st.memos[root]
		st.mu.Unlock()
		if m == nil || (m.res.Verdict != reports.Fail && m.res.Verdict != reports.Error) {
			continue
		}
		rr := m.res
		rr.Notes = append(append([]string(nil), rr.Notes...), "not selected: run because "+id+" depends on it")
		c.results[root] = rr
	}
}

// setBaseline records how the baseline request authenticates.
func (c *collector) setBaseline(s string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.baseline = s
}

// abort records why the run stopped early.
func (c *collector) abort(err error) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aborted == nil {
		c.aborted = err
	}
}

func (c *collector) put(r reports.SpecResult) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.results[r.ID] = r
	c.last = time.Now()
}

// report is the run's report: the collected results in catalogue order,
// with the roots of skipped specs that were not selected.
func (c *collector) report(t *Target, start, finish time.Time) *reports.Run {
	c.addRoots()
	run := &reports.Run{
		Schema:           reports.SchemaV1,
		Tool:             "occheck",
		CatalogueVersion: CatalogVersion,
		Target:           reports.Target{TokenURL: t.TokenURL, MetadataURL: t.MetadataURL, ClientID: t.Client.ID, AuthMethods: t.Client.AuthMethods, Profiles: t.Profiles},
		Strict:           t.Strict,
		Start:            start,
		Finish:           finish,
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	run.Target.BaselineRequest = c.baseline
	for _, s := range allSpecs() {
		if r, ok := c.results[s.ID]; ok {
			run.Specs = append(run.Specs, r)
		}
	}
	return run
}

func register(name string, target func() Target, sink *collector, outer context.Context) {
	var (
		once  sync.Once
		tgt   *Target
		state *runState
	)
	get := func() (*Target, *runState) {
		once.Do(func() {
			t := target()
			tgt = &t
			state = newRunState(tgt, outer, sink)
			if sink != nil {
				sink.state = state
			}
		})
		return tgt, state
	}
	// Ordered keeps the final specs last even under --randomize-all;
	// ContinueOnFailure keeps one failure from skipping the rest.
	ginkgo.Describe(name, ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		for _, s := range allSpecs() {
			s := s
			ginkgo.It(s.ID+": "+s.Title, ginkgo.Label(s.labels()...), func(ctx ginkgo.SpecContext) {
				t, st := get()
				st.selected(s.ID)
				res := st.result(ctx, s)
				sink.put(res)
				if err := st.prober.Tripped(); err != nil {
					sink.abort(err)
					ginkgo.AbortSuite(err.Error())
				}
				switch res.Verdict {
				case reports.Fail:
					ginkgo.Fail(failureText(res))
				case reports.Error:
					ginkgo.Fail("error: " + failureText(res))
				case reports.Warn:
					if t.Strict {
						ginkgo.Fail("SHOULD (strict): " + failureText(res))
					}
					ginkgo.AddReportEntry("warning", failureText(res))
				case reports.Skip:
					ginkgo.Skip(res.Message.Detail)
				}
			})
		}
	})
}

func failureText(r reports.SpecResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %s): %s", r.ID, reports.SectionName(r.RFC, r.Section), r.Level, r.Message.Requirement)
	if r.Message.Expected != "" {
		fmt.Fprintf(&b, "\n  expected: %s", r.Message.Expected)
	}
	if r.Message.Actual != "" {
		fmt.Fprintf(&b, "\n  actual:   %s", r.Message.Actual)
	}
	if r.Message.Detail != "" {
		fmt.Fprintf(&b, "\n  detail:   %s", r.Message.Detail)
	}
	if r.Curl != "" {
		fmt.Fprintf(&b, "\n  reproduce: %s", r.Curl)
	}
	return b.String()
}

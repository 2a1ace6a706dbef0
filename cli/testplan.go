package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
)

// testPlan is a --plan file: the variants of one run, each a set of run
// flags on top of the shared defaults.
type testPlan struct {
	// Concurrency is how many variants run at once (default 2).
	Concurrency int `yaml:"concurrency"`
	// Defaults are run flags every variant starts from.
	Defaults map[string]any `yaml:"defaults"`
	// Variants are the clients (or servers) to check.
	Variants []map[string]any `yaml:"variants"`
}

// planVariant is one variant ready to run.
type planVariant struct {
	name string
	p    *plan
	env  func(string) string

	out  bytes.Buffer
	run  *reports.Run
	code int
}

var variantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// loadPlan reads and checks a plan file.
func loadPlan(path string) (*testPlan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--plan: %v", unwrapPath(err))
	}
	var tp testPlan
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&tp); err != nil {
		return nil, usagef("--plan %s: %s", path, strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "yaml: ")), " "))
	}
	if len(tp.Variants) == 0 {
		return nil, usagef("--plan %s: no variants (a list under variants:, each with a name and its run flags)", path)
	}
	if tp.Concurrency < 0 || tp.Concurrency > 16 {
		return nil, usagef("--plan %s: concurrency: want 1 to 16, got %d", path, tp.Concurrency)
	}
	if tp.Concurrency == 0 {
		tp.Concurrency = 2
	}
	if err := checkPlanKeys(tp.Defaults, fmt.Sprintf("--plan %s: defaults", path)); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, v := range tp.Variants {
		name, _ := v["name"].(string)
		if !variantName.MatchString(name) || strings.HasPrefix(strings.ToLower(name), "occheck-") {
			return nil, usagef("--plan %s: variants[%d]: name %q: want letters, digits, '.', '_' or '-', not starting occheck- (it names the variant's report directory)", path, i, v["name"])
		}
		if seen[strings.ToLower(name)] {
			return nil, usagef("--plan %s: variants[%d]: name %q is used twice (names are compared without case: they name directories)", path, i, name)
		}
		seen[strings.ToLower(name)] = true
		if err := checkPlanKeys(v, fmt.Sprintf("--plan %s: variant %s", path, name)); err != nil {
			return nil, err
		}
	}
	return &tp, nil
}

// planOnly are flags a plan decides for all its variants, from the
// command line: a variant's own report files would be overwritten.
var planOnly = map[string]bool{"report-dir": true, "junit": true, "json": true, "html": true, "markdown": true, "rerun-failed": true, "config": true, "plan": true}

// checkPlanKeys refuses the keys a plan may not set, and a
// client-secret-env that is not a variable name.
func checkPlanKeys(m map[string]any, source string) error {
	for k, v := range m {
		name := strings.ReplaceAll(k, "_", "-")
		if planOnly[name] {
			return usagef("%s: %s belongs on the command line (it is the plan's, not a variant's)", source, k)
		}
		if name == "client-secret-env" {
			if s, ok := v.(string); !ok || s == "" {
				return usagef("%s: client-secret-env: want the name of an environment variable", source)
			}
		}
	}
	return nil
}

// runPlan runs the catalogue once per variant of the plan, a few at once,
// prints each variant's console report in plan order and a matrix, and
// writes one set of reports for the plan: a directory per variant with its
// four reports, and beside them the plan's JUnit (a testsuite per variant
// and section), Markdown, HTML (one page, a variant filter) and JSON.
func runPlan(ctx context.Context, path string, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	tp, err := loadPlan(path)
	if err != nil {
		return exitFor(stderr, "run", err)
	}
	// Resolve every variant first: a mistake in the plan is exit 2 before
	// anything is sent.
	var variants []*planVariant
	defer func() {
		for _, v := range variants {
			if v.p != nil {
				v.p.close()
			}
		}
	}()
	var top *runFlags
	for i, raw := range tp.Variants {
		name := raw["name"].(string)
		f := newRunFlags("run")
		if code, ok := parseFlags(f.fs, args, stdout, stderr); !ok {
			return code
		}
		if i == 0 {
			saved := *f // the report flags, before the variants' are cleared
			top = &saved
			switch {
			case f.configFile != "":
				return exitFor(stderr, "run", usagef("--config does not go with --plan: put shared flags under the plan's defaults"))
			case f.rerunFailed != "":
				return exitFor(stderr, "run", usagef("--rerun-failed does not go with --plan"))
			}
		}
		set := map[string]bool{}
		f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		flags, defaults := map[string]any{}, map[string]any{}
		secretEnv := ""
		for k, v := range tp.Defaults {
			if strings.ReplaceAll(k, "_", "-") == "client-secret-env" {
				secretEnv, _ = v.(string)
				continue
			}
			defaults[k] = v
		}
		for k, v := range raw {
			switch strings.ReplaceAll(k, "_", "-") {
			case "name":
			case "client-secret-env":
				secretEnv, _ = v.(string)
			default:
				flags[k] = v
			}
		}
		src := fmt.Sprintf("--plan %s: variant %s", path, name)
		if err := applyConfigMap(f.fs, flags, getenv, src, set); err != nil {
			return exitFor(stderr, "run", err)
		}
		if err := applyConfigMap(f.fs, defaults, getenv, fmt.Sprintf("--plan %s: defaults", path), set); err != nil {
			return exitFor(stderr, "run", err)
		}
		// The plan writes the reports; each variant's rate is its share.
		f.reportDir, f.junit, f.jsonOut, f.html, f.markdown = "", "", "", "", ""
		if f.rate > 0 {
			f.rate /= float64(min(tp.Concurrency, len(tp.Variants)))
		}
		// A variant's secret comes only from the variable it names (or
		// the defaults name): never the global one by accident, which
		// would send one client's secret to another client, or server.
		if secretEnv != "" && getenv(secretEnv) == "" {
			return exitFor(stderr, "run", usagef("variant %s: client-secret-env: $%s is not set", name, secretEnv))
		}
		env := func(k string) string {
			if k == suites.EnvClientSecret {
				if secretEnv == "" {
					return ""
				}
				return getenv(secretEnv)
			}
			return getenv(k)
		}
		v := &planVariant{name: name, env: env}
		p, err := f.plan(ctx, env, stderr)
		var ue *usageError
		switch {
		case errors.As(err, &ue):
			return exitFor(stderr, "run", fmt.Errorf("variant %s: %w", name, err))
		case err != nil:
			// The server of this variant cannot be reached (discovery):
			// the others run; this one could not.
			fmt.Fprintf(&v.out, "occheck run: %v\n", err)
			v.code = exitCannotGo
		}
		v.p = p
		variants = append(variants, v)
	}

	sem := make(chan struct{}, tp.Concurrency)
	var wg sync.WaitGroup
	for _, v := range variants {
		if v.p == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			run, err := v.p.execute(ctx, &v.out)
			if err != nil && run == nil {
				fmt.Fprintf(&v.out, "occheck run: %v\n", err)
				v.code = exitCannotGo
				return
			}
			v.run = run
			v.code = v.p.grade(run, err, &v.out)
		}()
	}
	wg.Wait()

	code := exitOK
	var runs []reports.NamedRun
	for _, v := range variants {
		fmt.Fprintf(stdout, "━━ variant %s ━━\n", v.name)
		_, _ = stdout.Write(v.out.Bytes())
		fmt.Fprintln(stdout)
		switch {
		case v.code == exitCannotGo || v.code == exitUsage:
			code = exitCannotGo
		case v.code == exitFail && code == exitOK:
			code = exitFail
		}
		nr := reports.NamedRun{Name: v.name, Run: v.run}
		if v.run == nil {
			nr.Error = strings.TrimSpace(strings.TrimPrefix(v.out.String(), "occheck run: "))
		}
		runs = append(runs, nr)
	}
	printMatrix(stdout, path, variants)
	return finish(code, stderr, func() error { return writePlanReports(top, runs, getenv) }, func() error { return writePlanOutputs(runs, code, getenv) })
}

// printMatrix prints the plan's verdict per variant.
func printMatrix(w io.Writer, path string, variants []*planVariant) {
	fmt.Fprintf(w, "plan %s: %d variants\n", path, len(variants))
	width := len("variant")
	for _, v := range variants {
		width = max(width, len(v.name))
	}
	fmt.Fprintf(w, "  %-*s  %-15s", width, "variant", "verdict")
	for _, vd := range reports.Verdicts {
		fmt.Fprintf(w, " %5s", vd)
	}
	fmt.Fprintln(w)
	for _, v := range variants {
		outcome := "COULD NOT RUN"
		var c map[reports.Verdict]int
		if v.run != nil {
			outcome, c = reports.Outcome(v.run), v.run.Counts()
		}
		fmt.Fprintf(w, "  %-*s  %-15s", width, v.name, outcome)
		for _, vd := range reports.Verdicts {
			fmt.Fprintf(w, " %5d", c[vd])
		}
		fmt.Fprintln(w)
	}
}

// writePlanReports writes the plan's reports: with --report-dir a
// directory per variant holding its four reports, and beside them the
// plan's JUnit, Markdown, HTML (every variant on one page, filterable) and
// JSON (occheck.plan/v1); --junit, --json, --html and --markdown write the
// plan's documents; $GITHUB_STEP_SUMMARY gets the plan's Markdown.
func writePlanReports(f *runFlags, runs []reports.NamedRun, getenv func(string) string) error {
	junit := func(w io.Writer) error { return reports.WriteJUnitPlan(w, runs) }
	md := func(w io.Writer) error { return reports.WriteMarkdownPlan(w, runs) }
	type doc struct {
		path  string
		write func(io.Writer) error
		app   bool
	}
	var docs []doc
	if f.reportDir != "" {
		for _, r := range runs {
			if r.Run == nil {
				continue
			}
			vf := *f
			vf.reportDir, vf.junit, vf.jsonOut, vf.html, vf.markdown = filepath.Join(f.reportDir, r.Name), "", "", "", ""
			if err := writeReportFiles(&vf, r.Run, func(string) string { return "" }); err != nil {
				return err
			}
		}
		docs = append(docs,
			doc{filepath.Join(f.reportDir, "occheck-junit.xml"), junit, false},
			doc{filepath.Join(f.reportDir, "occheck-summary.md"), md, false},
			doc{filepath.Join(f.reportDir, "occheck-report.html"), func(w io.Writer) error { return reports.WriteHTMLPlan(w, runs) }, false},
			doc{filepath.Join(f.reportDir, "occheck-plan.json"), func(w io.Writer) error { return reports.WriteJSONPlan(w, runs) }, false})
	}
	if f.junit != "" {
		docs = append(docs, doc{f.junit, junit, false})
	}
	if f.markdown != "" {
		docs = append(docs, doc{f.markdown, md, false})
	}
	if f.jsonOut != "" {
		docs = append(docs, doc{f.jsonOut, func(w io.Writer) error { return reports.WriteJSONPlan(w, runs) }, false})
	}
	if f.html != "" {
		docs = append(docs, doc{f.html, func(w io.Writer) error { return reports.WriteHTMLPlan(w, runs) }, false})
	}
	if p := getenv("GITHUB_STEP_SUMMARY"); p != "" {
		docs = append(docs, doc{p, md, true})
	}
	for _, d := range docs {
		if err := writeDoc(d.path, d.write, d.app); err != nil {
			return err
		}
	}
	return nil
}

func writeDoc(path string, write func(io.Writer) error, appendTo bool) error {
	return writeFile(path, nil, func(w io.Writer, _ *reports.Run) error { return write(w) }, appendTo)
}

// writePlanOutputs appends the plan's verdict and summed counts to
// $GITHUB_OUTPUT.
func writePlanOutputs(runs []reports.NamedRun, code int, getenv func(string) string) error {
	all := &reports.Run{}
	for _, r := range runs {
		if r.Run != nil {
			all.Specs = append(all.Specs, r.Run.Specs...)
		}
	}
	return writeGitHubOutputs(all, code, getenv)
}

package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlTemplate is parsed once; html/template escapes every value for the
// context it lands in, so server responses cannot inject markup.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"text": inert,
}).Parse(htmlSource))

// inert escapes text and breaks the "://" of any URL in it. The report must
// not reference anything outside itself, and a target's URLs (in the
// header, transcripts and curl lines) are data, not links: written as
// ":&#47;&#47;" they read the same in a browser but no link scanner, mail
// client or grep for "https://" mistakes them for references.
func inert(s string) template.HTML {
	e := template.HTMLEscapeString(clean(s))
	return template.HTML(strings.ReplaceAll(e, "://", ":&#47;&#47;"))
}

type htmlPage struct {
	Outcome      string
	OutcomeClass string
	Run          *Run
	Start        string
	Finish       string
	Elapsed      string
	Counts       []htmlCount
	Total        int
	Accepted     string
	Filters      []htmlFilter
	Chart        htmlChart
	Specs        []htmlSpec
	// Shown counts the rows the page opens with; Folded says the passes
	// start hidden (something needs attention).
	Shown  int
	Folded bool
	// Variants is a plan's matrix (nil for one run).
	Variants []htmlVariant
}

type htmlCount struct {
	Verdict Verdict
	Count   int
}

type htmlFilter struct {
	Kind   string // "verdict" or "level"
	Legend string
	Values []htmlFilterValue
}

type htmlFilterValue struct {
	Value   string
	Checked bool
}

type htmlSpec struct {
	SpecResult
	// Variant is the plan variant the spec ran in ("" outside a plan).
	Variant    string
	Anchor     string
	Section    string
	Href       string
	Baseline   string
	Problem    bool
	Transcript string
	Elapsed    string
}

type htmlChart struct {
	Width, Height int
	LabelX        int
	Bars          []htmlBar
	Legend        []htmlLegend
}

type htmlBar struct {
	Label  string
	Y      int
	TextY  int
	Total  int
	TotalX int
	Segs   []htmlSeg
}

type htmlSeg struct {
	X, Y, W, H int
	Verdict    Verdict
	Count      int
	Tip        string
}

type htmlLegend struct {
	X, Y, TextX, TextY int
	Verdict            Verdict
}

// Chart geometry in SVG user units; the SVG scales to the page width.
const (
	chartLabelW = 190
	chartBarW   = 520
	chartRowH   = 24
	chartBarH   = 16
	chartPad    = 8
)

// WriteHTML writes one self-contained HTML file: summary, chart of verdicts
// per section, filters, and every spec with its transcript. It loads
// nothing from anywhere (no fonts, scripts, styles or images by URL), so it
// can be archived with a certification claim and opened offline years
// later.
func WriteHTML(w io.Writer, run *Run) error {
	if err := htmlTemplate.Execute(w, buildPage([]NamedRun{{Run: run}}, run)); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

// WriteHTMLPlan writes a test plan as one self-contained page: the matrix
// of variants by verdict counts on top, then every variant's specs in one
// table with a variant column and a variant filter beside the verdict and
// level ones (what needs attention first, across the variants).
func WriteHTMLPlan(w io.Writer, runs []NamedRun) error {
	all := &Run{Tool: "occheck"}
	var ran []NamedRun
	for _, r := range runs {
		if r.Run == nil {
			continue
		}
		ran = append(ran, r)
		all.Specs = append(all.Specs, r.Run.Specs...)
		if all.Start.IsZero() || r.Run.Start.Before(all.Start) {
			all.Start = r.Run.Start
		}
		if r.Run.Finish.After(all.Finish) {
			all.Finish = r.Run.Finish
		}
		all.Version, all.Schema, all.CatalogueVersion = r.Run.Version, r.Run.Schema, r.Run.CatalogueVersion
	}
	page := buildPage(ran, all)
	page.Outcome = PlanOutcome(runs)
	page.OutcomeClass = outcomeClass(page.Outcome)
	for _, r := range runs {
		if r.Run == nil {
			row := htmlVariant{Name: r.Name, Anchor: "variant-" + r.Name, Outcome: CouldNotRun, Class: outcomeClass(CouldNotRun), Target: r.Error}
			for _, v := range Verdicts {
				row.Counts = append(row.Counts, htmlCount{v, 0})
			}
			page.Variants = append(page.Variants, row)
			continue
		}
		c := r.Run.Counts()
		row := htmlVariant{Name: r.Name, Anchor: "variant-" + r.Name, Outcome: Outcome(r.Run), Target: r.Run.Target.TokenURL, Client: r.Run.Target.ClientID, Total: len(r.Run.Specs)}
		row.Class = outcomeClass(row.Outcome)
		for _, v := range Verdicts {
			row.Counts = append(row.Counts, htmlCount{v, c[v]})
		}
		page.Variants = append(page.Variants, row)
	}
	if err := htmlTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("write HTML plan report: %w", err)
	}
	return nil
}

// htmlVariant is one row of a plan's matrix.
type htmlVariant struct {
	Name, Anchor, Outcome, Class, Target, Client string
	Counts                                       []htmlCount
	Total                                        int
}

// buildPage lays out the specs of runs (one, or a plan's variants, named)
// over the summary of run.
func buildPage(runs []NamedRun, run *Run) htmlPage {
	counts := run.Counts()
	page := htmlPage{
		Outcome: Outcome(run),
		Run:     run,
		Start:   timestamp(run.Start),
		Finish:  timestamp(run.Finish),
		Elapsed: elapsed(run),
		Total:   len(run.Specs),
		Chart:   chartOf(run),
	}
	page.OutcomeClass = outcomeClass(page.Outcome)
	for _, v := range Verdicts {
		page.Counts = append(page.Counts, htmlCount{v, counts[v]})
	}
	if n := baselineCount(run, BaselineExpected); n > 0 {
		page.Accepted = accepted(n)
	}

	verdicts := make([]string, 0, len(Verdicts))
	for _, v := range Verdicts {
		verdicts = append(verdicts, string(v))
	}
	levels := []string{string(Must), string(Should), string(May), string(Note)}
	var variants []string
	// The page opens on what needs attention: failures, then warnings,
	// then errors, first; the passes folded behind their filter box.
	type entry struct {
		SpecResult
		variant string
	}
	for _, r := range runs {
		for _, s := range r.Run.Specs {
			if attention(s) >= 0 {
				page.Folded = true
			}
		}
		if r.Name != "" {
			variants = append(variants, r.Name)
		}
	}
	var all []entry
	for _, r := range runs {
		for _, s := range attentionFirst(r.Run.Specs) {
			all = append(all, entry{s, r.Name})
		}
	}
	// Across variants too: a stable sort keeps each variant's order.
	rank := func(s SpecResult) int {
		if r := attention(s); r >= 0 {
			return r
		}
		return 3
	}
	sort.SliceStable(all, func(i, j int) bool { return rank(all[i].SpecResult) < rank(all[j].SpecResult) })
	for _, e := range all {
		s := e.SpecResult
		verdicts = appendNew(verdicts, string(s.Verdict))
		levels = appendNew(levels, string(s.Level))
		anchor := "spec-" + s.ID
		if e.variant != "" {
			anchor = "spec-" + e.variant + "-" + s.ID
		}
		page.Specs = append(page.Specs, htmlSpec{
			SpecResult: s,
			Variant:    e.variant,
			Anchor:     anchor,
			Section:    SectionName(s.RFC, s.Section),
			Href:       RFCLink(s.RFC, s.Section),
			Baseline:   s.Baseline,
			Problem:    s.Verdict != Pass || s.Baseline != "",
			Transcript: transcript(s),
			Elapsed:    millis(s.Duration),
		})
	}
	for _, sp := range page.Specs {
		if !page.Folded || sp.Verdict != Pass || sp.Baseline == BaselineStale {
			page.Shown++
		}
	}
	boxes := func(values []string, folded string) []htmlFilterValue {
		out := make([]htmlFilterValue, len(values))
		for i, v := range values {
			out[i] = htmlFilterValue{Value: v, Checked: v != folded}
		}
		return out
	}
	folded := ""
	if page.Folded {
		folded = string(Pass)
	}
	page.Filters = []htmlFilter{
		{Kind: "verdict", Legend: "Verdict", Values: boxes(verdicts, folded)},
		{Kind: "level", Legend: "Level", Values: boxes(levels, "")},
	}
	if len(variants) > 0 {
		page.Filters = append(page.Filters, htmlFilter{Kind: "variant", Legend: "Variant", Values: boxes(variants, "")})
	}
	return page
}

// appendNew adds v unless present, so that a verdict or level this
// version does not know still gets a filter and its rows can be shown.
func appendNew(l []string, v string) []string {
	for _, x := range l {
		if x == v {
			return l
		}
	}
	return append(l, v)
}

// chartOf lays out one horizontal stacked bar per section. All bars share
// one scale, so lengths compare across sections; segment edges are rounded
// from running totals so a bar's segments always add up to its length.
func chartOf(run *Run) htmlChart {
	secs := sections(run.Specs)
	c := htmlChart{LabelX: chartLabelW - 8, Width: chartLabelW + chartBarW + 40}
	most := 1
	for _, sec := range secs {
		if len(sec.Specs) > most {
			most = len(sec.Specs)
		}
	}
	for i, sec := range secs {
		name := SectionName(sec.RFC, sec.Section)
		bar := htmlBar{Label: name, Y: chartPad + i*chartRowH, Total: len(sec.Specs)}
		bar.TextY = bar.Y + chartBarH - 3
		n := map[Verdict]int{}
		for _, s := range sec.Specs {
			n[s.Verdict]++
		}
		order := append([]Verdict(nil), Verdicts...)
		for _, s := range sec.Specs {
			if !known(s.Verdict) && !containsVerdict(order, s.Verdict) {
				order = append(order, s.Verdict)
			}
		}
		cum := 0
		for _, v := range order {
			k := n[v]
			if k == 0 {
				continue
			}
			x0 := cum * chartBarW / most
			cum += k
			x1 := cum * chartBarW / most
			bar.Segs = append(bar.Segs, htmlSeg{
				X: chartLabelW + x0, Y: bar.Y, W: x1 - x0, H: chartBarH, Verdict: v, Count: k,
				Tip: fmt.Sprintf("%s: %d %s of %d", name, k, v, len(sec.Specs)),
			})
		}
		bar.TotalX = chartLabelW + cum*chartBarW/most + 6
		c.Bars = append(c.Bars, bar)
	}
	legendY := chartPad + len(secs)*chartRowH + 8
	for i, v := range Verdicts {
		x := chartLabelW + i*86
		c.Legend = append(c.Legend, htmlLegend{X: x, Y: legendY + 2, TextX: x + 17, TextY: legendY + 12, Verdict: v})
	}
	c.Height = legendY + chartBarH + chartPad
	return c
}

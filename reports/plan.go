package reports

import (
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
)

// NamedRun is one variant of a test plan: a client, or a server, checked
// in the same plan as others.
type NamedRun struct {
	// Name is the variant's name in the plan (letters, digits, . _ -).
	Name string
	Run  *Run
}

// PlanOutcome is a plan's verdict: not conformant when any variant is,
// else incomplete when any is, else conformant.
func PlanOutcome(runs []NamedRun) string {
	out := Conformant
	for _, r := range runs {
		switch Outcome(r.Run) {
		case NotConformant:
			return NotConformant
		case Incomplete:
			out = Incomplete
		}
	}
	return out
}

// WriteMarkdownPlan writes a plan's summary: the verdict, a matrix of
// variants by verdict counts, then each variant's own summary (what needs
// attention first).
func WriteMarkdownPlan(w io.Writer, runs []NamedRun) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## occheck plan: %s\n\n", PlanOutcome(runs))
	b.WriteString("| Variant | Verdict |")
	for _, v := range Verdicts {
		fmt.Fprintf(&b, " %s |", v)
	}
	b.WriteString(" total |\n| --- | --- |")
	for range Verdicts {
		b.WriteString(" ---: |")
	}
	b.WriteString(" ---: |\n")
	for _, r := range runs {
		c := r.Run.Counts()
		fmt.Fprintf(&b, "| %s | %s |", mdCell(r.Name), Outcome(r.Run))
		for _, v := range Verdicts {
			fmt.Fprintf(&b, " %d |", c[v])
		}
		fmt.Fprintf(&b, " %d |\n", len(r.Run.Specs))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write Markdown plan report: %w", err)
	}
	for _, r := range runs {
		if _, err := fmt.Fprintf(w, "\n---\n\n### Variant %s\n\n", mdText(r.Name)); err != nil {
			return fmt.Errorf("write Markdown plan report: %w", err)
		}
		if err := WriteMarkdown(w, r.Run); err != nil {
			return err
		}
	}
	return nil
}

// WriteHTMLPlan writes a plan's index page: the verdict and the matrix of
// variants by verdict counts, each variant linking to its own full report
// at href(name) (relative; the variants' pages sit beside it). Like the
// reports it links, it loads nothing from anywhere.
func WriteHTMLPlan(w io.Writer, runs []NamedRun, href func(name string) string) error {
	type row struct {
		Name, Href, Outcome, Class, Target string
		Counts                             []int
		Total                              int
	}
	page := struct {
		Outcome, Class string
		Verdicts       []Verdict
		Rows           []row
	}{Outcome: PlanOutcome(runs), Verdicts: Verdicts}
	page.Class = outcomeClass(page.Outcome)
	for _, r := range runs {
		c := r.Run.Counts()
		x := row{Name: r.Name, Href: (&url.URL{Path: href(r.Name)}).String(), Outcome: Outcome(r.Run), Total: len(r.Run.Specs),
			Target: r.Run.Target.TokenURL + " · " + r.Run.Target.ClientID}
		x.Class = outcomeClass(x.Outcome)
		for _, v := range Verdicts {
			x.Counts = append(x.Counts, c[v])
		}
		page.Rows = append(page.Rows, x)
	}
	if err := planTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("write HTML plan report: %w", err)
	}
	return nil
}

func outcomeClass(o string) string {
	switch o {
	case Conformant:
		return "ok"
	case NotConformant:
		return "bad"
	}
	return "incomplete"
}

var planTemplate = template.Must(template.New("plan").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>occheck plan: {{.Outcome}}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } .verdict { display: inline-block; padding: .2rem .6rem; border: 2px solid; border-radius: .3rem; font-weight: 700; }
.ok { color: #1a7f37; } .bad { color: #cf222e; } .incomplete { color: #8250df; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; } th, td { border-bottom: 1px solid #d0d7de; padding: .4rem .6rem; text-align: right; }
th:first-child, td:first-child, td.target, th.target, td.outcome { text-align: left; } td.target { color: #57606a; font-size: .9em; }
@media (prefers-color-scheme: dark) { body { background: #0d1117; color: #e6edf3; } th, td { border-color: #30363d; } td.target { color: #8b949e; } a { color: #58a6ff; } }
</style>
</head>
<body>
<h1>occheck plan <span class="verdict {{.Class}}" id="plan-verdict">{{.Outcome}}</span></h1>
<p>One row per variant; each links to its full report.</p>
<table id="plan">
<thead><tr><th scope="col">Variant</th><th scope="col" class="target">Token endpoint · client</th><th scope="col">Verdict</th>{{range .Verdicts}}<th scope="col">{{.}}</th>{{end}}<th scope="col">total</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr id="variant-{{.Name}}"><td><a href="{{.Href}}">{{.Name}}</a></td><td class="target">{{.Target}}</td><td class="outcome {{.Class}}">{{.Outcome}}</td>{{range .Counts}}<td>{{.}}</td>{{end}}<td>{{.Total}}</td></tr>
{{- end}}
</tbody>
</table>
</body>
</html>
`))

package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// NamedRun is one variant of a test plan: a client, or a server, checked
// in the same plan as others.
type NamedRun struct {
	// Name is the variant's name in the plan (letters, digits, . _ -).
	Name string
	// Run is the variant's run; nil when it could not be set up (its
	// server unreachable), and then Error says why.
	Run   *Run
	Error string
}

// CouldNotRun is the outcome of a variant that could not be set up.
const CouldNotRun = "COULD NOT RUN"

// outcome is a variant's verdict.
func (r NamedRun) outcome() string {
	if r.Run == nil {
		return CouldNotRun
	}
	return Outcome(r.Run)
}

// PlanOutcome is a plan's verdict: not conformant when any variant is,
// else incomplete when any is (or could not run), else conformant.
func PlanOutcome(runs []NamedRun) string {
	out := Conformant
	for _, r := range runs {
		switch r.outcome() {
		case CouldNotRun:
			out = Incomplete
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
		fmt.Fprintf(&b, "| %s | %s |", mdCell(r.Name), r.outcome())
		if r.Run == nil {
			fmt.Fprintf(&b, " %s |\n", strings.Repeat(" |", len(Verdicts)))
			continue
		}
		c := r.Run.Counts()
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
		if r.Run == nil {
			if _, err := fmt.Fprintf(w, "Could not run: %s\n", mdText(r.Error)); err != nil {
				return fmt.Errorf("write Markdown plan report: %w", err)
			}
			continue
		}
		if err := WriteMarkdown(w, r.Run); err != nil {
			return err
		}
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

// SchemaPlanV1 identifies the plan report format.
const SchemaPlanV1 = "occheck.plan/v1"

// WriteJSONPlan writes a test plan's report: its outcome and each
// variant's outcome and full report (PlanJSONSchema).
func WriteJSONPlan(w io.Writer, runs []NamedRun) error {
	type variant struct {
		Name    string `json:"name"`
		Outcome string `json:"outcome"`
		Error   string `json:"error,omitempty"`
		Report  *Run   `json:"report,omitempty"`
	}
	doc := struct {
		Schema   string    `json:"schema"`
		Outcome  string    `json:"outcome"`
		Variants []variant `json:"variants"`
	}{Schema: SchemaPlanV1, Outcome: PlanOutcome(runs), Variants: []variant{}}
	for _, r := range runs {
		doc.Variants = append(doc.Variants, variant{r.Name, r.outcome(), r.Error, r.Run})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JSON plan report: %w", err)
	}
	return nil
}

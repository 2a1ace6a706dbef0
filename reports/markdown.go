package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteMarkdown writes a short summary for pull requests and
// $GITHUB_STEP_SUMMARY: the outcome, the counts, and only the specs someone
// has to look at. The full detail lives in the HTML and JSON reports.
func WriteMarkdown(w io.Writer, run *Run) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## occheck: %s\n\n", Outcome(run))

	t := run.Target
	fmt.Fprintf(&b, "**Target** %s · **client** %s · **auth** %s", mdText(t.TokenURL), mdText(t.ClientID), mdText(listOr(t.AuthMethods, "auto")))
	if t.BaselineRequest != "" {
		fmt.Fprintf(&b, " · **baseline request** %s", mdText(t.BaselineRequest))
	}
	if len(t.Profiles) > 0 {
		fmt.Fprintf(&b, " · **profiles** %s", mdText(strings.Join(t.Profiles, ", ")))
	}
	fmt.Fprintf(&b, " · **strict** %s  \n", yesNo(run.Strict))
	fmt.Fprintf(&b, "%s %s · catalogue %s · started %s · took %s\n\n",
		mdText(orDefault(run.Tool, "occheck")), mdText(run.Version), mdText(run.CatalogueVersion), timestamp(run.Start), elapsed(run))

	counts := run.Counts()
	b.WriteString("| Verdict | Specs |\n| --- | ---: |\n")
	for _, v := range Verdicts {
		fmt.Fprintf(&b, "| %s | %d |\n", v, counts[v])
	}
	fmt.Fprintf(&b, "| **total** | **%d** |\n", len(run.Specs))
	if n := baselineCount(run, BaselineExpected); n > 0 {
		fmt.Fprintf(&b, "\n%s by the baseline.\n", accepted(n))
	}

	var findings, skipped []SpecResult
	for _, s := range run.Specs {
		switch {
		case s.Baseline == BaselineStale, s.Verdict == Fail, s.Verdict == Warn, s.Verdict == Error, !known(s.Verdict):
			findings = append(findings, s)
		case s.Verdict == Skip:
			skipped = append(skipped, s)
		}
	}
	findings = attentionFirst(findings) // failures, warnings, errors, then what the baseline expects
	if len(findings) == 0 {
		b.WriteString("\nNo failures, warnings or errors.\n")
	} else {
		fmt.Fprintf(&b, "\n### Findings (%d)\n\n", len(findings))
		b.WriteString("| ID | Verdict | Level | Section | Requirement | Actual |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, s := range findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
				mdCell(s.ID), mdVerdict(s), mdCell(string(s.Level)), mdSection(s),
				mdCell(orDefault(s.Message.Requirement, s.Title)), mdCell(actualOf(s)))
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "\n<details>\n<summary>Skipped (%d)</summary>\n\n", len(skipped))
		b.WriteString("| ID | Level | Section | Reason |\n| --- | --- | --- | --- |\n")
		for _, s := range skipped {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n",
				mdCell(s.ID), mdCell(string(s.Level)), mdSection(s), mdCell(orDefault(s.Message.Detail, s.Message.Actual)))
		}
		b.WriteString("\n</details>\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write Markdown report: %w", err)
	}
	return nil
}

// mdVerdict shows the verdict with its baseline state, since a listed
// failure reads differently from a new one.
func mdVerdict(s SpecResult) string {
	switch s.Baseline {
	case BaselineExpected:
		return mdCell(string(s.Verdict)) + " (baseline: expected)"
	case BaselineStale:
		return mdCell(string(s.Verdict)) + " (**stale baseline**)"
	}
	if s.Verdict == Fail || s.Verdict == Error {
		return "**" + mdCell(string(s.Verdict)) + "**"
	}
	return mdCell(string(s.Verdict))
}

func mdSection(s SpecResult) string {
	name := mdCell(SectionName(s.RFC, s.Section))
	if href := RFCLink(s.RFC, s.Section); href != "" {
		return "[" + name + "](" + href + ")"
	}
	return name
}

// actualOf says what happened, or for a stale entry what to do.
func actualOf(s SpecResult) string {
	if s.Baseline == BaselineStale {
		return "passes now: delete its baseline entry"
	}
	return orDefault(s.Message.Actual, s.Message.Detail)
}

// mdCell makes text safe in a table cell: one line (GitHub tables cannot
// hold a newline, <br> renders one), no bare "|" ending the cell, no HTML
// the renderer would interpret, and short enough for a summary.
func mdCell(s string) string {
	s = clean(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 400 {
		s = string(r[:399]) + "…"
	}
	s = mdText(s)
	return strings.ReplaceAll(s, "\n", "<br>")
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	"|", `\|`,
	"\\", `\\`,
	"`", "\\`",
)

// mdText escapes text outside cells the same way, so that a client id or
// server message cannot start a table, a tag or a code span.
func mdText(s string) string {
	return mdEscaper.Replace(clean(s))
}

func baselineCount(run *Run, state string) int {
	n := 0
	for _, s := range run.Specs {
		if s.Baseline == state {
			n++
		}
	}
	return n
}

func elapsed(run *Run) string {
	d := run.Finish.Sub(run.Start)
	if d < 0 {
		d = 0
	}
	return strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', -1, 64) + " s"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func listOr(l []string, def string) string {
	if len(l) == 0 {
		return def
	}
	return strings.Join(l, ", ")
}

// accepted says how many deviations a baseline accepts, in a sentence.
func accepted(n int) string {
	if n == 1 {
		return "1 deviation is accepted"
	}
	return strconv.Itoa(n) + " deviations are accepted"
}

package reports

import (
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	md := string(render(t, WriteMarkdown, sampleRun()))
	lines := strings.Split(md, "\n")
	if got, want := lines[0], "## occheck: NOT CONFORMANT"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	contains := []struct {
		what, want string
	}{
		{"target", "**Target** https://as.example.com/oauth2/token"},
		{"escaped client id", "**client** ci-client &lt;ops&gt; &amp; \"friends\""},
		{"strict", "**strict** no"},
		{"versions", "occheck v1.4.0 · catalogue 2026.03 · started 2026-03-14T09:26:53Z · took 12.345 s"},
		{"counts header", "| Verdict | Specs |\n| --- | ---: |\n"},
		{"fail count", "| fail | 2 |"},
		{"error count", "| error | 1 |"},
		{"warn count", "| warn | 1 |"},
		{"info count", "| info | 1 |"},
		{"skip count", "| skip | 1 |"},
		{"pass count", "| pass | 3 |"},
		{"total", "| **total** | **9** |"},
		{"baseline note", "1 deviation is accepted by the baseline."},
		{"findings", "### Findings (5)"},
		{"fail row", "| ERR-CODE-01 | **fail** | MUST | [RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2) |"},
		{"escaped actual", "\"error\": \"invalid_request\" &lt;b&gt;&amp;amp;&lt;/b&gt; status 400 (réponse) |"},
		{"pipe and newline", "200 with a token \\| body credentials accepted<br>second line: café |"},
		{"accepted row", "| ERR-DESC-01 | fail (baseline: expected) |"},
		{"stale row", "| ERR-URI-01 | pass (**stale baseline**) |"},
		{"stale advice", "passes now: delete its baseline entry |"},
		{"error row", "| RESP-AT-01 | **error** | MUST | [RFC 6749 §A.12](https://www.rfc-editor.org/rfc/rfc6749#appendix-A.12) |"},
		{"skipped section", "<details>\n<summary>Skipped (1)</summary>\n\n| ID | Level | Section | Reason |"},
		{"skip row", "| META-01 | MAY | [RFC 8414 §3.3](https://www.rfc-editor.org/rfc/rfc8414#section-3.3) | no metadata URL configured |"},
	}
	for _, c := range contains {
		if !strings.Contains(md, c.want) {
			t.Errorf("%s: output does not contain %q", c.what, c.want)
		}
	}
	for _, absent := range []string{"| CC-OK-01 ", "| OAS-TOKEN-200 ", "| RESP-AT-02 ", "\x01", "<b>"} {
		if strings.Contains(md, absent) {
			t.Errorf("output contains %q", absent)
		}
	}
	// The findings table puts what needs attention first: failures (and
	// the stale entry), warnings, errors, then what the baseline expects;
	// catalogue order within each.
	order := []string{"| ERR-CODE-01 ", "| ERR-URI-01 ", "| AUTH-BASIC-02 ", "| RESP-AT-01 ", "| ERR-DESC-01 "}
	last := -1
	for _, id := range order {
		i := strings.Index(md, id)
		if i < last {
			t.Errorf("%s is out of order", id)
		}
		last = i
	}
	// Every table row has the column count of its header: an unescaped
	// pipe would add a column.
	for i, l := range lines {
		if !strings.HasPrefix(l, "| ") {
			continue
		}
		cols := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|")
		if want := tableWidth(lines, i); cols != want {
			t.Errorf("line %d has %d separators, its table %d: %s", i+1, cols, want, l)
		}
	}
}

// tableWidth counts the separators of the header row of the table line i
// belongs to.
func tableWidth(lines []string, i int) int {
	for i > 0 && strings.HasPrefix(lines[i-1], "| ") {
		i--
	}
	return strings.Count(lines[i], "|")
}

func TestMarkdownOutcomes(t *testing.T) {
	tests := []struct {
		name  string
		specs []SpecResult
		title string
		body  string
	}{
		{"clean", []SpecResult{{ID: "A", Verdict: Pass}}, "## occheck: CONFORMANT", "No failures, warnings or errors."},
		{"error", []SpecResult{{ID: "A", Verdict: Error, Message: Message{Detail: "timeout"}}}, "## occheck: INCOMPLETE", "| A | **error** |"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			md := string(render(t, WriteMarkdown, &Run{Schema: SchemaV1, Specs: tc.specs}))
			if !strings.HasPrefix(md, tc.title+"\n") {
				t.Errorf("got title line %q, want %q", strings.SplitN(md, "\n", 2)[0], tc.title)
			}
			if !strings.Contains(md, tc.body) {
				t.Errorf("output does not contain %q:\n%s", tc.body, md)
			}
			if strings.Contains(md, "<details>") {
				t.Errorf("skipped section without skipped specs")
			}
		})
	}
}

func TestMDCell(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{"a|b", `a\|b`},
		{"one\ntwo\r\nthree\rfour", "one<br>two<br>three<br>four"},
		{"<script>&", "&lt;script&gt;&amp;"},
		{"`code`", "\\`code\\`"},
		{"  padded\n", "padded"},
		{"ctl\x01", "ctl"},
		{strings.Repeat("é", 500), strings.Repeat("é", 399) + "…"},
	}
	for _, tc := range tests {
		if got := mdCell(tc.in); got != tc.want {
			t.Errorf("mdCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

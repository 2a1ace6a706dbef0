package reports

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestHTMLContent(t *testing.T) {
	page := string(render(t, WriteHTML, sampleRun()))
	contains := []struct {
		what, want string
	}{
		{"doctype", "<!DOCTYPE html>"},
		{"outcome", `id="outcome" data-outcome="NOT CONFORMANT">NOT CONFORMANT</div>`},
		{"token URL, inert", "<dd>https:&#47;&#47;as.example.com/oauth2/token</dd>"},
		{"client id, escaped", "<dd>ci-client &lt;ops&gt; &amp; &#34;friends&#34;</dd>"},
		{"auth methods", "<dd>client_secret_basic, private_key_jwt</dd>"},
		{"profiles", "<dd>baseline</dd>"},
		{"strict", "<dt>Strict grading</dt><dd>no</dd>"},
		{"tool", "<dd>occheck v1.4.0</dd>"},
		{"catalogue", "<dd>2026.03</dd>"},
		{"start", `<time datetime="2026-03-14T09:26:53Z">2026-03-14T09:26:53Z</time>`},
		{"finish", `<time datetime="2026-03-14T09:27:05Z">2026-03-14T09:27:05Z</time> (12.345 s)`},
		{"fail count", `id="count-fail"><span class="n">2</span>fail</li>`},
		{"pass count", `id="count-pass"><span class="n">3</span>pass</li>`},
		{"total", `id="count-total"><span class="n">9</span>total</li>`},
		{"baseline note", "1 deviation is accepted by the baseline"},
		{"pass row", `<tr id="spec-CC-OK-01" class="spec" data-verdict="pass" data-level="MUST">`},
		{"fail row", `<tr id="spec-ERR-CODE-01" class="spec" data-verdict="fail" data-level="MUST">`},
		{"accepted row", `<tr id="spec-ERR-DESC-01" class="spec" data-verdict="fail" data-level="MUST" data-baseline="expected">`},
		{"stale row", `<tr id="spec-ERR-URI-01" class="spec" data-verdict="pass" data-level="MUST" data-baseline="stale">`},
		{"info row", `<tr id="spec-RESP-AT-02" class="spec" data-verdict="info" data-level="INFO">`},
		{"skip row", `<tr id="spec-META-01" class="spec" data-verdict="skip" data-level="MAY">`},
		{"section link", `<a href="https://www.rfc-editor.org/rfc/rfc6749#section-5.2" rel="noreferrer">RFC 6749 §5.2</a>`},
		{"appendix link", `<a href="https://www.rfc-editor.org/rfc/rfc6749#appendix-A.12" rel="noreferrer">RFC 6749 §A.12</a>`},
		{"8414 link", `<a href="https://www.rfc-editor.org/rfc/rfc8414#section-3.3" rel="noreferrer">RFC 8414 §3.3</a>`},
		{"OpenAPI, no link", "<td>OpenAPI token</td>"},
		{"expected", "<dt>Expected</dt><dd>&#34;error&#34;: &#34;invalid_client&#34; &amp; status 401</dd>"},
		{"actual", "<dt>Actual</dt><dd>&#34;error&#34;: &#34;invalid_request&#34; &lt;b&gt;&amp;amp;&lt;/b&gt; status 400 (réponse)</dd>"},
		{"stale advice", "now gets pass: delete the entry."},
		{"transcript summary", "<summary>Transcript (1 exchange) and curl reproducer</summary>"},
		{"curl", `<pre class="curl">curl -sS -X POST &#39;https:&#47;&#47;as.example.com/oauth2/token&#39;`},
		{"transcript", "&gt; POST https:&#47;&#47;as.example.com/oauth2/token\n&gt; Accept: application/json\n&gt; Authorization: Basic [REDACTED]"},
		{"response body", "&lt; {&#34;error&#34;:&#34;invalid_request&#34;,\n&lt;  &#34;error_description&#34;:&#34;Le paramètre &lt;scope&gt;"},
		{"notes", "<li>Tokens longer than 4096 characters break some proxies.</li>"},
		{"chart", `<svg class="chart" id="chart" viewBox="0 0 750 160" role="img"`},
		{"chart tooltip", "<title>RFC 6749 §5.2: 2 fail of 3</title>"},
		{"chart legend", `<text x="207" y="148">fail</text>`},
		{"shown count", `Showing <span id="shown-count">7</span> of 9 specs · what needs attention comes first; the passes start hidden`},
		{"dark mode", "@media (prefers-color-scheme: dark)"},
	}
	for _, c := range contains {
		if !strings.Contains(page, c.want) {
			t.Errorf("%s: page does not contain %q", c.what, c.want)
		}
	}
	for _, v := range Verdicts {
		checked := " checked" // every verdict shown but pass: the passes are folded
		if v == Pass {
			checked = ""
		}
		want := `<input type="checkbox" id="filter-verdict-` + string(v) + `" data-filter="verdict" value="` + string(v) + `"` + checked + `>`
		if !strings.Contains(page, want) {
			t.Errorf("no filter checkbox %q", want)
		}
	}
	for _, l := range []Level{Must, Should, May, Note} {
		want := `<input type="checkbox" id="filter-level-` + string(l) + `" data-filter="level" value="` + string(l) + `" checked>`
		if !strings.Contains(page, want) {
			t.Errorf("no filter checkbox %q", want)
		}
	}
	if got := strings.Count(page, `<tr id="spec-`); got != 9 {
		t.Errorf("%d spec rows, want 9", got)
	}
	if got := strings.Count(page, `<g class="bar">`); got != 5 {
		t.Errorf("%d chart bars, want one per section (5)", got)
	}
	if strings.ContainsRune(page, '\x01') {
		t.Errorf("page contains U+0001")
	}
	// Passing specs show no finding.
	start := strings.Index(page, `id="spec-CC-OK-01"`)
	row := page[start : start+strings.Index(page[start:], `</tr>`)]
	if strings.Contains(row, `<dl class="finding">`) {
		t.Errorf("passing spec CC-OK-01 shows a finding")
	}
}

var anyURL = regexp.MustCompile(`(?i)https?://`)

// TestHTMLSelfContained: the page must load nothing. The only URLs are
// links to rfc-editor.org, which a reader follows, not the page.
func TestHTMLSelfContained(t *testing.T) {
	page := string(render(t, WriteHTML, sampleRun()))
	for _, loc := range anyURL.FindAllStringIndex(page, -1) {
		before := page[max(0, loc[0]-6):loc[0]]
		rest := page[loc[0]:]
		if before != `href="` || !strings.HasPrefix(rest, "https://www.rfc-editor.org/rfc/rfc") {
			t.Errorf("URL outside an rfc-editor.org link: %q", page[max(0, loc[0]-20):min(len(page), loc[0]+60)])
		}
	}
	forbidden := []struct {
		why string
		re  string
	}{
		{"external script", `(?i)<script[^>]*\bsrc\s*=`},
		{"external stylesheet", `(?i)<link\b`},
		{"CSS import", `(?i)@import`},
		{"CSS url()", `(?i)url\s*\(`},
		{"image", `(?i)<img\b`},
		{"frame", `(?i)<i?frame\b`},
		{"fetch", `(?i)\bfetch\s*\(`},
		{"XMLHttpRequest", `XMLHttpRequest`},
		{"protocol-relative URL", `(?i)(src|href)\s*=\s*"//`},
	}
	for _, f := range forbidden {
		if m := regexp.MustCompile(f.re).FindString(page); m != "" {
			t.Errorf("%s: found %q", f.why, m)
		}
	}
}

// TestHTMLUnknownValues: a verdict or level this version does not know
// gets its own filter, so its rows can be shown at all.
func TestHTMLUnknownValues(t *testing.T) {
	run := &Run{Schema: SchemaV1, Specs: []SpecResult{{ID: "X-1", RFC: "6749", Section: "5.1", Level: "RECOMMENDED", Verdict: "flaky"}}}
	page := string(render(t, WriteHTML, run))
	for _, want := range []string{
		`id="filter-verdict-flaky"`,
		`id="filter-level-RECOMMENDED"`,
		`<tr id="spec-X-1" class="spec" data-verdict="flaky" data-level="RECOMMENDED">`,
		`id="outcome" data-outcome="INCOMPLETE"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not contain %q", want)
		}
	}
}

func TestInert(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://a.example/x?y=1&z=2", "https:&#47;&#47;a.example/x?y=1&amp;z=2"},
		{`<script>alert("x")</script>`, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"},
		{"ctl\x00\x01", "ctl"},
	}
	for _, tc := range tests {
		if got := string(inert(tc.in)); got != tc.want {
			t.Errorf("inert(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestHTMLOpensOnWhatNeedsAttention: the rows run failures (and the stale
// baseline entry), then warnings, then errors, then the rest in catalogue
// order; with nothing to attend to, nothing is folded.
func TestHTMLOpensOnWhatNeedsAttention(t *testing.T) {
	var b strings.Builder
	run := sampleRun()
	if err := WriteHTML(&b, run); err != nil {
		t.Fatal(err)
	}
	var ranks []int
	byID := map[string]SpecResult{}
	for _, s := range run.Specs {
		byID[s.ID] = s
	}
	for _, m := range regexp.MustCompile(`<tr id="spec-([^"]+)"`).FindAllStringSubmatch(b.String(), -1) {
		r := attention(byID[m[1]])
		if r < 0 {
			r = 3
		}
		ranks = append(ranks, r)
	}
	if !sort.IntsAreSorted(ranks) || ranks[0] != 0 {
		t.Errorf("row ranks %v: want failures first, then warnings, errors, the rest", ranks)
	}
	clean := &Run{Schema: SchemaV1, Specs: []SpecResult{{ID: "CC-OK-01", RFC: "6749", Section: "4.4", Level: Must, Verdict: Pass}}}
	b.Reset()
	if err := WriteHTML(&b, clean); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `value="pass" checked>`) || !strings.Contains(b.String(), `Showing <span id="shown-count">1</span> of 1 specs</p>`) {
		t.Errorf("a conformant run folds its passes")
	}
}

// TestHTMLPlan: a plan is one page: the matrix of variants on top, every
// variant's specs in one table with a variant column and filter, ids
// unique across variants, what needs attention first across them.
func TestHTMLPlan(t *testing.T) {
	a, b := sampleRun(), sampleRun()
	b.Specs = b.Specs[:1] // one passing spec
	var out strings.Builder
	if err := WriteHTMLPlan(&out, []NamedRun{{Name: "alpha", Run: a}, {Name: "beta", Run: b}}); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, w := range []string{"a plan of 2 variants", `data-outcome="NOT CONFORMANT"`, `<tr id="variant-alpha">`, `<tr id="variant-beta">`,
		`id="filter-variant-alpha" data-filter="variant" value="alpha" checked`, `id="spec-beta-` + b.Specs[0].ID + `"`, `data-variant="alpha"`} {
		if !strings.Contains(page, w) {
			t.Errorf("no %q", w)
		}
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if seen[m[1]] {
			t.Errorf("id %q twice", m[1])
		}
		seen[m[1]] = true
	}
	if got := strings.Count(page, `<tr id="spec-`); got != len(a.Specs)+len(b.Specs) {
		t.Errorf("%d spec rows, want %d", got, len(a.Specs)+len(b.Specs))
	}
	rows := regexp.MustCompile(`<tr id="spec-[^"]+" class="spec" data-verdict="(\w+)"`).FindAllStringSubmatch(page, -1)
	if len(rows) == 0 || rows[0][1] != "fail" || rows[len(rows)-1][1] == "fail" {
		t.Errorf("rows do not open on a failure: first %v", rows[0])
	}
}

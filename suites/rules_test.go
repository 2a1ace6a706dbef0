package suites

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/occheck/occheck/reports"
)

// keywordLevels maps each allowed Rule keyword to the levels a naive
// reading of it gives: MUST-words to MUST, SHOULD-words to SHOULD,
// permissions to MAY or INFO, and no keyword to INFO. A spec graded at
// another level must say why.
var keywordLevels = map[string][]reports.Level{
	"MUST":        {reports.Must},
	"MUST NOT":    {reports.Must},
	"REQUIRED":    {reports.Must},
	"SHOULD":      {reports.Should},
	"SHOULD NOT":  {reports.Should},
	"RECOMMENDED": {reports.Should},
	"MAY":         {reports.May, reports.Note},
	"OPTIONAL":    {reports.May, reports.Note},
	"none":        {reports.Note},
}

var bindsValues = []string{"server", "client", "both"}

func TestRulesCoverEverySpec(t *testing.T) {
	registered := map[string]bool{}
	for _, s := range allSpecs() {
		registered[s.ID] = true
		if _, ok := rules[s.ID]; !ok {
			t.Errorf("%s: no entry in rules (suites/rules.go)", s.ID)
		}
	}
	for id := range rules {
		if !registered[id] {
			t.Errorf("rules[%q] names no registered spec", id)
		}
	}
}

func TestRulesWellFormed(t *testing.T) {
	for _, s := range allSpecs() {
		r, ok := rules[s.ID]
		if !ok {
			continue // TestRulesCoverEverySpec reports it
		}
		levels, known := keywordLevels[r.Keyword]
		if !known {
			t.Errorf("%s: keyword %q is not a BCP 14 keyword nor \"none\"", s.ID, r.Keyword)
		}
		if !slices.Contains(bindsValues, r.Binds) {
			t.Errorf("%s: binds %q, want one of %v", s.ID, r.Binds, bindsValues)
		}
		if err := checkSentence(s, r.Sentence); err != "" {
			t.Errorf("%s: sentence %s: %q", s.ID, err, r.Sentence)
		}
		if r.Why != "" && !strings.HasSuffix(r.Why, ".") {
			t.Errorf("%s: Why is not a sentence: %q", s.ID, r.Why)
		}
		if known && !slices.Contains(levels, s.Level) && r.Why == "" {
			t.Errorf("%s: level %s differs from a naive reading of %s, and Why is empty", s.ID, s.Level, r.Keyword)
		}
		// A client's duty is never the server's MUST: a MUST-level spec
		// for a client-side rule may only grade "no token" at MUST.
		if r.Binds == "client" && s.Level == reports.Must &&
			!(strings.Contains(r.Why, "no token") && strings.Contains(r.Why, "MUST")) {
			t.Errorf("%s: a MUST-level spec for a rule that binds the client; Why must explain that only no token is graded at MUST: %q", s.ID, r.Why)
		}
	}
}

// checkSentence returns what is wrong with a rule's sentence, or "": it
// opens with the spec's document ("RFC 6749 ...", "OpenAPI ...") and
// names the spec's own section.
func checkSentence(s *Spec, sentence string) string {
	prefix := "RFC " + s.RFC + " "
	if s.RFC == "OpenAPI" {
		prefix = "OpenAPI "
	}
	switch {
	case !strings.HasPrefix(sentence, prefix):
		return "does not start with " + strings.TrimSpace(prefix)
	case !strings.HasSuffix(sentence, "."):
		return "is not a sentence"
	case !namesSection(sentence, s.Section):
		return "does not name §" + s.Section
	}
	return ""
}

// namesSection reports whether text cites section ("§4.4", or "Appendix
// A.4" for appendices) as a whole: "§4.4.3" does not name §4.4.
func namesSection(text, section string) bool {
	for _, mark := range []string{"§" + section, "Appendix " + section} {
		for rest := text; ; {
			i := strings.Index(rest, mark)
			if i < 0 {
				break
			}
			rest = rest[i+len(mark):]
			if rest == "" || !(isDigit(rest[0]) || rest[0] == '.' && len(rest) > 1 && isDigit(rest[1])) {
				return true
			}
		}
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func TestRulesNamesSection(t *testing.T) {
	for _, c := range []struct {
		text, section string
		want          bool
	}{
		{"RFC 6749 §4.4.2: x.", "4.4.2", true},
		{"RFC 6749 §4.4.3: x.", "4.4", false},
		{"RFC 6749 §4.4 and §5.2: x.", "4.4", true},
		{"RFC 6749 §4.4. x", "4.4", true},
		{"RFC 8414 §2: x.", "2", true},
		{"RFC 8414 §2.1: x.", "2", false},
		{"RFC 6749 Appendix B and §2.3.1: x.", "B", true},
		{"RFC 6749 Appendix A.12 with §5.1: x.", "A.1", false},
	} {
		if got := namesSection(c.text, c.section); got != c.want {
			t.Errorf("namesSection(%q, %q) = %v, want %v", c.text, c.section, got, c.want)
		}
	}
}

// Markers around the generated table in README.md.
const (
	gradingBegin = "<!-- grading-table:begin (generated from suites/rules.go: go test ./suites -run TestRulesGradingDoc -update) -->"
	gradingEnd   = "<!-- grading-table:end -->"
)

// gradingTable is the Markdown table of every spec whose Rule explains its
// level, in catalogue order.
func gradingTable() string {
	var b strings.Builder
	b.WriteString("| Spec | Level | Keyword and whose duty | The RFC sentence (paraphrase) | Why this level |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, s := range allSpecs() {
		r, ok := rules[s.ID]
		if !ok || r.Why == "" {
			continue
		}
		duty := r.Binds
		switch r.Binds {
		case "both":
			duty = "client and server"
		}
		fmt.Fprintf(&b, "| %s | %s | %s (%s) | %s | %s |\n", s.ID, s.Level, r.Keyword, duty, mdCell(r.Sentence), mdCell(r.Why))
	}
	return b.String()
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// TestRulesGradingDoc keeps the "How occheck grades" table in README.md
// equal to the rules; -update rewrites it (and nothing else in the file).
func TestRulesGradingDoc(t *testing.T) {
	path := filepath.Join("..", "README.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, gradingBegin), strings.Index(doc, gradingEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q ... %q section", path, gradingBegin, gradingEnd)
	}
	want := gradingTable()
	got := strings.TrimPrefix(doc[i+len(gradingBegin):j], "\n")
	if *update && got != want {
		doc = doc[:i+len(gradingBegin)] + "\n" + want + doc[j:]
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		got = want
	}
	if got != want {
		t.Errorf("the table in %s differs from suites/rules.go; run go test ./suites -run TestRulesGradingDoc -update", path)
	}
}

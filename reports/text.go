package reports

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Helpers shared by the JUnit, HTML and Markdown writers, so that the three
// name sections, quote findings and print transcripts identically.

// section is one RFC section of a run with its specs in run order.
type section struct {
	RFC, Section string
	Specs        []SpecResult
}

// sections groups specs by RFC section in order of first appearance. The
// catalogue already lists specs grouped, but grouping by key instead of by
// runs of neighbours keeps one section in one place even if a caller
// reorders specs.
func sections(specs []SpecResult) []section {
	var out []section
	index := map[[2]string]int{}
	for _, s := range specs {
		k := [2]string{s.RFC, s.Section}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, section{RFC: s.RFC, Section: s.Section})
		}
		out[i].Specs = append(out[i].Specs, s)
	}
	return out
}

// isRFCNumber tells an RFC number from the name of another source, such
// as "OpenAPI" for contract checks.
func isRFCNumber(rfc string) bool {
	if rfc == "" {
		return false
	}
	for i := 0; i < len(rfc); i++ {
		if rfc[i] < '0' || rfc[i] > '9' {
			return false
		}
	}
	return true
}

// SectionName is the human name of a section: "RFC 6749 §5.2", or
// "OpenAPI token" for sources that are not RFCs.
func SectionName(rfc, sec string) string {
	if isRFCNumber(rfc) {
		return "RFC " + rfc + " §" + sec
	}
	return strings.TrimSpace(rfc + " " + sec)
}

// RFCLink links a section on rfc-editor.org, which names appendices
// "appendix-A.12" and numbered sections "section-5.2". It is empty for
// sources that are not RFCs; a section that is not a plain section number
// links the whole RFC rather than a fragment that does not exist.
func RFCLink(rfc, sec string) string {
	if !isRFCNumber(rfc) {
		return ""
	}
	u := "https://www.rfc-editor.org/rfc/rfc" + rfc
	if sec == "" || strings.Trim(sec, "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return u
	}
	if sec[0] >= 'A' && sec[0] <= 'Z' {
		return u + "#appendix-" + sec
	}
	return u + "#section-" + sec
}

// classname builds the JUnit classname of a section. Jenkins splits a
// classname at its last dot into package and class, so the dots of a
// section number must not survive: RFC sections become "rfc6749.s5_2" and
// "rfc6749.sA_12" (package per RFC, class per section, "s" because a class
// name may not start with a digit), other sources "openapi.token".
func classname(rfc, sec string) string {
	pkg := "rfc" + rfc
	if !isRFCNumber(rfc) {
		pkg = strings.ToLower(identifier(rfc))
	}
	cls := identifier(sec)
	if isRFCNumber(rfc) || cls == "" || (cls[0] >= '0' && cls[0] <= '9') {
		cls = "s" + cls
	}
	if pkg == "" {
		pkg = "unknown"
	}
	return pkg + "." + cls
}

// identifier keeps ASCII letters, digits and underscores and turns every
// other character into an underscore.
func identifier(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// clean removes what XML 1.0 cannot carry (control characters other than
// tab, newline and carriage return; U+FFFE and U+FFFF) and replaces bytes
// that are not UTF-8. Server responses may contain anything, and one stray
// byte must not make a whole report unreadable.
func clean(s string) string {
	ok := true
	for i, r := range s {
		if !xmlChar(r) || (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			b.WriteRune(utf8.RuneError)
		case xmlChar(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func xmlChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return true
	case r < 0x20:
		return false
	case r == 0xFFFE, r == 0xFFFF:
		return false
	}
	return true
}

// oneLine collapses s to a single line of at most limit runes, for places
// that cannot hold a paragraph: attributes, table cells, titles.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(clean(s)), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:limit-1])) + "…"
}

// summary is the one-line statement of a finding: what is required and,
// when known, what happened instead.
func summary(s SpecResult) string {
	req := s.Message.Requirement
	if req == "" {
		req = s.Title
	}
	got := s.Message.Actual
	if got == "" {
		got = s.Message.Detail
	}
	if got == "" {
		return oneLine(req, 300)
	}
	return oneLine(req+" Actual: "+got, 300)
}

// findingText is the full statement of a finding, one labelled line per
// part, ending with the command that reproduces it.
func findingText(s SpecResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %s)\n", s.ID, SectionName(s.RFC, s.Section), s.Level)
	line := func(label, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-12s %s\n", label+":", indentTail(v, 13))
		}
	}
	line("requirement", s.Message.Requirement)
	line("expected", s.Message.Expected)
	line("actual", s.Message.Actual)
	line("detail", s.Message.Detail)
	line("reproduce", s.Curl)
	return clean(b.String())
}

// indentTail indents every line of v but the first, so multi-line values
// stay under their label.
func indentTail(v string, n int) string {
	v = strings.TrimRight(v, "\n")
	return strings.ReplaceAll(v, "\n", "\n"+strings.Repeat(" ", n))
}

// transcript prints the exchanges of a spec the way curl -v does: request
// lines start with "> ", response lines with "< ". Header names are sorted
// because they come from a map.
func transcript(s SpecResult) string {
	var b strings.Builder
	for i, ex := range s.Exchanges {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "* exchange %d of %d, %s\n", i+1, len(s.Exchanges), millis(ex.Duration))
		b.WriteString(ExchangeText(ex, false))
	}
	return clean(b.String())
}

// ExchangeText prints one redacted exchange the way curl -v does, as the
// reports and the console show it: "> " request lines, "< " response lines,
// "* " notes. Compact (the console) leaves out the headers every exchange
// has (Date, Content-Length, User-Agent, Accept-Encoding) and clips each
// body to one line of 400 characters.
func ExchangeText(ex Exchange, compact bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", ex.Method, ex.URL)
	if ex.ClientCert != "" {
		fmt.Fprintf(&b, "* TLS client certificate: %s\n", ex.ClientCert)
	}
	body := func(prefix, v string) {
		if compact {
			if v = strings.ReplaceAll(strings.TrimSpace(v), "\n", " "); v != "" {
				if len(v) > 400 {
					v = v[:400] + "..."
				}
				fmt.Fprintf(&b, "%s%s\n", prefix, v)
			}
			return
		}
		writeBody(&b, prefix, v)
	}
	headers := func(prefix string, h map[string][]string) {
		if !compact {
			writeHeaders(&b, prefix, h)
			return
		}
		quiet := map[string][]string{}
		for k, v := range h {
			if k != "Date" && k != "Content-Length" && k != "User-Agent" && k != "Accept-Encoding" {
				quiet[k] = v
			}
		}
		writeHeaders(&b, prefix, quiet)
	}
	headers("> ", ex.RequestHeaders)
	body("> ", ex.RequestBody)
	if ex.Error != "" {
		fmt.Fprintf(&b, "* error: %s\n", ex.Error)
	}
	if ex.Status != 0 {
		fmt.Fprintf(&b, "< %d %s\n", ex.Status, http.StatusText(ex.Status))
		headers("< ", ex.ResponseHeaders)
		body("< ", ex.ResponseBody)
	}
	if ex.Truncated {
		b.WriteString("* body truncated in the record\n")
	}
	return b.String()
}

func writeHeaders(b *strings.Builder, prefix string, h map[string][]string) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

func writeBody(b *strings.Builder, prefix, body string) {
	if body == "" {
		return
	}
	b.WriteString(strings.TrimRight(prefix, " ") + "\n")
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		b.WriteString(strings.TrimRight(prefix+l, " ") + "\n")
	}
}

// millis prints a duration as the JSON report stores it.
func millis(d Duration) string {
	return strconv.FormatInt(time.Duration(d).Milliseconds(), 10) + " ms"
}

// seconds prints a duration as JUnit wants it: decimal seconds.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// timestamp prints an instant in ISO 8601, in UTC so that a report does not
// depend on the zone of the machine that wrote it.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

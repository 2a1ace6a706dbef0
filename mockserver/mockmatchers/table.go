package mockmatchers

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/onsi/gomega/format"

	"github.com/occheck/occheck/mockserver"
)

// Bounds that keep a failure message readable when the journal is long.
const (
	maxRows      = 50  // the most recent requests shown
	maxReasonLen = 160 // runes of a refusal's reason shown
)

// journalTable renders the journal, one request a line, oldest first,
// marking with * the requests a matcher counted.
func journalTable(entries []mockserver.RecordedRequest, counted []bool) string {
	if len(entries) == 0 {
		return "The journal is empty: the server has received no requests."
	}
	var b strings.Builder
	noun := "requests"
	if len(entries) == 1 {
		noun = "request"
	}
	fmt.Fprintf(&b, "The journal holds %d %s (* marks those counted):\n", len(entries), noun)
	first := 0
	if len(entries) > maxRows {
		first = len(entries) - maxRows
		fmt.Fprintf(&b, "%s(%d earlier requests not shown)\n", format.Indent, first)
	}
	var t strings.Builder
	tw := tabwriter.NewWriter(&t, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tENDPOINT\tMETHOD\tCLIENT\tAUTH\tGRANT\tSCOPE\tSTATUS\tERROR\tREASON")
	marks := []string{"  "}
	for i := first; i < len(entries); i++ {
		r := &entries[i]
		if counted[i] {
			marks = append(marks, "* ")
		} else {
			marks = append(marks, "  ")
		}
		fmt.Fprintln(tw, strings.Join([]string{
			r.Time.Format("15:04:05.000"),
			cell(r.Endpoint),
			cell(r.Method),
			clientCell(r),
			cell(r.AuthMethod),
			cell(r.GrantType),
			cell(r.Scope),
			statusCell(r.Status),
			cell(r.Error),
			reasonCell(r),
		}, "\t"))
	}
	_ = tw.Flush()
	lines := strings.Split(strings.TrimRight(t.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = format.Indent + marks[i] + strings.TrimRight(l, " ")
	}
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}

// cell shows a value on one line: "-" for none, quoted when it holds
// characters that would break the table.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}

// clientCell is the authenticated client, or the client the request named
// when it did not authenticate.
func clientCell(r *mockserver.RecordedRequest) string {
	switch {
	case r.ClientID != "":
		return cell(r.ClientID)
	case r.Claimed != "":
		return cell(r.Claimed) + " (unauthenticated)"
	}
	return "-"
}

func statusCell(status int) string {
	if status == 0 {
		return "dropped"
	}
	return strconv.Itoa(status)
}

// reasonCell is why a request was refused, and the fault injected into it.
func reasonCell(r *mockserver.RecordedRequest) string {
	s := r.Reason
	if r.Fault != "" {
		s = strings.TrimSpace("[fault " + r.Fault + "] " + s)
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxReasonLen {
		s = string([]rune(s)[:maxReasonLen-1]) + "…"
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		s = strconv.Quote(s)
	}
	return s
}

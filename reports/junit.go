package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// The JUnit XML subset written here is described by testdata/junit.xsd and
// is what Jenkins, GitLab and the GitHub test reporters read: one testsuite
// per RFC section, one testcase per spec.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`

	total time.Duration
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText is element content written as CDATA: transcripts and JSON
// bodies stay readable in the raw file instead of turning every quote and
// newline into a character reference. encoding/xml splits any "]]>" in the
// text, and clean has removed what XML cannot carry.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Failure types other than a requirement level.
const (
	junitStale = "stale-baseline"
	junitError = "error"
)

// WriteJUnit writes JUnit XML with one testsuite per RFC section, in the
// order of run.Specs. Only failures that fail the run (see Outcome) are
// failure elements, so a CI server's red/green matches occheck's exit code;
// warnings and accepted deviations stay visible in system-out.
func WriteJUnit(w io.Writer, run *Run) error {
	doc := junitSuites{Name: "occheck"}
	doc.add(run, "")
	return doc.write(w)
}

// WriteJUnitPlan writes the runs of a test plan as one JUnit document: the
// testsuites of each variant, named "variant: RFC 6749 §5.2", their
// classnames prefixed with the variant ("basic.rfc6749.s5_2").
func WriteJUnitPlan(w io.Writer, runs []NamedRun) error {
	doc := junitSuites{Name: "occheck plan"}
	for _, r := range runs {
		if r.Run == nil { // could not be set up: one erroring case says why
			doc.Suites = append(doc.Suites, junitSuite{Name: clean(r.Name + ": set-up"), Tests: 1, Errors: 1, Time: seconds(0),
				Cases: []junitCase{{Name: clean(r.Name + ": the variant could not run"), Classname: r.Name + ".setup", Time: seconds(0),
					Error: &junitProblem{Message: clean(r.Error), Type: junitError, Body: clean(r.Error)}}}})
			doc.Tests++
			doc.Errors++
			continue
		}
		doc.add(r.Run, r.Name)
	}
	return doc.write(w)
}

// add appends a run's testsuites, one per RFC section, named after the
// variant when there is one.
func (doc *junitSuites) add(run *Run, variant string) {
	var total time.Duration
	for _, sec := range sections(run.Specs) {
		suite := junitSuite{
			Name:      clean(SectionName(sec.RFC, sec.Section)),
			Timestamp: timestamp(run.Start),
		}
		if variant != "" {
			suite.Name = clean(variant + ": " + suite.Name)
		}
		var d time.Duration
		for _, s := range sec.Specs {
			c := junitCaseOf(run, s)
			if variant != "" {
				c.Classname = variant + "." + c.Classname
			}
			suite.Tests++
			switch {
			case c.Failure != nil:
				suite.Failures++
			case c.Error != nil:
				suite.Errors++
			case c.Skipped != nil:
				suite.Skipped++
			}
			d += time.Duration(s.Duration)
			suite.Cases = append(suite.Cases, c)
		}
		suite.Time = seconds(d)
		total += d
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
		doc.Skipped += suite.Skipped
		doc.Suites = append(doc.Suites, suite)
	}
	// The wall time of the run, when known, is what a CI server should show
	// for the whole report; the sum of spec times misses setup.
	if wall := run.Finish.Sub(run.Start); wall > 0 {
		total = wall
	}
	doc.total += total
	doc.Time = seconds(doc.total)
}

func (doc *junitSuites) write(w io.Writer) error {
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	out = append(out, '\n')
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	return nil
}

// junitCaseOf maps one spec to a testcase. The baseline is looked at
// first: an accepted deviation passes whatever its verdict, a stale entry
// fails whatever its verdict, as in Outcome.
func junitCaseOf(run *Run, s SpecResult) junitCase {
	c := junitCase{
		Name:      clean(s.ID + ": " + s.Title),
		Classname: classname(s.RFC, s.Section),
		Time:      seconds(time.Duration(s.Duration)),
	}
	var out strings.Builder
	switch {
	case s.Baseline == BaselineStale:
		c.Failure = &junitProblem{
			Message: "stale baseline entry: " + s.ID + " is listed as a known deviation but got " + string(s.Verdict) + "; delete the entry",
			Type:    junitStale,
			Body:    findingText(s),
		}
	case s.Baseline == BaselineExpected:
		if s.Verdict == Warn {
			fmt.Fprintf(&out, "WARNING: %s\n", summary(s))
		}
		fmt.Fprintf(&out, "BASELINE: expected deviation (%s, accepted by the baseline)\n%s", s.Verdict, findingText(s))
	case s.Verdict == Fail:
		c.Failure = &junitProblem{Message: summary(s), Type: failureType(s.Level), Body: findingText(s)}
	case s.Verdict == Error:
		c.Error = &junitProblem{Message: summary(s), Type: junitError, Body: findingText(s)}
	case s.Verdict == Skip:
		reason := oneLine(s.Message.Detail, 300)
		if reason == "" {
			reason = oneLine(s.Message.Actual, 300)
		}
		if reason == "" {
			reason = "skipped"
		}
		c.Skipped = &junitSkipped{Message: reason}
	case s.Verdict == Warn:
		fmt.Fprintf(&out, "WARNING: %s\n", summary(s))
		if run.Strict {
			c.Failure = &junitProblem{Message: summary(s), Type: string(Should), Body: findingText(s)}
		} else {
			out.WriteString(findingText(s))
		}
	case s.Verdict == Info:
		if s.Message.Actual != "" || s.Message.Detail != "" {
			fmt.Fprintf(&out, "INFO: %s\n", summary(s))
		}
	case s.Verdict == Pass:
	default:
		// A verdict this version does not know cannot be called a pass.
		c.Error = &junitProblem{Message: fmt.Sprintf("unknown verdict %q", s.Verdict), Type: junitError, Body: findingText(s)}
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&out, "NOTE: %s\n", indentTail(n, 6))
	}
	if tr := transcript(s); tr != "" {
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(tr)
	}
	if s.Curl != "" {
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		fmt.Fprintf(&out, "curl: %s\n", s.Curl)
	}
	if out.Len() > 0 {
		c.SystemOut = &junitText{clean(out.String())}
	}
	if c.Failure != nil {
		c.Failure.Message = oneLine(c.Failure.Message, 300)
	}
	if c.Error != nil {
		c.Error.Message = oneLine(c.Error.Message, 300)
	}
	return c
}

// failureType is the requirement level a failure broke. A level this
// version does not know is reported as MUST, which is what a fail means,
// so that the type stays within the set CI dashboards group by.
func failureType(l Level) string {
	switch l {
	case Must, Should, May, Note:
		return string(l)
	}
	return string(Must)
}

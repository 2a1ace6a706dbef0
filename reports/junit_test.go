package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"
)

// TestJUnitParsed reads the report back with an independent parser, the
// way a CI server would, and checks what it sees.
func TestJUnitParsed(t *testing.T) {
	out := render(t, WriteJUnit, sampleRun())
	suites, err := junit.Ingest(out)
	if err != nil {
		t.Fatalf("go-junit cannot read the report: %v", err)
	}

	wantSuites := []struct {
		name                                    string
		tests, passed, failed, errored, skipped int
	}{
		{"RFC 6749 §2.3.1", 2, 2, 0, 0, 0},
		{"RFC 6749 §5.2", 3, 1, 2, 0, 0},
		{"RFC 6749 §A.12", 2, 1, 0, 1, 0},
		{"RFC 8414 §3.3", 1, 0, 0, 0, 1},
		{"OpenAPI token", 1, 1, 0, 0, 0},
	}
	if len(suites) != len(wantSuites) {
		t.Fatalf("got %d suites, want %d", len(suites), len(wantSuites))
	}
	for i, w := range wantSuites {
		s := suites[i]
		if s.Name != w.name {
			t.Errorf("suite %d: name %q, want %q", i, s.Name, w.name)
		}
		tot := s.Totals
		if tot.Tests != w.tests || tot.Passed != w.passed || tot.Failed != w.failed || tot.Error != w.errored || tot.Skipped != w.skipped {
			t.Errorf("suite %q: got tests/passed/failed/error/skipped %d/%d/%d/%d/%d, want %d/%d/%d/%d/%d",
				s.Name, tot.Tests, tot.Passed, tot.Failed, tot.Error, tot.Skipped, w.tests, w.passed, w.failed, w.errored, w.skipped)
		}
		for _, attr := range []string{"tests", "failures", "errors", "skipped", "time", "timestamp"} {
			if _, ok := s.Properties[attr]; !ok {
				t.Errorf("suite %q has no %s attribute", s.Name, attr)
			}
		}
		if got := s.Properties["timestamp"]; got != "2026-03-14T09:26:53Z" {
			t.Errorf("suite %q: timestamp %q, want 2026-03-14T09:26:53Z", s.Name, got)
		}
	}

	tests := map[string]junit.Test{}
	for _, s := range suites {
		for _, c := range s.Tests {
			tests[strings.SplitN(c.Name, ":", 2)[0]] = c
		}
	}
	cases := []struct {
		id        string
		name      string
		classname string
		status    junit.Status
		errType   string
		message   string // substring of the failure, error or skipped message
		out       []string
		seconds   float64
	}{
		{id: "CC-OK-01", name: "CC-OK-01: A confidential client authenticates with HTTP Basic and gets a token.",
			classname: "rfc6749.s2_3_1", status: junit.StatusPassed, seconds: 0.021,
			out: []string{"> POST https://as.example.com/oauth2/token", "> Authorization: Basic [REDACTED]", "< 200 OK", "curl: curl -sS -X POST"}},
		{id: "AUTH-BASIC-02", classname: "rfc6749.s2_3_1", status: junit.StatusPassed,
			out: []string{"WARNING: The server SHOULD NOT accept", "actual:      200 with a token | body credentials accepted\n             second line: café"}},
		{id: "ERR-CODE-01", name: `ERR-CODE-01: Bad client credentials get "invalid_client".`,
			classname: "rfc6749.s5_2", status: junit.StatusFailed, errType: "MUST",
			message: `"invalid_client" when client authentication fails. Actual: "error": "invalid_request" <b>&amp;</b> status 400 (réponse)`,
			out:     []string{"< 400 Bad Request", "< Set-Cookie: lb=a1; Path=/\n< Set-Cookie: sid=[REDACTED]; HttpOnly", `\"refusé\"`}},
		{id: "ERR-DESC-01", classname: "rfc6749.s5_2", status: junit.StatusPassed,
			out: []string{"BASELINE: expected deviation", `actual:      error_description contains "è" (U+00E8)`}},
		{id: "ERR-URI-01", classname: "rfc6749.s5_2", status: junit.StatusFailed, errType: "stale-baseline",
			message: "stale baseline entry: ERR-URI-01"},
		{id: "RESP-AT-01", classname: "rfc6749.sA_12", status: junit.StatusError, errType: "error",
			message: "connection reset by peer", out: []string{"* error: connection reset by peer"}, seconds: 5},
		{id: "RESP-AT-02", classname: "rfc6749.sA_12", status: junit.StatusPassed,
			out: []string{"INFO: Access token length. Actual: 1187 characters (a JWT)", "NOTE: Tokens longer than 4096", "* body truncated in the record"}},
		{id: "META-01", classname: "rfc8414.s3_3", status: junit.StatusSkipped, message: "no metadata URL configured"},
		{id: "OAS-TOKEN-200", classname: "openapi.token", status: junit.StatusPassed},
	}
	if len(tests) != len(cases) {
		t.Errorf("got %d testcases, want %d", len(tests), len(cases))
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			got, ok := tests[c.id]
			if !ok {
				t.Fatalf("no testcase for %s", c.id)
			}
			if c.name != "" && got.Name != c.name {
				t.Errorf("name %q, want %q", got.Name, c.name)
			}
			if got.Classname != c.classname {
				t.Errorf("classname %q, want %q", got.Classname, c.classname)
			}
			if got.Status != c.status {
				t.Errorf("status %q, want %q", got.Status, c.status)
			}
			if c.errType != "" {
				if got.Error == nil {
					t.Fatalf("no failure or error element")
				}
				if e := got.Error.(junit.Error); e.Type != c.errType {
					t.Errorf("type %q, want %q", e.Type, c.errType)
				}
			}
			if !strings.Contains(got.Message, c.message) {
				t.Errorf("message %q does not contain %q", got.Message, c.message)
			}
			if strings.ContainsAny(got.Message, "\n\r") {
				t.Errorf("message %q is not one line", got.Message)
			}
			for _, o := range c.out {
				if !strings.Contains(got.SystemOut, o) {
					t.Errorf("system-out does not contain %q:\n%s", o, got.SystemOut)
				}
			}
			if c.seconds != 0 && got.Duration.Seconds() != c.seconds {
				t.Errorf("time %v s, want %v s", got.Duration.Seconds(), c.seconds)
			}
		})
	}

	fail := tests["ERR-CODE-01"].Error.(junit.Error).Body
	for _, want := range []string{"requirement: The \"error\" member MUST", "expected:    \"error\": \"invalid_client\" & status 401", "detail:      error_description", "reproduce:   curl -sS"} {
		if !strings.Contains(fail, want) {
			t.Errorf("failure body does not contain %q:\n%s", want, fail)
		}
	}
}

// TestJUnitStrict: under strict grading a warning fails, but an accepted
// deviation still passes.
func TestJUnitStrict(t *testing.T) {
	run := sampleRun()
	run.Strict = true
	warnExpected := run.Specs[1]
	warnExpected.ID, warnExpected.Baseline = "AUTH-BASIC-03", BaselineExpected
	run.Specs = append(run.Specs[:2], append([]SpecResult{warnExpected}, run.Specs[2:]...)...)

	suites, err := junit.Ingest(render(t, WriteJUnit, run))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]junit.Test{}
	for _, c := range suites[0].Tests {
		got[strings.SplitN(c.Name, ":", 2)[0]] = c
	}
	tests := []struct {
		id      string
		status  junit.Status
		errType string
	}{
		{"AUTH-BASIC-02", junit.StatusFailed, "SHOULD"},
		{"AUTH-BASIC-03", junit.StatusPassed, ""},
	}
	for _, tc := range tests {
		c := got[tc.id]
		if c.Status != tc.status {
			t.Errorf("%s: status %q, want %q", tc.id, c.Status, tc.status)
		}
		if tc.errType != "" && (c.Error == nil || c.Error.(junit.Error).Type != tc.errType) {
			t.Errorf("%s: error %v, want type %q", tc.id, c.Error, tc.errType)
		}
		if !strings.Contains(c.SystemOut, "WARNING: ") {
			t.Errorf("%s: system-out has no WARNING line:\n%s", tc.id, c.SystemOut)
		}
	}
}

// TestJUnitTotals checks the testsuites element, which go-junit skips.
func TestJUnitTotals(t *testing.T) {
	out := render(t, WriteJUnit, sampleRun())
	if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration: %.60s", out)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Name     string   `xml:"name,attr"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Errors   int      `xml:"errors,attr"`
		Skipped  int      `xml:"skipped,attr"`
		Time     string   `xml:"time,attr"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	type totals struct {
		Name                             string
		Tests, Failures, Errors, Skipped int
		Time                             string
	}
	got := totals{doc.Name, doc.Tests, doc.Failures, doc.Errors, doc.Skipped, doc.Time}
	want := totals{"occheck", 9, 2, 1, 1, "12.345"}
	if got != want {
		t.Errorf("testsuites: got %+v, want %+v", got, want)
	}
}

// TestJUnitText checks that text XML cannot carry is gone and the rest
// survives, including a CDATA terminator inside a body.
func TestJUnitText(t *testing.T) {
	out := string(render(t, WriteJUnit, sampleRun()))
	if strings.ContainsRune(out, '\x01') {
		t.Errorf("output contains U+0001, which XML 1.0 forbids")
	}
	for _, want := range []string{
		"réponse",
		`message="The &#34;error&#34; member MUST be &#34;invalid_client&#34;`,
		"&lt;b&gt;&amp;amp;&lt;/b&gt; status 400 (réponse)\" type=\"MUST\">",
		"Le paramètre <scope> est invalide & \\\"refusé\\\"\"}",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not contain %q", want)
		}
	}

	tricky := "end ]]> of <![CDATA[ & \"quoted\" \x02\r\n<tag/>"
	run := &Run{Schema: SchemaV1, Specs: []SpecResult{{
		ID: "T-1", RFC: "6749", Section: "5.2", Level: Must, Title: "t <1>", Verdict: Fail,
		Message: Message{Requirement: "r", Actual: tricky},
		Notes:   []string{tricky},
	}}}
	var doc struct {
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(render(t, WriteJUnit, run), &doc); err != nil {
		t.Fatalf("output is not XML: %v", err)
	}
	if len(doc.Cases) != 1 {
		t.Fatalf("got %d testcases, want 1", len(doc.Cases))
	}
	c := doc.Cases[0]
	// XML parsers turn CR LF into LF; only the control character is lost.
	want := "end ]]> of <![CDATA[ & \"quoted\" \n<tag/>"
	if got := c.Name; got != "T-1: t <1>" {
		t.Errorf("name %q, want %q", got, "T-1: t <1>")
	}
	if !strings.Contains(c.Failure.Body, "actual:      "+strings.ReplaceAll(want, "\n", "\n             ")) {
		t.Errorf("failure body %q does not contain %q", c.Failure.Body, want)
	}
	if !strings.Contains(c.SystemOut, "NOTE: "+strings.ReplaceAll(want, "\n", "\n      ")) {
		t.Errorf("system-out %q does not contain the note", c.SystemOut)
	}
	if got, wantMsg := c.Failure.Message, `r Actual: end ]]> of <![CDATA[ & "quoted" <tag/>`; got != wantMsg {
		t.Errorf("message %q, want %q", got, wantMsg)
	}
}

// TestJUnitSchema validates against testdata/junit.xsd with xmllint,
// which CI installs (Debian: libxml2-utils).
func TestJUnitSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not on PATH: install libxml2-utils to validate JUnit output against testdata/junit.xsd")
	}
	strict := sampleRun()
	strict.Strict = true
	unknown := sampleRun()
	unknown.Specs[0].Verdict = "maybe"
	unknown.Specs[2].Level = "RECOMMENDED"
	runs := []struct {
		name string
		run  *Run
	}{
		{"sample", sampleRun()},
		{"strict", strict},
		{"unknown verdict", unknown},
		{"empty", &Run{Schema: SchemaV1}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "junit.xml")
			if err := os.WriteFile(path, render(t, WriteJUnit, r.run), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), path).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint: %v\n%s", err, out)
			}
		})
	}
}

func TestClassname(t *testing.T) {
	tests := []struct {
		rfc, section, want string
	}{
		{"6749", "5.2", "rfc6749.s5_2"},
		{"6749", "2.3.1", "rfc6749.s2_3_1"},
		{"6749", "A.12", "rfc6749.sA_12"},
		{"8414", "3.3", "rfc8414.s3_3"},
		{"OpenAPI", "token", "openapi.token"},
		{"OpenAPI", "1st", "openapi.s1st"},
		{"OpenAPI", "", "openapi.s"},
		{"", "x.y", "unknown.x_y"},
	}
	for _, tc := range tests {
		if got := classname(tc.rfc, tc.section); got != tc.want {
			t.Errorf("classname(%q, %q) = %q, want %q", tc.rfc, tc.section, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"plain", "plain"},
		{"a\x01b\x1fc", "abc"},
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
		{"é\uFFFD", "é\uFFFD"},
		{"bad\xffbyte", "bad\uFFFDbyte"},
		{"\uFFFEx\uFFFF", "x"},
	}
	for _, tc := range tests {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFailureType(t *testing.T) {
	tests := []struct {
		level Level
		want  string
	}{
		{Must, "MUST"}, {Should, "SHOULD"}, {May, "MAY"}, {Note, "INFO"}, {"RECOMMENDED", "MUST"}, {"", "MUST"},
	}
	for _, tc := range tests {
		if got := failureType(tc.level); got != tc.want {
			t.Errorf("failureType(%q) = %q, want %q", tc.level, got, tc.want)
		}
	}
}

// Package reports is occheck's neutral result model and its writers. It
// knows nothing of Ginkgo or HTTP clients: the suite fills a Run, the
// writers turn it into files, and every secret was removed before the data
// got here.
package reports

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// SchemaV1 names the version of the JSON report format.
const SchemaV1 = "occheck.report/v1"

// Verdict is the outcome of one spec.
type Verdict string

// The verdicts. Fail is a broken MUST; Warn a broken SHOULD (a failure
// under strict grading); Info an observation; Error trouble in transport or
// the harness, kept apart from conformance.
const (
	Pass  Verdict = "pass"
	Fail  Verdict = "fail"
	Warn  Verdict = "warn"
	Info  Verdict = "info"
	Skip  Verdict = "skip"
	Error Verdict = "error"
)

// Verdicts lists every verdict in reporting order.
var Verdicts = []Verdict{Fail, Error, Warn, Info, Skip, Pass}

// Level is the requirement level of a spec (RFC 2119).
type Level string

// The levels. Info specs record observations and never fail.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
	May    Level = "MAY"
	Note   Level = "INFO"
)

// Run is one conformance run.
type Run struct {
	Schema           string       `json:"schema"`
	Tool             string       `json:"tool"`
	Version          string       `json:"version"`
	CatalogueVersion string       `json:"catalogue_version"`
	Target           Target       `json:"target"`
	Strict           bool         `json:"strict"`
	Start            time.Time    `json:"start"`
	Finish           time.Time    `json:"finish"`
	ConfigHash       string       `json:"config_hash,omitempty"`
	Specs            []SpecResult `json:"specs"`
}

// Target describes what was checked, with no secret in it.
type Target struct {
	TokenURL    string   `json:"token_url"`
	MetadataURL string   `json:"metadata_url,omitempty"`
	ClientID    string   `json:"client_id"`
	AuthMethods []string `json:"auth_methods"`
	// BaselineRequest says which client authentication method the
	// baseline request (CC-OK-01) used and why.
	BaselineRequest string   `json:"baseline_request,omitempty"`
	Profiles        []string `json:"profiles,omitempty"`
}

// SpecResult is the outcome of one spec.
type SpecResult struct {
	ID        string     `json:"id"`
	RFC       string     `json:"rfc"`
	Section   string     `json:"section"`
	Level     Level      `json:"level"`
	Title     string     `json:"title"`
	Labels    []string   `json:"labels,omitempty"`
	Verdict   Verdict    `json:"verdict"`
	Duration  Duration   `json:"duration_ms"`
	Message   Message    `json:"message"`
	Notes     []string   `json:"notes,omitempty"`
	Exchanges []Exchange `json:"exchanges,omitempty"`
	Curl      string     `json:"curl,omitempty"`
	Baseline  string     `json:"baseline,omitempty"`
}

// Message says what the RFC requires and what happened.
type Message struct {
	Requirement string `json:"requirement"`
	Expected    string `json:"expected,omitempty"`
	Actual      string `json:"actual,omitempty"`
	Detail      string `json:"detail,omitempty"`
}

// Exchange is one HTTP request and its response, redacted.
type Exchange struct {
	Method         string              `json:"method"`
	URL            string              `json:"url"`
	RequestHeaders map[string][]string `json:"request_headers,omitempty"`
	RequestBody    string              `json:"request_body,omitempty"`
	// ClientCert describes the TLS client certificate the request
	// presented (subject and x5t#S256), "" for none.
	ClientCert      string              `json:"client_certificate,omitempty"`
	Status          int                 `json:"status,omitempty"`
	ResponseHeaders map[string][]string `json:"response_headers,omitempty"`
	ResponseBody    string              `json:"response_body,omitempty"`
	Truncated       bool                `json:"truncated,omitempty"`
	Duration        Duration            `json:"duration_ms"`
	Error           string              `json:"error,omitempty"`
}

// Duration marshals as whole milliseconds.
type Duration time.Duration

// MarshalJSON writes milliseconds as a number.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, time.Duration(d).Milliseconds(), 10), nil
}

// UnmarshalJSON reads milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// Counts returns how many specs got each verdict.
func (r *Run) Counts() map[Verdict]int {
	c := map[Verdict]int{}
	for _, s := range r.Specs {
		c[s.Verdict]++
	}
	return c
}

// SortSpecs orders specs by section, then ID, for stable reports.
func (r *Run) SortSpecs() {
	sort.SliceStable(r.Specs, func(i, j int) bool {
		a, b := r.Specs[i], r.Specs[j]
		if a.RFC != b.RFC {
			return a.RFC < b.RFC
		}
		if a.Section != b.Section {
			return SectionLess(a.Section, b.Section)
		}
		return a.ID < b.ID
	})
}

// SectionLess compares section numbers numerically ("3.2" < "3.10"),
// appendices ("A.12") after numbered sections.
func SectionLess(a, b string) bool {
	pa, pb := splitSection(a), splitSection(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

func splitSection(s string) []int {
	var out []int
	n, have := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n, have = n*10+int(c-'0'), true
		case c == '.':
			out = append(out, n)
			n, have = 0, false
		case c >= 'A' && c <= 'Z':
			n, have = 1000+int(c-'A'), true
		}
	}
	if have {
		out = append(out, n)
	}
	return out
}

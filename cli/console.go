package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
)

// colorOn: colour only on a terminal, never with NO_COLOR or --no-color.
func colorOn(noColor bool, getenv func(string) string) bool {
	if noColor || getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	fi, err := os.Stdout.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// console writes the human verdict.
type console struct {
	w     io.Writer
	color bool
}

func newConsole(w io.Writer, color bool) *console { return &console{w: w, color: color} }

const (
	red    = "31"
	green  = "32"
	yellow = "33"
	cyan   = "36"
	gray   = "90"
	purple = "35"
	bold   = "1"
)

func (c *console) paint(code, s string) string {
	if !c.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (c *console) warn(msg string) {
	fmt.Fprintln(c.w, c.paint(yellow, msg))
}

func (c *console) header(p *plan) {
	t := p.target
	what := "the embedded reference server"
	if p.embedded == nil {
		what = t.TokenURL
	}
	fmt.Fprintf(c.w, "occheck: checking %s\n", what)
	fmt.Fprintf(c.w, "  token endpoint  %s\n", t.TokenURL)
	methods := strings.Join(t.Client.AuthMethods, ", ")
	if t.Client.Auto() {
		switch {
		case t.ClientCert() != nil:
			methods = "auth method auto: " + t.ClientCert().Method + " first when advertised (a certificate was given), then the methods of the other credentials given"
		case t.ClientKey() != nil && t.Client.Secret == "":
			methods = "auth method auto: private_key_jwt, the only credential given"
		case t.ClientKey() != nil:
			methods = "auth method auto: private_key_jwt first when advertised, then client_secret_basic; client_secret_post and client_secret_jwt when the methods before are refused and they are advertised"
		default:
			methods = "auth method auto: client_secret_basic first; client_secret_post, then client_secret_jwt, when the methods before are refused and they are advertised"
		}
	}
	fmt.Fprintf(c.w, "  client          %s (%s)\n", t.Client.ID, methods)
	if t.MetadataURL != "" {
		fmt.Fprintf(c.w, "  metadata        %s\n", t.MetadataURL)
	}
	if len(t.Profiles) > 0 {
		fmt.Fprintf(c.w, "  profiles        %s\n", strings.Join(t.Profiles, ", "))
	}
	if p.filter != "" {
		fmt.Fprintf(c.w, "  selection       %s\n", p.filter)
	}
	if t.Strict {
		fmt.Fprintln(c.w, "  grading         strict (SHOULD failures fail)")
	}
	fmt.Fprintln(c.w)
}

var verdictStyle = map[reports.Verdict]string{
	reports.Pass: green, reports.Fail: red, reports.Warn: yellow, reports.Info: cyan, reports.Skip: gray, reports.Error: purple,
}

func (c *console) verdict(v reports.Verdict) string {
	return c.paint(verdictStyle[v], fmt.Sprintf("%-5s", strings.ToUpper(string(v))))
}

// sectionTitle names the sections the suite covers.
var sectionTitle = map[string]string{
	"6749 2.3": "Client authentication", "6749 2.3.1": "Client password", "6749 3.2": "Token endpoint",
	"6749 3.2.1": "Client authentication at the token endpoint", "6749 3.3": "Access token scope",
	"6749 4.4": "Client credentials grant", "6749 4.4.2": "Access token request", "6749 4.4.3": "Access token response",
	"6749 5.1": "Successful response", "6749 5.2": "Error response", "6749 10.8": "Confidentiality of requests",
	"6749 10.10": "Credentials-guessing attacks", "6749 A.4": "scope syntax", "6749 A.7": "error syntax",
	"6749 A.8": "error_description syntax", "6749 A.9": "error_uri syntax", "6749 A.10": "grant_type syntax",
	"6749 A.12": "access_token syntax", "6749 A.14": "expires_in syntax", "6749 B": "Form encoding of credentials",
	"6750 5.3": "Token lifetime", "7617 2": "Basic challenge", "8414 2": "Metadata", "8414 3": "Metadata location",
	"8414 3.3": "Metadata issuer", "9068 2.1": "JWT header", "9068 2.2": "JWT claims", "9068 2.2.3": "JWT scope",
	"9068 3": "JWT audience", "9068 4": "JWT validation", "9110 8.3.1": "Media types", "9110 11.1": "Auth scheme",
	"9110 15.5.2": "401 Unauthorized", "9110 15.5.6": "405 Method Not Allowed", "9700 2.4": "Password grant",
	"9700 2.6": "CORS", "9700 2.5": "Client authentication", "9700 2.2.1": "Sender-constrained tokens",
	"9700 4.15": "Clients posing as users", "8707 2": "Resource indicators", "OpenAPI token": "Contract: token endpoint", "OpenAPI metadata": "Contract: metadata",
	"OpenAPI jwks": "Contract: JWK Set",
}

func sectionName(r reports.SpecResult) string {
	name := reports.SectionName(r.RFC, r.Section)
	if r.RFC == "OpenAPI" {
		name = "specs/openapi.yaml " + r.Section
	}
	if t := sectionTitle[r.RFC+" "+r.Section]; t != "" {
		name += "  " + t
	}
	return name
}

// report prints the per-spec lines grouped by section, the failures in
// detail and the summary.
func (c *console) report(run *reports.Run, verbose bool, elapsed time.Duration) {
	if b := run.Target.BaselineRequest; b != "" {
		fmt.Fprintf(c.w, "baseline request: %s\n\n", b)
	}
	last := ""
	for _, s := range run.Specs {
		sec := s.RFC + " " + s.Section
		if sec != last {
			fmt.Fprintln(c.w, c.paint(bold, sectionName(s)))
			last = sec
		}
		mark := ""
		switch s.Baseline {
		case reports.BaselineExpected:
			mark = c.paint(gray, "  (baseline: expected)")
		case reports.BaselineStale:
			mark = c.paint(red, "  (baseline: STALE, now passes)")
		}
		fmt.Fprintf(c.w, "  %s %-18s %-6s %s%s\n", c.verdict(s.Verdict), s.ID, s.Level, s.Title, mark)
		if s.Verdict == reports.Skip && s.Message.Detail != "" {
			fmt.Fprintf(c.w, "        %s\n", c.paint(gray, "skipped: "+s.Message.Detail))
		}
		if s.Verdict == reports.Info {
			for _, n := range s.Notes {
				fmt.Fprintf(c.w, "        %s\n", c.paint(gray, n))
			}
		}
		if verbose {
			for _, ex := range s.Exchanges {
				c.exchange(ex, "        ")
			}
		}
	}
	var bad []reports.SpecResult
	for _, s := range run.Specs {
		if s.Verdict == reports.Fail || s.Verdict == reports.Warn || s.Verdict == reports.Error {
			bad = append(bad, s)
		}
	}
	if len(bad) > 0 {
		fmt.Fprintln(c.w)
		fmt.Fprintln(c.w, c.paint(bold, "Details"))
	}
	for _, s := range bad {
		fmt.Fprintf(c.w, "\n%s %s (%s, %s)\n", c.verdict(s.Verdict), s.ID, reports.SectionName(s.RFC, s.Section), s.Level)
		fmt.Fprintf(c.w, "  requirement: %s\n", s.Message.Requirement)
		if s.Message.Expected != "" {
			fmt.Fprintf(c.w, "  expected:    %s\n", s.Message.Expected)
		}
		if s.Message.Actual != "" {
			fmt.Fprintf(c.w, "  actual:      %s\n", s.Message.Actual)
		}
		if s.Message.Detail != "" {
			fmt.Fprintf(c.w, "  detail:      %s\n", indentLines(s.Message.Detail, "               "))
		}
		for _, n := range s.Notes {
			fmt.Fprintf(c.w, "  note:        %s\n", n)
		}
		if n := len(s.Exchanges); n > 0 {
			fmt.Fprintln(c.w, "  exchange:")
			c.exchange(s.Exchanges[n-1], "    ")
		}
		if s.Curl != "" {
			fmt.Fprintf(c.w, "  reproduce:   %s\n", s.Curl)
		}
	}
	counts := run.Counts()
	fmt.Fprintln(c.w)
	var parts []string
	for _, v := range []reports.Verdict{reports.Pass, reports.Fail, reports.Warn, reports.Info, reports.Skip, reports.Error} {
		parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
	}
	fmt.Fprintf(c.w, "%d specs in %s: %s\n", len(run.Specs), elapsed.Round(time.Millisecond), strings.Join(parts, ", "))
}

func indentLines(s, indent string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n"+indent)
}

// exchange prints a redacted request and response, compact, as the
// reports write them.
func (c *console) exchange(ex reports.Exchange, indent string) {
	for _, l := range strings.Split(strings.TrimRight(reports.ExchangeText(ex, true), "\n"), "\n") {
		fmt.Fprintf(c.w, "%s%s\n", indent, l)
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// grade prints the results and decides the exit code.
func (p *plan) grade(run *reports.Run, runErr error, stdout io.Writer) int {
	p.baseline.apply(run)
	c := newConsole(stdout, p.color)
	c.report(run, p.f.verbose, run.Finish.Sub(run.Start))
	var fails, warns, errs, stale, expected int
	for _, s := range run.Specs {
		switch {
		case s.Baseline == reports.BaselineStale:
			stale++
		case s.Baseline == reports.BaselineExpected:
			expected++
		case s.Verdict == reports.Fail:
			fails++
		case s.Verdict == reports.Warn:
			warns++
		case s.Verdict == reports.Error:
			errs++
		}
	}
	if expected > 0 || stale > 0 {
		fmt.Fprintf(stdout, "baseline %s: %d expected deviations, %d stale entries\n", p.baseline.path, expected, stale)
	}
	var abort *suites.AbortError
	var baselineErr string
	for _, s := range run.Specs {
		if s.ID == "CC-OK-01" && s.Verdict == reports.Error {
			baselineErr = s.Message.Detail
		}
	}
	tripped := errors.As(runErr, &abort)
	if tripped && fails > 0 {
		fmt.Fprintln(stdout, c.paint(purple, "run stopped early: "+abort.Err.Error()))
	}
	// The verdict is reports.Outcome's, the one every report states; the
	// console adds why, and the two ways a run stops short.
	outcome := reports.Outcome(run)
	switch {
	case baselineErr != "" && outcome != reports.NotConformant:
		fmt.Fprintln(stdout, c.paint(purple, "verdict: COULD NOT RUN: the baseline request (CC-OK-01) could not be made: "+baselineErr))
		return exitCannotGo
	case outcome == reports.NotConformant:
		why := plural(fails, "failure")
		if p.target.Strict {
			why += fmt.Sprintf(", %s (strict)", plural(warns, "SHOULD warning"))
		}
		if stale > 0 {
			why += fmt.Sprintf(", %d stale baseline entries (delete them)", stale)
		}
		fmt.Fprintln(stdout, c.paint(red, "verdict: NOT CONFORMANT ("+why+")"))
		return exitFail
	case tripped:
		fmt.Fprintln(stdout, c.paint(purple, "verdict: COULD NOT RUN: "+abort.Err.Error()))
		return exitCannotGo
	case outcome == reports.Incomplete:
		fmt.Fprintln(stdout, c.paint(purple, fmt.Sprintf("verdict: INCOMPLETE (%d specs could not run: see the errors above)", errs)))
		return exitCannotGo
	}
	msg := "verdict: CONFORMANT"
	if warns > 0 {
		msg += fmt.Sprintf(" (%d SHOULD warnings)", warns)
	}
	fmt.Fprintln(stdout, c.paint(green, msg))
	return exitOK
}

// configHash identifies the run's configuration (no secrets) so reports
// from the same set-up can be compared.
func (p *plan) configHash() string {
	t := p.target
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%v|%s|%s|%s|%v|%v|%s", t.TokenURL, t.Client.ID, t.Client.AuthMethods, t.Scope, t.ForbiddenScope, t.MetadataURL, t.Profiles, t.Strict, p.filter)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

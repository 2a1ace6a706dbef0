package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/occheck/occheck/mockserver"
)

// TestPlanRunsEveryVariant: one plan checks a client per authentication
// method on one server and the same client on a broken server, two at a
// time; the console shows each variant and a matrix, the exit code is the
// worst variant's, and the reports hold a directory per variant plus the
// plan's JUnit (a testsuite per variant and section), Markdown and HTML
// index, none with a secret.
func TestPlanRunsEveryVariant(t *testing.T) {
	s, broken := e2eServer(t), e2eServer(t, mockserver.QuirkBasic400)
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	write(t, plan, `concurrency: 2
defaults:
  token-url: `+s.TokenURL()+`
  metadata-url: `+s.MetadataURL()+`
  scope: read
  client-secret-env: OCCHECK_CLIENT_SECRET
variants:
  - name: basic
    client-id: `+e2eID+`
    auth-method: client_secret_basic
  - name: post
    client-id: `+e2eID+`
    auth-method: client_secret_post
    client-secret-env: SECOND_SECRET
  - name: jwt
    client-id: jwt-client
    auth-method: private_key_jwt
    client-key-file: `+e2eKeyFile+`
  - name: broken-server
    token-url: `+broken.TokenURL()+`
    metadata-url: `+broken.MetadataURL()+`
    client-id: `+e2eID+`
`)
	reportsDir := filepath.Join(dir, "reports")
	r := occheck(t, append(secretEnv, "SECOND_SECRET="+e2eSecret), "run", "--plan", plan, "--report-dir", reportsDir, "--no-color", "--profile", "rfc9068")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (the broken server)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	order := []string{"━━ variant basic ━━", "━━ variant post ━━", "━━ variant jwt ━━", "━━ variant broken-server ━━", "plan " + plan + ": 4 variants"}
	last := -1
	for _, w := range order {
		i := strings.Index(r.stdout, w)
		if i <= last {
			t.Errorf("%q missing or out of plan order", w)
		}
		last = i
	}
	for _, w := range []string{"baseline request: client_secret_post", "baseline request: private_key_jwt"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("no %q: a variant did not use its own method", w)
		}
	}
	matrix := r.stdout[strings.Index(r.stdout, "plan "+plan):]
	for _, row := range []string{`(?m)^  basic\s+CONFORMANT\s+0 `, `(?m)^  post\s+CONFORMANT\s+0 `, `(?m)^  jwt\s+CONFORMANT\s+0 `, `(?m)^  broken-server\s+NOT CONFORMANT\s+[1-9]`} {
		if !regexp.MustCompile(row).MatchString(matrix) {
			t.Errorf("matrix has no row %s:\n%s", row, matrix)
		}
	}
	for _, f := range []string{"basic/occheck-report.json", "post/occheck-report.html", "jwt/occheck-junit.xml", "broken-server/occheck-summary.md",
		"occheck-junit.xml", "occheck-summary.md", "occheck-report.html", "occheck-plan.json"} {
		if _, err := os.Stat(filepath.Join(reportsDir, f)); err != nil {
			t.Errorf("report %s: %v", f, err)
		}
	}
	junit := read(t, filepath.Join(reportsDir, "occheck-junit.xml"))
	for _, w := range []string{`<testsuites name="occheck plan"`, `<testsuite name="basic: RFC 6749 §5.2"`, `<testsuite name="broken-server: RFC 6749 §5.2"`, `classname="jwt.rfc6749.`} {
		if !strings.Contains(junit, w) {
			t.Errorf("plan JUnit has no %q", w)
		}
	}
	md := read(t, filepath.Join(reportsDir, "occheck-summary.md"))
	if !strings.Contains(md, "## occheck plan: NOT CONFORMANT") || !strings.Contains(md, "| broken-server | NOT CONFORMANT |") || !strings.Contains(md, "### Variant jwt") {
		t.Errorf("plan Markdown:\n%s", md)
	}
	index := read(t, filepath.Join(reportsDir, "occheck-report.html"))
	for _, w := range []string{`a plan of 4 variants`, `data-outcome="NOT CONFORMANT"`, `<tr id="variant-post">`, `id="filter-variant-jwt"`, `data-variant="broken-server"`, `id="spec-broken-server-ERR-401-01"`} {
		if !strings.Contains(index, w) {
			t.Errorf("plan HTML has no %q", w)
		}
	}
	r.stdout += junit + md + index
	noSecrets(t, r)
}

// TestPlanMistakes: a plan that cannot run is one line and exit 2, before
// anything is sent.
func TestPlanMistakes(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ plan, args, want string }{
		{"variants: []\n", "", "no variants"},
		{"variants:\n  - name: a\n    token-url: http://127.0.0.1:1/token\n    colour: red\n", "", `unknown key "colour"`},
		{"variants:\n  - name: a\n  - name: a\n", "", `name "a" is used twice`},
		{"variants:\n  - name: a b\n", "", `name "a b"`},
		{"concurrency: 99\nvariants:\n  - name: a\n", "", "concurrency: want 1 to 16"},
		{"variants:\n  - name: a\n", "--config x.yaml", "--config does not go with --plan"},
		{"bogus: 1\nvariants:\n  - name: a\n", "", "field bogus not found"},
		{"defaults:\n  report-dir: out\nvariants:\n  - name: a\n", "", "report-dir belongs on the command line"},
		{"variants:\n  - name: a\n    json: x.json\n", "", "json belongs on the command line"},
		{"variants:\n  - name: occheck-report.html\n", "", "not starting occheck-"},
		{"variants:\n  - name: Basic\n  - name: basic\n", "", "used twice"},
		{"variants:\n  - name: a\n    client-secret-env: [x]\n", "", "client-secret-env: want the name"},
		{"variants:\n  - name: a\n    token-url: http://127.0.0.1:1/token\n    client-id: c\n    client-secret-env: OCCHECK_TEST_UNSET_SECRET\n", "", "$OCCHECK_TEST_UNSET_SECRET is not set"},
	} {
		path := filepath.Join(dir, "plan.yaml")
		write(t, path, c.plan)
		args := append([]string{"run", "--plan", path}, strings.Fields(c.args)...)
		r := occheck(t, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("plan %q %s: exit %d, stderr %q; want 2 and one line with %q", c.plan, c.args, r.code, r.stderr, c.want)
		}
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPlanVariantThatCannotRun: a variant whose server cannot be reached
// is COULD NOT RUN (exit 3); the other variants still run and report.
func TestPlanVariantThatCannotRun(t *testing.T) {
	s := e2eServer(t)
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	write(t, plan, "defaults:\n  client-id: "+e2eID+"\n  client-secret-env: OCCHECK_CLIENT_SECRET\nvariants:\n  - name: up\n    token-url: "+s.TokenURL()+
		"\n  - name: down\n    issuer: http://127.0.0.1:1\n")
	r := occheck(t, secretEnv, "run", "--plan", plan, "--report-dir", filepath.Join(dir, "reports"), "--no-color")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`(?m)^  up\s+CONFORMANT`).MatchString(r.stdout) || !regexp.MustCompile(`(?m)^  down\s+COULD NOT RUN`).MatchString(r.stdout) {
		t.Errorf("matrix:\n%s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "up", "occheck-report.json")); err != nil {
		t.Errorf("the variant that ran has no report: %v", err)
	}
	// The plan's reports name the variant that could not run, and why.
	for f, want := range map[string]string{"occheck-summary.md": "| down | COULD NOT RUN |", "occheck-junit.xml": `name="down: set-up"`,
		"occheck-plan.json": `"outcome": "COULD NOT RUN"`, "occheck-report.html": `<tr id="variant-down">`} {
		if got := read(t, filepath.Join(dir, "reports", f)); !strings.Contains(got, want) || !strings.Contains(got, "127.0.0.1:1") {
			t.Errorf("%s does not name the variant that could not run (%q) and its server", f, want)
		}
	}
}

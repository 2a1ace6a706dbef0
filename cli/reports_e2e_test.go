package cli

import (
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestNoSecretAnywhere runs the mock as a process with a distinctive
// secret, checks it with every report format, and searches the console,
// every report and the mock's access log for the secret in any form and
// for any issued token.
func TestNoSecretAnywhere(t *testing.T) {
	const id, secret = "leak-check:client", "Zq9 %Dist+inctive/Secret=é"
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "mock.yaml")
	_ = os.WriteFile(cfgPath, []byte("clients:\n  - id: \""+id+"\"\n    secret: \""+secret+"\"\n    scopes: [read]\n"), 0o600)
	mock, banner, mockLog := startMock(t, "--addr", "127.0.0.1:0", "--config", cfgPath, "--log-format", "json")
	tokenURL := banner["token URL"]
	reportDir := filepath.Join(dir, "reports")
	summary := filepath.Join(dir, "step-summary.md")
	r := occheck(t, []string{"OCCHECK_CLIENT_SECRET=" + secret, "GITHUB_STEP_SUMMARY=" + summary},
		"run", "--token-url", tokenURL, "--client-id", id, "--scope", "read", "--metadata-url",
		strings.Replace(tokenURL, "/token", "/.well-known/oauth-authorization-server", 1), "--profile", "rfc9068",
		"-v", "--report-dir", reportDir, "--no-color")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	_ = mock.Process.Signal(os.Interrupt)
	time.Sleep(100 * time.Millisecond)

	files := map[string]string{"console": r.stdout + r.stderr, "mock log": mockLog.String()}
	for _, name := range []string{"occheck-junit.xml", "occheck-report.json", "occheck-report.html", "occheck-summary.md"} {
		b, err := os.ReadFile(filepath.Join(reportDir, name))
		if err != nil || len(b) == 0 {
			t.Fatalf("report %s: %v", name, err)
		}
		files[name] = string(b)
	}
	b, err := os.ReadFile(summary)
	if err != nil || !strings.Contains(string(b), "CONFORMANT") {
		t.Errorf("GITHUB_STEP_SUMMARY not written: %v %q", err, b)
	}
	files["step summary"] = string(b)
	if !strings.Contains(files["mock log"], `"msg":"request"`) {
		t.Fatalf("mock log has no access log: %s", files["mock log"])
	}
	basicValue := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
	forms := map[string]string{
		"secret": secret, "form-encoded": url.QueryEscape(secret), "percent-encoded": url.PathEscape(secret),
		"Basic value": basicValue, "raw base64": base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)),
		"JSON-escaped": strings.ReplaceAll(secret, "é", `\u00e9`),
	}
	jwt := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+`)
	for fname, content := range files {
		for what, f := range forms {
			if strings.Contains(content, f) {
				t.Errorf("%s holds the %s", fname, what)
			}
		}
		if m := jwt.FindString(content); m != "" {
			t.Errorf("%s holds an access token %s...", fname, m[:20])
		}
	}
}

func TestRerunFailed(t *testing.T) {
	s := e2eServer(t, "no-pragma")
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	r := occheck(t, secretEnv, append(targetArgs(s), "--json", report)...)
	if r.code != 1 {
		t.Fatalf("first run: exit %d", r.code)
	}
	r = occheck(t, secretEnv, append(targetArgs(s), "--rerun-failed", report)...)
	if r.code != 1 || !strings.Contains(r.stdout, "1 specs in") || !strings.Contains(r.stdout, "FAIL  RESP-HDR-02") {
		t.Fatalf("rerun: exit %d\n%s", r.code, r.stdout)
	}
	clean := filepath.Join(dir, "clean.json")
	good := e2eServer(t)
	if r = occheck(t, secretEnv, append(targetArgs(good), "--json", clean)...); r.code != 0 {
		t.Fatalf("clean run: exit %d", r.code)
	}
	r = occheck(t, secretEnv, append(targetArgs(good), "--rerun-failed", clean)...)
	if r.code != 0 || !strings.Contains(r.stdout, "nothing to rerun") {
		t.Errorf("rerun of a clean report: exit %d\n%s", r.code, r.stdout)
	}
}

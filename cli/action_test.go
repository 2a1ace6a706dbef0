package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/occheck/occheck/mockserver"
)

// actionFile is the part of action.yml the test reads.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID  string            `yaml:"id"`
			Run string            `yaml:"run"`
			Env map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

var inputRef = regexp.MustCompile(`^\$\{\{ inputs\.([a-z-]+) \}\}$`)

// TestGitHubAction runs the action's occheck step as a runner would:
// its env built from action.yml and the inputs, a fake GITHUB_* set of
// files, the occheck binary where the step builds it. It checks the
// outputs, the step summary, the reports and the exit code for a
// conformant server, a broken one (failing the step, or not with
// fail: false), and with no inputs at all (the embedded server).
func TestGitHubAction(t *testing.T) {
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q", a.Runs.Using)
	}
	var step *struct {
		ID  string            `yaml:"id"`
		Run string            `yaml:"run"`
		Env map[string]string `yaml:"env"`
	}
	for i := range a.Runs.Steps {
		if a.Runs.Steps[i].ID == "occheck" {
			step = &a.Runs.Steps[i]
		}
	}
	if step == nil {
		t.Fatal("no step with id occheck")
	}
	for k, v := range step.Env {
		m := inputRef.FindStringSubmatch(v)
		if m == nil {
			t.Errorf("env %s = %q is not an input", k, v)
		} else if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("env %s names input %q, which action.yml does not declare", k, m[1])
		}
	}
	written := []string{"verdict", "exit-code", "total", "passed", "failed", "warned", "skipped", "errors", "report-dir"}
	for name, o := range a.Outputs {
		if !strings.Contains(o.Value, "steps.occheck.outputs.") || !strings.Contains(strings.Join(written, " "), strings.TrimSuffix(strings.TrimPrefix(o.Value, "${{ steps.occheck.outputs."), " }}")) {
			t.Errorf("output %s = %q is not one the step writes", name, o.Value)
		}
	}

	root, _ := filepath.Abs("..")
	clean, broken := e2eServer(t), e2eServer(t, mockserver.QuirkBasic400)
	target := func(s *mockserver.Server) map[string]string {
		return map[string]string{"token-url": s.TokenURL(), "client-id": e2eID, "client-secret": e2eSecret, "scope": "read write", "profiles": "rfc9068, oauth21"}
	}
	with := func(m map[string]string, k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range m {
			out[a] = b
		}
		out[k] = v
		return out
	}
	planFile := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(planFile, []byte("defaults:\n  client-id: "+e2eID+"\n  scope: read\n  client-secret-env: OCCHECK_CLIENT_SECRET\nvariants:\n  - name: clean\n    token-url: "+clean.TokenURL()+
		"\n  - name: broken\n    token-url: "+broken.TokenURL()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		inputs   map[string]string
		code     int
		verdict  string
		failedOK func(string) bool
	}{
		{"conformant", target(clean), 0, "conformant", func(n string) bool { return n == "0" }},
		{"broken", target(broken), 1, "not-conformant", func(n string) bool { return n != "0" }},
		{"broken, fail false", with(target(broken), "fail", "false"), 0, "not-conformant", func(n string) bool { return n != "0" }},
		// Arguments over two lines: the second line's selection is not
		// lost (the run reports ERR-401-01 alone).
		{"args over lines", with(target(broken), "args", "--timeout 5s\n--run ERR-401-01"), 1, "not-conformant", func(n string) bool { return n == "1" }},
		{"no inputs: the embedded server", map[string]string{}, 0, "conformant", func(n string) bool { return n == "0" }},
		{"a plan", map[string]string{"plan": planFile, "client-secret": e2eSecret}, 1, "not-conformant", func(n string) bool { return n != "0" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			work := filepath.Join(tmp, "workspace")
			runner := filepath.Join(tmp, "runner")
			pathSum := sha256.Sum256([]byte(root))
			binDir := filepath.Join(runner, "occheck-action", hex.EncodeToString(pathSum[:])[:16])
			for _, d := range []string{work, binDir} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			// The binary the step would build from this checkout.
			if err := os.Symlink(binary, filepath.Join(binDir, "occheck")); err != nil {
				t.Fatal(err)
			}
			outputs, summary := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary.md")
			env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "GITHUB_ACTIONS=true", "GITHUB_ACTION_PATH=" + root,
				"RUNNER_TEMP=" + runner, "GITHUB_OUTPUT=" + outputs, "GITHUB_STEP_SUMMARY=" + summary}
			for k, v := range step.Env {
				name := inputRef.FindStringSubmatch(v)[1]
				val, given := c.inputs[name]
				if !given {
					val = a.Inputs[name].Default
				}
				env = append(env, k+"="+val)
			}
			cmd := exec.Command("bash", "-c", step.Run)
			cmd.Dir, cmd.Env = work, env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			code := exitCode(t, cmd.Run())
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out.String())
			}
			got := map[string]string{}
			raw, _ := os.ReadFile(outputs)
			for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					got[k] = v
				}
			}
			selected := c.name == "args over lines"
			if selected && got["total"] != "1" {
				t.Errorf("the second line of args was lost: %s specs ran, want ERR-401-01 alone", got["total"])
			}
			if got["verdict"] != c.verdict || !c.failedOK(got["failed"]) || (got["passed"] == "0" && !selected) || got["report-dir"] != "occheck-reports" {
				t.Errorf("outputs %v", got)
			}
			sum, _ := os.ReadFile(summary)
			if !strings.Contains(string(sum), "occheck") || !strings.Contains(string(sum), "|") {
				t.Errorf("step summary:\n%s", sum)
			}
			files := []string{"occheck-junit.xml", "occheck-report.json", "occheck-report.html", "occheck-summary.md"}
			if c.inputs["plan"] != "" { // the plan's index and a directory per variant
				files = []string{"occheck-junit.xml", "occheck-report.html", "occheck-summary.md", "clean/occheck-report.json", "broken/occheck-report.json"}
			}
			for _, f := range files {
				if _, err := os.Stat(filepath.Join(work, "occheck-reports", f)); err != nil {
					t.Errorf("report %s: %v", f, err)
				}
			}
			for _, text := range []string{out.String(), string(raw), string(sum)} {
				if strings.Contains(text, e2eSecret) {
					t.Errorf("the client secret leaked into the step's output, outputs or summary")
				}
			}
		})
	}
}

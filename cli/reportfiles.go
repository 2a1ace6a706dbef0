package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/occheck/occheck/reports"
)

// writeReportFiles writes the report files the flags ask for; with
// --report-dir all four formats. $GITHUB_STEP_SUMMARY gets the Markdown
// summary appended when it is set.
func writeReportFiles(f *runFlags, run *reports.Run, getenv func(string) string) error {
	type out struct {
		path   string
		write  func(io.Writer, *reports.Run) error
		append bool
	}
	var outs []out
	if f.reportDir != "" {
		if err := os.MkdirAll(f.reportDir, 0o755); err != nil {
			return fmt.Errorf("report directory: %w", unwrapPath(err))
		}
		outs = append(outs,
			out{filepath.Join(f.reportDir, "occheck-junit.xml"), reports.WriteJUnit, false},
			out{filepath.Join(f.reportDir, "occheck-report.json"), reports.WriteJSON, false},
			out{filepath.Join(f.reportDir, "occheck-report.html"), reports.WriteHTML, false},
			out{filepath.Join(f.reportDir, "occheck-summary.md"), reports.WriteMarkdown, false},
		)
	}
	for _, o := range []out{{f.junit, reports.WriteJUnit, false}, {f.jsonOut, reports.WriteJSON, false}, {f.html, reports.WriteHTML, false}, {f.markdown, reports.WriteMarkdown, false}} {
		if o.path != "" {
			outs = append(outs, o)
		}
	}
	if p := getenv("GITHUB_STEP_SUMMARY"); p != "" {
		outs = append(outs, out{p, reports.WriteMarkdown, true}) // other steps write there too
	}
	for _, o := range outs {
		if err := writeFile(o.path, run, o.write, o.append); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, run *reports.Run, write func(io.Writer, *reports.Run) error, appendTo bool) error {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	fh, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return fmt.Errorf("report %s: %w", path, unwrapPath(err))
	}
	if err := write(fh, run); err != nil {
		fh.Close()
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}

// writeGitHubOutputs appends the verdict and the counts to $GITHUB_OUTPUT
// when it is set (a GitHub Actions step: the action's outputs).
func writeGitHubOutputs(run *reports.Run, code int, getenv func(string) string) error {
	path := getenv("GITHUB_OUTPUT")
	if path == "" {
		return nil
	}
	verdict := map[int]string{exitOK: "conformant", exitFail: "not-conformant"}[code]
	if verdict == "" {
		verdict = "could-not-run"
	}
	n := map[reports.Verdict]int{}
	for _, s := range run.Specs {
		n[s.Verdict]++
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_OUTPUT: %w", unwrapPath(err))
	}
	_, err = fmt.Fprintf(fh, "verdict=%s\nexit-code=%d\ntotal=%d\npassed=%d\nfailed=%d\nwarned=%d\ninfo=%d\nskipped=%d\nerrors=%d\n",
		verdict, code, len(run.Specs), n[reports.Pass], n[reports.Fail], n[reports.Warn], n[reports.Info], n[reports.Skip], n[reports.Error])
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	return nil
}

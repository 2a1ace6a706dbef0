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
// summary when it is set.
func writeReportFiles(f *runFlags, run *reports.Run, getenv func(string) string) error {
	type out struct {
		path  string
		write func(io.Writer, *reports.Run) error
	}
	var outs []out
	if f.reportDir != "" {
		if err := os.MkdirAll(f.reportDir, 0o755); err != nil {
			return fmt.Errorf("report directory: %w", unwrapPath(err))
		}
		outs = append(outs,
			out{filepath.Join(f.reportDir, "occheck-junit.xml"), reports.WriteJUnit},
			out{filepath.Join(f.reportDir, "occheck-report.json"), reports.WriteJSON},
			out{filepath.Join(f.reportDir, "occheck-report.html"), reports.WriteHTML},
			out{filepath.Join(f.reportDir, "occheck-summary.md"), reports.WriteMarkdown},
		)
	}
	for _, o := range []out{{f.junit, reports.WriteJUnit}, {f.jsonOut, reports.WriteJSON}, {f.html, reports.WriteHTML}, {f.markdown, reports.WriteMarkdown}} {
		if o.path != "" {
			outs = append(outs, o)
		}
	}
	if p := getenv("GITHUB_STEP_SUMMARY"); p != "" {
		outs = append(outs, out{p, appendMarkdown})
	}
	for _, o := range outs {
		if err := writeFile(o.path, run, o.write); err != nil {
			return err
		}
	}
	return nil
}

// appendMarkdown adds the summary to a file others write too.
func appendMarkdown(w io.Writer, run *reports.Run) error { return reports.WriteMarkdown(w, run) }

func writeFile(path string, run *reports.Run, write func(io.Writer, *reports.Run) error) error {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if os.Getenv("GITHUB_STEP_SUMMARY") == path && path != "" {
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

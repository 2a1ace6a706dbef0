package reports

import (
	"errors"
	"io"
)

var errPending = errors.New("this report format is not written yet")

// WriteJUnit writes JUnit XML.
func WriteJUnit(w io.Writer, run *Run) error { return errPending }

// WriteHTML writes a self-contained HTML report.
func WriteHTML(w io.Writer, run *Run) error { return errPending }

// WriteMarkdown writes a Markdown summary.
func WriteMarkdown(w io.Writer, run *Run) error { return errPending }

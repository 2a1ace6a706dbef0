package reports

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the run as versioned JSON (schema occheck.report/v1).
func WriteJSON(w io.Writer, run *Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// ReadJSON reads a report written by WriteJSON.
func ReadJSON(r io.Reader) (*Run, error) {
	var run Run
	if err := json.NewDecoder(r).Decode(&run); err != nil {
		return nil, fmt.Errorf("read JSON report: %w", err)
	}
	if run.Schema != SchemaV1 {
		return nil, fmt.Errorf("read JSON report: schema %q, want %q", run.Schema, SchemaV1)
	}
	return &run, nil
}

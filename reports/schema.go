package reports

import _ "embed"

// JSONSchema is the JSON Schema (draft 2020-12) of the report WriteJSON
// writes, shipped in the binary so that consumers can validate reports
// against the exact version that produced them.
//
//go:embed schema/occheck.report.v1.json
var JSONSchema []byte

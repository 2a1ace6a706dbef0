package reports

import _ "embed"

// JSONSchema is the JSON Schema (draft 2020-12) of the report WriteJSON
// writes, shipped in the binary so that consumers can validate reports
// against the exact version that produced them.
//
//go:embed schema/occheck.report.v1.json
var JSONSchema []byte

// PlanJSONSchema is the JSON Schema of a test plan's report
// (WriteJSONPlan); each variant's report follows JSONSchema.
//
//go:embed schema/occheck.plan.v1.json
var PlanJSONSchema []byte

// Package suites holds occheck's conformance specs: one Ginkgo spec per
// black-box-testable requirement of RFC 6749 §4.4 (client credentials) and
// the sections and RFCs its token endpoint leans on (§2.3, §3.2, §3.3,
// §5.1, §5.2, Appendices A and B, RFC 8414 metadata, RFC 9068 JWT access
// tokens), plus a contract check of every response against
// specs/openapi.yaml.
//
// The specs are ordinary Go code, declared by Register, so the same tree
// runs three ways:
//
//   - go test ./suites/... checks the in-process reference server over HTTP
//     and HTTPS; with OCCHECK_TOKEN_URL and friends set it checks that
//     server instead (see TargetFromEnv);
//   - the ginkgo CLI, from a test file that calls Register;
//   - occheck run, through Run, which returns a reports.Run.
//
// Every spec carries a stable ID, its RFC and section, a level (MUST,
// SHOULD, MAY, or INFO for observations) and a one-line requirement, and is
// labelled id:ID, section:S, rfc:N and level:L for filtering. A broken MUST
// is a failure; a broken SHOULD a warning (a failure with Target.Strict);
// a spec needing something the target lacks is skipped with the reason;
// transport trouble is an error, never a conformance verdict. Each check
// accepts exactly the outcomes the RFC allows.
package suites

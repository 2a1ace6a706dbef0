package suites

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/reports"
)

// quirkExpectations lists, for every quirk of the mock, exactly the specs
// whose verdict differs from a run against the mock without quirks, and
// the verdict each must have: fail, warn, skip (a spec that depends on a
// failed one) or info. Anything else that changes is a spec checking more
// than it says, a cascade, or a missing entry here. A quirk that is
// conformant but different (a real server's legitimate variation) lists
// nothing: every spec must still pass it.
var quirkExpectations = map[mockserver.Quirk]map[string]reports.Verdict{
	"accept-get":                          {"TE-POST-01": fail, "TE-POST-03": info},
	"accept-json-body":                    {"TE-CT-01": warn},
	"access-token-non-ascii":              {"ATJ-SIG-01": skip, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "RESP-AT-01": fail, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"any-auth-scheme":                     {"AUTH-SCHEME-01": fail},
	"any-grant-type":                      {"BCP-01": skip, "CC-GT-02": fail, "CC-GT-02-CODE": skip, "CC-GT-03": info},
	"any-method":                          {"BCP-06": fail, "TE-POST-02": fail},
	"any-secret":                          {"AUTH-BASIC-06": fail, "AUTH-BASIC-08-ENUM": info, "AUTH-POST-03": fail, "ERR-401-01": skip, "ERR-401-02": skip, "INT-05": skip, "REV-04": skip},
	"assertion-401-no-challenge":          {"JWT-ERR-02": warn},
	"assertion-alg-none":                  {"JWT-KEY-01": skip, "JWT-KEY-02": skip, "JWT-KEY-03": skip, "JWT-MULTI-01": skip, "JWT-SIG-01": fail},
	"assertion-any-type":                  {"JWT-TYPE-01": fail},
	"assertion-aud-normalized":            {"JWT-AUD-01": warn},
	"assertion-aud-string-only":           {"JWT-AUD-03": info},
	"assertion-aud-unchecked":             {"JWT-AUD-01": fail},
	"assertion-client-id-ignored":         {"JWT-CID-01": fail},
	"assertion-client-id-refused":         {"JWT-CID-01": warn},
	"assertion-exp-unchecked":             {"JWT-ERR-01": skip, "JWT-ERR-02": skip, "JWT-EXP-01": fail},
	"assertion-first-of-many":             {"JWT-ONE-01": fail},
	"assertion-header-jwk":                {"JWT-KEY-02": fail, "JWT-KEY-03": skip},
	"assertion-header-jwk-same-kid":       {"JWT-KEY-03": fail},
	"assertion-hmac-public-key":           {"JWT-ALG-01": warn, "JWT-KEY-01": fail},
	"assertion-invalid-request":           {"JWT-ERR-01": warn},
	"assertion-iss-unchecked":             {"JWT-ISS-01": fail},
	"assertion-kid-any-client":            {"JWT-KEY-02": fail, "JWT-KEY-03": skip},
	"assertion-mac-for-private-key":       {"JWT-ALG-01": warn},
	"assertion-metadata-no-algs":          {"JWT-MD-02": fail},
	"assertion-metadata-non-fapi-algs":    {"JWT-AUD-02": pass, "JWT-IAT-02": pass, "JWT-JTI-02": pass, "JWT-MD-02": warn},
	"assertion-metadata-non-fapi-methods": {"JWT-AUD-02": pass, "JWT-IAT-02": pass, "JWT-JTI-02": pass, "JWT-MD-01": warn},
	"assertion-multi-assertion-wins":      {"JWT-MULTI-01": fail},
	"assertion-nbf-ignored":               {"JWT-NBF-01": fail},
	"assertion-no-signature":              {"JWT-KEY-01": skip, "JWT-KEY-02": skip, "JWT-KEY-03": skip, "JWT-MULTI-01": skip, "JWT-SIG-01": fail},
	"assertion-replay":                    {"JWT-AUD-02": pass, "JWT-IAT-02": pass, "JWT-JTI-01": fail, "JWT-JTI-02": pass},
	"assertion-secret-jwt-unverified":     {"JWT-ALG-02": fail},
	"assertion-sub-unchecked":             {"JWT-SUB-01": fail},
	"assertion-typ-required":              {"JWT-ALG-01": skip, "JWT-ALG-02": skip, "JWT-AUD-01": skip, "JWT-AUD-02": skip, "JWT-AUD-03": skip, "JWT-CID-01": skip, "JWT-ERR-01": skip, "JWT-ERR-02": skip, "JWT-EXP-01": skip, "JWT-IAT-01": skip, "JWT-IAT-02": skip, "JWT-ISS-01": skip, "JWT-JTI-01": skip, "JWT-JTI-02": skip, "JWT-KEY-01": skip, "JWT-KEY-02": skip, "JWT-KEY-03": skip, "JWT-LIFE-01": skip, "JWT-MULTI-01": skip, "JWT-NBF-01": skip, "JWT-OK-01": fail, "JWT-ONE-01": skip, "JWT-SIG-01": skip, "JWT-SUB-01": skip, "JWT-TYP-01": skip, "JWT-TYPE-01": skip},
	"assertion-typ-unknown":               {"JWT-TYP-01": warn},
	"bad-error-uri":                       {"ERR-URI-01": fail},
	"basic-400":                           {"ERR-401-01": fail, "ERR-401-02": skip},
	"basic-percent-only":                  {"AUTH-BASIC-02": fail, "AUTH-BASIC-04": fail},
	"basic-raw":                           {"AUTH-BASIC-02": fail, "AUTH-BASIC-04": fail},
	"basic-scheme-case-sensitive":         {"AUTH-BASIC-05": warn},
	"basic-split-every-colon":             {"AUTH-BASIC-02": fail, "AUTH-BASIC-04": fail},
	"client-id-alone":                     {"CC-AUTH-02": fail, "CC-AUTH-02-CODE": skip},
	"client-id-alone-invalid-request":     {"CC-AUTH-02-CODE": warn},
	"client-id-with-basic-rejected":       {"AUTH-MULTI-03": warn},
	"crash-on-bad-escape":                 {"AUTH-BASIC-03": fail, "ERR-5XX-01": fail},
	"crash-on-bad-escape-500":             {"AUTH-BASIC-03": fail, "ERR-5XX-01": fail},
	"default-grant-type":                  {"CC-GT-01": fail, "CC-GT-01-CODE": skip, "TE-BODY-01": skip, "TE-PARAM-01-GRANT": skip},
	"dpop-alg-lax":                        {"DPOP-ALG-01": fail},
	"dpop-bearer-type":                    {"DPOP-ALG-01": skip, "DPOP-CNF-01": skip, "DPOP-ERR-01": skip, "DPOP-HDR-01": skip, "DPOP-HTM-01": skip, "DPOP-HTU-01": skip, "DPOP-IAT-01": skip, "DPOP-JTI-01": skip, "DPOP-JWK-01": skip, "DPOP-JWT-01": skip, "DPOP-MD-01": skip, "DPOP-NONCE-02": skip, "DPOP-OK-01": fail, "DPOP-REQ-01": skip, "DPOP-RS-01": skip, "DPOP-SIG-01": skip, "DPOP-TYP-01": skip},
	"dpop-binding-not-required":           {"DPOP-REQ-01": fail},
	"dpop-claims-optional":                {"DPOP-JWT-01": fail},
	"dpop-error-code":                     {"DPOP-ERR-01": warn},
	"dpop-htm-unchecked":                  {"DPOP-HTM-01": fail},
	"dpop-htu-raw":                        {"DPOP-HTU-01": warn},
	"dpop-htu-unchecked":                  {"DPOP-HTU-01": fail},
	"dpop-iat-unchecked":                  {"DPOP-IAT-01": fail, "DPOP-NONCE-01": skip, "DPOP-NONCE-02": skip},
	"dpop-md-hmac":                        {"DPOP-MD-01": warn},
	"dpop-multi-header":                   {"DPOP-HDR-01": fail},
	"dpop-no-cnf":                         {"DPOP-CNF-01": fail, "DPOP-RS-01": skip},
	"dpop-nonce-loop":                     {"DPOP-ALG-01": skip, "DPOP-CNF-01": skip, "DPOP-ERR-01": skip, "DPOP-HDR-01": skip, "DPOP-HTM-01": skip, "DPOP-HTU-01": skip, "DPOP-IAT-01": skip, "DPOP-JTI-01": skip, "DPOP-JWK-01": skip, "DPOP-JWT-01": skip, "DPOP-MD-01": skip, "DPOP-NONCE-01": fail, "DPOP-NONCE-02": skip, "DPOP-OK-01": fail, "DPOP-REQ-01": skip, "DPOP-RS-01": skip, "DPOP-SIG-01": skip, "DPOP-TYP-01": skip},
	"dpop-nonce-no-header":                {"DPOP-ALG-01": skip, "DPOP-CNF-01": skip, "DPOP-ERR-01": skip, "DPOP-HDR-01": skip, "DPOP-HTM-01": skip, "DPOP-HTU-01": skip, "DPOP-IAT-01": skip, "DPOP-JTI-01": skip, "DPOP-JWK-01": skip, "DPOP-JWT-01": skip, "DPOP-MD-01": skip, "DPOP-NONCE-01": fail, "DPOP-NONCE-02": skip, "DPOP-OK-01": fail, "DPOP-REQ-01": skip, "DPOP-RS-01": skip, "DPOP-SIG-01": skip, "DPOP-TYP-01": skip},
	"dpop-nonce-unchecked":                {"DPOP-NONCE-02": fail},
	"dpop-private-jwk":                    {"DPOP-JWK-01": fail},
	"dpop-rs-bearer-downgrade":            {"DPOP-RS-01": fail},
	"dpop-sig-unchecked":                  {"DPOP-SIG-01": fail},
	"dpop-thumbprint-all-members":         {"DPOP-CNF-01": fail, "DPOP-RS-01": skip},
	"dpop-typ-unchecked":                  {"DPOP-TYP-01": fail},
	"duplicate-member":                    {"RESP-JSON-02": fail},
	"echo-secret":                         {"RESP-NOLEAK-01": fail},
	"empty-scope-invalid":                 {"TE-PARAM-01": fail},
	"empty-values-kept":                   {"TE-PARAM-01": fail, "TE-PARAM-01-GRANT": warn},
	"error-200":                           {"CC-AUTH-01-CODE": skip, "CC-AUTH-02-CODE": skip, "CC-GT-01-CODE": skip, "CC-GT-02-CODE": skip, "CC-SCOPE-04": skip, "CC-UC-01-CODE": skip, "DPOP-ERR-01": skip, "ERR-400-01": fail, "ERR-400-01-STATUS": skip, "JWT-ERR-01": skip, "JWT-ERR-02": skip, "OAS-TOKEN-ERROR": skip, "TE-PARAM-03-SAME": skip, "TE-POST-03": info},
	"error-code-chars":                    {"CC-GT-02-CODE": warn, "ERR-CODE-01": fail, "ERR-CODE-02": info},
	"error-description-object":            {"OAS-TOKEN-ERROR": warn},
	"error-not-json":                      {"CC-AUTH-01-CODE": skip, "CC-AUTH-02-CODE": skip, "CC-GT-01-CODE": skip, "CC-GT-02-CODE": skip, "CC-SCOPE-04": skip, "CC-UC-01-CODE": skip, "DPOP-ERR-01": skip, "ERR-400-01-STATUS": info, "ERR-JSON-01": fail, "JWT-ERR-01": skip, "JWT-ERR-02": skip, "TE-PARAM-03-SAME": skip},
	"expires-in-fraction":                 {"RESP-EXP-01-INT": fail},
	"expires-in-string":                   {"RESP-EXP-01": warn},
	"fixed-jti":                           {"ATJ-JTI-01": fail, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"forbidden-grant":                     {"CC-UC-01-CODE": warn, "ERR-400-01-STATUS": info},
	"form-response":                       {"ATJ-ALG-01": skip, "ATJ-AUD-01": skip, "ATJ-CID-01": skip, "ATJ-CLM-01": skip, "ATJ-ISS-01": skip, "ATJ-JTI-01": skip, "ATJ-SCOPE-01": skip, "ATJ-SIG-01": skip, "ATJ-SUB-01": skip, "ATJ-TIME-01": skip, "ATJ-TYP-01": skip, "BCP-03": skip, "BCP-05": skip, "CC-RT-01": skip, "CC-SCOPE-02": skip, "CC-SCOPE-03": skip, "CC-SCOPE-05": skip, "DPOP-ALG-01": skip, "DPOP-CNF-01": skip, "DPOP-ERR-01": skip, "DPOP-HDR-01": skip, "DPOP-HTM-01": skip, "DPOP-HTU-01": skip, "DPOP-IAT-01": skip, "DPOP-JTI-01": skip, "DPOP-JWK-01": skip, "DPOP-JWT-01": skip, "DPOP-MD-01": skip, "DPOP-NONCE-02": skip, "DPOP-OK-01": skip, "DPOP-REQ-01": skip, "DPOP-RS-01": skip, "DPOP-SIG-01": skip, "DPOP-TYP-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MD-08": skip, "MTLS-09": skip, "MTLS-10": skip, "RESP-AT-01": skip, "RESP-CT-01": fail, "RESP-EXP-01": skip, "RESP-EXP-01-INT": skip, "RESP-EXP-02": skip, "RESP-JSON-01": fail, "RESP-SCOPE-01": skip, "RESP-SCOPE-02": skip, "RESP-TT-01": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RI-01": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip, "TOK-ENT-01": skip},
	"grant-types-not-enforced":            {"CC-UC-01": fail, "CC-UC-01-CODE": skip},
	"introspect-active-string":            {"INT-02": fail, "INT-04": skip, "INT-06": skip, "MTLS-10": skip, "REV-02": skip, "REV-05": skip, "REV-06": skip},
	"introspect-bad-auth-400":             {"INT-05": warn},
	"introspect-http-url":                 {"INT-01": skip, "INT-02": skip, "INT-03": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "INT-08": fail, "MTLS-10": skip, "REV-02": skip, "REV-05": skip, "REV-06": skip},
	"introspect-ignores-exp":              {"INT-07": fail},
	"introspect-inactive-details":         {"INT-03": warn},
	"introspect-no-auth":                  {"INT-01": fail},
	"introspect-scope-array":              {"INT-04": warn},
	"introspect-trusts-hint":              {"INT-06": fail},
	"issuer-mismatch":                     {"ATJ-ISS-01": fail},
	"issuer-other-path":                   {"ATJ-ISS-01": skip, "ATJ-SIG-01": skip, "DPOP-ALG-01": skip, "DPOP-CNF-01": skip, "DPOP-ERR-01": skip, "DPOP-HDR-01": skip, "DPOP-HTM-01": skip, "DPOP-HTU-01": skip, "DPOP-IAT-01": skip, "DPOP-JTI-01": skip, "DPOP-JWK-01": skip, "DPOP-JWT-01": skip, "DPOP-MD-01": skip, "DPOP-NONCE-01": skip, "DPOP-NONCE-02": skip, "DPOP-OK-01": skip, "DPOP-REQ-01": skip, "DPOP-RS-01": skip, "DPOP-SIG-01": skip, "DPOP-TYP-01": skip, "INT-01": skip, "INT-02": skip, "INT-03": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "INT-08": skip, "MD-02": fail, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-03": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "REV-07": skip},
	"issuer-query":                        {"ATJ-ISS-01": skip, "MD-02": skip, "MD-03": fail},
	"json-body-401":                       {"TE-CT-01": warn},
	"jwks-jwk-set-type":                   {},
	"jwks-private-key":                    {"OAS-JWKS": warn},
	"jwks-wrong-key":                      {"ATJ-SIG-01": fail, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"jwt-alg-none":                        {"ATJ-ALG-01": fail, "ATJ-SIG-01": skip, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"jwt-aud-empty":                       {"ATJ-AUD-01": fail, "DPOP-RS-01": skip, "MTLS-09": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"jwt-client-id-other":                 {"ATJ-CID-01": fail, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"jwt-exp-mismatch":                    {"ATJ-TIME-01": warn},
	"jwt-missing-claims":                  {"ATJ-CLM-01": fail, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"jwt-no-aud":                          {"ATJ-CLM-01": fail, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"jwt-scope-array":                     {"ATJ-SCOPE-01": warn, "INT-04": warn},
	"jwt-sub-not-client":                  {"ATJ-SUB-01": warn},
	"jwt-typ-jwt":                         {"ATJ-TYP-01": fail, "DPOP-RS-01": skip, "INT-01": skip, "INT-02": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "MTLS-09": skip, "MTLS-10": skip, "REV-01": skip, "REV-02": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip},
	"malformed-basic-500":                 {"AUTH-BASIC-03": fail, "AUTH-BASIC-07": fail, "ERR-5XX-01": fail},
	"metadata-alg-none":                   {"MD-07": fail},
	"metadata-no-grant-types":             {"MD-06": warn},
	"metadata-no-jwks-uri":                {"ATJ-SIG-01": skip, "MD-08": warn, "OAS-JWKS": skip},
	"metadata-no-token-endpoint":          {"MD-04": fail, "MD-04-MATCH": skip},
	"metadata-post-first":                 {"AUTH-POST-01": skip},
	"metadata-scopes-string":              {"OAS-METADATA": warn},
	"metadata-token-endpoint-fragment":    {"MD-04-MATCH": skip, "TE-URI-01": fail},
	"metadata-wrong-token-endpoint":       {"MD-04-MATCH": warn},
	"methods-501":                         {},
	"missing-auth-invalid-request":        {"CC-AUTH-01-CODE": warn},
	"missing-grant-invalid-client":        {"CC-GT-01-CODE": warn},
	"mtls-any-trusted-cert":               {"MTLS-02": fail, "MTLS-04": skip},
	"mtls-bad-thumbprint":                 {"MTLS-05": fail, "MTLS-09": skip, "MTLS-10": fail},
	"mtls-client-id-optional":             {},
	"mtls-dn-as-text":                     {"MTLS-01": fail, "MTLS-02": skip, "MTLS-04": skip, "MTLS-05": skip, "MTLS-06": skip, "MTLS-07": skip, "MTLS-09": skip, "MTLS-10": skip},
	"mtls-md-alias-http":                  {"MTLS-12": fail},
	"mtls-md-flag-string":                 {"MTLS-11": fail},
	"mtls-no-cert-ok":                     {"MTLS-02": fail, "MTLS-04": skip},
	"mtls-no-chain-check":                 {"MTLS-07": fail},
	"mtls-no-cnf":                         {"MTLS-05": warn, "MTLS-09": skip, "MTLS-10": warn, "MTLS-11": warn},
	"mtls-rs-unbound":                     {"MTLS-09": fail},
	"mtls-self-signed-by-subject":         {"MTLS-03": fail},
	"mtls-trust-cert-header":              {"MTLS-04": fail},
	"multi-method-body-wins":              {"AUTH-MULTI-01": warn, "AUTH-MULTI-02": fail, "AUTH-MULTI-03-OTHER": fail},
	"no-basic":                            {"AUTH-BASIC-01": fail, "AUTH-BASIC-02": skip, "AUTH-BASIC-04": skip, "AUTH-BASIC-05": skip, "AUTH-MULTI-03": skip, "AUTH-MULTI-03-OTHER": skip, "MD-05": fail, "TE-CT-01": skip},
	"no-cache-control":                    {"RESP-HDR-01": fail, "RESP-HDR-03": info},
	"no-client-auth":                      {"CC-AUTH-01": fail, "CC-AUTH-01-CODE": skip},
	"no-client-credentials":               {"ATJ-ALG-01": skip, "ATJ-AUD-01": skip, "ATJ-CID-01": skip, "ATJ-CLM-01": skip, "ATJ-ISS-01": skip, "ATJ-JTI-01": skip, "ATJ-SCOPE-01": skip, "ATJ-SIG-01": skip, "ATJ-SUB-01": skip, "ATJ-TIME-01": skip, "ATJ-TYP-01": skip, "AUTH-BASIC-01": skip, "AUTH-BASIC-02": skip, "AUTH-BASIC-04": skip, "AUTH-BASIC-05": skip, "AUTH-MULTI-01": skip, "AUTH-MULTI-02": skip, "AUTH-MULTI-03": skip, "AUTH-MULTI-03-OTHER": skip, "AUTH-POST-01": skip, "BCP-01": skip, "BCP-03": skip, "BCP-05": skip, "BCP-06": skip, "CC-AUTH-01-CODE": skip, "CC-AUTH-02-CODE": skip, "CC-GT-01": skip, "CC-GT-01-CODE": skip, "CC-GT-02": skip, "CC-GT-02-CODE": skip, "CC-GT-03": skip, "CC-OK-01": fail, "CC-RT-01": skip, "CC-SCOPE-01": skip, "CC-SCOPE-02": skip, "CC-SCOPE-03": skip, "CC-SCOPE-04": skip, "CC-SCOPE-05": skip, "CC-UC-01": skip, "CC-UC-01-CODE": skip, "DPOP-ALG-01": skip, "DPOP-CNF-01": skip, "DPOP-ERR-01": skip, "DPOP-HDR-01": skip, "DPOP-HTM-01": skip, "DPOP-HTU-01": skip, "DPOP-IAT-01": skip, "DPOP-JTI-01": skip, "DPOP-JWK-01": skip, "DPOP-JWT-01": skip, "DPOP-MD-01": skip, "DPOP-NONCE-01": skip, "DPOP-NONCE-02": skip, "DPOP-OK-01": skip, "DPOP-REQ-01": skip, "DPOP-RS-01": skip, "DPOP-SIG-01": skip, "DPOP-TYP-01": skip, "ERR-400-01": skip, "ERR-400-01-STATUS": skip, "ERR-CODE-01": skip, "ERR-CODE-02": skip, "ERR-DESC-01": skip, "ERR-JSON-01": skip, "ERR-NOTOK-01": skip, "ERR-ORDER-01": skip, "ERR-URI-01": skip, "INT-01": skip, "INT-02": skip, "INT-03": skip, "INT-04": skip, "INT-05": skip, "INT-06": skip, "JWT-ALG-01": skip, "JWT-ALG-02": skip, "JWT-AUD-01": skip, "JWT-AUD-02": skip, "JWT-AUD-03": skip, "JWT-CID-01": skip, "JWT-ERR-01": skip, "JWT-ERR-02": skip, "JWT-EXP-01": skip, "JWT-IAT-01": skip, "JWT-IAT-02": skip, "JWT-ISS-01": skip, "JWT-JTI-01": skip, "JWT-JTI-02": skip, "JWT-KEY-01": skip, "JWT-KEY-02": skip, "JWT-KEY-03": skip, "JWT-LIFE-01": skip, "JWT-MULTI-01": skip, "JWT-NBF-01": skip, "JWT-OK-01": skip, "JWT-ONE-01": skip, "JWT-SIG-01": skip, "JWT-SUB-01": skip, "JWT-TYP-01": skip, "JWT-TYPE-01": skip, "MD-05": skip, "MD-08": skip, "MTLS-01": skip, "MTLS-02": skip, "MTLS-03": skip, "MTLS-04": skip, "MTLS-05": skip, "MTLS-06": skip, "MTLS-07": skip, "MTLS-09": skip, "MTLS-10": skip, "OAS-TOKEN-200": skip, "OAS-TOKEN-ERROR": skip, "RESP-AT-01": skip, "RESP-CT-01": skip, "RESP-EXP-01": skip, "RESP-EXP-01-INT": skip, "RESP-EXP-02": skip, "RESP-HDR-01": skip, "RESP-HDR-02": skip, "RESP-HDR-03": skip, "RESP-JSON-01": skip, "RESP-JSON-02": skip, "RESP-NOLEAK-01": skip, "RESP-SCOPE-01": skip, "RESP-SCOPE-02": skip, "RESP-STATUS-01": skip, "RESP-TT-01": skip, "REV-01": skip, "REV-02": skip, "REV-03": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "RI-01": skip, "RI-02": skip, "RI-03": skip, "RI-04": skip, "RS-01": skip, "RS-02": skip, "RS-03": skip, "RS-04": skip, "RS-05": skip, "RS-06": skip, "RS-07": skip, "RS-08": skip, "TE-BODY-01": skip, "TE-CT-01": skip, "TE-CT-02": skip, "TE-CT-02-CASE": skip, "TE-PARAM-01": skip, "TE-PARAM-01-GRANT": skip, "TE-PARAM-02": skip, "TE-PARAM-03": skip, "TE-PARAM-03-SAME": skip, "TE-POST-01": skip, "TE-POST-02": skip, "TE-POST-03": skip, "TOK-ENT-01": skip},
	"no-post":                             {"AUTH-POST-01": fail, "MD-05": fail},
	"no-pragma":                           {"RESP-HDR-02": fail},
	"no-realm":                            {"ERR-401-02": warn},
	"no-token-type":                       {"INT-04": warn, "RESP-TT-01": fail},
	"no-www-authenticate":                 {"ERR-401-01": fail, "ERR-401-02": skip, "ERR-401-03": warn},
	"non-registry-error":                  {"CC-SCOPE-02": warn, "CC-SCOPE-03": warn, "CC-SCOPE-04": warn, "ERR-CODE-02": info},
	"password-access-denied":              {"BCP-01": warn},
	"password-invalid-request":            {"BCP-01": warn},
	"post-401-no-challenge":               {"ERR-401-03": warn},
	"query-params":                        {"AUTH-POST-02": fail, "TE-BODY-01": warn},
	"quoted-error-description":            {"ERR-DESC-01": fail},
	"refresh-token":                       {"CC-RT-01": warn},
	"reject-unknown-params":               {"BCP-01": skip, "TE-PARAM-02": fail},
	"repeated-params":                     {"TE-PARAM-03": fail, "TE-PARAM-03-SAME": warn},
	"resource-ignored":                    {"RI-01": warn, "RI-02": warn},
	"resource-repeat-rejected":            {"RI-04": warn},
	"resource-unchecked":                  {"RI-02": warn},
	"resource-wrong-error":                {"RI-03": warn},
	"revoke-any-client":                   {"REV-05": fail},
	"revoke-http-url":                     {"REV-01": skip, "REV-02": skip, "REV-03": skip, "REV-04": skip, "REV-05": skip, "REV-06": skip, "REV-07": fail},
	"revoke-no-auth":                      {"REV-04": fail},
	"revoke-no-effect":                    {"REV-02": fail, "REV-06": skip},
	"revoke-trusts-hint":                  {"REV-06": fail},
	"revoke-unknown-400":                  {"REV-03": fail},
	"revoke-unsupported":                  {"REV-01": warn, "REV-02": skip, "REV-06": skip},
	"rs-403-invalid-token":                {"RS-03": warn},
	"rs-aud-unchecked":                    {"RS-06": fail},
	"rs-bearer-case-sensitive":            {"RS-07": warn},
	"rs-challenge-dup-realm":              {"RS-02": fail},
	"rs-error-on-missing":                 {"RS-01": warn},
	"rs-header-only":                      {},
	"rs-no-challenge":                     {"RS-01": fail},
	"rs-no-signature-check":               {"MTLS-09": skip, "RS-03": fail},
	"rs-query-cacheable":                  {"RS-08": warn},
	"rs-revocation-unchecked":             {"REV-02": warn},
	"rs-scope-unchecked":                  {"RS-04": fail},
	"rs-two-transports-ok":                {"RS-05": warn},
	"scope-array":                         {"RESP-SCOPE-02": fail},
	"scope-case-insensitive":              {"CC-SCOPE-05": warn},
	"scope-empty-string":                  {"RESP-SCOPE-02": fail},
	"scope-narrowed-hidden":               {"RESP-SCOPE-01": fail},
	"scope-required":                      {"CC-SCOPE-01": fail},
	"scope-required-invalid-scope":        {},
	"scopes-not-enforced":                 {"CC-SCOPE-02": fail, "CC-SCOPE-03": fail, "CC-SCOPE-04": warn, "OAS-TOKEN-200": warn},
	"status-201":                          {"OAS-TOKEN-200": skip, "RESP-STATUS-01": fail},
	"strict-content-type":                 {"TE-CT-02": fail, "TE-CT-02-CASE": warn},
	"tls-http-twin":                       {"TE-TLS-01": fail},
	"token-in-error":                      {"ERR-NOTOK-01": fail},
	"two-auth-methods":                    {"AUTH-MULTI-01": warn, "AUTH-MULTI-02": warn, "AUTH-MULTI-03-OTHER": warn},
	"unknown-clients":                     {"AUTH-BASIC-08": fail, "AUTH-BASIC-08-ENUM": info},
	"unknown-grant-invalid-request":       {"CC-GT-02-CODE": warn},
	"widened-scope-hidden":                {"CC-SCOPE-02": fail, "CC-SCOPE-03": fail},
	"wrong-secret-invalid-grant":          {"AUTH-POST-03": warn, "ERR-401-01": fail, "ERR-401-02": skip},
	"wrong-secret-unauthorized-client":    {"AUTH-POST-03": warn, "ERR-401-01": fail, "ERR-401-02": skip},
}

// quirkTargets adjusts the target for quirks that need it.
var quirkTargets = map[mockserver.Quirk]func(*Target){
	// INT-07 watches a token expire: it needs a client with short-lived
	// tokens (the clean run skips it; the embedded run passes it).
	"introspect-ignores-exp": func(t *Target) {
		t.ShortLivedClient = &Client{ID: shortLivedID, Secret: shortLivedSecret, SecretEnv: EnvShortLivedSecret}
	},
	"assertion-replay":                    func(t *Target) { t.Profiles = append(t.Profiles, ProfileFAPI2) },
	"assertion-metadata-non-fapi-methods": func(t *Target) { t.Profiles = append(t.Profiles, ProfileFAPI2) },
	"assertion-metadata-non-fapi-algs":    func(t *Target) { t.Profiles = append(t.Profiles, ProfileFAPI2) },
	// Basic is refused for a client configured for both methods: graded.
	"no-basic": func(t *Target) {
		t.Client.AuthMethods = []string{rfc6749.AuthClientSecretPost, rfc6749.AuthClientSecretBasic}
	},
	// The client under test is registered for Basic only and found with
	// --auth-method auto while the metadata lists client_secret_post
	// first: the baseline must be Basic, with no failure anywhere.
	"metadata-post-first": func(t *Target) {
		t.Client.AuthMethods = nil
		t.SpecialClient.AuthMethods, t.NoGrantClient.AuthMethods = nil, nil
	},
}

// quirkConfigs adjusts the mock's clients for quirks that need it.
var quirkConfigs = map[mockserver.Quirk]func(*mockserver.Config){
	"introspect-ignores-exp": withShortLivedClient,
	// Replay protection is graded only under FAPI 2.0 (RFC 7523 leaves it
	// optional): the mock and the run both use that profile.
	"assertion-replay":                    func(c *mockserver.Config) { c.AssertionProfile = mockserver.ProfileFAPI2 },
	"assertion-metadata-non-fapi-methods": func(c *mockserver.Config) { c.AssertionProfile = mockserver.ProfileFAPI2 },
	"assertion-metadata-non-fapi-algs":    func(c *mockserver.Config) { c.AssertionProfile = mockserver.ProfileFAPI2 },
	"metadata-post-first": func(c *mockserver.Config) {
		c.Clients[0].AuthMethods = []string{rfc6749.AuthClientSecretBasic}
	},
	// With nonces a server may judge a proof's age by its nonce (RFC 9449
	// §4.3 item 11), so DPOP-IAT-01 grades iat only without them.
	"dpop-iat-unchecked": func(c *mockserver.Config) { c.DPoPNonce = false },
}

// The client of INT-07's runs, with tokens of 2 s.
const (
	shortLivedID     = "short-lived-client"
	shortLivedSecret = "short-lived-secret"
)

// withShortLivedClient registers INT-07's client.
func withShortLivedClient(c *mockserver.Config) {
	c.Clients = append(c.Clients, mockserver.Client{ID: shortLivedID, Secret: shortLivedSecret, Scopes: []string{"read"}, TokenTTL: mockserver.Duration(2 * time.Second)})
}

// verdicts runs the suite against a mock with quirks and returns each
// spec's verdict.
func verdicts(t *testing.T, q mockserver.Quirk) map[string]reports.SpecResult {
	t.Helper()
	out, err := quirkVerdicts(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// quirkServer starts the mock with one quirk (none for ""), over HTTPS so
// that the mTLS specs run too, with the quirk's own config and target
// tweaks; the caller closes it.
func quirkServer(q mockserver.Quirk) (*mockserver.Server, Target) {
	cfg := mockConfig()
	// Production-like answers: the detailed reasons of the default mode
	// make unknown-client and wrong-secret answers differ on purpose.
	cfg.TerseErrors = true
	if q != "" {
		cfg.Quirks = []mockserver.Quirk{q}
	}
	if tweak := quirkConfigs[q]; tweak != nil {
		tweak(&cfg)
	}
	s := mockserver.NewUnstartedServer(cfg)
	s.StartTLS()
	target := mockTarget(s)
	if tweak := quirkTargets[q]; tweak != nil {
		tweak(&target)
	}
	return s, target
}

// quirkVerdicts is verdicts without a test: runs are independent, so the
// quirk self-test makes many at once.
func quirkVerdicts(ctx context.Context, q mockserver.Quirk) (map[string]reports.SpecResult, error) {
	s, target := quirkServer(q)
	defer s.Close()
	run, err := Run(ctx, target, RunOptions{})
	if err != nil {
		return nil, fmt.Errorf("quirk %q: %w", q, err)
	}
	out := map[string]reports.SpecResult{}
	for _, r := range run.Specs {
		out[r.ID] = r
	}
	return out, nil
}

// quirkRuns runs the suite once per quirk, concurrently (at most four runs
// at once, whatever -parallel says: each run is mostly waiting on its own
// mock).
func quirkRuns(ctx context.Context, quirks []mockserver.Quirk) ([]map[string]reports.SpecResult, []error) {
	got, errs := make([]map[string]reports.SpecResult, len(quirks)), make([]error, len(quirks))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, q := range quirks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			got[i], errs[i] = quirkVerdicts(ctx, q)
		}()
	}
	wg.Wait()
	return got, errs
}

// uncoverable lists MUST and SHOULD specs no quirk of the mock can break,
// with the reason; each is proven some other way or documented.
var uncoverable = map[string]string{}

func TestEveryQuirkIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per quirk")
	}
	clean := verdicts(t, "")
	caught := map[string]bool{}
	dump := os.Getenv("OCCHECK_QUIRK_DUMP") != ""
	var dumped []string
	quirks := mockserver.KnownQuirks()
	runs, errs := quirkRuns(t.Context(), quirks)
	for i, q := range quirks {
		want, ok := quirkExpectations[q]
		if !ok && !dump {
			t.Errorf("quirk %s has no expectation in quirkExpectations", q)
			continue
		}
		t.Run(string(q), func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			got := runs[i]
			diff := map[string]reports.Verdict{}
			for id, r := range got {
				if c, ok := clean[id]; !ok || c.Verdict != r.Verdict {
					diff[id] = r.Verdict
				}
				if r.Verdict == reports.Error {
					t.Errorf("%s errored: %s", id, r.Message.Detail)
				}
			}
			for id := range clean {
				if _, ok := got[id]; !ok {
					t.Errorf("%s did not run under %s", id, q)
				}
			}
			for id, v := range diff {
				if v == reports.Fail || v == reports.Warn {
					caught[id] = true
				}
			}
			if dump {
				dumped = append(dumped, dumpEntry(q, diff))
				return
			}
			for id, v := range want {
				if diff[id] != v {
					t.Errorf("quirk %s (%s): %s is %s, want %s", q, q.Description(), id, got[id].Verdict, v)
				}
			}
			for id, v := range diff {
				if _, ok := want[id]; !ok {
					t.Errorf("quirk %s also turns %s %s, which quirkExpectations does not list:\n%s", q, id, v, failureText(got[id]))
				}
			}
		})
	}
	if dump {
		t.Logf("\n%s", strings.Join(dumped, "\n"))
	}
	for q := range quirkExpectations {
		if q.Description() == "" {
			t.Errorf("quirkExpectations names %s, which the mock does not have", q)
		}
	}
	var must, should, mustCaught, shouldCaught int
	var gaps []string
	for _, s := range allSpecs() {
		if s.Level != reports.Must && s.Level != reports.Should {
			continue
		}
		if s.Level == reports.Must {
			must++
		} else {
			should++
		}
		if caught[s.ID] {
			if s.Level == reports.Must {
				mustCaught++
			} else {
				shouldCaught++
			}
			continue
		}
		reason, ok := uncoverable[s.ID]
		if !ok {
			t.Errorf("%s (%s) is broken by no quirk of the mock and not listed in uncoverable", s.ID, s.Level)
			continue
		}
		gaps = append(gaps, s.ID+": "+reason)
	}
	sort.Strings(gaps)
	t.Logf("quirk coverage: %d/%d MUST and %d/%d SHOULD specs are proven to fail by a quirk; %d quirks", mustCaught, must, shouldCaught, should, len(mockserver.KnownQuirks()))
	for _, g := range gaps {
		t.Logf("not proven by a quirk: %s", g)
	}
}

// dumpEntry prints one quirkExpectations entry, for review when the suite
// changes (OCCHECK_QUIRK_DUMP=1).
func dumpEntry(q mockserver.Quirk, diff map[string]reports.Verdict) string {
	ids := make([]string, 0, len(diff))
	for id := range diff {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("%q: %s", id, verdictConst[diff[id]]))
	}
	return fmt.Sprintf("\t%q: {%s},", string(q), strings.Join(parts, ", "))
}

var verdictConst = map[reports.Verdict]string{reports.Fail: "fail", reports.Warn: "warn", reports.Skip: "skip", reports.Info: "info", reports.Pass: "pass", reports.Error: "errored"}

// Short names keep the table readable.
const (
	fail    = reports.Fail
	warn    = reports.Warn
	skip    = reports.Skip
	info    = reports.Info
	pass    = reports.Pass
	errored = reports.Error
)

// TestTLSSpecFailsOnPlainHTTP proves TE-TLS-01 without sending anything:
// a plain-http token URL off loopback fails before any request.
func TestTLSSpecFailsOnPlainHTTP(t *testing.T) {
	target := Target{
		TokenURL: "http://auth.example.test/token",
		Client:   Client{ID: "a", Secret: "secret-a"},
	}
	run, err := Run(t.Context(), target, RunOptions{LabelFilter: "id: containsAny {TE-TLS-01}"})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Specs) != 1 || run.Specs[0].Verdict != reports.Fail || len(run.Specs[0].Exchanges) != 0 {
		t.Fatalf("TE-TLS-01 on a plain-http, non-loopback URL = %+v, want a failure without any exchange", run.Specs)
	}
}

// TestQuirkDescriptionsNameTheRule keeps the --list-quirks output useful.
func TestQuirkDescriptionsNameTheRule(t *testing.T) {
	for _, q := range mockserver.KnownQuirks() {
		d := q.Description()
		if d == "" || strings.Contains(d, "\n") {
			t.Errorf("quirk %s: description %q", q, d)
		}
	}
	if !slices.IsSorted(mockserver.KnownQuirks()) {
		t.Errorf("Quirks() is not sorted")
	}
	_ = fmt.Sprint()
}

// TestExpiryIsWatched: INT-07 passes a server whose short-lived tokens
// go inactive, fails one that ignores exp, and skips, saying why, when
// no client's tokens are short-lived.
func TestExpiryIsWatched(t *testing.T) {
	for _, tc := range []struct {
		quirk mockserver.Quirk
		short bool
		want  reports.Verdict
	}{{"", true, pass}, {"introspect-ignores-exp", true, fail}, {"", false, skip}} {
		t.Run(fmt.Sprintf("%s/%v", tc.quirk, tc.short), func(t *testing.T) {
			t.Parallel()
			cfg := mockConfig()
			if tc.quirk != "" {
				cfg.Quirks = []mockserver.Quirk{tc.quirk}
			}
			withShortLivedClient(&cfg)
			s := mockserver.NewUnstartedServer(cfg)
			s.StartTLS()
			t.Cleanup(s.Close)
			target := mockTarget(s)
			if tc.short {
				quirkTargets["introspect-ignores-exp"](&target)
			}
			run, err := Run(t.Context(), target, RunOptions{LabelFilter: "id: containsAny {INT-07}"})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range run.Specs {
				if r.ID == "INT-07" {
					if r.Verdict != tc.want {
						t.Errorf("INT-07 = %s, want %s: %s", r.Verdict, tc.want, failureText(r))
					}
					if tc.want == skip && !strings.Contains(failureText(r), "--short-lived-client-id") {
						t.Errorf("the skip does not say how to run it: %+v", r.Message)
					}
					return
				}
			}
			t.Fatal("INT-07 did not run")
		})
	}
}

// TestProfileLevels: a spec's level under a profile is data: without
// Pragma RESP-HDR-02 fails as a MUST by default and warns as a SHOULD
// under oauth21, and the result says which level graded it.
func TestProfileLevels(t *testing.T) {
	for _, c := range []struct {
		profiles []string
		verdict  reports.Verdict
		level    reports.Level
	}{{nil, fail, reports.Must}, {[]string{ProfileOAuth21}, warn, reports.Should}} {
		s := mockserver.NewTestServer(t, mockConfig("no-pragma"))
		target := mockTarget(s)
		target.Profiles = append(target.Profiles, c.profiles...)
		run, err := Run(t.Context(), target, RunOptions{LabelFilter: "id: containsAny {RESP-HDR-02}"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range run.Specs {
			if r.ID == "RESP-HDR-02" && (r.Verdict != c.verdict || r.Level != c.level) {
				t.Errorf("profiles %v: RESP-HDR-02 %s at %s, want %s at %s", c.profiles, r.Verdict, r.Level, c.verdict, c.level)
			}
		}
	}
}

// TestLevelLabelFollowsTheProfile: level: selects by the level the
// target's profiles grade at.
func TestLevelLabelFollowsTheProfile(t *testing.T) {
	s := mockserver.NewTestServer(t, mockConfig())
	for _, c := range []struct {
		profiles []string
		n        int
	}{{nil, 0}, {[]string{ProfileOAuth21}, 1}} {
		target := mockTarget(s)
		target.Profiles = append(target.Profiles, c.profiles...)
		run, err := Run(t.Context(), target, RunOptions{LabelFilter: "level:should && id: containsAny {RESP-HDR-02}"})
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Specs) != c.n {
			t.Errorf("profiles %v: level:should selects %d RESP-HDR-02, want %d", c.profiles, len(run.Specs), c.n)
		}
	}
}

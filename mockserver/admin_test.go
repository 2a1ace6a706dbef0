package mockserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/occheck/occheck/specs"
)

// adminServer is a live mock with the admin API on.
func adminServer(t *testing.T, token string) *Server {
	t.Helper()
	cfg := testConfig()
	cfg.Admin, cfg.AdminToken = true, token
	return NewTestServer(t, cfg)
}

// adminCall sends one admin request and validates the answer against
// specs/openapi.yaml.
func adminCall(t *testing.T, s *Server, op specs.Operation, method, path, body, token string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s = %d: %s", method, path, resp.StatusCode, raw)
	}
	if op != "" {
		if err := specs.ValidateResponse(t.Context(), op, req, resp.StatusCode, resp.Header, raw); err != nil {
			t.Errorf("%s %s: %v", method, path, err)
		}
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Errorf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

// TestAdminAPI drives every admin endpoint the way a test in another
// language would, each answer checked against the contract.
func TestAdminAPI(t *testing.T) {
	s := adminServer(t, "")
	if st, _ := adminCall(t, s, specs.OpAdminAddFault, "POST", "/_occheck/faults", `{"action":"unavailable","times":1,"retry_after":"2s"}`, ""); st != 201 {
		t.Fatalf("add fault = %d", st)
	}
	if resp, _, _ := tokenPost(t, s); resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("token after the fault: %v", resp)
	}
	if st, out := adminCall(t, s, specs.OpAdminListFaults, "GET", "/_occheck/faults", "", ""); st != 200 || len(out["faults"].([]any)) != 1 {
		t.Errorf("list = %d %v", st, out)
	}
	if st, _ := adminCall(t, s, specs.OpAdminRemoveFault, "DELETE", "/_occheck/faults/1", "", ""); st != 204 {
		t.Errorf("remove = %d", st)
	}
	if st, _ := adminCall(t, s, specs.OpAdminRemoveFault, "DELETE", "/_occheck/faults/1", "", ""); st != 404 {
		t.Errorf("remove again = %d", st)
	}
	if st, _ := adminCall(t, s, specs.OpAdminClearFaults, "DELETE", "/_occheck/faults", "", ""); st != 204 {
		t.Errorf("clear = %d", st)
	}
	if st, out := adminCall(t, s, specs.OpAdminRequests, "GET", "/_occheck/requests?endpoint=token&client_id="+idA, "", ""); st != 200 || len(out["requests"].([]any)) != 1 {
		t.Errorf("requests = %d %v", st, out)
	}
	if st, _ := adminCall(t, s, specs.OpAdminResetRequests, "DELETE", "/_occheck/requests", "", ""); st != 204 || len(s.Requests()) != 0 {
		t.Errorf("reset requests = %d, %d left", st, len(s.Requests()))
	}
	if st, out := adminCall(t, s, specs.OpAdminSetClock, "POST", "/_occheck/clock", `{"set":"2030-01-02T03:04:05Z"}`, ""); st != 200 || out["now"] != "2030-01-02T03:04:05Z" {
		t.Errorf("set clock = %d %v", st, out)
	}
	if st, out := adminCall(t, s, specs.OpAdminSetClock, "POST", "/_occheck/clock", `{"advance":"1h"}`, ""); st != 200 || out["now"] != "2030-01-02T04:04:05Z" {
		t.Errorf("advance clock = %d %v", st, out)
	}
	_, body, _ := tokenPost(t, s)
	if iat, _ := jwtClaimsFromBody(t, body)["iat"].(float64); int64(iat) != time.Date(2030, 1, 2, 4, 4, 5, 0, time.UTC).Unix() {
		t.Errorf("iat %v does not follow the clock", iat)
	}
	if st, _ := adminCall(t, s, specs.OpAdminGetClock, "GET", "/_occheck/clock", "", ""); st != 200 {
		t.Errorf("get clock = %d", st)
	}
	if st, out := adminCall(t, s, specs.OpAdminSetQuirks, "PUT", "/_occheck/quirks", `{"quirks":["no-pragma"]}`, ""); st != 200 || len(out["quirks"].([]any)) != 1 {
		t.Errorf("set quirks = %d %v", st, out)
	}
	if resp, _, _ := tokenPost(t, s); resp.Header.Get("Pragma") != "" {
		t.Errorf("no-pragma switched on at run time still sends Pragma")
	}
	if st, out := adminCall(t, s, specs.OpAdminGetQuirks, "GET", "/_occheck/quirks", "", ""); st != 200 || out["quirks"].([]any)[0] != "no-pragma" {
		t.Errorf("get quirks = %d %v", st, out)
	}
	if st, _ := adminCall(t, s, specs.OpAdminKeys, "GET", "/_occheck/keys", "", ""); st != 200 {
		t.Errorf("keys = %d", st)
	}
	old := s.KeyID()
	if st, out := adminCall(t, s, specs.OpAdminRotateKey, "POST", "/_occheck/keys/rotate", `{"alg":"ES256"}`, ""); st != 200 || out["signing_kid"] == old || len(out["kids"].([]any)) != 2 {
		t.Errorf("rotate = %d %v", st, out)
	}
	if st, out := adminCall(t, s, specs.OpAdminDropRetired, "DELETE", "/_occheck/keys/retired", "", ""); st != 200 || len(out["kids"].([]any)) != 1 {
		t.Errorf("drop retired = %d %v", st, out)
	}
	if st, _ := adminCall(t, s, specs.OpAdminRotateKey, "POST", "/_occheck/keys/rotate", `{"alg":"HS256"}`, ""); st != 400 {
		t.Errorf("rotate to HS256 = %d", st)
	}
	if st, _ := adminCall(t, s, specs.OpAdminReset, "POST", "/_occheck/reset", "", ""); st != 204 || len(s.Requests()) != 0 || time.Since(s.Clock().Now()) > time.Minute {
		t.Errorf("reset = %d", st)
	}
}

// TestAdminRefusesBadRequests: every bad admin request gets a clear JSON
// error, never a 500.
func TestAdminRefusesBadRequests(t *testing.T) {
	s := adminServer(t, "")
	for _, tc := range []struct {
		op           specs.Operation
		method, path string
		body         string
		status       int
	}{
		{specs.OpAdminAddFault, "POST", "/_occheck/faults", `{"action":"explode"}`, 400},
		{specs.OpAdminAddFault, "POST", "/_occheck/faults", `{"action":"drop","colour":"red"}`, 400},
		{specs.OpAdminAddFault, "POST", "/_occheck/faults", `not json`, 400},
		{specs.OpAdminAddFault, "POST", "/_occheck/faults", ``, 415},
		{specs.OpAdminAddFault, "POST", "/_occheck/faults", `{"action":"delay","delay":"soon"}`, 400},
		{specs.OpAdminAddFault, "POST", "/_occheck/faults", `{"action":"drop","x":"` + strings.Repeat("a", 70<<10) + `"}`, 413},
		{specs.OpAdminSetClock, "POST", "/_occheck/clock", `{}`, 400},
		{specs.OpAdminSetClock, "POST", "/_occheck/clock", `{"set":"tomorrow"}`, 400},
		{specs.OpAdminSetQuirks, "PUT", "/_occheck/quirks", `{"quirks":["no-such"]}`, 400},
		{specs.OpAdminRequests, "GET", "/_occheck/requests?endpoint=authorize", "", 400},
		{"", "GET", "/_occheck/nothing-here", "", 404},
		{"", "PATCH", "/_occheck/faults", "", 404},
	} {
		st, out := adminCall(t, s, tc.op, tc.method, tc.path, tc.body, "")
		if st != tc.status || out["error"] == nil || out["error_description"] == "" {
			t.Errorf("%s %s %.40s = %d %v, want %d with a JSON error", tc.method, tc.path, tc.body, st, out, tc.status)
		}
	}
}

// TestAdminIsGuarded: off by default; on, only loopback clients, or with
// a token only requests bearing it.
func TestAdminIsGuarded(t *testing.T) {
	off := NewTestServer(t, testConfig())
	if resp, err := off.Client().Get(off.URL + "/_occheck/faults"); err != nil || resp.StatusCode != 404 {
		t.Errorf("admin off: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}

	cfg := testConfig()
	cfg.Admin = true
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/_occheck/faults", nil) // RemoteAddr 192.0.2.1: not loopback
	w := httptest.NewRecorder()
	a.ServeHTTP(w, req)
	if w.Code != 403 || !strings.Contains(w.Body.String(), "loopback") {
		t.Errorf("remote client without token: %d %s", w.Code, w.Body)
	}

	s := adminServer(t, "admin-token-0123456789")
	if st, _ := adminCall(t, s, specs.OpAdminListFaults, "GET", "/_occheck/faults", "", ""); st != 401 {
		t.Errorf("no token: %d", st)
	}
	if st, _ := adminCall(t, s, specs.OpAdminListFaults, "GET", "/_occheck/faults", "", "wrong"); st != 401 {
		t.Errorf("wrong token: %d", st)
	}
	if st, _ := adminCall(t, s, specs.OpAdminListFaults, "GET", "/_occheck/faults", "", "admin-token-0123456789"); st != 200 {
		t.Errorf("right token: %d", st)
	}
}

package suites

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/occheck/occheck/internal/rfc6749"
	"github.com/occheck/occheck/mockserver"
	"github.com/occheck/occheck/reports"
)

// TestDependenciesAreDeclared: every dependency names a registered spec,
// the graph has no cycle (a cycle would deadlock the per-run memo), and
// no spec builds on a final one.
func TestDependenciesAreDeclared(t *testing.T) {
	for _, s := range allSpecs() {
		for _, d := range s.DependsOn {
			ds := specByID(d)
			switch {
			case ds == nil:
				t.Errorf("%s depends on unknown spec %s", s.ID, d)
			case ds.Final:
				t.Errorf("%s depends on final spec %s", s.ID, d)
			case dependsOn(ds, s.ID) || d == s.ID:
				t.Errorf("%s and %s depend on each other", s.ID, d)
			}
		}
	}
}

// count tallies verdicts.
func count(run *reports.Run) map[reports.Verdict][]string {
	out := map[reports.Verdict][]string{}
	for _, s := range run.Specs {
		out[s.Verdict] = append(out[s.Verdict], s.ID)
	}
	return out
}

func result(run *reports.Run, id string) reports.SpecResult {
	for _, s := range run.Specs {
		if s.ID == id {
			return s
		}
	}
	return reports.SpecResult{}
}

// autoTarget is the mock target with the methods left to auto.
func autoTarget(s *mockserver.Server) Target {
	t := mockTarget(s)
	t.Client.AuthMethods, t.SpecialClient.AuthMethods, t.NoGrantClient.AuthMethods = nil, nil, nil
	return t
}

// TestAutoFindsBasicFirst is the pattern that once cascaded: metadata
// listing client_secret_post first, the client registered for Basic only.
// Auto tries Basic first, so nothing fails, and the refused method is a
// skip that says why.
func TestAutoFindsBasicFirst(t *testing.T) {
	cfg := mockConfig(mockserver.QuirkMetadataPostFirst)
	cfg.Clients[0].AuthMethods = []string{rfc6749.AuthClientSecretBasic}
	s := mockserver.NewTestServer(t, cfg)
	run, err := Run(t.Context(), autoTarget(s), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := count(run)
	if len(c[reports.Fail]) != 0 || len(c[reports.Warn]) != 0 || len(c[reports.Error]) != 0 {
		t.Errorf("fail %v, warn %v, error %v; want none", c[reports.Fail], c[reports.Warn], c[reports.Error])
	}
	if !strings.HasPrefix(run.Target.BaselineRequest, "client_secret_basic: RFC 6749 §2.3.1 requires") {
		t.Errorf("baseline %q", run.Target.BaselineRequest)
	}
	if r := result(run, "AUTH-POST-01"); r.Verdict != reports.Skip || !strings.Contains(r.Message.Detail, "client_secret_post is refused for this client") {
		t.Errorf("AUTH-POST-01 %s: %s", r.Verdict, r.Message.Detail)
	}
}

// TestAutoFallsBackToPost: a client registered for body credentials only
// gets its baseline with client_secret_post when the metadata advertises
// it, and the refused Basic is a skip, not a MUST failure.
func TestAutoFallsBackToPost(t *testing.T) {
	cfg := mockConfig()
	cfg.Clients[0].AuthMethods = []string{rfc6749.AuthClientSecretPost}
	s := mockserver.NewTestServer(t, cfg)
	run, err := Run(t.Context(), autoTarget(s), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := count(run)
	if len(c[reports.Fail]) != 0 || len(c[reports.Error]) != 0 {
		t.Errorf("fail %v, error %v; want none", c[reports.Fail], c[reports.Error])
	}
	if want := "client_secret_post: client_secret_basic was refused (401 invalid_client) for this client, and the metadata advertises client_secret_post"; run.Target.BaselineRequest != want {
		t.Errorf("baseline %q, want %q", run.Target.BaselineRequest, want)
	}
	if r := result(run, "AUTH-BASIC-01"); r.Verdict != reports.Skip || !strings.Contains(r.Message.Detail, "pass --auth-method client_secret_basic to grade it") {
		t.Errorf("AUTH-BASIC-01 %s: %s", r.Verdict, r.Message.Detail)
	}
	for _, id := range []string{"AUTH-BASIC-02", "AUTH-BASIC-05", "TE-CT-01"} {
		if r := result(run, id); r.Verdict != reports.Skip || !strings.HasPrefix(r.Message.Detail, "depends on AUTH-BASIC-01") {
			t.Errorf("%s %s: %s", id, r.Verdict, r.Message.Detail)
		}
	}
}

// TestOneRootCauseOneFailure: without metadata, auto tries Basic only; a
// body-only client then has no baseline, and every spec that needs one is
// skipped naming CC-OK-01 instead of failing.
func TestOneRootCauseOneFailure(t *testing.T) {
	cfg := mockConfig()
	cfg.Clients[0].AuthMethods = []string{rfc6749.AuthClientSecretPost}
	s := mockserver.NewTestServer(t, cfg)
	target := autoTarget(s)
	target.MetadataURL = ""
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := count(run)
	if len(c[reports.Fail]) != 1 || c[reports.Fail][0] != "CC-OK-01" || len(c[reports.Warn]) != 0 {
		t.Fatalf("fail %v, warn %v; want CC-OK-01 alone", c[reports.Fail], c[reports.Warn])
	}
	ok := result(run, "CC-OK-01")
	if !strings.Contains(ok.Message.Actual, "pass --auth-method client_secret_post") {
		t.Errorf("CC-OK-01 does not say what to try: %s", ok.Message.Actual)
	}
	skipped := 0
	for _, id := range c[reports.Skip] {
		if r := result(run, id); strings.HasPrefix(r.Message.Detail, "depends on CC-OK-01, which failed") {
			skipped++
		}
	}
	if skipped < 60 {
		t.Errorf("only %d specs skipped for CC-OK-01", skipped)
	}
}

// TestExplicitMethodIsGraded: a method --auth-method names must work.
func TestExplicitMethodIsGraded(t *testing.T) {
	cfg := mockConfig()
	cfg.Clients[0].AuthMethods = []string{rfc6749.AuthClientSecretBasic}
	s := mockserver.NewTestServer(t, cfg)
	target := mockTarget(s)
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(run, "AUTH-POST-01"); r.Verdict != reports.Fail {
		t.Errorf("AUTH-POST-01 %s, want fail when client_secret_post is configured and refused", r.Verdict)
	}
}

// TestSelectedSpecRunsItsDependencies: a spec selected alone still gets
// the verdict its dependencies decide, and only it is reported.
func TestSelectedSpecRunsItsDependencies(t *testing.T) {
	s := mockserver.NewTestServer(t, mockConfig(mockserver.QuirkAnyGrantType))
	run, err := Run(t.Context(), mockTarget(s), RunOptions{LabelFilter: "id: containsAny {CC-GT-02-CODE}"})
	if err != nil {
		t.Fatal(err)
	}
	if r := result(run, "CC-GT-02-CODE"); r.Verdict != reports.Skip || !strings.HasPrefix(r.Message.Detail, "depends on CC-GT-02, which failed") {
		t.Fatalf("CC-GT-02-CODE %s: %s", r.Verdict, r.Message.Detail)
	}
	if len(run.Specs) != 2 {
		t.Errorf("%d specs reported, want the selected one and its failed root", len(run.Specs))
	}
}

// TestServerFaultsAreFailures: a dropped connection or a 500 for client
// input fails the spec that sent it and ERR-5XX-01, never "error".
func TestServerFaultsAreFailures(t *testing.T) {
	for _, q := range []mockserver.Quirk{mockserver.QuirkCrashOnBadEscape, mockserver.QuirkCrashOnBadEscape500} {
		s := mockserver.NewTestServer(t, mockConfig(q))
		run, err := Run(t.Context(), mockTarget(s), RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		raw, all := result(run, "AUTH-BASIC-03"), result(run, "ERR-5XX-01")
		if raw.Verdict != reports.Fail || all.Verdict != reports.Fail || !strings.Contains(all.Message.Actual, "AUTH-BASIC-03") {
			t.Errorf("%s: AUTH-BASIC-03 %s (%s), ERR-5XX-01 %s (%s)", q, raw.Verdict, raw.Message.Actual, all.Verdict, all.Message.Actual)
		}
	}
	// Alone, ERR-5XX-01 has nothing to grade.
	s := mockserver.NewTestServer(t, mockConfig())
	run, err := Run(t.Context(), mockTarget(s), RunOptions{LabelFilter: "id: containsAny {ERR-5XX-01}"})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Specs) != 1 || run.Specs[0].Verdict != reports.Skip {
		t.Fatalf("ERR-5XX-01 alone: %+v", run.Specs)
	}
}

// TestUndeclaredDependencyIsAHarnessBug: a spec that authenticates as the
// client under test without depending on CC-OK-01 errors at once, so a
// missing declaration is found by the suite's own tests, not by a vendor.
func TestUndeclaredDependencyIsAHarnessBug(t *testing.T) {
	s := mockserver.NewTestServer(t, mockConfig())
	target := mockTarget(s)
	st := newRunState(&target, context.Background(), nil)
	for name, run := range map[string]func(h *H){
		"As":        func(h *H) { h.Send(ccBody(), h.As(&h.T.Client)) },
		"MustToken": func(h *H) { h.MustToken() },
	} {
		h := newH(t.Context(), &Spec{ID: "X-UNDECLARED", Level: reports.Must, Title: "x", Run: run}, &target, st)
		if crash := h.runRecovering(); !strings.Contains(crash, "does not depend on") {
			t.Errorf("%s: crash %q", name, crash)
		}
	}
}

// TestScopeRequiredWithoutScope: a server may refuse a request without
// scope (RFC 6749 §3.3). Without --scope that is no failure of the server:
// the baseline cannot be made, and the run says what to pass.
func TestScopeRequiredWithoutScope(t *testing.T) {
	s := mockserver.NewTestServer(t, mockConfig(mockserver.QuirkScopeRequiredInvalidScope))
	target := mockTarget(s)
	target.Scope = ""
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ok := result(run, "CC-OK-01")
	if ok.Verdict != reports.Error || !strings.Contains(ok.Message.Detail, "pass --scope") {
		t.Fatalf("CC-OK-01 %s: %s", ok.Verdict, ok.Message.Detail)
	}
	if c := count(run); len(c[reports.Fail]) != 0 {
		t.Errorf("failures %v; the server did nothing wrong", c[reports.Fail])
	}
}

// TestFilteredRunReportsTheRootCause: a run selecting only a dependent
// spec still reports the failed root cause, so it cannot pass.
func TestFilteredRunReportsTheRootCause(t *testing.T) {
	s := mockserver.NewTestServer(t, mockConfig(mockserver.QuirkAnyGrantType))
	run, err := Run(t.Context(), mockTarget(s), RunOptions{LabelFilter: "id: containsAny {CC-GT-02-CODE}"})
	if err != nil {
		t.Fatal(err)
	}
	if got := result(run, "CC-GT-02"); got.Verdict != reports.Fail || len(got.Notes) == 0 || !strings.Contains(got.Notes[len(got.Notes)-1], "CC-GT-02-CODE depends on it") {
		t.Fatalf("CC-GT-02 %s %v in %d specs", got.Verdict, got.Notes, len(run.Specs))
	}
}

// TestEchoedCredentialsNeverReachAReport: a server that echoes the
// Authorization header deep in its error body, where a message is clipped,
// leaks no part of the Basic credential into any message, note or
// transcript.
func TestEchoedCredentialsNeverReachAReport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"%s%s"}`, strings.Repeat("x", 123), r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	target := Target{TokenURL: srv.URL + "/token", Client: Client{ID: "echo-client", Secret: "echo-secret-0123456789", AuthMethods: []string{rfc6749.AuthClientSecretBasic}}}
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cred := base64.StdEncoding.EncodeToString([]byte("echo-client:echo-secret-0123456789"))
	b, _ := json.Marshal(run)
	// The id prefix is shared with the wrong-secret credentials the specs
	// send on purpose; the part that encodes the secret must never show.
	for _, part := range []string{cred[16:24], cred[20:], "echo-secret"} {
		if strings.Contains(string(b), part) {
			t.Errorf("the report holds %q", part)
		}
	}
}

// TestOneTriggerFaultFailsOnce: the error triggers are shared by the
// error specs; one of them answered 500 fails ERR-400-01 (and ERR-5XX-01),
// not every spec that reads the triggers.
func TestOneTriggerFaultFailsOnce(t *testing.T) {
	mock, err := mockserver.New(mockConfig())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			if strings.Contains(string(body), "occheck%22x") {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		}
		mock.ServeHTTP(w, r)
	}))
	defer srv.Close()
	target := mockTarget(&mockserver.Server{Server: srv, Authority: mock})
	target.TokenURL, target.MetadataURL = srv.URL+"/token", ""
	run, err := Run(t.Context(), target, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := count(run)
	want := []string{"ERR-400-01", "ERR-5XX-01"}
	if strings.Join(c[reports.Fail], ",") != strings.Join(want, ",") {
		t.Errorf("failures %v, want %v", c[reports.Fail], want)
	}
	// CC-SCOPE-04 sends the same request but grades only its code, which
	// ERR-400-01's failure makes moot.
	if r := result(run, "CC-SCOPE-04"); r.Verdict != reports.Skip {
		t.Errorf("CC-SCOPE-04 %s: %s", r.Verdict, r.Message.Detail)
	}
}

package reports

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

const ms = time.Millisecond

// sampleRun is a fixed run that exercises every verdict, both baseline
// states, several RFCs and sections (numbered, appendix, non-RFC), full
// exchanges, a curl line, and text that needs escaping in every format:
// markup, ampersands, quotes, a pipe, newlines, a control character and
// non-ASCII.
func sampleRun() *Run {
	start := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	tokenURL := "https://as.example.com/oauth2/token"
	curl := `curl -sS -X POST 'https://as.example.com/oauth2/token' -u 'ci-client:[REDACTED]' -d 'grant_type=client_credentials' -d 'scope=read write'`
	post := Exchange{
		Method: "POST",
		URL:    tokenURL,
		RequestHeaders: map[string][]string{
			"Authorization": {"Basic [REDACTED]"},
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Accept":        {"application/json"},
		},
		RequestBody: "grant_type=client_credentials&scope=read%20write",
		Status:      400,
		ResponseHeaders: map[string][]string{
			"Content-Type":  {"application/json;charset=UTF-8"},
			"Cache-Control": {"no-store"},
			"Set-Cookie":    {"lb=a1; Path=/", "sid=[REDACTED]; HttpOnly"},
		},
		ResponseBody: "{\"error\":\"invalid_request\",\n \"error_description\":\"Le paramètre <scope> est invalide & \\\"refusé\\\"\x01\"}",
		Duration:     Duration(42 * ms),
	}
	ok := post
	ok.Status = 200
	ok.ResponseHeaders = map[string][]string{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"}}
	ok.ResponseBody = `{"access_token":"[REDACTED]","token_type":"Bearer","expires_in":3600}`
	ok.Duration = Duration(18 * ms)

	return &Run{
		Schema:           SchemaV1,
		Tool:             "occheck",
		Version:          "v1.4.0",
		CatalogueVersion: "2026.03",
		Target: Target{
			TokenURL:        tokenURL,
			MetadataURL:     "https://as.example.com/.well-known/oauth-authorization-server",
			ClientID:        `ci-client <ops> & "friends"`,
			AuthMethods:     []string{"client_secret_basic", "private_key_jwt"},
			BaselineRequest: "client_secret_basic: the first configured method (--auth-method) that yields a token",
			Profiles:        []string{"baseline"},
		},
		Start:      start,
		Finish:     start.Add(12345 * ms),
		ConfigHash: "sha256:3f2a9c0d",
		Specs: []SpecResult{
			{
				ID: "CC-OK-01", RFC: "6749", Section: "2.3.1", Level: Must,
				Title:     "A confidential client authenticates with HTTP Basic and gets a token.",
				Labels:    []string{"auth", "basic"},
				Verdict:   Pass,
				Duration:  Duration(21 * ms),
				Message:   Message{Requirement: "A confidential client authenticates with HTTP Basic and gets a token."},
				Exchanges: []Exchange{ok},
				Curl:      curl,
			},
			{
				ID: "AUTH-BASIC-02", RFC: "6749", Section: "2.3.1", Level: Should,
				Title:    "Credentials in the request body are refused when Basic is available.",
				Verdict:  Warn,
				Duration: Duration(33 * ms),
				Message: Message{
					Requirement: "The server SHOULD NOT accept client credentials in the request body.",
					Expected:    "401 invalid_client",
					Actual:      "200 with a token | body credentials accepted\nsecond line: café",
				},
				Notes:     []string{"Many servers accept both; RFC 6749 allows it but discourages it."},
				Exchanges: []Exchange{ok},
				Curl:      curl,
			},
			{
				ID: "ERR-CODE-01", RFC: "6749", Section: "5.2", Level: Must,
				Title:    `Bad client credentials get "invalid_client".`,
				Verdict:  Fail,
				Duration: Duration(45 * ms),
				Message: Message{
					Requirement: `The "error" member MUST be "invalid_client" when client authentication fails.`,
					Expected:    `"error": "invalid_client" & status 401`,
					Actual:      "\"error\": \"invalid_request\" <b>&amp;</b> status 400\x01 (réponse)",
					Detail:      "error_description: Le paramètre <scope> est invalide",
				},
				Exchanges: []Exchange{post},
				Curl:      curl,
			},
			{
				ID: "ERR-DESC-01", RFC: "6749", Section: "5.2", Level: Must,
				Title:    "error_description is printable ASCII.",
				Verdict:  Fail,
				Duration: Duration(12 * ms),
				Message: Message{
					Requirement: "error_description MUST only contain %x20-21 / %x23-5B / %x5D-7E.",
					Actual:      `error_description contains "è" (U+00E8)`,
				},
				Exchanges: []Exchange{post},
				Curl:      curl,
				Baseline:  BaselineExpected,
			},
			{
				ID: "ERR-URI-01", RFC: "6749", Section: "5.2", Level: Must,
				Title:    "error_uri, when present, is a URI.",
				Verdict:  Pass,
				Duration: Duration(9 * ms),
				Message:  Message{Requirement: "error_uri MUST be a URI-reference."},
				Baseline: BaselineStale,
			},
			{
				ID: "RESP-AT-01", RFC: "6749", Section: "A.12", Level: Must,
				Title:    "access_token uses only VSCHAR.",
				Verdict:  Error,
				Duration: Duration(5000 * ms),
				Message: Message{
					Requirement: "access_token MUST be 1*VSCHAR.",
					Detail:      "read tcp 10.0.0.5:51234->203.0.113.7:443: connection reset by peer",
				},
				Exchanges: []Exchange{{
					Method:         "POST",
					URL:            tokenURL,
					RequestHeaders: map[string][]string{"Authorization": {"Basic [REDACTED]"}},
					RequestBody:    "grant_type=client_credentials",
					Duration:       Duration(5000 * ms),
					Error:          "connection reset by peer",
				}},
				Curl: curl,
			},
			{
				ID: "RESP-AT-02", RFC: "6749", Section: "A.12", Level: Note,
				Title:    "Access token length.",
				Verdict:  Info,
				Duration: Duration(1 * ms),
				Message:  Message{Requirement: "Access token length.", Actual: "1187 characters (a JWT)"},
				Notes:    []string{"Tokens longer than 4096 characters break some proxies.", "Token format: JWT (3 segments)."},
				Exchanges: []Exchange{{
					Method: "POST", URL: tokenURL, Status: 200,
					ResponseHeaders: map[string][]string{"Content-Type": {"application/json"}},
					ResponseBody:    `{"access_token":"[REDACTED]"`,
					Truncated:       true,
					Duration:        Duration(17 * ms),
				}},
			},
			{
				ID: "META-01", RFC: "8414", Section: "3.3", Level: May,
				Title:    "Metadata issuer matches the metadata URL.",
				Verdict:  Skip,
				Duration: 0,
				Message:  Message{Requirement: "Metadata issuer matches the metadata URL.", Detail: "no metadata URL configured"},
			},
			{
				ID: "OAS-TOKEN-200", RFC: "OpenAPI", Section: "token", Level: Should,
				Title:    "Token responses (200) match the OpenAPI contract.",
				Labels:   []string{"openapi"},
				Verdict:  Pass,
				Duration: Duration(3 * ms),
				Message:  Message{Requirement: "Token responses (200) match the OpenAPI contract."},
			},
		},
	}
}

// render writes run with write, failing the test on error.
func render(t *testing.T, write func(io.Writer, *Run) error, run *Run) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, run); err != nil {
		t.Fatalf("write: %v", err)
	}
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./reports -update rewrites it):\n%s", name, firstDiff(string(got), string(want)))
	}
}

// firstDiff shows the first differing line, enough to see what changed.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return "(no line differs)"
}

var writers = []struct {
	name   string
	golden string
	write  func(io.Writer, *Run) error
}{
	{"JUnit", "sample.junit.xml", WriteJUnit},
	{"JSON", "sample.json", WriteJSON},
	{"HTML", "sample.html", WriteHTML},
	{"Markdown", "sample.md", WriteMarkdown},
}

func TestGolden(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			golden(t, w.golden, render(t, w.write, sampleRun()))
		})
	}
}

// TestDeterministic writes each format several times: headers come from
// maps, so a writer that ranges over a map would differ between writes.
func TestDeterministic(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			first := render(t, w.write, sampleRun())
			for i := 0; i < 10; i++ {
				if got := render(t, w.write, sampleRun()); !bytes.Equal(got, first) {
					t.Fatalf("write %d differs from the first:\n%s", i+2, firstDiff(string(got), string(first)))
				}
			}
			wd, _ := os.Getwd()
			for _, bad := range []string{wd, "/home/", "/tmp/", `C:\`} {
				if bytes.Contains(first, []byte(bad)) {
					t.Errorf("output contains the path %q", bad)
				}
			}
		})
	}
}

// TestEmptyRun makes sure no writer trips over a run without specs.
func TestEmptyRun(t *testing.T) {
	run := &Run{Schema: SchemaV1, Tool: "occheck", Target: Target{TokenURL: "https://as.example/token"}}
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			if got := render(t, w.write, run); len(got) == 0 {
				t.Errorf("empty output")
			}
		})
	}
}

package mockserver

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

// TestSecretsInTheWrongPlaceNeverComeBack: a confused client puts its
// secret where no redaction expects it (as its id, a scope, a grant type,
// a parameter name, with a trailing newline); no description, journal
// entry or access log line repeats it, in any mode.
func TestSecretsInTheWrongPlaceNeverComeBack(t *testing.T) {
	const secret = "Zk9xQ2vT7pLmN3rS"
	for _, terse := range []bool{false, true} {
		var logs bytes.Buffer
		cfg := Config{Clients: []Client{{ID: "billing", Secret: secret, Scopes: []string{"read"}}},
			TerseErrors: terse, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		a, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		a.setIssuer("https://as.example.test")
		var bodies []string
		for _, body := range []string{
			cc + "&scope=" + secret,
			"grant_type=" + secret,
			cc + "&client_id=" + url.QueryEscape(secret+"\n"),
			cc + "&client_id=" + secret + "&client_secret=billing",
			cc + "&" + secret + "=1&client_id=billing&client_secret=wrong",
		} {
			got := do(t, a, "POST", "/token", body, map[string]string{"Authorization": basic("billing", secret)})
			bodies = append(bodies, string(got.raw))
			got = do(t, a, "POST", "/token", body, nil)
			bodies = append(bodies, string(got.raw))
		}
		journal, _ := json.Marshal(a.RequestsFor(RequestFilter{}))
		for what, text := range map[string]string{"answers": strings.Join(bodies, "\n"), "journal": string(journal), "access log": logs.String()} {
			if strings.Contains(text, secret) || strings.Contains(text, secret[:12]) {
				t.Errorf("terse=%v: the %s hold the secret:\n%s", terse, what, text)
			}
		}
		if len(a.RequestsFor(RequestFilter{ClientID: secret})) != 0 {
			t.Errorf("terse=%v: filtering the journal by the secret finds requests", terse)
		}
	}
}

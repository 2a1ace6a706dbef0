package mockserver

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// issueA gets a token for client A from a, in the given format.
func issueA(t *testing.T, a *Authority) string {
	t.Helper()
	got := do(t, a, "POST", PathToken, cc, map[string]string{"Authorization": basic(idA, secretA), "Content-Type": formMediaType})
	tok, _ := got.body["access_token"].(string)
	if got.status != 200 || tok == "" {
		t.Fatalf("token: %d %s", got.status, got.raw)
	}
	return tok
}

func introspect(t *testing.T, a *Authority, authz, form string) reply {
	t.Helper()
	h := map[string]string{"Content-Type": formMediaType}
	if authz != "" {
		h["Authorization"] = authz
	}
	return do(t, a, "POST", PathIntrospect, form, h)
}

func revoke(t *testing.T, a *Authority, authz, form string) reply {
	t.Helper()
	return do(t, a, "POST", PathRevoke, form, map[string]string{"Authorization": authz, "Content-Type": formMediaType})
}

// TestIntrospectionAndRevocation: RFC 7662 and RFC 7009 for both token
// formats: the caller must authenticate; the own token is active with its
// claims; garbage is exactly {"active":false}; another client cannot
// revoke; the owner can, with any hint, and the token is inactive at once.
func TestIntrospectionAndRevocation(t *testing.T) {
	for _, format := range []string{FormatJWT, FormatOpaque} {
		t.Run(format, func(t *testing.T) {
			cfg := testConfig()
			cfg.TokenFormat = format
			a, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			tok := issueA(t, a)
			if format == FormatOpaque && (strings.Count(tok, ".") != 0 || len(tok) < 43) {
				t.Fatalf("opaque token %q", tok)
			}
			form := "token=" + url.QueryEscape(tok)
			if got := introspect(t, a, "", form); got.status != 401 || got.body["active"] != nil {
				t.Errorf("unauthenticated introspection: %d %s", got.status, got.raw)
			}
			got := introspect(t, a, basic(idS, secretS), form+"&token_type_hint=refresh_token")
			if got.status != 200 || got.body["active"] != true || got.body["client_id"] != idA || got.body["scope"] != "read" ||
				got.body["token_type"] != "Bearer" || got.body["iss"] != a.Issuer() {
				t.Errorf("introspection of A's token: %d %s", got.status, got.raw)
			}
			if exp, ok := got.body["exp"].(float64); !ok || exp != float64(int64(exp)) {
				t.Errorf("exp %v is not an integer", got.body["exp"])
			}
			if got := introspect(t, a, basic(idS, secretS), "token=garbage"); got.status != 200 || strings.TrimSpace(got.raw) != `{"active":false}` {
				t.Errorf("garbage: %d %s", got.status, got.raw)
			}
			if got := revoke(t, a, basic(idS, secretS), form); got.status != 400 || got.body["error"] != "unauthorized_client" {
				t.Errorf("another client revokes A's token: %d %s", got.status, got.raw)
			}
			if got := introspect(t, a, basic(idS, secretS), form); got.body["active"] != true {
				t.Errorf("A's token died when another client tried to revoke it: %s", got.raw)
			}
			if got := revoke(t, a, basic(idA, secretA), "token=garbage"); got.status != 200 {
				t.Errorf("revoking garbage: %d %s", got.status, got.raw)
			}
			if got := revoke(t, a, basic(idA, secretA), form+"&token_type_hint=bogus"); got.status != 200 {
				t.Errorf("revoking the own token: %d %s", got.status, got.raw)
			}
			if got := introspect(t, a, basic(idA, secretA), form); strings.TrimSpace(got.raw) != `{"active":false}` {
				t.Errorf("a revoked token: %s", got.raw)
			}
			if got := revoke(t, a, basic(idA, secretA), form); got.status != 200 {
				t.Errorf("revoking again: %d %s", got.status, got.raw)
			}
			if got := revoke(t, a, basic(idA, secretA), ""); got.status != 400 || got.body["error"] != "invalid_request" {
				t.Errorf("revocation without token: %d %s", got.status, got.raw)
			}
			// Expiry, on the server's clock.
			tok2 := issueA(t, a)
			a.Clock().Advance(2 * time.Hour)
			if got := introspect(t, a, basic(idA, secretA), "token="+url.QueryEscape(tok2)); strings.TrimSpace(got.raw) != `{"active":false}` {
				t.Errorf("an expired token: %s", got.raw)
			}
		})
	}
}

func TestIntrospectionMetadata(t *testing.T) {
	a := newTestAuthority(t)
	m := a.Metadata()
	if m["introspection_endpoint"] != a.IntrospectionURL() || m["revocation_endpoint"] != a.RevocationURL() {
		t.Errorf("metadata: %v %v", m["introspection_endpoint"], m["revocation_endpoint"])
	}
}

// TestMemoryStoreEvicts: expired tokens and revocations leave the store,
// so it holds what is alive, not what was ever issued.
func TestMemoryStoreEvicts(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := NewMemoryStore(clock).(*memoryStore)
	ctx := context.Background()
	for i := range 1000 {
		_ = s.PutToken(ctx, "k"+string(rune(i)), []byte("{}"), now.Add(time.Minute))
		_ = s.Revoke(ctx, "r"+string(rune(i)), now.Add(time.Minute))
	}
	if s.size() != 2000 {
		t.Fatalf("size %d", s.size())
	}
	now = now.Add(2 * time.Minute)
	_ = s.PutToken(ctx, "fresh", []byte("{}"), now.Add(time.Minute))
	if s.size() != 1 {
		t.Errorf("after expiry the store holds %d entries, want 1", s.size())
	}
	if _, ok, _ := s.Token(ctx, "k"); ok {
		t.Error("an expired token is returned")
	}
}

package mockserver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/occheck/occheck/specs"
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
			exp, _ := got.body["exp"].(float64)
			iat, _ := got.body["iat"].(float64)
			if exp != float64(int64(exp)) || iat != float64(int64(iat)) || exp-iat != time.Duration(a.ttl).Seconds() {
				t.Errorf("exp %v, iat %v: not integers %v apart", got.body["exp"], got.body["iat"], a.ttl)
			}
			jti, _ := got.body["jti"].(string)
			if other := introspect(t, a, basic(idA, secretA), "token="+url.QueryEscape(issueA(t, a))); jti == "" || other.body["jti"] == jti {
				t.Errorf("jti %q, and %v for another token", jti, other.body["jti"])
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
	s := NewMemoryStore(clock, 0).(*memoryStore)
	ctx := context.Background()
	rec := func(ttl time.Duration) StoredToken {
		return StoredToken{Claims: []byte(`{"client_id":"a"}`), IssuedAt: now.Unix(), Expires: now.Add(ttl).Unix()}
	}
	for i := range 1000 {
		_ = s.PutToken(ctx, tokenKey(fmt.Sprint("k", i)), rec(time.Minute))
		_ = s.Revoke(ctx, fmt.Sprint("r", i), now.Add(time.Minute))
	}
	if s.size() != 2000 {
		t.Fatalf("size %d", s.size())
	}
	if len(s.templates) != 1 {
		t.Errorf("%d claim sets kept for 1000 tokens with the same claims, want 1", len(s.templates))
	}
	now = now.Add(2 * time.Minute)
	// Sweeps go shard by shard, on writes: 1000 fresh tokens reach every
	// shard, one revocation sweeps the revocation list.
	for i := range 1000 {
		_ = s.PutToken(ctx, tokenKey(fmt.Sprint("fresh", i)), rec(time.Minute))
	}
	_ = s.Revoke(ctx, "fresh", now.Add(time.Minute))
	if s.size() != 1001 {
		t.Errorf("after expiry the store holds %d entries, want 1001", s.size())
	}
	if _, ok, _ := s.Token(ctx, tokenKey("k1")); ok {
		t.Error("an expired token is returned")
	}
	got, ok, _ := s.Token(ctx, tokenKey("fresh1"))
	if !ok || got.IssuedAt != now.Unix() || got.Expires != now.Add(time.Minute).Unix() || string(got.Claims) != `{"client_id":"a"}` {
		t.Errorf("record %+v %v", got, ok)
	}
}

// TestMemoryStoreBound: at its bound the store refuses new tokens until
// some expire; claim sets beyond the template bound keep their own copy.
func TestMemoryStoreBound(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := NewMemoryStore(clock, memShards).(*memoryStore)
	ctx := context.Background()
	full := 0
	for i := range 200 {
		err := s.PutToken(ctx, tokenKey(fmt.Sprint(i)), StoredToken{Claims: []byte(`{}`), IssuedAt: now.Unix(), Expires: now.Unix() + 60})
		if errors.Is(err, ErrStoreFull) {
			full++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if full != 200-memShards {
		t.Fatalf("%d of 200 refused by a store of %d, want %d", full, memShards, 200-memShards)
	}
	now = now.Add(time.Minute)
	if err := s.PutToken(ctx, tokenKey("0"), StoredToken{Claims: []byte(`{}`), IssuedAt: now.Unix(), Expires: now.Unix() + 60}); err != nil {
		t.Errorf("after expiry: %v", err)
	}
	// A full store whose expired tokens all sit in other shards than the
	// new token's still takes it: a full store sweeps every shard.
	s = NewMemoryStore(clock, 2).(*memoryStore)
	var inShard0, inShard1 []TokenKey
	for i := 0; len(inShard0) < 2 || len(inShard1) < 1; i++ {
		k := tokenKey(fmt.Sprint("s", i))
		switch k[12] % memShards {
		case 0:
			inShard0 = append(inShard0, k)
		case 1:
			inShard1 = append(inShard1, k)
		}
	}
	for _, k := range inShard0[:2] {
		if err := s.PutToken(ctx, k, StoredToken{Claims: []byte(`{}`), IssuedAt: now.Unix(), Expires: now.Unix() + 60}); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Minute)
	if err := s.PutToken(ctx, inShard1[0], StoredToken{Claims: []byte(`{}`), IssuedAt: now.Unix(), Expires: now.Unix() + 60}); err != nil {
		t.Errorf("a full store of expired tokens in another shard: %v", err)
	}
	// The bound is the store's, exact, however the shards fill.
	for _, limit := range []int{1, 10, 100} {
		s := NewMemoryStore(clock, limit)
		stored := 0
		for i := range 3 * limit {
			if s.PutToken(ctx, tokenKey(fmt.Sprint("b", i)), StoredToken{Claims: []byte(`{}`), IssuedAt: now.Unix(), Expires: now.Unix() + 60}) == nil {
				stored++
			}
		}
		if stored != limit {
			t.Errorf("max_tokens %d: %d stored", limit, stored)
		}
		// Storing a token again is no new token.
		if err := s.PutToken(ctx, tokenKey("b0"), StoredToken{Claims: []byte(`{}`), IssuedAt: now.Unix(), Expires: now.Unix() + 90}); err != nil {
			t.Errorf("max_tokens %d: replacing a stored token: %v", limit, err)
		}
	}

	s = NewMemoryStore(clock, 0).(*memoryStore)
	for i := range memTemplates + 10 {
		c := []byte(fmt.Sprintf(`{"n":%d}`, i))
		if err := s.PutToken(ctx, tokenKey(fmt.Sprint(i)), StoredToken{Claims: c, IssuedAt: now.Unix() - 5, Expires: now.Unix() + 60}); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.templates) != memTemplates {
		t.Errorf("%d templates, want the bound %d", len(s.templates), memTemplates)
	}
	for _, i := range []int{0, memTemplates + 9} {
		got, ok, _ := s.Token(ctx, tokenKey(fmt.Sprint(i)))
		if !ok || string(got.Claims) != fmt.Sprintf(`{"n":%d}`, i) || got.IssuedAt != now.Unix()-5 {
			t.Errorf("token %d: %+v %v", i, got, ok)
		}
	}
}

// TestMemoryStoreMatchesAModel: random puts, lookups and clock moves give
// the answers of a plain map of unexpired tokens.
func TestMemoryStoreMatchesAModel(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := NewMemoryStore(func() time.Time { return now }, 0).(*memoryStore)
	ctx := context.Background()
	model := map[TokenKey]int64{}
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 200_000 {
		k := tokenKey(fmt.Sprint(rng.IntN(50_000)))
		switch op := rng.IntN(10); {
		case op < 5:
			exp := now.Unix() + int64(1+rng.IntN(30))
			if err := s.PutToken(ctx, k, StoredToken{Claims: []byte(`{}`), IssuedAt: now.Unix(), Expires: exp}); err != nil {
				t.Fatal(err)
			}
			model[k] = exp
		case op < 9:
			got, ok, _ := s.Token(ctx, k)
			exp, known := model[k]
			if want := known && now.Unix() < exp; ok != want || ok && got.Expires != exp {
				t.Fatalf("step %d: Token = %+v %v, want present=%v exp %d", step, got, ok, want, exp)
			}
		default:
			now = now.Add(time.Duration(rng.IntN(3)) * time.Second)
		}
	}
	live := 0
	for _, exp := range model {
		if now.Unix() < exp {
			live++
		}
	}
	if held := int(s.count.Load()); held < live || held > live+50_000 {
		t.Errorf("the store counts %d entries for %d alive", held, live)
	}
}

// BenchmarkMemoryStore is the cost of keeping a token: time per put and
// lookup, and bytes of heap per token alive.
func BenchmarkMemoryStore(b *testing.B) {
	now := time.Now()
	s := NewMemoryStore(func() time.Time { return now }, 0)
	ctx := context.Background()
	keys := make([]TokenKey, 200_000)
	for i := range keys {
		keys[i] = tokenKey(fmt.Sprint(i))
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	rec := StoredToken{Claims: []byte(`{"aud":"https://api.example.test","client_id":"demo-client"}`), IssuedAt: now.Unix(), Expires: now.Unix() + 3600}
	for _, k := range keys {
		_ = s.PutToken(ctx, k, rec)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	perToken := float64(m1.HeapAlloc-m0.HeapAlloc) / float64(len(keys))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := keys[i%len(keys)]
		_ = s.PutToken(ctx, k, rec)
		if _, ok, _ := s.Token(ctx, k); !ok {
			b.Fatal("lost")
		}
	}
	b.ReportMetric(perToken, "heap-B/token")
}

// TestFullStoreIs503: at max_tokens the token endpoint answers 503
// temporarily_unavailable with Retry-After, and issues again once tokens
// have expired.
func TestFullStoreIs503(t *testing.T) {
	cfg := testConfig()
	cfg.TokenFormat = FormatOpaque
	cfg.MaxTokens = memShards // one token a shard
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Authorization": basic(idA, secretA), "Content-Type": formMediaType}
	var full reply
	for range 10 * memShards {
		if full = do(t, a, "POST", PathToken, cc, hdr); full.status != 200 {
			break
		}
	}
	if full.status != 503 || full.body["error"] != "temporarily_unavailable" || full.header.Get("Retry-After") != "1" {
		t.Fatalf("a full store: %d %s (Retry-After %q)", full.status, full.raw, full.header.Get("Retry-After"))
	}
	req, _ := http.NewRequest(http.MethodPost, a.TokenURL(), strings.NewReader(cc))
	req.Header.Set("Content-Type", formMediaType)
	if err := specs.ValidateResponse(t.Context(), specs.OpToken, req, full.status, full.header, []byte(full.raw)); err != nil {
		t.Errorf("the 503 breaks the OpenAPI contract: %v", err)
	}
	a.Clock().Advance(2 * time.Hour)
	if got := do(t, a, "POST", PathToken, cc, hdr); got.status != 200 {
		t.Errorf("after the tokens expired: %d %s", got.status, got.raw)
	}
}

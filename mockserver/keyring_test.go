package mockserver

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var allAlgs = []jose.SignatureAlgorithm{RS256, PS256, ES256, EdDSA}

// issue gets one token for client A straight from the handler.
func issue(t *testing.T, a *Authority) string {
	t.Helper()
	got := do(t, a, "POST", PathToken, cc, map[string]string{"Authorization": basic(idA, secretA)})
	tok, _ := got.body["access_token"].(string)
	if got.status != 200 || tok == "" {
		t.Fatalf("token request = %d %s", got.status, got.raw)
	}
	return tok
}

// servedJWKS is the key set as GET /jwks serves it.
func servedJWKS(t *testing.T, a *Authority) jose.JSONWebKeySet {
	t.Helper()
	got := do(t, a, "GET", PathJWKS, "", nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(got.raw), &set); got.status != 200 || err != nil {
		t.Fatalf("GET /jwks = %d %s (%v)", got.status, got.raw, err)
	}
	return set
}

// kidsOf lists the kids of a key set, in order.
func kidsOf(set jose.JSONWebKeySet) []string {
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

// headerOf is the JOSE header of a token.
func headerOf(t *testing.T, token string) jose.Header {
	t.Helper()
	tok, err := jwt.ParseSigned(token, allAlgs)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return tok.Headers[0]
}

// verifyWith checks a token against a key set as a resource server does:
// the key its kid names, of the alg the token's header names, and a typ of
// at+jwt.
func verifyWith(set jose.JSONWebKeySet, token string) error {
	tok, err := jwt.ParseSigned(token, allAlgs)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	h := tok.Headers[0]
	if h.ExtraHeaders[jose.HeaderType] != "at+jwt" {
		return fmt.Errorf("typ = %v, want at+jwt", h.ExtraHeaders[jose.HeaderType])
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		return fmt.Errorf("kid %q: %d keys in the JWKS", h.KeyID, len(keys))
	}
	if keys[0].Algorithm != h.Algorithm {
		return fmt.Errorf("kid %q: key alg %s, token alg %s", h.KeyID, keys[0].Algorithm, h.Algorithm)
	}
	var claims map[string]any
	if err := tok.Claims(keys[0].Key, &claims); err != nil {
		return fmt.Errorf("signature does not verify: %w", err)
	}
	return nil
}

// checkPublished: every key of the set has kid, alg and use=sig and is
// public.
func checkPublished(t *testing.T, set jose.JSONWebKeySet) {
	t.Helper()
	for _, k := range set.Keys {
		if k.KeyID == "" || k.Algorithm == "" || k.Use != "sig" || !k.IsPublic() {
			t.Errorf("published key kid=%q alg=%q use=%q public=%v", k.KeyID, k.Algorithm, k.Use, k.IsPublic())
		}
	}
}

// frozen is a test Authority whose clock stands still.
func frozen(t *testing.T) *Authority {
	t.Helper()
	a := newTestAuthority(t)
	a.Clock().Set(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	return a
}

func TestRotateKeyKeepsOldKeyForOverlap(t *testing.T) {
	a := frozen(t)
	oldKid := a.KeyID()
	before := issue(t, a)
	if kid := headerOf(t, before).KeyID; kid != oldKid {
		t.Fatalf("token kid %s, signing key %s", kid, oldKid)
	}

	newKid, err := a.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	if newKid == oldKid || a.KeyID() != newKid || a.currentKey().kid != newKid {
		t.Fatalf("RotateKey = %s, KeyID = %s, old %s", newKid, a.KeyID(), oldKid)
	}
	if a.PublicKey() != a.currentKey().public.Key {
		t.Errorf("PublicKey is not the new signing key's")
	}
	after := issue(t, a)
	if h := headerOf(t, after); h.KeyID != newKid || h.Algorithm != RS256 {
		t.Errorf("new token kid %s alg %s, want %s RS256", h.KeyID, h.Algorithm, newKid)
	}

	// The default overlap is the longest token lifetime: one hour here.
	set := servedJWKS(t, a)
	checkPublished(t, set)
	if got, want := kidsOf(set), []string{newKid, oldKid}; !slices.Equal(got, want) {
		t.Fatalf("JWKS kids %v, want %v", got, want)
	}
	if got := a.KeyIDs(); !slices.Equal(got, []string{newKid, oldKid}) {
		t.Errorf("KeyIDs = %v", got)
	}
	for name, tok := range map[string]string{"before rotation": before, "after rotation": after} {
		if err := verifyWith(set, tok); err != nil {
			t.Errorf("token %s: %v", name, err)
		}
	}

	a.Clock().Advance(DefaultTokenTTL - time.Second)
	set = servedJWKS(t, a)
	if err := verifyWith(set, before); err != nil {
		t.Errorf("a second before the overlap ends: %v", err)
	}

	a.Clock().Advance(time.Second)
	set = servedJWKS(t, a)
	if got := kidsOf(set); !slices.Equal(got, []string{newKid}) {
		t.Errorf("after the overlap: JWKS kids %v, want only %s", got, newKid)
	}
	if verifyWith(set, before) == nil {
		t.Errorf("a token of the lapsed key still verifies")
	}
	if err := verifyWith(set, after); err != nil {
		t.Errorf("new token: %v", err)
	}
	// The lapsed key is gone from the ring, not only from the document.
	if n := len(ringOf(a).set.Load().retired); n != 0 {
		t.Errorf("%d retired keys left in the ring after the overlap", n)
	}
	a.Clock().Advance(-time.Hour)
	if got := a.KeyIDs(); !slices.Equal(got, []string{newKid}) {
		t.Errorf("a lapsed key came back when the clock went back: %v", got)
	}
}

func TestKeyOverlapIsLongestTokenLifetime(t *testing.T) {
	cfg := testConfig()
	cfg.TokenTTL = Duration(30 * time.Minute)
	cfg.Clients[1].TokenTTL = Duration(2 * time.Hour)
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.Clock().Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	old := a.KeyID()
	if _, err := a.RotateKey(); err != nil {
		t.Fatal(err)
	}
	a.Clock().Advance(2*time.Hour - time.Second)
	if !slices.Contains(a.KeyIDs(), old) {
		t.Errorf("retired key withdrawn before the longest client lifetime (2h) passed")
	}
	a.Clock().Advance(time.Second)
	if slices.Contains(a.KeyIDs(), old) {
		t.Errorf("retired key still published after 2h")
	}
}

func TestSetKeyOverlap(t *testing.T) {
	a := frozen(t)
	setKeyOverlap(a, 5*time.Minute)
	old := a.KeyID()
	if _, err := a.RotateKey(); err != nil {
		t.Fatal(err)
	}
	a.Clock().Advance(5*time.Minute - time.Second)
	if !slices.Contains(a.KeyIDs(), old) {
		t.Fatalf("retired key withdrawn before its 5m overlap")
	}
	a.Clock().Advance(time.Second)
	if slices.Contains(a.KeyIDs(), old) {
		t.Errorf("retired key still published after its 5m overlap")
	}

	// Zero goes back to the default, for keys already retired too.
	b := frozen(t)
	old = b.KeyID()
	setKeyOverlap(b, time.Minute)
	if _, err := b.RotateKey(); err != nil {
		t.Fatal(err)
	}
	b.Clock().Advance(30 * time.Second)
	setKeyOverlap(b, 0)
	b.Clock().Advance(time.Minute)
	if !slices.Contains(b.KeyIDs(), old) {
		t.Errorf("overlap 0 did not restore the default of one hour")
	}
}

func TestConfigKeyOverlap(t *testing.T) {
	cfg := testConfig()
	cfg.KeyOverlap = Duration(time.Minute)
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ringOf(a).overlap.Load() == 0 {
		t.Skip("New does not call setKeyOverlap yet")
	}
	a.Clock().Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	old := a.KeyID()
	if _, err := a.RotateKey(); err != nil {
		t.Fatal(err)
	}
	a.Clock().Advance(time.Minute)
	if slices.Contains(a.KeyIDs(), old) {
		t.Errorf("key_overlap 1m: retired key still published a minute later")
	}
}

func TestDropRetiredKeys(t *testing.T) {
	a := frozen(t)
	first := a.KeyID()
	before := issue(t, a)
	second, err := a.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	third, err := a.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.KeyIDs(), []string{third, second, first}; !slices.Equal(got, want) {
		t.Fatalf("KeyIDs = %v, want the signing key then the retired ones, newest first %v", got, want)
	}
	a.DropRetiredKeys()
	set := servedJWKS(t, a)
	if got := kidsOf(set); !slices.Equal(got, []string{third}) {
		t.Errorf("after DropRetiredKeys: JWKS kids %v, want %s", got, third)
	}
	if verifyWith(set, before) == nil {
		t.Errorf("a token of a dropped key still verifies")
	}
	if err := verifyWith(set, issue(t, a)); err != nil {
		t.Errorf("new token after DropRetiredKeys: %v", err)
	}
	a.DropRetiredKeys() // nothing left to drop
	if got := a.KeyIDs(); !slices.Equal(got, []string{third}) {
		t.Errorf("KeyIDs = %v", got)
	}
}

func TestRotateKeyAlg(t *testing.T) {
	a := frozen(t)
	rsKid := a.KeyID()
	rsTok := issue(t, a)
	esKid, err := a.RotateKeyAlg(ES256)
	if err != nil {
		t.Fatal(err)
	}
	esTok := issue(t, a)
	if h := headerOf(t, esTok); h.Algorithm != ES256 || h.KeyID != esKid {
		t.Errorf("after RotateKeyAlg(ES256): token alg %s kid %s, want ES256 %s", h.Algorithm, h.KeyID, esKid)
	}
	set := servedJWKS(t, a)
	checkPublished(t, set)
	algs := map[string]string{}
	for _, k := range set.Keys {
		algs[k.KeyID] = k.Algorithm
	}
	if len(set.Keys) != 2 || algs[esKid] != ES256 || algs[rsKid] != RS256 {
		t.Errorf("JWKS during the overlap: %v, want %s ES256 and %s RS256", algs, esKid, rsKid)
	}
	for name, tok := range map[string]string{"RS256": rsTok, "ES256": esTok} {
		if err := verifyWith(set, tok); err != nil {
			t.Errorf("%s token: %v", name, err)
		}
	}
	// RotateKey keeps the algorithm the last rotation chose.
	kid, err := a.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	if h := headerOf(t, issue(t, a)); h.Algorithm != ES256 || h.KeyID != kid {
		t.Errorf("RotateKey after ES256: token alg %s kid %s", h.Algorithm, h.KeyID)
	}
	for _, bad := range []string{"HS256", "none", ""} {
		if _, err := a.RotateKeyAlg(bad); err == nil {
			t.Errorf("RotateKeyAlg(%q) accepted", bad)
		}
	}
	if a.KeyID() != kid {
		t.Errorf("a refused rotation changed the signing key")
	}
}

func TestExtraSigningKeys(t *testing.T) {
	a := frozen(t)
	signKid := a.KeyID()
	if err := initExtraKeys(a, []string{ES256, EdDSA, ES256, RS256}); err != nil {
		t.Fatal(err)
	}
	set := servedJWKS(t, a)
	checkPublished(t, set)
	var algs []string
	for _, k := range set.Keys {
		algs = append(algs, k.Algorithm)
	}
	if !slices.Equal(algs, []string{RS256, ES256, EdDSA, RS256}) || set.Keys[0].KeyID != signKid {
		t.Fatalf("JWKS algs %v (first kid %s), want the RS256 signing key %s, then ES256, EdDSA, RS256 once each", algs, set.Keys[0].KeyID, signKid)
	}
	extras := kidsOf(set)[1:]
	for i := 0; i < 5; i++ {
		tok := issue(t, a)
		if kid := headerOf(t, tok).KeyID; kid != signKid {
			t.Errorf("a token is signed by %s, not the signing key %s", kid, signKid)
		}
		if err := verifyWith(set, tok); err != nil {
			t.Error(err)
		}
	}
	// A rotation leaves the extra keys alone; they sign nothing still.
	newKid, err := a.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{newKid}, extras...), signKid)
	if got := a.KeyIDs(); !slices.Equal(got, want) {
		t.Errorf("after rotation KeyIDs = %v, want %v", got, want)
	}
	a.DropRetiredKeys()
	if got := a.KeyIDs(); !slices.Equal(got, want[:len(want)-1]) {
		t.Errorf("after DropRetiredKeys KeyIDs = %v, want %v", got, want[:len(want)-1])
	}
	if kid := headerOf(t, issue(t, a)).KeyID; kid != newKid {
		t.Errorf("token kid %s after rotation, want %s", kid, newKid)
	}
	if err := initExtraKeys(a, []string{"HS256"}); err == nil {
		t.Errorf("initExtraKeys accepted HS256")
	}
}

func TestConfigExtraSigningAlgs(t *testing.T) {
	cfg := testConfig()
	cfg.ExtraSigningAlgs = []string{ES256}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	set := a.JWKS()
	if len(set.Keys) == 1 {
		t.Skip("New does not call initExtraKeys yet")
	}
	if len(set.Keys) != 2 || set.Keys[1].Algorithm != ES256 || set.Keys[0].KeyID != a.KeyID() {
		t.Errorf("JWKS %v, want the signing key and one ES256 key", kidsOf(set))
	}
}

// TestRotationUnderLoad: tokens issued while the key rotates, again and
// again and across algorithms, each verify against the JWKS fetched right
// after; run with -race.
func TestRotationUnderLoad(t *testing.T) {
	a := newTestAuthority(t)
	const workers, requests, rotations = 8, 50, 20
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		algs := []string{ES256, EdDSA, ES256, RS256}
		for i := 0; i < rotations; i++ {
			var err error
			if i%5 == 4 {
				_, err = a.RotateKeyAlg(algs[(i/5)%len(algs)])
			} else {
				_, err = a.RotateKey()
			}
			if err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < requests; i++ {
				got := do(t, a, "POST", PathToken, cc, map[string]string{"Authorization": basic(idA, secretA)})
				tok, _ := got.body["access_token"].(string)
				if got.status != 200 || tok == "" {
					t.Errorf("token request = %d %s", got.status, got.raw)
					return
				}
				set := a.JWKS()
				if i%2 == 1 {
					set = servedJWKS(t, a)
				}
				if err := verifyWith(set, tok); err != nil {
					t.Errorf("worker %d request %d: %v (JWKS %v)", w, i, err, kidsOf(set))
					return
				}
				_ = a.KeyIDs()
			}
		}()
	}
	wg.Wait()
	<-done
	if n := len(a.KeyIDs()); n != rotations+1 {
		t.Errorf("%d keys published after %d rotations within the overlap, want %d", n, rotations, rotations+1)
	}
}

// TestRingDoesNotKeepAuthorityAlive: the package-level ring map holds its
// Authority weakly and forgets it once it is collected.
func TestRingDoesNotKeepAuthorityAlive(t *testing.T) {
	a, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.RotateKeyAlg(ES256); err != nil {
		t.Fatal(err)
	}
	wp := weak.Make(a)
	a = nil
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		if _, ok := rings.Load(wp); !ok && wp.Value() == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the key ring outlived its Authority (collected: %v)", wp.Value() == nil)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

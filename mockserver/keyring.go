package mockserver

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/go-jose/go-jose/v4"
)

// keyRing is the server's set of signing keys: the key that signs, the
// keys a rotation retired (still published until their overlap has
// passed, so tokens they signed keep verifying), and extra published keys
// that sign nothing (Config.ExtraSigningAlgs), for clients that must pick
// the right key out of several.
//
// Requests read an immutable snapshot through an atomic pointer, without
// a lock; a change (rotation, drop, extra keys) builds a new snapshot
// under mu and swaps it in.
type keyRing struct {
	mu  sync.Mutex
	set atomic.Pointer[keySet]
	// overlap is Config.KeyOverlap; zero or less means the longest token
	// lifetime.
	overlap atomic.Int64
}

// keySet is one immutable state of the ring; nothing in it changes once
// it is stored.
type keySet struct {
	current *signingKey
	extra   []*signingKey
	retired []retiredKey // newest first
}

// retiredKey is a former signing key and the instant, on the server's
// Clock, that a rotation retired it.
type retiredKey struct {
	key *signingKey
	at  time.Time
}

// rings holds each Authority's key ring, keyed by a weak pointer so that
// a ring never keeps its Authority alive; a cleanup removes the entry once
// the Authority is collected. The ring lives here rather than in a field
// of Authority only to avoid widening Authority while other work on
// authority.go is in flight: once that settles it should become a field
// (keys keyRing, set up in New) and ringOf a one-line accessor. A lookup
// costs a weak.Make and a sync.Map load, tens of nanoseconds next to the
// signature it serves.
var (
	rings   sync.Map // weak.Pointer[Authority] → *keyRing
	ringsMu sync.Mutex
)

// ringOf is a's key ring, made on first use around the signing key New
// built.
func ringOf(a *Authority) *keyRing {
	wp := weak.Make(a)
	if r, ok := rings.Load(wp); ok {
		return r.(*keyRing)
	}
	ringsMu.Lock()
	defer ringsMu.Unlock()
	if r, ok := rings.Load(wp); ok {
		return r.(*keyRing)
	}
	// Nothing writes a.signKey before the ring exists: every change to
	// the keys goes through the ring, made here first.
	r := &keyRing{}
	r.set.Store(&keySet{current: a.signKey})
	rings.Store(wp, r)
	runtime.AddCleanup(a, func(wp weak.Pointer[Authority]) { rings.Delete(wp) }, wp)
	return r
}

// currentKey is the key that signs access tokens now. Code that runs while
// requests are served reads the signing key through it, never through
// a.signKey, which a rotation rewrites.
func (a *Authority) currentKey() *signingKey { return ringOf(a).set.Load().current }

// setKeyOverlap sets how long a retired signing key stays published
// (Config.KeyOverlap); d <= 0 means the longest token lifetime. New calls
// it; it may be called again at any time and applies to keys already
// retired.
func setKeyOverlap(a *Authority, d time.Duration) {
	ringOf(a).overlap.Store(int64(max(d, 0)))
}

// initExtraKeys generates one extra published key per distinct algorithm
// in algs (Config.ExtraSigningAlgs). They are published in the JWKS, in
// the order of algs, after the signing key, and sign nothing; rotations
// leave them alone. New calls it; a call replaces the extra keys of an
// earlier one, and no algs removes them.
func initExtraKeys(a *Authority, algs []string) error {
	var extra []*signingKey
	var seen []string
	for i, alg := range algs {
		if slices.Contains(seen, alg) {
			continue
		}
		seen = append(seen, alg)
		k, err := generateSigningKey(alg)
		if err != nil {
			return fmt.Errorf("extra_signing_algs[%d]: %w", i, err)
		}
		extra = append(extra, k)
	}
	r := ringOf(a)
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.set.Load()
	r.set.Store(&keySet{current: old.current, extra: extra, retired: old.retired})
	return nil
}

// RotateKey replaces the signing key with a fresh one of the same
// algorithm and returns its kid. Tokens issued from then on carry the new
// kid. The old key is retired: the JWKS keeps publishing it until the key
// overlap (Config.KeyOverlap, by default the longest token lifetime) has
// passed on the server's Clock, so the tokens it signed keep verifying;
// DropRetiredKeys withdraws it at once. It is safe while requests are
// served: a token issued during a rotation is signed by the old key or the
// new one, and a JWKS fetched after the token arrived publishes both.
func (a *Authority) RotateKey() (kid string, err error) { return a.rotate("") }

// RotateKeyAlg is RotateKey with a new key for alg, one of SigningAlgs:
// tokens issued from then on are signed with alg, while the retired key,
// of the old algorithm, is published until the overlap has passed.
func (a *Authority) RotateKeyAlg(alg string) (kid string, err error) {
	if !slices.Contains(SigningAlgs, alg) {
		return "", fmt.Errorf("rotate key: %q is not one of %s", alg, strings.Join(SigningAlgs, ", "))
	}
	return a.rotate(alg)
}

// rotate makes a fresh key for alg ("" for the current algorithm) the
// signing key and retires the old one, now.
func (a *Authority) rotate(alg string) (string, error) {
	r := ringOf(a)
	// Rotations are rare: generating the key under the lock keeps "the
	// current algorithm" exact when two race.
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.set.Load()
	if alg == "" {
		alg = string(old.current.alg)
	}
	k, err := generateSigningKey(alg)
	if err != nil {
		return "", fmt.Errorf("rotate key: %w", err)
	}
	now := a.now()
	retired := append([]retiredKey{{key: old.current, at: now}}, r.live(a, old.retired, now)...)
	r.set.Store(&keySet{current: k, extra: old.extra, retired: retired})
	// a.signKey keeps meaning "the current signing key" for code that has
	// not moved to currentKey. Reading it while a rotation may run is a
	// data race; read currentKey instead.
	a.signKey = k
	return k.kid, nil
}

// DropRetiredKeys withdraws every retired key from the JWKS at once,
// before its overlap has passed: tokens they signed stop verifying, as
// after an emergency rotation. The signing key and the extra keys stay.
func (a *Authority) DropRetiredKeys() {
	r := ringOf(a)
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.set.Load()
	if len(old.retired) == 0 {
		return
	}
	r.set.Store(&keySet{current: old.current, extra: old.extra})
}

// KeyIDs lists the kids the JWKS publishes now: the signing key first,
// then the extra keys, then the retired keys still in their overlap,
// newest first.
func (a *Authority) KeyIDs() []string {
	keys := ringOf(a).published(a)
	kids := make([]string, len(keys))
	for i, k := range keys {
		kids[i] = k.kid
	}
	return kids
}

// publishedJWKs are the public keys the JWKS serves now, in the order of
// KeyIDs: a new slice on every call, so the caller may change it.
func (a *Authority) publishedJWKs() []jose.JSONWebKey {
	keys := ringOf(a).published(a)
	out := make([]jose.JSONWebKey, len(keys))
	for i, k := range keys {
		out[i] = k.public
	}
	return out
}

// published lists the keys the JWKS serves now. Retired keys whose
// overlap has passed are left out, and dropped from the ring: the JWKS is
// where they lapse.
func (r *keyRing) published(a *Authority) []*signingKey {
	s := r.set.Load()
	now := a.now()
	live := s.retired
	if len(live) > 0 {
		live = r.live(a, live, now)
		if len(live) < len(s.retired) {
			r.prune(a, now)
		}
	}
	keys := make([]*signingKey, 0, 1+len(s.extra)+len(live))
	keys = append(keys, s.current)
	keys = append(keys, s.extra...)
	for _, rk := range live {
		keys = append(keys, rk.key)
	}
	return keys
}

// prune drops the retired keys whose overlap has passed at now.
func (r *keyRing) prune(a *Authority, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.set.Load()
	live := r.live(a, s.retired, now)
	if len(live) < len(s.retired) {
		r.set.Store(&keySet{current: s.current, extra: s.extra, retired: live})
	}
}

// live are the retired keys still in their overlap at now: retired less
// than the overlap ago. The result shares no array with retired when it
// is shorter.
func (r *keyRing) live(a *Authority, retired []retiredKey, now time.Time) []retiredKey {
	overlap := r.keyOverlap(a)
	n := 0
	for _, rk := range retired {
		if now.Before(rk.at.Add(overlap)) {
			n++
		}
	}
	if n == len(retired) {
		return retired
	}
	out := make([]retiredKey, 0, n)
	for _, rk := range retired {
		if now.Before(rk.at.Add(overlap)) {
			out = append(out, rk)
		}
	}
	return out
}

// keyOverlap is how long a retired key stays published: Config.KeyOverlap
// when set, else the longest token lifetime (the server's and every
// client's), so every token a retired key signed can be verified until it
// expires.
func (r *keyRing) keyOverlap(a *Authority) time.Duration {
	if d := time.Duration(r.overlap.Load()); d > 0 {
		return d
	}
	d := a.ttl
	if d <= 0 {
		d = DefaultTokenTTL
	}
	for _, cl := range a.clients {
		d = max(d, cl.ttl)
	}
	return d
}

package mockserver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// Store keeps the state that outlives a request: opaque tokens and
// revocations. Entries carry their expiry and vanish after it, so the
// store's size follows the tokens alive, not the tokens ever issued.
type Store interface {
	// PutToken keeps an opaque token's claims (JSON) under key until exp.
	PutToken(ctx context.Context, key string, claims []byte, exp time.Time) error
	// Token returns the claims of an unexpired opaque token.
	Token(ctx context.Context, key string) ([]byte, bool, error)
	// Revoke marks id (an opaque token's key, or "jti:" and a JWT's jti)
	// revoked until the token would have expired anyway.
	Revoke(ctx context.Context, id string, until time.Time) error
	// Revoked reports whether id is revoked.
	Revoked(ctx context.Context, id string) (bool, error)
}

// tokenKey is the store key of an opaque token: its SHA-256, so the store
// never holds a usable token.
func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// memoryStore is the in-process Store: maps swept of expired entries at
// most once a second, on writes.
type memoryStore struct {
	mu        sync.Mutex
	now       func() time.Time
	tokens    map[string]memToken
	revoked   map[string]time.Time
	nextSweep time.Time
}

type memToken struct {
	claims []byte
	exp    time.Time
}

// NewMemoryStore returns the in-memory Store, on the clock now (nil means
// time.Now).
func NewMemoryStore(now func() time.Time) Store {
	if now == nil {
		now = time.Now
	}
	return &memoryStore{now: now, tokens: map[string]memToken{}, revoked: map[string]time.Time{}}
}

func (m *memoryStore) PutToken(_ context.Context, key string, claims []byte, exp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.tokens[key] = memToken{claims: claims, exp: exp}
	return nil
}

func (m *memoryStore) Token(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[key]
	if !ok || !m.now().Before(t.exp) {
		return nil, false, nil
	}
	return t.claims, true, nil
}

func (m *memoryStore) Revoke(_ context.Context, id string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	m.revoked[id] = until
	return nil
}

func (m *memoryStore) Revoked(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.revoked[id]
	return ok && m.now().Before(until), nil
}

// sweep drops expired entries, at most once a second.
func (m *memoryStore) sweep() {
	now := m.now()
	if now.Before(m.nextSweep) {
		return
	}
	for k, t := range m.tokens {
		if !now.Before(t.exp) {
			delete(m.tokens, k)
		}
	}
	for k, until := range m.revoked {
		if !now.Before(until) {
			delete(m.revoked, k)
		}
	}
	m.nextSweep = now.Add(time.Second)
}

// size counts the entries held (for tests of the eviction).
func (m *memoryStore) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tokens) + len(m.revoked)
}

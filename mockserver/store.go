package mockserver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Store keeps the state that outlives a request: opaque tokens and
// revocations. Entries carry their expiry and vanish after it, so the
// store's size follows the tokens alive, not the tokens ever issued.
type Store interface {
	// PutToken keeps an opaque token under its key until t.Expires.
	// ErrStoreFull means the store is at its bound.
	PutToken(ctx context.Context, key TokenKey, t StoredToken) error
	// Token returns an opaque token's record while it has not expired.
	// The caller must not modify the Claims it returns.
	Token(ctx context.Context, key TokenKey) (StoredToken, bool, error)
	// Revoke marks id (TokenKey.ID of an opaque token, or "jti:" and a
	// JWT's jti) revoked until the token would have expired anyway.
	Revoke(ctx context.Context, id string, until time.Time) error
	// Revoked reports whether id is revoked.
	Revoked(ctx context.Context, id string) (bool, error)
}

// ErrStoreFull is PutToken's answer when the store holds as many tokens
// as it may: the token endpoint answers 503 with Retry-After until some
// expire.
var ErrStoreFull = errors.New("token store full")

// TokenKey names an opaque token in a Store: its SHA-256, so the store
// never holds a usable token.
type TokenKey [sha256.Size]byte

// tokenKey is the store key of an opaque token.
func tokenKey(token string) TokenKey { return sha256.Sum256([]byte(token)) }

// ID is the key as text (the revocation list's name for the token).
func (k TokenKey) ID() string { return "tok:" + base64.RawURLEncoding.EncodeToString(k[:]) }

// jti is an opaque token's jti: from the second half of the key, so
// stores need not keep it and it tells nothing of the token.
func (k TokenKey) jti() string { return base64.RawURLEncoding.EncodeToString(k[16:]) }

// StoredToken is what a Store keeps of an opaque token.
type StoredToken struct {
	// Claims are the token's claims, a JSON object, without iat, exp and
	// jti: the same bytes for every token of one client, scope, audience
	// and certificate, so a store can keep them once.
	Claims []byte
	// IssuedAt and Expires are the iat and exp claims (Unix seconds).
	IssuedAt, Expires int64
}

// DefaultMaxTokens bounds the in-memory store: about 40 MiB of records.
const DefaultMaxTokens = 1 << 20

const (
	memShards = 32
	// memTemplates bounds the distinct claim sets kept once; tokens of
	// claim sets beyond it keep their own copy.
	memTemplates = 4096
	// ownClaims marks an entry whose claims are not a template.
	ownClaims = ^uint32(0)
)

// memoryStore is the in-process Store. A token costs one 24-byte slot
// (96 bits of its key, its expiry and the index of its claim set) in an
// open-addressing table kept between a quarter and three quarters full:
// about 40 bytes a token. Claim sets are interned, and the tables hold no
// pointers for the collector to scan. A shard is swept (its live entries
// copied to a fresh table) once its earliest expiry has passed, at most
// once a second: no tombstones, and the table shrinks with the load.
type memoryStore struct {
	now    func() time.Time
	max    int
	shards [memShards]memShard

	tmu       sync.RWMutex
	templates []memTemplate
	tindex    map[string]uint32

	rmu     sync.Mutex
	revoked map[string]time.Time
	rsweep  time.Time

	count atomic.Int64
	// nextFullSweep is when a full store may next sweep every shard.
	nextFullSweep atomic.Int64
}

// sweepAll drops the expired tokens of every shard, at most once a
// second; it holds one shard lock at a time.
func (m *memoryStore) sweepAll(now int64) {
	next := m.nextFullSweep.Load()
	if now < next || !m.nextFullSweep.CompareAndSwap(next, now+1) {
		return
	}
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		if sh.minExp != 0 && now >= sh.minExp {
			m.count.Add(-int64(sh.rehash(now, 0)))
			sh.nextSweep = now + 1
		}
		sh.mu.Unlock()
	}
}

type memTemplate struct {
	claims []byte
	ttl    int64
}

// memKey is the part of a TokenKey a shard keys on: 96 bits, beyond any
// search for a second token with the same prefix.
type memKey [12]byte

type memSlot struct {
	key  memKey
	tmpl uint32
	exp  int64 // 0: empty
}

type memShard struct {
	mu    sync.Mutex
	slots []memSlot // a power of two long, or nil
	n     int
	// own holds the claims of entries beyond the template bound.
	own       map[memKey]StoredToken
	minExp    int64
	nextSweep int64
}

// NewMemoryStore returns the in-memory Store on the clock now (nil means
// time.Now), holding at most maxTokens opaque tokens (0 means
// DefaultMaxTokens).
func NewMemoryStore(now func() time.Time, maxTokens int) Store {
	if now == nil {
		now = time.Now
	}
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	return &memoryStore{now: now, max: maxTokens, tindex: map[string]uint32{}, revoked: map[string]time.Time{}}
}

// template interns a claim set with its lifetime; ownClaims when the
// bound is reached.
func (m *memoryStore) template(claims []byte, ttl int64) uint32 {
	var buf [320]byte
	key := binary.LittleEndian.AppendUint64(append(buf[:0], claims...), uint64(ttl))
	m.tmu.RLock()
	i, ok := m.tindex[string(key)] // no copy for the lookup
	m.tmu.RUnlock()
	if ok {
		return i
	}
	m.tmu.Lock()
	defer m.tmu.Unlock()
	if i, ok := m.tindex[string(key)]; ok {
		return i
	}
	if len(m.templates) >= memTemplates {
		return ownClaims
	}
	i = uint32(len(m.templates))
	m.templates = append(m.templates, memTemplate{claims: append([]byte(nil), claims...), ttl: ttl})
	m.tindex[string(key)] = i
	return i
}

func (m *memoryStore) shard(key TokenKey) (*memShard, memKey) {
	var k memKey
	copy(k[:], key[:12])
	return &m.shards[key[12]%memShards], k
}

// find is the slot of k, or of the empty slot where it would go.
func (sh *memShard) find(k memKey) int {
	mask := len(sh.slots) - 1
	i := int(binary.LittleEndian.Uint64(k[4:])) & mask
	for sh.slots[i].exp != 0 && sh.slots[i].key != k {
		i = (i + 1) & mask
	}
	return i
}

// rehash copies the entries alive at now to a table sized for them plus
// extra, dropping the rest, and returns how many it dropped.
func (sh *memShard) rehash(now int64, extra int) int {
	live := 0
	var minExp int64
	for _, s := range sh.slots {
		if s.exp != 0 && s.exp > now {
			live++
			if minExp == 0 || s.exp < minExp {
				minExp = s.exp
			}
		}
	}
	size := 16
	for size < 2*(live+extra) {
		size *= 2
	}
	old := sh.slots
	sh.slots = make([]memSlot, size)
	for _, s := range old {
		if s.exp != 0 && s.exp > now {
			sh.slots[sh.find(s.key)] = s
		} else if s.exp != 0 && s.tmpl == ownClaims {
			delete(sh.own, s.key)
		}
	}
	dropped := sh.n - live
	sh.n, sh.minExp = live, minExp
	return dropped
}

func (m *memoryStore) PutToken(_ context.Context, key TokenKey, t StoredToken) error {
	now := m.now().Unix()
	if t.Expires <= now || t.Expires <= 0 {
		return nil
	}
	tmpl := m.template(t.Claims, t.Expires-t.IssuedAt)
	if m.count.Load() >= int64(m.max) {
		// Full: the expired tokens may sit in other shards than this
		// token's, so sweep them all (at most once a second).
		m.sweepAll(now)
	}
	sh, k := m.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	// Sweep once the earliest expiry has passed (at most once a second
	// unless the store is full); grow at three quarters full. The bound
	// is the whole store's: shards fill unevenly.
	full := m.count.Load() >= int64(m.max)
	if sh.minExp != 0 && now >= sh.minExp && (full || now >= sh.nextSweep) {
		m.count.Add(-int64(sh.rehash(now, 1)))
		sh.nextSweep = now + 1
	}
	i := -1
	if sh.slots != nil {
		i = sh.find(k)
	}
	replacing := i >= 0 && sh.slots[i].exp != 0
	if !replacing && m.count.Load() >= int64(m.max) {
		return ErrStoreFull
	}
	if (sh.n+1)*4 > len(sh.slots)*3 {
		m.count.Add(-int64(sh.rehash(math.MinInt64, 1)))
	}
	i = sh.find(k)
	if sh.slots[i].exp == 0 {
		sh.n++
		m.count.Add(1)
	}
	sh.slots[i] = memSlot{key: k, tmpl: tmpl, exp: t.Expires}
	if tmpl == ownClaims {
		if sh.own == nil {
			sh.own = map[memKey]StoredToken{}
		}
		sh.own[k] = StoredToken{Claims: append([]byte(nil), t.Claims...), IssuedAt: t.IssuedAt, Expires: t.Expires}
	} else {
		delete(sh.own, k) // it may have held this key's claims before
	}
	if sh.minExp == 0 || t.Expires < sh.minExp {
		sh.minExp = t.Expires
	}
	return nil
}

func (m *memoryStore) Token(_ context.Context, key TokenKey) (StoredToken, bool, error) {
	now := m.now().Unix()
	sh, k := m.shard(key)
	sh.mu.Lock()
	var e memSlot
	var own StoredToken
	if sh.slots != nil {
		e = sh.slots[sh.find(k)]
		if e.exp != 0 && e.tmpl == ownClaims {
			own = sh.own[k]
		}
	}
	sh.mu.Unlock()
	if e.exp == 0 || now >= e.exp {
		return StoredToken{}, false, nil
	}
	if e.tmpl == ownClaims {
		return own, true, nil
	}
	m.tmu.RLock()
	t := m.templates[e.tmpl]
	m.tmu.RUnlock()
	return StoredToken{Claims: t.claims, IssuedAt: e.exp - t.ttl, Expires: e.exp}, true, nil
}

func (m *memoryStore) Revoke(_ context.Context, id string, until time.Time) error {
	m.rmu.Lock()
	defer m.rmu.Unlock()
	now := m.now()
	if !now.Before(m.rsweep) {
		for k, u := range m.revoked {
			if !now.Before(u) {
				delete(m.revoked, k)
			}
		}
		m.rsweep = now.Add(time.Second)
	}
	m.revoked[id] = until
	return nil
}

func (m *memoryStore) Revoked(_ context.Context, id string) (bool, error) {
	m.rmu.Lock()
	defer m.rmu.Unlock()
	until, ok := m.revoked[id]
	return ok && m.now().Before(until), nil
}

// size counts the entries held (for tests of the eviction).
func (m *memoryStore) size() int {
	m.rmu.Lock()
	defer m.rmu.Unlock()
	return int(m.count.Load()) + len(m.revoked)
}

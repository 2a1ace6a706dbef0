package mockserver

import (
	"sync"
	"time"
)

// replayCache remembers accepted assertion ids until they expire. claim is
// one atomic insert-if-absent, so two parallel requests with the same
// assertion cannot both pass (a check-then-insert would let them).
type replayCache struct {
	mu        sync.Mutex
	size      int
	seen      map[replayKey]time.Time
	nextSweep time.Time
}

type replayKey struct{ client, jti string }

// Outcomes of replayCache.claim.
const (
	replayNew = iota
	replaySeen
	replayFull
)

func newReplayCache(size int) *replayCache {
	if size <= 0 {
		size = defaultReplayCacheSize
	}
	return &replayCache{size: size, seen: map[replayKey]time.Time{}}
}

// claim records jti for client until the given time, unless it is already
// recorded and unexpired.
func (c *replayCache) claim(client, jti string, until, now time.Time) int {
	k := replayKey{client, jti}
	c.mu.Lock()
	defer c.mu.Unlock()
	if exp, ok := c.seen[k]; ok && now.Before(exp) {
		return replaySeen
	}
	if len(c.seen) >= c.size || now.After(c.nextSweep) {
		c.sweep(now)
	}
	if len(c.seen) >= c.size {
		return replayFull
	}
	c.seen[k] = until
	return replayNew
}

// sweep drops expired entries; at most once a second unless full.
func (c *replayCache) sweep(now time.Time) {
	for k, exp := range c.seen {
		if !now.Before(exp) {
			delete(c.seen, k)
		}
	}
	c.nextSweep = now.Add(time.Second)
}

// len is the number of remembered assertions.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

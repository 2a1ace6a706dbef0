package mockserver

import (
	"sync"
	"time"
)

// Clock is the server's time, which a test controls: every iat, exp and
// expires_in, and the journal's times, come from it. By default it follows
// Config.Now (else the real clock); Set stops it at an instant, Advance
// moves it (frozen or not), Reset returns it to its source.
type Clock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
	frozen *time.Time
}

// newClock follows base (time.Now when nil).
func newClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{base: base}
}

// Now is the server's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		return *c.frozen
	}
	return c.base().Add(c.offset)
}

// Set stops the clock at t until Advance, another Set or Reset.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = &t
}

// Advance moves the clock by d: a stopped clock stays stopped at the new
// instant, a running one keeps running d ahead. Negative d moves it back.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		t := c.frozen.Add(d)
		c.frozen = &t
		return
	}
	c.offset += d
}

// Reset returns the clock to its time source (Config.Now, else real
// time), undoing Set and Advance.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.offset = nil, 0
}

// Clock is the server's clock, for tests to set or advance.
func (a *Authority) Clock() *Clock { return a.clock }

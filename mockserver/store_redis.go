package mockserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore is a Store in a Redis server, so that several replicas of the
// mock behind a load balancer share opaque tokens, revocations and the
// client assertion replay cache. Every key expires with what it records
// (PX), so Redis holds only what is alive. Give the replicas the same
// signing key (key_file) and they accept each other's JWTs too.
type RedisStore struct {
	c      *redis.Client
	prefix string
	// now is the clock expiries are measured on: the server's (Clock),
	// so that a test that moves the clock moves the expiries too.
	now func() time.Time
}

func init() {
	// The client's own log lines would bypass the mock's access log; its
	// errors reach the caller anyway.
	redis.SetLogger(quietRedisLog{})
}

type quietRedisLog struct{}

func (quietRedisLog) Printf(context.Context, string, ...any) {}

// NewRedisStore connects to redis://HOST:PORT/DB (or rediss:// for TLS)
// and checks that the server answers.
func NewRedisStore(ctx context.Context, url string) (*RedisStore, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("store %s: not a Redis URL (redis://HOST:PORT/DB)", redactRedisURL(url))
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 2*time.Second, 2*time.Second, 2*time.Second
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("store %s: %w", redactRedisURL(url), err)
	}
	return &RedisStore{c: c, prefix: "occheck:", now: time.Now}, nil
}

// SetClock measures expiries on now instead of the wall clock.
func (r *RedisStore) SetClock(now func() time.Time) { r.now = now }

// Close closes the connection pool.
func (r *RedisStore) Close() error { return r.c.Close() }

// PutToken implements Store.
func (r *RedisStore) PutToken(ctx context.Context, key string, claims []byte, exp time.Time) error {
	ttl := exp.Sub(r.now())
	if ttl <= 0 {
		return nil
	}
	return r.c.Set(ctx, r.prefix+"tok:"+key, claims, ttl).Err()
}

// Token implements Store.
func (r *RedisStore) Token(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := r.c.Get(ctx, r.prefix+"tok:"+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Revoke implements Store.
func (r *RedisStore) Revoke(ctx context.Context, id string, until time.Time) error {
	ttl := until.Sub(r.now())
	if ttl <= 0 {
		return nil
	}
	return r.c.Set(ctx, r.prefix+"rev:"+id, "1", ttl).Err()
}

// Revoked implements Store.
func (r *RedisStore) Revoked(ctx context.Context, id string) (bool, error) {
	n, err := r.c.Exists(ctx, r.prefix+"rev:"+id).Result()
	return n > 0, err
}

// ClaimJTI records a client assertion's jti until it expires: one atomic
// SET NX across every replica, so a replay is refused wherever it lands.
func (r *RedisStore) ClaimJTI(ctx context.Context, client, jti string, until time.Time) (bool, error) {
	ttl := until.Sub(r.now())
	if ttl <= 0 {
		ttl = time.Second
	}
	return r.c.SetNX(ctx, r.prefix+"jti:"+client+"\x00"+jti, "1", ttl).Result()
}

// jtiClaimer is a Store that also keeps the assertion replay cache.
type jtiClaimer interface {
	ClaimJTI(ctx context.Context, client, jti string, until time.Time) (bool, error)
}

// redactRedisURL drops a password from a Redis URL for messages.
func redactRedisURL(u string) string {
	if i := strings.LastIndex(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "[REDACTED]" + u[i:]
		}
	}
	return u
}

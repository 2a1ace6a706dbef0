package mockserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
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

// PutToken implements Store: the record is "iat exp claims".
func (r *RedisStore) PutToken(ctx context.Context, key TokenKey, t StoredToken) error {
	ttl := time.Unix(t.Expires, 0).Sub(r.now())
	if ttl <= 0 {
		return nil
	}
	v := strconv.AppendInt(nil, t.IssuedAt, 10)
	v = append(strconv.AppendInt(append(v, ' '), t.Expires, 10), ' ')
	return r.c.Set(ctx, r.prefix+key.ID(), append(v, t.Claims...), ttl).Err()
}

// Token implements Store.
func (r *RedisStore) Token(ctx context.Context, key TokenKey) (StoredToken, bool, error) {
	b, err := r.c.Get(ctx, r.prefix+key.ID()).Bytes()
	if errors.Is(err, redis.Nil) {
		return StoredToken{}, false, nil
	}
	if err != nil {
		return StoredToken{}, false, err
	}
	f := bytes.SplitN(b, []byte(" "), 3)
	if len(f) != 3 {
		return StoredToken{}, false, fmt.Errorf("store: malformed token record")
	}
	iat, err1 := strconv.ParseInt(string(f[0]), 10, 64)
	exp, err2 := strconv.ParseInt(string(f[1]), 10, 64)
	if err1 != nil || err2 != nil {
		return StoredToken{}, false, fmt.Errorf("store: malformed token record")
	}
	if !r.now().Before(time.Unix(exp, 0)) {
		return StoredToken{}, false, nil
	}
	return StoredToken{Claims: f[2], IssuedAt: iat, Expires: exp}, true, nil
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

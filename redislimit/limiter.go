// Package redislimit paces requests across processes: every Limiter on the
// same Redis key shares one budget, so a fleet of importers into one app
// stays under the provider's limit together instead of each sending the
// whole of it.
//
// The budget is kept by github.com/go-redis/redis_rate (GCRA in one Lua
// script): decisions use the Redis server's clock, so the processes' clocks
// do not matter, and each decision touches one key, so it works on Redis
// Cluster too.
package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/chatimport/chatimport"
)

// probeEvery is how often a Limiter pacing locally asks Redis again whether
// it is back: often enough to return to shared pacing within a second or
// two, rarely enough that a Redis that answers slowly delays only one
// request in that time.
const probeEvery = time.Second

// Limiter is a chatimport.Limiter whose budget lives in Redis. It is safe
// for concurrent use.
type Limiter struct {
	rl    *redis_rate.Limiter
	key   string
	limit redis_rate.Limit

	local      *rate.Limiter // nil: a Redis failure fails the request
	localEvery time.Duration // local's spacing, for the log
	logger     *slog.Logger  // nil: nothing is logged

	mu      sync.Mutex
	down    bool      // pacing locally since a Redis failure
	probeAt time.Time // while down, when Redis is next tried
}

// Option configures a Limiter; an invalid value makes New fail.
type Option func(*options) error

type options struct {
	fallback float64
	logger   *slog.Logger
}

// WithFallback makes a Limiter that cannot reach Redis pace requests in its
// own process at fraction (0 < fraction <= 1) of the shared rate, instead of
// failing them, and return to the shared budget once Redis answers again.
// With k processes sharing a key, a fraction of 1/k keeps the fleet under
// the limit while Redis is down; a larger one trades rate-limit answers
// (which the Client retries) for speed. While Redis is down, one request a
// second asks it again, and waits for the go-redis client to give up if it
// is still down.
//
// Without it a request that cannot reach Redis fails with an error wrapping
// Redis's: nothing is ever sent unpaced.
func WithFallback(fraction float64) Option {
	return func(o *options) error {
		if !(fraction > 0 && fraction <= 1) {
			return fmt.Errorf("WithFallback: fraction %v is outside (0, 1]", fraction)
		}
		o.fallback = fraction
		return nil
	}
}

// WithLogger logs, through l, a switch to local pacing (once for each time
// Redis becomes unreachable, at warning level) and the return to shared
// pacing (at info level). Without it nothing is logged, except that a
// Limiter made by Budgets uses the Client's logger.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		o.logger = l
		return nil
	}
}

// New returns a Limiter that lets at most n requests go per period per,
// across every process that uses key on the Redis server (or cluster) rdb.
// New does not contact Redis.
//
// Requests are spaced evenly a small margin under the rate, one at a time
// (a burst of one), as the Client's built-in pacing spaces them: a server
// counting requests per window, as CometChat's does, would answer a burst
// on top of the steady rate with 429s, and the margin absorbs the jitter
// between a request's turn and its arrival.
func New(rdb redis.UniversalClient, key string, n int, per time.Duration, opts ...Option) (*Limiter, error) {
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("redislimit: %w", err)
		}
	}
	switch {
	case rdb == nil:
		return nil, errors.New("redislimit: New: nil Redis client")
	case key == "":
		return nil, errors.New("redislimit: New: empty key")
	case n <= 0 || per <= 0:
		// A zero rate would break redis_rate's script (its issue #110).
		return nil, fmt.Errorf("redislimit: New: need n > 0 and per > 0, got %d per %v", n, per)
	}
	interval := chatimport.Budget{N: n, Per: per}.Interval()
	if interval <= 0 {
		return nil, fmt.Errorf("redislimit: New: %d per %v is faster than one a nanosecond", n, per)
	}
	l := &Limiter{
		rl:  redis_rate.NewLimiter(rdb),
		key: key,
		// One request per interval with a burst of one: redis_rate's own
		// Burst == Rate lets a whole burst through on top of the steady
		// rate (its issues #24 and #75).
		limit:  redis_rate.Limit{Rate: 1, Burst: 1, Period: interval},
		logger: o.logger,
	}
	if o.fallback > 0 {
		l.localEvery = time.Duration(float64(interval) / o.fallback)
		l.local = rate.NewLimiter(rate.Every(l.localEvery), 1)
	}
	return l, nil
}

// Wait blocks until the shared budget lets one more request go. It returns
// the context's error when the context ends first, and, without
// WithFallback, an error wrapping Redis's once the go-redis client gives up
// on Redis (after its own retries). It never outlasts the context, even
// when Redis does not answer: the Redis call is then left to the go-redis
// client's timeouts.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if l.skipRedis() {
			return l.waitLocal(ctx)
		}
		res, err := l.allow(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if l.local == nil {
				return fmt.Errorf("redislimit: %s: %w", l.key, err)
			}
			l.fellBack(ctx, err)
			return l.waitLocal(ctx)
		}
		l.recovered(ctx)
		if res.Allowed > 0 {
			return nil
		}
		if err := sleep(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}

// waitLocal takes a turn from the local pacer. Unlike rate.Limiter.Wait,
// which refuses a turn past the deadline with an error of its own, it ends
// with the context's error, as the Client expects, and gives the turn back.
func (l *Limiter) waitLocal(ctx context.Context) error {
	r := l.local.Reserve()
	if err := sleep(ctx, r.Delay()); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

type answer struct {
	res *redis_rate.Result
	err error
}

// allow asks Redis for a turn, giving up when ctx ends: go-redis bounds a
// call by its own read timeout, not by the context, unless the client was
// built with ContextTimeoutEnabled.
func (l *Limiter) allow(ctx context.Context) (*redis_rate.Result, error) {
	done := make(chan answer, 1)
	go func() {
		res, err := l.rl.Allow(ctx, l.key, l.limit)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// skipRedis reports whether to pace locally without asking Redis: while
// Redis is down, only one request per probeEvery tries it again.
func (l *Limiter) skipRedis() bool {
	if l.local == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.down {
		return false
	}
	now := time.Now()
	if now.Before(l.probeAt) {
		return true
	}
	l.probeAt = now.Add(probeEvery)
	return false
}

// fellBack records a Redis failure, logging it only when it starts an
// outage so that a fleet waiting on a dead Redis does not flood the log.
func (l *Limiter) fellBack(ctx context.Context, err error) {
	l.mu.Lock()
	first := !l.down
	l.down = true
	if first {
		l.probeAt = time.Now().Add(probeEvery)
	}
	l.mu.Unlock()
	if first && l.logger != nil {
		l.logger.LogAttrs(ctx, slog.LevelWarn, "redislimit: Redis unreachable, pacing locally",
			slog.String("key", l.key), slog.Duration("interval", l.localEvery), slog.Any("error", err))
	}
}

// recovered ends an outage after Redis answered.
func (l *Limiter) recovered(ctx context.Context) {
	if l.local == nil {
		return
	}
	l.mu.Lock()
	was := l.down
	l.down = false
	l.mu.Unlock()
	if was && l.logger != nil {
		l.logger.LogAttrs(ctx, slog.LevelInfo, "redislimit: Redis reachable again, pacing shared", slog.String("key", l.key))
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// probeEvery is how often, while Redis is unreachable, one request asks it
// again: often enough to be back on the shared budget a second after Redis
// is, rarely enough that waiting for go-redis to give up on a dead Redis
// (about 2 s with its default retries) holds up one request, not all.
const probeEvery = time.Second

// Wait blocks until the shared budget lets one more request go, and
// returns the context's error when the context ends first. While Redis is
// unreachable it fails with an error wrapping Redis's or, with
// WithFallback, paces locally; one request a second asks Redis again, and
// waits for the go-redis client to give up if Redis is still gone. Wait
// never outlasts the context, even when Redis accepts connections and never
// answers: the Redis call is then left to the go-redis client's timeouts.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	down, probe := l.outage()
	if down != nil && !probe {
		return l.whileDown(ctx, down)
	}
	err := l.waitShared(ctx, probe)
	var failed *redisFailure
	if !errors.As(err, &failed) {
		return err
	}
	l.markDown(ctx, failed.err)
	return l.whileDown(ctx, failed.err)
}

// redisFailure is a Redis call that failed for another reason than the
// context ending.
type redisFailure struct{ err error }

func (f *redisFailure) Error() string { return f.err.Error() }

// waitShared takes a turn from the budget in Redis. One goroutine of the
// process asks at a time and the others queue behind it: otherwise every
// waiter would wake and ask at each turn, spending a Redis call per waiter
// per turn for one grant. probe says this request asks Redis during an
// outage.
func (l *Limiter) waitShared(ctx context.Context, probe bool) error {
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	if !probe {
		// Redis may have gone away while this goroutine queued.
		if down := l.downErr(); down != nil {
			return &redisFailure{down}
		}
	}
	for {
		res, err := l.allow(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return &redisFailure{err}
		}
		l.markUp(ctx)
		if res.Allowed > 0 {
			return nil
		}
		if err := sleep(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}

// whileDown is what a request does when Redis cannot be asked.
func (l *Limiter) whileDown(ctx context.Context, down error) error {
	if l.local == nil {
		return fmt.Errorf("redislimit: %s: %w", l.key, down)
	}
	// Unlike rate.Limiter.Wait, which refuses a turn past the deadline with
	// an error of its own, end with the context's error, as the Client
	// expects, and give the turn back.
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

// outage returns the failure that began the current outage (nil when
// Redis is up), and whether this request is the one a second that asks
// Redis again all the same.
func (l *Limiter) outage() (down error, probe bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down == nil {
		return nil, false
	}
	now := time.Now()
	if now.Before(l.probeAt) {
		return l.down, false
	}
	l.probeAt = now.Add(probeEvery)
	return l.down, true
}

func (l *Limiter) downErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.down
}

// markDown records a Redis failure, logging it only when it begins an
// outage, so that a fleet waiting on a dead Redis does not flood the log.
func (l *Limiter) markDown(ctx context.Context, err error) {
	l.mu.Lock()
	first := l.down == nil
	if first {
		l.down, l.probeAt = err, time.Now().Add(probeEvery)
	}
	l.mu.Unlock()
	if !first || l.logger == nil {
		return
	}
	if l.local == nil {
		l.logger.LogAttrs(ctx, slog.LevelWarn, "redislimit: Redis unreachable, failing requests",
			slog.String("key", l.key), slog.Any("error", err))
		return
	}
	l.logger.LogAttrs(ctx, slog.LevelWarn, "redislimit: Redis unreachable, pacing locally",
		slog.String("key", l.key), slog.Duration("interval", l.localEvery), slog.Any("error", err))
}

// markUp ends an outage after Redis answered.
func (l *Limiter) markUp(ctx context.Context) {
	l.mu.Lock()
	was := l.down != nil
	l.down = nil
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

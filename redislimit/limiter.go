// Package redislimit paces requests across processes: every Limiter on the
// same Redis key shares one budget, so a fleet of importers into one app
// stays under the provider's limit together instead of each sending the
// whole of it.
//
// The budget is kept by github.com/go-redis/redis_rate (GCRA in one Lua
// script): decisions use the Redis server's clock, so the processes' clocks
// do not matter, and each decision touches one key, so it works on Redis
// Cluster too.
//
// A fleet usually needs one line per replica,
// chatimport.WithLimiterFunc(redislimit.Budgets(rdb, prefix)), which shares
// every pacing budget of the app; New makes a single Limiter for
// chatimport.WithLimiter.
package redislimit

import (
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

// Limiter is a chatimport.Limiter whose budget lives in Redis. It is safe
// for concurrent use.
type Limiter struct {
	rl    *redis_rate.Limiter
	key   string
	limit redis_rate.Limit

	local      *rate.Limiter // nil: a Redis failure fails the request
	localEvery time.Duration // local's spacing, for the log
	logger     *slog.Logger  // nil: nothing is logged

	// turn is held by the one goroutine of the process asking Redis.
	turn chan struct{}

	mu      sync.Mutex
	down    error     // the Redis failure that began an outage; nil when up
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
// (which the Client retries) for speed.
//
// Without it a request fails, while Redis is unreachable, with an error
// wrapping Redis's: nothing is ever sent unpaced.
func WithFallback(fraction float64) Option {
	return func(o *options) error {
		if !(fraction > 0 && fraction <= 1) {
			return fmt.Errorf("WithFallback: fraction %v is outside (0, 1]", fraction)
		}
		o.fallback = fraction
		return nil
	}
}

// WithLogger logs, through l, that Redis became unreachable (once an
// outage, at warning level, saying whether requests now fail or are paced
// locally) and that it answers again (at info level). Without it nothing
// is logged, except that a Limiter made by Budgets uses the Client's
// logger.
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
// New does not contact Redis. The budget is stored under "rate:" + key
// (redis_rate's prefix) and expires after one request's spacing of idleness,
// rounded up to whole seconds.
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
		turn:   make(chan struct{}, 1),
	}
	if o.fallback > 0 {
		l.localEvery = time.Duration(float64(interval) / o.fallback)
		l.local = rate.NewLimiter(rate.Every(l.localEvery), 1)
	}
	return l, nil
}

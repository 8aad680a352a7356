package redislimit_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/redislimit"
)

func TestNewRejectsInvalidSettings(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for _, tc := range []struct {
		name string
		rdb  redis.UniversalClient
		key  string
		n    int
		per  time.Duration
		opts []redislimit.Option
		want string
	}{
		{"zero n", rdb, "k", 0, time.Second, nil, "need n > 0 and per > 0, got 0 per 1s"},
		{"negative n", rdb, "k", -1, time.Second, nil, "need n > 0 and per > 0"},
		{"zero period", rdb, "k", 10, 0, nil, "need n > 0 and per > 0, got 10 per 0s"},
		{"negative period", rdb, "k", 10, -time.Second, nil, "need n > 0 and per > 0"},
		{"too fast", rdb, "k", 1 << 40, time.Millisecond, nil, "faster than one a nanosecond"},
		{"nil client", nil, "k", 10, time.Second, nil, "nil Redis client"},
		{"empty key", rdb, "", 10, time.Second, nil, "empty key"},
		{"fallback zero", rdb, "k", 10, time.Second, []redislimit.Option{redislimit.WithFallback(0)}, "WithFallback: fraction 0 is outside (0, 1]"},
		{"fallback above one", rdb, "k", 10, time.Second, []redislimit.Option{redislimit.WithFallback(1.5)}, "WithFallback: fraction 1.5"},
		{"nil logger", rdb, "k", 10, time.Second, []redislimit.Option{redislimit.WithLogger(nil)}, "WithLogger: nil logger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := redislimit.New(tc.rdb, tc.key, tc.n, tc.per, tc.opts...)
			assert.Nil(t, l)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestWaitFailsWhenRedisRefuses(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t)})
	defer rdb.Close()
	l, err := redislimit.New(rdb, "import", 10, time.Second)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = l.Wait(ctx)
	require.Error(t, err)
	assert.NoError(t, ctx.Err(), "Wait held the request until the deadline instead of failing it")
	assert.ErrorContains(t, err, "redislimit: import: ")
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr, "the error does not wrap Redis's")
}

// A Redis that accepts connections and never answers must not hold Wait
// past its context, whatever go-redis's own timeouts are.
func TestWaitEndsWithContextWhenRedisHangs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var conns sync.WaitGroup
	conns.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	})
	defer conns.Wait()
	defer ln.Close()

	rdb := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ReadTimeout: time.Hour, WriteTimeout: time.Hour, MaxRetries: -1})
	defer rdb.Close()
	for _, opts := range [][]redislimit.Option{nil, {redislimit.WithFallback(1)}} {
		l, err := redislimit.New(rdb, "hang", 10, time.Second, opts...)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err = l.Wait(ctx)
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	}
}

func TestFallbackPacesLocallyAndLogsOnce(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t)})
	defer rdb.Close()
	rec := &logRecorder{}
	const n, per, fraction = 100, time.Second, 0.5
	l, err := redislimit.New(rdb, "fallback", n, per, redislimit.WithFallback(fraction), redislimit.WithLogger(slog.New(rec)))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const waits = 6
	start := time.Now()
	for i := range waits {
		require.NoError(t, l.Wait(ctx), "wait %d", i)
	}
	elapsed := time.Since(start)
	// Half of 100 a second: the last of six goes no sooner than five
	// fiftieths of a second after the first.
	assert.GreaterOrEqual(t, elapsed, time.Duration(float64(waits-1)*float64(per)/(n*fraction)))
	assert.Equal(t, 1, rec.count("WARN redislimit: Redis unreachable, pacing locally"), "logged: %v", rec.msgs)

	// The next local turn is 20 ms away: a shorter deadline ends the wait
	// with the context's own error, which the Client tells apart.
	short, cancelShort := context.WithTimeout(ctx, time.Millisecond)
	defer cancelShort()
	assert.ErrorIs(t, l.Wait(short), context.DeadlineExceeded)
}

func TestSharedKeyPacesAllLimiters(t *testing.T) {
	addr := redisAddr(t)
	key := testKey(t)
	const n, per = 10, time.Second
	var limiters []*redislimit.Limiter
	for range 3 {
		l, err := redislimit.New(newRedis(t, addr), key, n, per)
		require.NoError(t, err)
		limiters = append(limiters, l)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// 2n+1 turns: no n+1 of them fit in one period, so they span at
	// least two.
	const turns = 2*n + 1
	var (
		mu    sync.Mutex
		times []time.Time
		wg    sync.WaitGroup
	)
	next := make(chan struct{}, turns)
	for range turns {
		next <- struct{}{}
	}
	close(next)
	for _, l := range limiters {
		for range 3 {
			wg.Go(func() {
				for range next {
					if err := l.Wait(ctx); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					times = append(times, time.Now())
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	require.Len(t, times, turns)
	first, last := times[0], times[0]
	for _, at := range times {
		first, last = minTime(first, at), maxTime(last, at)
	}
	assert.GreaterOrEqual(t, last.Sub(first), 2*per)
	inFirstPeriod := 0
	for _, at := range times {
		if at.Sub(first) < per {
			inFirstPeriod++
		}
	}
	assert.LessOrEqual(t, inFirstPeriod, n)
}

func TestWaitReturnsContextErrorWhileBudgetIsSpent(t *testing.T) {
	addr := redisAddr(t)
	l, err := redislimit.New(newRedis(t, addr), testKey(t), 1, time.Hour)
	require.NoError(t, err)
	require.NoError(t, l.Wait(context.Background()))

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.Wait(ctx), context.DeadlineExceeded)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, l.Wait(cancelled), context.Canceled)
}

func TestRedisKilledMidRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     []redislimit.Option
		fallback bool
	}{
		{"fails the request", nil, false},
		{"falls back to local pacing", []redislimit.Option{redislimit.WithFallback(0.5)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ownRedis(t)
			rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Sock})
			defer rdb.Close()
			rec := &logRecorder{}
			l, err := redislimit.New(rdb, "killed", 50, time.Second, append(tc.opts, redislimit.WithLogger(slog.New(rec)))...)
			require.NoError(t, err)

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for range 3 {
				require.NoError(t, l.Wait(ctx))
			}
			srv.Stop()
			for i := range 2 {
				err := l.Wait(ctx)
				require.NoError(t, ctx.Err(), "Wait %d after the kill ran into the deadline", i)
				if tc.fallback {
					assert.NoError(t, err)
				} else {
					assert.ErrorContains(t, err, "redislimit: killed: ")
					assert.False(t, errors.Is(err, context.DeadlineExceeded))
				}
			}
			want := "WARN redislimit: Redis unreachable, failing requests"
			if tc.fallback {
				want = "WARN redislimit: Redis unreachable, pacing locally"
			}
			assert.Equal(t, 1, rec.count(want), "logged: %v", rec.msgs)
			assert.Equal(t, 1, rec.count("Redis unreachable"), "logged: %v", rec.msgs)
		})
	}
}

func TestFallbackReturnsToSharedPacingWhenRedisIsBack(t *testing.T) {
	srv := ownRedis(t)
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Sock})
	defer rdb.Close()
	rec := &logRecorder{}
	key := "back"
	l, err := redislimit.New(rdb, key, 1, time.Hour, redislimit.WithFallback(1), redislimit.WithLogger(slog.New(rec)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	srv.Stop()
	require.NoError(t, l.Wait(ctx), "the local pacer's first turn")
	srv.Start()
	// Redis is asked again a second after the outage began; the shared
	// budget (1 an hour, untouched) then grants a turn the local pacer,
	// spent for the hour, would not.
	for rec.count("pacing shared") == 0 {
		turn, cancelTurn := context.WithTimeout(ctx, 100*time.Millisecond)
		err := l.Wait(turn)
		cancelTurn()
		if err == nil {
			break
		}
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NoError(t, ctx.Err(), "Redis was never asked again")
	}
	assert.Equal(t, 1, rec.count("INFO redislimit: Redis reachable again, pacing shared"), "logged: %v", rec.msgs)
	ttl, err := rdb.PTTL(ctx, "rate:"+key).Result()
	require.NoError(t, err)
	assert.Positive(t, ttl, "the turn was not taken from the shared budget")
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// countScripts counts the rate-limit scripts a go-redis client runs.
type countScripts struct {
	mu sync.Mutex
	n  int
}

func (c *countScripts) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *countScripts) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			c.mu.Lock()
			c.n++
			c.mu.Unlock()
		}
		return next(ctx, cmd)
	}
}

func (c *countScripts) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// Many waiters in one process must not each ask Redis at every turn: one
// asks at a time, so a grant costs about two calls (one refused with the
// time to wait, one granted), not one per waiter.
func TestWaitersOfOneProcessAskRedisOneAtATime(t *testing.T) {
	rdb := newRedis(t, redisAddr(t))
	calls := &countScripts{}
	rdb.AddHook(calls)
	l, err := redislimit.New(rdb, testKey(t), 50, time.Second)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const waiters, turns = 16, 30
	next := make(chan struct{}, turns)
	for range turns {
		next <- struct{}{}
	}
	close(next)
	var wg sync.WaitGroup
	for range waiters {
		wg.Go(func() {
			for range next {
				assert.NoError(t, l.Wait(ctx))
			}
		})
	}
	wg.Wait()
	calls.mu.Lock()
	defer calls.mu.Unlock()
	assert.LessOrEqual(t, calls.n, 3*turns, "Redis calls for %d turns among %d waiters", turns, waiters)
}

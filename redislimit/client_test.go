package redislimit_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
	"github.com/chatimport/chatimport/redislimit"
)

// The fake counts CometChat import requests in windows of 10 a second, so
// three importers sharing the budget take a few seconds.
const (
	fleetN       = 10
	fleetPer     = time.Second
	fleetClients = 3
	fleetUsers   = 50 // per client, in batches of fleetBatch: 10 requests each
	fleetBatch   = 5
)

func newFleetServer() *chatimporttest.Server {
	return chatimporttest.NewServer(chatimporttest.WithCometChatLimit(fleetN, fleetPer))
}

// fleetClient is one importer of the fleet, as another process would run
// it: its own Client, paced by opts.
func fleetClient(t *testing.T, s *chatimporttest.Server, opts ...chatimport.Option) *chatimport.Client {
	t.Helper()
	c, err := s.CometChat(append([]chatimport.Option{
		chatimport.WithBatchSize(fleetBatch),
		chatimport.WithConcurrency(4),
		chatimport.WithRetry(10, 50*time.Millisecond, 2*time.Second),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// runFleet has each client import its own users at the same time and
// returns how long the slowest took.
func runFleet(t *testing.T, ctx context.Context, clients []*chatimport.Client) ([]*chatimport.ImportResult, []error, time.Duration) {
	t.Helper()
	results := make([]*chatimport.ImportResult, len(clients))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range clients {
		users := make([]chatimport.User, fleetUsers)
		for j := range users {
			users[j] = chatimport.User{UID: fmt.Sprintf("c%d-u%03d", i, j), Name: fmt.Sprintf("User %d of client %d", j, i)}
		}
		wg.Go(func() { results[i], errs[i] = c.ImportUsers(ctx, users) })
	}
	wg.Wait()
	return results, errs, time.Since(start)
}

func TestFleetSharingOneKeyDrawsNoRateLimits(t *testing.T) {
	addr := redisAddr(t)
	s := newFleetServer()
	defer s.Close()
	key := testKey(t)
	var clients []*chatimport.Client
	for range fleetClients {
		l, err := redislimit.New(newRedis(t, addr), key, fleetN, fleetPer)
		require.NoError(t, err)
		clients = append(clients, fleetClient(t, s, chatimport.WithLimiter(l)))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results, errs, elapsed := runFleet(t, ctx, clients)
	for i := range clients {
		require.NoError(t, errs[i], "client %d", i)
		require.Len(t, results[i].Items, fleetUsers)
		for _, it := range results[i].Items {
			assert.Equal(t, chatimport.StatusImported, it.Status, "client %d item %s", i, it.ID)
		}
	}
	st := s.Stats()
	assert.Zero(t, st.RateLimited, "rate-limit answers with the budget shared")
	assert.Len(t, s.Users(), fleetClients*fleetUsers)
	wantRequests := fleetClients * fleetUsers / fleetBatch
	assert.Equal(t, wantRequests, st.ImportRequests)
	// No window holds more than fleetN, so the requests span at least
	// ceil(requests/fleetN)-1 whole periods.
	periods := (st.ImportRequests+fleetN-1)/fleetN - 1
	assert.GreaterOrEqual(t, elapsed, time.Duration(periods)*fleetPer)
}

// The control: the same fleet pacing each Client by itself sends three
// times the limit, which the fake answers with 429s.
func TestFleetPacingLocallyDrawsRateLimits(t *testing.T) {
	redisAddr(t) // runs with its counterpart, so the two can be compared
	s := newFleetServer()
	defer s.Close()
	var clients []*chatimport.Client
	for range fleetClients {
		clients = append(clients, fleetClient(t, s)) // the fake's 10 a second, each
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runFleet(t, ctx, clients)
	assert.Positive(t, s.Stats().RateLimited, "three self-paced clients never exceeded the shared limit")
}

// burstLimiter paces with redis_rate's own PerSecond limit, whose burst
// equals the rate: the reason New spaces requests with a burst of one.
type burstLimiter struct {
	rl  *redis_rate.Limiter
	key string
	n   int
}

func (b burstLimiter) Wait(ctx context.Context) error {
	for {
		res, err := b.rl.Allow(ctx, b.key, redis_rate.PerSecond(b.n))
		if err != nil {
			return err
		}
		if res.Allowed > 0 {
			return nil
		}
		select {
		case <-time.After(res.RetryAfter):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func TestFleetWithRedisRateBurstDrawsRateLimits(t *testing.T) {
	addr := redisAddr(t)
	s := newFleetServer()
	defer s.Close()
	key := testKey(t)
	var clients []*chatimport.Client
	for range fleetClients {
		l := burstLimiter{rl: redis_rate.NewLimiter(newRedis(t, addr)), key: key, n: fleetN}
		clients = append(clients, fleetClient(t, s, chatimport.WithLimiter(l)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	runFleet(t, ctx, clients)
	assert.Positive(t, s.Stats().RateLimited, "a burst of the whole rate on top of the steady rate stayed under the window")
}

func TestFleetWhenRedisDiesMidRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fallback bool
	}{
		{"fails the requests", false},
		{"falls back to local pacing", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sock, kill := ownRedis(t)
			s := newFleetServer()
			defer s.Close()
			recs := make([]*logRecorder, fleetClients)
			var clients []*chatimport.Client
			for i := range fleetClients {
				recs[i] = &logRecorder{}
				opts := []redislimit.Option{redislimit.WithLogger(slog.New(recs[i]))}
				if tc.fallback {
					opts = append(opts, redislimit.WithFallback(1.0/fleetClients))
				}
				rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: sock})
				t.Cleanup(func() { rdb.Close() })
				l, err := redislimit.New(rdb, "fleet", fleetN, fleetPer, opts...)
				require.NoError(t, err)
				clients = append(clients, fleetClient(t, s, chatimport.WithLimiter(l)))
			}

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			killed := make(chan struct{})
			go func() {
				defer close(killed)
				for s.Stats().ImportRequests < 6 {
					time.Sleep(5 * time.Millisecond)
				}
				kill()
			}()
			results, errs, _ := runFleet(t, ctx, clients)
			<-killed
			require.NoError(t, ctx.Err(), "the fleet ran into the deadline")

			imported := 0
			for i := range clients {
				require.Len(t, results[i].Items, fleetUsers, "client %d", i)
				for _, it := range results[i].Items {
					if it.Status == chatimport.StatusImported {
						imported++
						continue
					}
					assert.False(t, tc.fallback, "client %d item %s: %v", i, it.ID, it.Err)
					assert.ErrorContains(t, it.Err, "redislimit: fleet: ", "client %d item %s", i, it.ID)
				}
				if tc.fallback {
					assert.NoError(t, errs[i], "client %d", i)
					assert.Equal(t, 1, recs[i].count("pacing locally"), "client %d logged %v", i, recs[i].msgs)
				} else {
					assert.ErrorContains(t, errs[i], "redislimit: fleet: ", "client %d", i)
				}
			}
			assert.Equal(t, len(s.Users()), imported)
			if tc.fallback {
				assert.Equal(t, fleetClients*fleetUsers, imported)
			} else {
				assert.Less(t, imported, fleetClients*fleetUsers)
			}
		})
	}
}

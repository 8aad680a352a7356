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
	return chatimporttest.NewServer(
		chatimporttest.WithCometChatLimit(fleetN, fleetPer),
		chatimporttest.WithTencentLimit(fleetN, fleetPer),
		chatimporttest.WithTencentAutoCreate(),
	)
}

// fleetOptions pace the import budgets at the fake's limit: a budget is
// handed to Budgets at the Client's own rate for it.
var fleetOptions = []chatimport.Option{
	chatimport.WithRateLimit(fleetN, fleetPer),
	chatimport.WithBatchSize(fleetBatch),
	chatimport.WithConcurrency(4),
	chatimport.WithRetry(10, 50*time.Millisecond, 2*time.Second),
}

// fleetClient is one CometChat importer of the fleet, as another process
// would run it: its own Client, paced by opts.
func fleetClient(t *testing.T, s *chatimporttest.Server, opts ...chatimport.Option) *chatimport.Client {
	t.Helper()
	c := s.CometChat(append(fleetOptions, opts...)...)
	return c
}

// importer is what client i of a fleet imports.
type importer func(ctx context.Context, c *chatimport.Client, i int) (*chatimport.ImportResult, error)

func importUsers(ctx context.Context, c *chatimport.Client, i int) (*chatimport.ImportResult, error) {
	users := make([]chatimport.User, fleetUsers)
	for j := range users {
		users[j] = chatimport.User{UID: fmt.Sprintf("c%d-u%03d", i, j), Name: fmt.Sprintf("User %d of client %d", j, i)}
	}
	return c.ImportUsers(ctx, users)
}

func importTencentMembers(ctx context.Context, c *chatimport.Client, i int) (*chatimport.ImportResult, error) {
	members := make([]chatimport.Member, fleetUsers)
	for j := range members {
		members[j] = chatimport.Member{GUID: fmt.Sprintf("group-%d", i), UID: fmt.Sprintf("c%d-u%03d", i, j)}
	}
	return c.ImportMembers(ctx, members)
}

// runFleet has each client import its own items at the same time and
// returns how long the slowest took.
func runFleet(ctx context.Context, clients []*chatimport.Client, imp importer) ([]*chatimport.ImportResult, []error, time.Duration) {
	results := make([]*chatimport.ImportResult, len(clients))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range clients {
		wg.Go(func() { results[i], errs[i] = imp(ctx, c, i) })
	}
	wg.Wait()
	return results, errs, time.Since(start)
}

// Three replicas, each with its own go-redis client, share every budget of
// the app through Budgets.
func TestFleetSharingBudgetsDrawsNoRateLimits(t *testing.T) {
	addr := redisAddr(t)
	for _, tc := range []struct {
		name      string
		newClient func(*chatimporttest.Server, ...chatimport.Option) *chatimport.Client
		imp       importer
		stored    func(*chatimporttest.Server) int
	}{
		{"cometchat", (*chatimporttest.Server).CometChat, importUsers, func(s *chatimporttest.Server) int { return len(s.Users()) }},
		{"tencent", (*chatimporttest.Server).Tencent, importTencentMembers, func(s *chatimporttest.Server) int {
			n := 0
			for i := range fleetClients {
				n += len(s.TencentMembers(fmt.Sprintf("group-%d", i)))
			}
			return n
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFleetServer()
			defer s.Close()
			prefix := testKey(t) + ":"
			var clients []*chatimport.Client
			for range fleetClients {
				clients = append(clients, tc.newClient(s, append(fleetOptions, chatimport.WithLimiterFunc(redislimit.Budgets(newRedis(t, addr), prefix)))...))
			}

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			results, errs, elapsed := runFleet(ctx, clients, tc.imp)
			for i := range clients {
				require.NoError(t, errs[i], "client %d", i)
				require.Len(t, results[i].Items, fleetUsers)
				for _, it := range results[i].Items {
					assert.Equal(t, chatimport.StatusImported, it.Status, "client %d item %s", i, it.ID)
				}
			}
			st := s.Stats()
			assert.Zero(t, st.RateLimited, "rate-limit answers with the budget shared")
			assert.Equal(t, fleetClients*fleetUsers, tc.stored(s))
			wantRequests := fleetClients * fleetUsers / fleetBatch
			assert.Equal(t, wantRequests, st.ImportRequests)
			// No window holds more than fleetN, so the requests span at
			// least ceil(requests/fleetN)-1 whole periods.
			periods := (st.ImportRequests+fleetN-1)/fleetN - 1
			assert.GreaterOrEqual(t, elapsed, time.Duration(periods)*fleetPer)
		})
	}
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
	runFleet(ctx, clients, importUsers)
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
	runFleet(ctx, clients, importUsers)
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
			srv := ownRedis(t)
			s := newFleetServer()
			defer s.Close()
			recs := make([]*logRecorder, fleetClients)
			var clients []*chatimport.Client
			for i := range fleetClients {
				var opts []redislimit.Option
				if tc.fallback {
					opts = append(opts, redislimit.WithFallback(1.0/fleetClients))
				}
				rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Sock})
				t.Cleanup(func() { rdb.Close() })
				recs[i] = &logRecorder{}
				clients = append(clients, fleetClient(t, s,
					chatimport.WithLimiterFunc(redislimit.Budgets(rdb, "fleet:", opts...)),
					chatimport.WithLogger(slog.New(recs[i]))))
			}

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			killed := make(chan struct{})
			go func() {
				defer close(killed)
				for s.Stats().ImportRequests < 6 {
					time.Sleep(5 * time.Millisecond)
				}
				srv.Stop()
			}()
			results, errs, _ := runFleet(ctx, clients, importUsers)
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
					assert.ErrorContains(t, it.Err, "redislimit: fleet:"+chatimporttest.AppID+":cometchat.import: ", "client %d item %s", i, it.ID)
				}
				if tc.fallback {
					assert.NoError(t, errs[i], "client %d", i)
					assert.Equal(t, 1, recs[i].count("pacing locally"), "client %d logged %v", i, recs[i].msgs)
				} else {
					assert.ErrorContains(t, errs[i], "redislimit: fleet:"+chatimporttest.AppID+":cometchat.import: ", "client %d", i)
					assert.Equal(t, 1, recs[i].count("failing requests"), "client %d logged %v", i, recs[i].msgs)
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

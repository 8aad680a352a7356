package redislimit_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
	"github.com/chatimport/chatimport/redislimit"
)

// One app's budget is shared by every replica; another app, or another
// budget of the same app, is not held back by it.
func TestBudgetsShareOneAppsBudgetOnly(t *testing.T) {
	addr := redisAddr(t)
	prefix := testKey(t) + ":"
	replica := func() func(chatimport.Budget) (chatimport.Limiter, error) {
		return redislimit.Budgets(newRedis(t, addr), prefix)
	}
	budget := func(app, name string) chatimport.Budget {
		return chatimport.Budget{App: app, Name: name, N: 1, Per: time.Hour}
	}
	wait := func(f func(chatimport.Budget) (chatimport.Limiter, error), b chatimport.Budget) error {
		l, err := f(b)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		return l.Wait(ctx)
	}

	first, second := replica(), replica()
	require.NoError(t, wait(first, budget("app-a", "cometchat.import")))
	assert.ErrorIs(t, wait(second, budget("app-a", "cometchat.import")), context.DeadlineExceeded,
		"another replica of the same app went past the shared budget")
	assert.NoError(t, wait(second, budget("app-b", "cometchat.import")), "another app was held by app-a's budget")
	assert.NoError(t, wait(second, budget("app-a", "cometchat.list")), "another budget was held by the import budget")

	exists, err := newRedis(t, addr).Exists(context.Background(), "rate:"+prefix+"app-a:cometchat.import").Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), exists, "the budget is not under prefix + app + \":\" + name")
}

func TestBudgetsRefusesWhatItCannotKeyOrPace(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	f := redislimit.Budgets(rdb, "p:")
	for _, tc := range []struct {
		b    chatimport.Budget
		want string
	}{
		{chatimport.Budget{Name: "cometchat.import", N: 1, Per: time.Second}, "no app or no name"},
		{chatimport.Budget{App: "a", N: 1, Per: time.Second}, "no app or no name"},
		{chatimport.Budget{App: "a", Name: "cometchat.import", N: 0, Per: time.Second}, "need n > 0 and per > 0"},
	} {
		l, err := f(tc.b)
		assert.Nil(t, l)
		assert.ErrorContains(t, err, tc.want)
	}
	_, err := redislimit.Budgets(rdb, "p:", redislimit.WithFallback(2))(chatimport.Budget{App: "a", Name: "x", N: 1, Per: time.Second})
	assert.ErrorContains(t, err, "WithFallback")
}

// Each budget a Client has is handed to Budgets with the Client's app,
// and a budget's fallback logs through the Client's logger.
func TestBudgetsCoverEveryBudgetOfAClient(t *testing.T) {
	s := chatimporttest.NewServer(chatimporttest.WithDocumentedLimits())
	defer s.Close()
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t)})
	defer rdb.Close()
	rec := &logRecorder{}
	var seen []chatimport.Budget
	limiters := map[string]chatimport.Limiter{}
	record := func(b chatimport.Budget) (chatimport.Limiter, error) {
		l, err := redislimit.Budgets(rdb, "p:", redislimit.WithFallback(1))(b)
		seen = append(seen, b)
		limiters[b.App+":"+b.Name] = l
		return l, err
	}
	s.CometChat(chatimport.WithLimiterFunc(record), chatimport.WithLogger(slog.New(rec)))
	s.Tencent(chatimport.WithLimiterFunc(record))

	names := map[string]string{}
	for _, b := range seen {
		names[b.Name] = b.App
	}
	assert.Equal(t, chatimporttest.AppID, names["cometchat.import"])
	assert.Equal(t, strconv.FormatUint(chatimporttest.SDKAppID, 10), names["tencent.import_group_member"])

	l := limiters[chatimporttest.AppID+":cometchat.import"]
	require.NotNil(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, l.Wait(ctx))
	assert.Equal(t, 1, rec.count("WARN redislimit: Redis unreachable, pacing locally"), "the Client's logger got %v", rec.msgs)
}

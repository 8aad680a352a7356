package chatimporttest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

func TestFaultRateLimitCometChat(t *testing.T) {
	for _, tc := range []struct {
		retryAfter time.Duration
		want       string
	}{{0, "0"}, {time.Second, "1"}, {1500 * time.Millisecond, "2"}} {
		s := newServer(t, chatimporttest.WithDocumentedLimits(), chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 1, RetryAfter: tc.retryAfter}))
		r := post(t, s, "/data_import/users", usersBody(t, user("a")))
		assert.Equal(t, http.StatusTooManyRequests, r.status)
		assert.Equal(t, "ERR_TOO_MANY_REQUESTS", r.errorCode(t))
		assert.Equal(t, tc.want, r.header.Get("Retry-After"))
		rateHeaders(t, r)
		assert.Empty(t, s.Users())
		st := s.Stats()
		assert.Equal(t, chatimporttest.FaultCounts{RateLimit: 1}, st.Faults)
		assert.Equal(t, 1, st.RateLimited)
		assert.Equal(t, 0, st.Entities, "the body of a faulted request is not read")
		assert.Equal(t, 0, s.Received("a"))
	}
}

func TestFaultUnavailableCometChat(t *testing.T) {
	s := newServer(t, chatimporttest.WithFaults(chatimporttest.Faults{Unavailable: 1}))
	s.AddMembers("g")
	s.AddUsers(chatimporttest.User{UID: "a"})
	for _, path := range []string{"/data_import/users", "/data_import/members"} {
		r := post(t, s, path, membersBody(t, member("g", "a")))
		assert.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Equal(t, "text/html", r.header.Get("Content-Type"))
		assert.True(t, strings.HasPrefix(string(r.body), "<html>"))
	}
	assert.Empty(t, s.Members("g"))
	assert.Equal(t, chatimporttest.FaultCounts{Unavailable: 2}, s.Stats().Faults)
}

func TestFaultFailAfterApplyCometChat(t *testing.T) {
	s := newServer(t, chatimporttest.WithFaults(chatimporttest.Faults{FailAfterApply: 1}))
	r := post(t, s, "/data_import/users", usersBody(t, user("a")))
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Equal(t, "ERR_MISSION_FAILED", r.errorCode(t))
	require.Len(t, s.Users(), 1, "the batch was applied before the failure")

	m := member("g", "a")
	m["groupDetails"] = groupDetails("g", 1600000000)
	r = post(t, s, "/data_import/members", membersBody(t, m))
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Len(t, s.Members("g"), 1)
	assert.Equal(t, chatimporttest.FaultCounts{FailAfterApply: 2}, s.Stats().Faults)
}

func TestFaultDropAfterApplyCometChat(t *testing.T) {
	s := newServer(t, chatimporttest.WithFaults(chatimporttest.Faults{DropAfterApply: 1}))
	_, err := send(context.Background(), http.MethodPost, s.URL+"/v3/data_import/users",
		map[string]string{"apikey": chatimporttest.APIKey}, usersBody(t, user("a")))
	require.Error(t, err, "no answer at all")
	assert.Len(t, s.Users(), 1, "the batch was applied before the drop")
	assert.Equal(t, 1, s.Received("a"))
	assert.Equal(t, chatimporttest.FaultCounts{DropAfterApply: 1}, s.Stats().Faults)
}

// Faults are drawn only for requests that passed auth and the limit, and an
// after-apply fault never disguises a request-level error.
func TestFaultsNeverHitRejectedRequests(t *testing.T) {
	clock := newClock(t0)
	s := newServer(t, chatimporttest.WithClock(clock.Now), chatimporttest.WithCometChatLimit(2, time.Minute),
		chatimporttest.WithFaults(chatimporttest.Faults{FailAfterApply: 1}))
	r := do(t, http.MethodPost, s.URL+"/v3/data_import/users", nil, usersBody(t, user("a")))
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = post(t, s, "/data_import/users", `{"users":`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	r = post(t, s, "/data_import/users", usersBody(t, user("a")))
	assert.Equal(t, http.StatusInternalServerError, r.status)
	r = post(t, s, "/data_import/users", usersBody(t, user("b")))
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "60", r.header.Get("Retry-After"), "a real 429, not an injected one")
	st := s.Stats()
	assert.Equal(t, chatimporttest.FaultCounts{FailAfterApply: 1}, st.Faults)
	assert.Equal(t, 1, st.RateLimited)
}

func TestTencentInternalIsTencentOnly(t *testing.T) {
	s := newServer(t, chatimporttest.WithFaults(chatimporttest.Faults{TencentInternal: 1}))
	post(t, s, "/data_import/users", usersBody(t, user("a"))).entityData(t, "a")
	assert.Equal(t, chatimporttest.FaultCounts{}, s.Stats().Faults)
}

func tencentFaultServer(t *testing.T, f chatimporttest.Faults) *chatimporttest.Server {
	s := newServer(t, chatimporttest.WithFaults(f))
	s.AddTencentGroup("g", t0)
	s.AddTencentAccounts("a")
	return s
}

func TestFaultsTencent(t *testing.T) {
	body := func(t *testing.T) string { return tencentBody(t, "g", map[string]any{"Member_Account": "a"}) }
	now := time.Now()

	t.Run("RateLimit", func(t *testing.T) {
		s := tencentFaultServer(t, chatimporttest.Faults{RateLimit: 1})
		assert.Equal(t, 10006, tencentImport(t, s, now, body(t)).ErrorCode)
		assert.Empty(t, s.TencentMembers("g"))
		assert.Equal(t, 1, s.Stats().RateLimited)
		assert.Equal(t, chatimporttest.FaultCounts{RateLimit: 1}, s.Stats().Faults)
	})
	t.Run("Unavailable", func(t *testing.T) {
		s := tencentFaultServer(t, chatimporttest.Faults{Unavailable: 1})
		r := do(t, http.MethodPost, tencentURL(s, tencentQuery(t, now)), nil, body(t))
		assert.Equal(t, http.StatusBadGateway, r.status)
		assert.Equal(t, "text/html", r.header.Get("Content-Type"))
		assert.Empty(t, s.TencentMembers("g"))
	})
	t.Run("TencentInternal", func(t *testing.T) {
		s := tencentFaultServer(t, chatimporttest.Faults{TencentInternal: 1})
		assert.Equal(t, 10002, tencentImport(t, s, now, body(t)).ErrorCode)
		assert.Empty(t, s.TencentMembers("g"), "nothing applied")
		assert.Equal(t, chatimporttest.FaultCounts{TencentInternal: 1}, s.Stats().Faults)
	})
	t.Run("FailAfterApply", func(t *testing.T) {
		s := tencentFaultServer(t, chatimporttest.Faults{FailAfterApply: 1})
		a := tencentImport(t, s, now, body(t))
		assert.Equal(t, 10002, a.ErrorCode)
		assert.Empty(t, a.MemberList)
		assert.Len(t, s.TencentMembers("g"), 1, "applied before the failure")
	})
	t.Run("DropAfterApply", func(t *testing.T) {
		s := tencentFaultServer(t, chatimporttest.Faults{DropAfterApply: 1})
		_, err := send(context.Background(), http.MethodPost, tencentURL(s, tencentQuery(t, now)), nil, body(t))
		require.Error(t, err)
		assert.Len(t, s.TencentMembers("g"), 1, "applied before the drop")
		assert.Equal(t, 1, s.Received("g/a"))
	})
	t.Run("not on auth failures", func(t *testing.T) {
		s := tencentFaultServer(t, chatimporttest.Faults{Unavailable: 1})
		q := tencentQuery(t, now)
		q.Set("usersig", "")
		assert.Equal(t, 70002, decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, body(t))).ErrorCode)
		assert.Equal(t, chatimporttest.FaultCounts{}, s.Stats().Faults)
	})
}

// faultSequence sends n sequential user imports and records what happened
// to each: the status code, or -1 for a dropped connection.
func faultSequence(t *testing.T, seed int64, n int) []int {
	s := newServer(t, chatimporttest.WithSeed(seed),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.2, Unavailable: 0.2, FailAfterApply: 0.2, DropAfterApply: 0.2}))
	var codes []int
	for i := range n {
		r, err := send(context.Background(), http.MethodPost, s.URL+"/v3/data_import/users",
			map[string]string{"apikey": chatimporttest.APIKey}, usersBody(t, user("u"+itoa(i))))
		if err != nil {
			codes = append(codes, -1)
			continue
		}
		codes = append(codes, r.status)
	}
	f := s.Stats().Faults
	assert.Equal(t, n, f.RateLimit+f.Unavailable+f.FailAfterApply+f.DropAfterApply+count(codes, 200))
	return codes
}

func count(xs []int, x int) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

func TestFaultsDeterministicWithSeed(t *testing.T) {
	a := faultSequence(t, 7, 40)
	assert.Equal(t, a, faultSequence(t, 7, 40))
	assert.NotEqual(t, a, faultSequence(t, 8, 40))
	for _, code := range []int{200, 429, 503, 500, -1} {
		assert.Positive(t, count(a, code), "every kind occurs in %v", a)
	}
}

func TestLatency(t *testing.T) {
	s := newServer(t, chatimporttest.WithFaults(chatimporttest.Faults{Latency: 15 * time.Millisecond}))
	start := time.Now()
	post(t, s, "/data_import/users", usersBody(t, user("a"))).entityData(t, "a")
	assert.GreaterOrEqual(t, time.Since(start), 15*time.Millisecond)
}

func TestLatencyHonoursCancellation(t *testing.T) {
	s := chatimporttest.NewServer(chatimporttest.WithFaults(chatimporttest.Faults{Latency: time.Hour}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := send(ctx, http.MethodPost, s.URL+"/v3/data_import/users",
		map[string]string{"apikey": chatimporttest.APIKey}, usersBody(t, user("a")))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// A request still held by the latency does not keep Close waiting.
	go func() {
		_, _ = send(context.Background(), http.MethodPost, s.URL+"/v3/data_import/users",
			map[string]string{"apikey": chatimporttest.APIKey}, usersBody(t, user("b")))
	}()
	require.Eventually(t, func() bool { return s.Stats().ImportRequests == 2 }, time.Second, time.Millisecond)
	start := time.Now()
	s.Close()
	assert.Less(t, time.Since(start), time.Second)
	assert.Empty(t, s.Users(), "abandoned requests apply nothing")
	assert.Equal(t, 0, s.Stats().Entities)
}

func TestInvalidFaultsPanic(t *testing.T) {
	for _, f := range []chatimporttest.Faults{
		{RateLimit: 1.5},
		{Unavailable: -0.1},
		{RateLimit: 0.6, DropAfterApply: 0.6},
		{TencentInternal: 0.5, FailAfterApply: 0.6},
		{RetryAfter: -time.Second},
		{Latency: -time.Second},
	} {
		assert.Panics(t, func() { chatimporttest.NewServer(chatimporttest.WithFaults(f)).Close() }, "%+v", f)
	}
}

func TestFaultProbabilities(t *testing.T) {
	s := newServer(t, chatimporttest.WithSeed(1),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.25, Unavailable: 0.5}))
	const n = 400
	for i := range n {
		post(t, s, "/data_import/users", usersBody(t, user("u"+itoa(i))))
	}
	f := s.Stats().Faults
	assert.InDelta(t, n/4, f.RateLimit, n/20, "%+v", f)
	assert.InDelta(t, n/2, f.Unavailable, n/20, "%+v", f)
	assert.InDelta(t, n/4, len(s.Users()), n/20)
	assert.Zero(t, f.FailAfterApply+f.DropAfterApply+f.TencentInternal)
}

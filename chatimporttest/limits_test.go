package chatimporttest_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// rateHeaders returns limit, remaining and reset, requiring both spellings to agree.
func rateHeaders(t *testing.T, r *response) (limit, remaining, reset string) {
	t.Helper()
	limit, remaining, reset = r.header.Get("X-Rate-Limit"), r.header.Get("X-Rate-Limit-Remaining"), r.header.Get("X-Rate-Limit-Reset")
	require.NotEmpty(t, limit)
	assert.Equal(t, limit, r.header.Get("X-RateLimit-Limit"))
	assert.Equal(t, remaining, r.header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, reset, r.header.Get("X-RateLimit-Reset"))
	return limit, remaining, reset
}

func TestCometChatRateLimit(t *testing.T) {
	clock := newClock(t0.Add(250 * time.Millisecond))
	s := newServer(t, chatimporttest.WithClock(clock.Now), chatimporttest.WithCometChatLimit(2, time.Minute))
	s.AddMembers("g")
	wantReset := strconv.FormatInt(t0.Unix()+61, 10) // window end rounded up to a whole second

	// A rejected request reports the budget without spending it.
	r := do(t, http.MethodPost, s.URL+"/v3/data_import/users", nil, usersBody(t, user("x")))
	assert.Equal(t, http.StatusUnauthorized, r.status)
	limit, remaining, _ := rateHeaders(t, r)
	assert.Equal(t, "2", limit)
	assert.Equal(t, "2", remaining)

	r = post(t, s, "/data_import/users", usersBody(t, user("a")))
	r.entityData(t, "a")
	limit, remaining, reset := rateHeaders(t, r)
	assert.Equal(t, []string{"2", "1", wantReset}, []string{limit, remaining, reset})

	// The budget is shared by the import endpoints.
	clock.Advance(30 * time.Second)
	r = post(t, s, "/data_import/members", membersBody(t, member("g", "a")))
	r.entityData(t, "g_member_a")
	_, remaining, reset = rateHeaders(t, r)
	assert.Equal(t, []string{"0", wantReset}, []string{remaining, reset})

	r = post(t, s, "/data_import/users", usersBody(t, user("b")))
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "ERR_TOO_MANY_REQUESTS", r.errorCode(t))
	assert.Equal(t, "30", r.header.Get("Retry-After"))
	_, remaining, _ = rateHeaders(t, r)
	assert.Equal(t, "0", remaining)
	assert.Len(t, s.Users(), 1, "a rate-limited request applies nothing")
	assert.Equal(t, 0, s.Received("b"), "a rate-limited body is not read")

	// Lists are not limited.
	list(t, s, "")

	clock.Advance(30 * time.Second)
	r = post(t, s, "/data_import/users", usersBody(t, user("b")))
	r.entityData(t, "b")
	_, remaining, _ = rateHeaders(t, r)
	assert.Equal(t, "1", remaining, "a new window opened")

	st := s.Stats()
	assert.Equal(t, 1, st.RateLimited)
	assert.Equal(t, chatimporttest.FaultCounts{}, st.Faults)
}

func TestCometChatRetryAfterAtLeastOneSecond(t *testing.T) {
	clock := newClock(t0)
	s := newServer(t, chatimporttest.WithClock(clock.Now), chatimporttest.WithCometChatLimit(1, 300*time.Millisecond))
	post(t, s, "/data_import/users", usersBody(t, user("a"))).entityData(t, "a")
	r := post(t, s, "/data_import/users", usersBody(t, user("b")))
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
}

func TestCometChatDocumentedLimit(t *testing.T) {
	clock := newClock(t0)
	s := newServer(t, chatimporttest.WithClock(clock.Now), chatimporttest.WithDocumentedLimits())
	for i := range 60 {
		r := post(t, s, "/data_import/users", usersBody(t, user("u"+itoa(i))))
		require.Equal(t, http.StatusOK, r.status)
		if i == 0 {
			limit, remaining, reset := rateHeaders(t, r)
			assert.Equal(t, []string{"60", "59", strconv.FormatInt(t0.Unix()+60, 10)}, []string{limit, remaining, reset})
		}
	}
	r := post(t, s, "/data_import/users", usersBody(t, user("late")))
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "60", r.header.Get("Retry-After"))
}

// Without a limit option the fake is instant: no budget, no headers, on
// either provider, however many requests arrive at the same instant.
func TestLimitsOffByDefault(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(newClock(t0).Now), chatimporttest.WithTencentAutoCreate())
	for i := range 70 {
		r := post(t, s, "/data_import/users", usersBody(t, user("u"+itoa(i))))
		require.Equal(t, http.StatusOK, r.status)
		assert.Empty(t, r.header.Get("X-Rate-Limit"))
		assert.Empty(t, r.header.Get("X-RateLimit-Limit"))
	}
	q := tencentQuery(t, t0)
	for i := range 250 {
		a := decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "g", map[string]any{"Member_Account": "m" + itoa(i)})))
		require.Equal(t, 0, a.ErrorCode, "request %d: %s", i, a.ErrorInfo)
	}
	assert.Equal(t, 0, s.Stats().RateLimited)
}

// A limit of the test's own given after WithDocumentedLimits replaces that
// provider's documented one and leaves the other's in force; n <= 0 turns
// a documented limit off again.
func TestOwnLimitReplacesDocumented(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(newClock(t0).Now), chatimporttest.WithTencentAutoCreate(),
		chatimporttest.WithDocumentedLimits(), chatimporttest.WithCometChatLimit(2, time.Minute))
	limit, _, _ := rateHeaders(t, post(t, s, "/data_import/users", usersBody(t, user("a"))))
	assert.Equal(t, "2", limit)
	q := tencentQuery(t, t0)
	for i := range 200 {
		a := decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "g", map[string]any{"Member_Account": "m" + itoa(i)})))
		require.Equal(t, 0, a.ErrorCode, "request %d: %s", i, a.ErrorInfo)
	}
	a := decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "g", map[string]any{"Member_Account": "late"})))
	assert.Equal(t, 10006, a.ErrorCode, "Tencent keeps its documented 200 a second")

	off := newServer(t, chatimporttest.WithDocumentedLimits(), chatimporttest.WithCometChatLimit(0, 0))
	for i := range 61 {
		r := post(t, off, "/data_import/users", usersBody(t, user("u"+itoa(i))))
		require.Equal(t, http.StatusOK, r.status)
		assert.Empty(t, r.header.Get("X-Rate-Limit"))
	}
}

func TestLimitWithoutPeriodPanics(t *testing.T) {
	for _, o := range []chatimporttest.Option{
		chatimporttest.WithCometChatLimit(5, 0),
		chatimporttest.WithTencentLimit(5, -time.Second),
	} {
		assert.Panics(t, func() { chatimporttest.NewServer(o).Close() })
	}
	assert.NotPanics(t, func() { chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0)).Close() }, "an off limit needs no period")
}

func TestTencentRateLimit(t *testing.T) {
	clock := newClock(t0)
	s := newServer(t, chatimporttest.WithClock(clock.Now), chatimporttest.WithTencentLimit(2, time.Second))
	s.AddTencentGroup("g", t0.Add(-time.Hour))
	s.AddTencentAccounts("a", "b", "c")
	assert.Equal(t, 1, results(tencentImport(t, s, t0, tencentBody(t, "g", map[string]any{"Member_Account": "a"})))["a"])
	assert.Equal(t, 1, results(tencentImport(t, s, t0, tencentBody(t, "g", map[string]any{"Member_Account": "b"})))["b"])
	a := tencentImport(t, s, t0, tencentBody(t, "g", map[string]any{"Member_Account": "c"}))
	assert.Equal(t, 10006, a.ErrorCode)
	assert.Empty(t, a.MemberList)
	assert.Len(t, s.TencentMembers("g"), 2)
	assert.Equal(t, 1, s.Stats().RateLimited)

	clock.Advance(time.Second)
	assert.Equal(t, 1, results(tencentImport(t, s, t0, tencentBody(t, "g", map[string]any{"Member_Account": "c"})))["c"])
}

func TestTencentDocumentedLimit(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(newClock(t0).Now), chatimporttest.WithTencentAutoCreate(), chatimporttest.WithDocumentedLimits())
	q := tencentQuery(t, t0)
	for i := range 200 {
		a := decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "g", map[string]any{"Member_Account": "m" + itoa(i)})))
		require.Equal(t, 0, a.ErrorCode, "request %d: %s", i, a.ErrorInfo)
	}
	a := decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "g", map[string]any{"Member_Account": "late"})))
	assert.Equal(t, 10006, a.ErrorCode)
}

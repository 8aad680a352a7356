package chatimport

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPacerSpacesEvenlyFirstAtOnce(t *testing.T) {
	clock := newFakeClock()
	p := newPacer(60, time.Minute, clock.Now, clock.Sleep)
	start := clock.Now()
	for range 5 {
		require.NoError(t, p.Wait(t.Context()))
	}
	// A minute's margin is 600 ms, so 60 requests a minute go 1.01 s apart.
	step := 1010 * time.Millisecond
	assert.Equal(t, []time.Duration{step, step, step, step}, clock.Slept())
	assert.Equal(t, 4*step, clock.Now().Sub(start))
}

func TestPaceIntervalLeavesMarginForJitter(t *testing.T) {
	for _, tc := range []struct {
		n    int
		per  time.Duration
		want time.Duration
	}{
		{60, time.Minute, 1010 * time.Millisecond},                                   // 1%: 600 ms of room
		{6000, time.Minute, 10100 * time.Microsecond},                                // 1%
		{200, time.Second, 5100 * time.Microsecond},                                  // 20 ms of room
		{1, time.Second, 1020 * time.Millisecond},                                    // 20 ms
		{100, 500 * time.Millisecond, 5100 * time.Microsecond},                       // 20 ms
		{10, 100 * time.Millisecond, 10200 * time.Microsecond},                       // at most 2%
		{3000, time.Hour, time.Hour * 101 / 100 / 3000},                              // 1%
		{1_000_000, time.Second, 1020 * time.Nanosecond},                             // 20 ms
		{7, 10 * time.Millisecond, (10*time.Millisecond + 200*time.Microsecond) / 7}, // 2%
	} {
		got := paceInterval(tc.n, tc.per)
		assert.Equal(t, tc.want, got, "%d per %v", tc.n, tc.per)
		// Never more than n in a period, never slower than 2% under it.
		assert.GreaterOrEqual(t, time.Duration(tc.n)*got, tc.per, "%d per %v", tc.n, tc.per)
		assert.LessOrEqual(t, time.Duration(tc.n)*got, tc.per+tc.per/50, "%d per %v", tc.n, tc.per)
	}
}

// TestPacerNeverFitsNPlusOneInAWindow sends as a client would at Tencent's
// 200 a second and checks that the first and the (n+1)-th of any run of
// requests are a period and the margin apart: room for that much jitter
// before a fixed window counting from the first sees n+1.
func TestPacerNeverFitsNPlusOneInAWindow(t *testing.T) {
	clock := newFakeClock()
	p := newPacer(200, time.Second, clock.Now, clock.Sleep)
	var sent []time.Time
	for range 1000 {
		require.NoError(t, p.Wait(t.Context()))
		sent = append(sent, clock.Now())
	}
	for k := 0; k+200 < len(sent); k++ {
		require.GreaterOrEqual(t, sent[k+200].Sub(sent[k]), time.Second+19*time.Millisecond, "request %d", k)
	}
}

func TestPacerGivesBackSlotOnCancel(t *testing.T) {
	clock := newFakeClock()
	p := newPacer(1, time.Hour, clock.Now, clock.Sleep)
	require.NoError(t, p.Wait(t.Context()))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, p.Wait(ctx), context.Canceled)
	assert.Empty(t, clock.Slept())
}

func TestImportsShareTheDefaultBudget(t *testing.T) {
	c, mux, clock := setup(t, WithRateLimit(60, time.Minute), WithBatchSize(10))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		answerAll(w, decodeImport(t, r).Users)
	})
	mux.HandleFunc("POST /data_import/members", func(w http.ResponseWriter, r *http.Request) {
		answerAll(w, decodeImport(t, r).Members)
	})
	var uids []string
	for i := range 30 {
		uids = append(uids, "u"+strconv.Itoa(i))
	}
	start := clock.Now()
	_, err := c.ImportUsers(t.Context(), users(uids...))
	require.NoError(t, err)
	_, err = c.ImportMembers(t.Context(), []Member{{GUID: "g", UID: "u1"}, {GUID: "g", UID: "u2"}})
	require.NoError(t, err)
	// 4 requests in all, spaced 1.01 s apart (a second and the margin),
	// the first at once.
	assert.Equal(t, 3*1010*time.Millisecond, clock.Now().Sub(start))
}

func TestCustomLimiterReplacesPacing(t *testing.T) {
	var waits atomic.Int32
	c, mux, clock := setup(t, WithLimiter(limiterFunc(func(context.Context) error { waits.Add(1); return nil })), WithBatchSize(1))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		answerAll(w, decodeImport(t, r).Users)
	})
	_, err := c.ImportUsers(t.Context(), users("a", "b", "c"))
	require.NoError(t, err)
	assert.EqualValues(t, 3, waits.Load())
	assert.Empty(t, clock.Slept())
}

type limiterFunc func(context.Context) error

func (f limiterFunc) Wait(ctx context.Context) error { return f(ctx) }

func TestServerSaysNoneRemainHoldsUntilReset(t *testing.T) {
	for _, spelling := range [][2]string{
		{"X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"},
		{"X-RateLimit-Remaining", "X-RateLimit-Reset"},
	} {
		c, mux, clock := setup(t, WithBatchSize(1), WithConcurrency(1))
		var calls atomic.Int32
		mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set(spelling[0], "0")
				w.Header().Set(spelling[1], strconv.FormatInt(clock.Now().Add(42*time.Second).Unix(), 10))
			}
			answerAll(w, decodeImport(t, r).Users)
		})
		_, err := c.ImportUsers(t.Context(), users("a", "b"))
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{42 * time.Second}, clock.Slept(), spelling[0])
	}
}

func TestObserveIgnoresRemainingAndCapsHold(t *testing.T) {
	now := newFakeClock().Now()
	b := &budget{maxHold: 5 * time.Minute}
	b.observe(http.Header{"X-Rate-Limit-Remaining": {"3"}, "X-Rate-Limit-Reset": {strconv.FormatInt(now.Add(time.Hour).Unix(), 10)}}, now)
	assert.True(t, b.hold.IsZero())
	b.observe(http.Header{"X-Rate-Limit-Remaining": {"0"}, "X-Rate-Limit-Reset": {strconv.FormatInt(now.Add(time.Hour).Unix(), 10)}}, now)
	assert.Equal(t, now.Add(5*time.Minute), b.hold, "the hold is capped by the longest retry wait")
	b = &budget{maxHold: time.Minute}
	b.observe(http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"30"}}, now)
	assert.Equal(t, now.Add(30*time.Second), b.hold, "a small reset is seconds from now")
}

package chatimport

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces requests: Wait blocks until one more request may go, or
// returns an error (the context's) when it must not go at all. A Limiter is
// called from many goroutines at once.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Budget is one pacing budget of a Client: the endpoints that draw on it
// and the rate they share. Each provider declares its own (CometChat's
// import endpoints share one; each Tencent endpoint has its own), and
// WithLimiterFunc is handed each of them.
type Budget struct {
	App    string        // the app: CometChat's app ID, or Tencent's SDKAppID in decimal
	Name   string        // the budget within its provider, e.g. "cometchat.import", "tencent.import_group"
	N      int           // requests allowed per Per: the documented rate, or WithRateLimit's
	Per    time.Duration //
	Logger *slog.Logger  // the Client's logger; nil when the Client logs nothing
}

// Interval is the spacing of evenly paced requests a small margin under N
// per Per, the margin the built-in pacer keeps (see paceInterval).
func (b Budget) Interval() time.Duration { return paceInterval(b.N, b.Per) }

// budgetSpec is a budget as a provider declares it.
type budgetSpec struct {
	name    string
	n       int
	per     time.Duration
	imports bool // an import budget: WithRateLimit and WithLimiter apply to it
}

// pacer spaces requests evenly, a hair under n per period; the first goes
// at once. A burst of one keeps requests from bunching, which a server
// counting per window would answer with 429s.
type pacer struct {
	lim   *rate.Limiter
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// Pacing exactly at n per period leaves no room for jitter: the first and
// the (n+1)-th of evenly spaced requests are exactly one period apart, so a
// server counting a fixed window from the first sees n+1 in it as soon as
// the first arrives a little later than the (n+1)-th (a late timer, a slow
// hop, a collection). The pacer therefore spaces requests as if the period
// were longer by a margin: the arrivals can then be that much late before
// one window holds n+1. The margin aims at 20 ms, and stays between 1% and 2%
// of the period so that it neither vanishes in a long period nor costs much
// in a short one: CometChat's minute gets 600 ms, Tencent's second 20 ms.
// Measured against chatimporttest at Tencent's 200 calls a second, with
// 20 ms of latency and 8 requests in flight on a busy 2-core machine, no
// margin drew 1 to 4 rate-limit answers in each of eight 1,000-request
// runs, 1% one answer in eight runs, 2% none in eight.
const (
	paceMarginTarget = 20 * time.Millisecond
	paceMarginMin    = 100 // at least period/100
	paceMarginMax    = 50  // at most period/50
)

// paceInterval is the spacing of requests paced to at most n per period.
func paceInterval(n int, per time.Duration) time.Duration {
	margin := min(max(paceMarginTarget, per/paceMarginMin), per/paceMarginMax)
	return (per + margin) / time.Duration(n)
}

func newPacer(n int, per time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{lim: rate.NewLimiter(rate.Every(paceInterval(n, per)), 1), now: now, sleep: sleep}
}

// Wait reserves the next slot and sleeps until it comes; a cancelled wait
// gives the slot back so the next caller is not held for nothing.
func (p *pacer) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := p.lim.ReserveN(p.now(), 1)
	if d := r.DelayFrom(p.now()); d > 0 {
		if err := p.sleep(ctx, d); err != nil {
			r.CancelAt(p.now())
			return err
		}
	}
	return nil
}

// budget is one rate-limit budget: the client's own pacing plus a hold set
// when the server says no requests remain until its reset time, at most
// maxHold ahead (the Client's longest retry wait).
type budget struct {
	limiter     Limiter // nil: no client-side pacing
	concurrency int     // requests in flight by default, from the pace
	maxHold     time.Duration

	mu   sync.Mutex
	hold time.Time // no request before this
}

// wait blocks until the server's hold has passed and the limiter allows one
// more request.
func (b *budget) wait(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	b.mu.Lock()
	d := b.hold.Sub(now())
	b.mu.Unlock()
	if d > 0 {
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	if b.limiter == nil {
		return ctx.Err()
	}
	return b.limiter.Wait(ctx)
}

// observe reads the rate-limit headers of an answer, in both spellings
// CometChat documents, and holds the budget until the reset time when the
// server says none remain.
func (b *budget) observe(h http.Header, now time.Time) {
	remaining, ok := headerInt(h, "X-Rate-Limit-Remaining", "X-Ratelimit-Remaining")
	if !ok || remaining > 0 {
		return
	}
	reset, ok := headerInt(h, "X-Rate-Limit-Reset", "X-Ratelimit-Reset")
	if !ok {
		return
	}
	if reset <= 0 {
		return
	}
	until := time.Unix(reset, 0)
	if reset < 1e9 { // not a UNIX time: some servers send seconds from now
		until = now.Add(time.Duration(reset) * time.Second)
	}
	if limit := now.Add(b.maxHold); until.After(limit) {
		until = limit
	}
	b.mu.Lock()
	if until.After(b.hold) {
		b.hold = until
	}
	b.mu.Unlock()
}

// headerInt returns the first of the named headers that holds an integer.
func headerInt(h http.Header, names ...string) (int64, bool) {
	for _, name := range names {
		if v := h.Get(name); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

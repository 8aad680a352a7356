package chatimport

import (
	"context"
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

// Documented import limits: CometChat allows 60 import requests a minute
// across its import endpoints; Tencent's import_group_member 200 a second.
var (
	cometChatImportRate = rateSetting{n: 60, per: time.Minute}
	tencentImportRate   = rateSetting{n: 200, per: time.Second}
)

// maxHold caps how long a server's "none remaining" can hold requests back;
// CometChat's own advice caps its waits at five minutes.
const maxHold = 5 * time.Minute

// pacer spaces requests evenly at n per period; the first goes at once. A
// burst of one keeps requests from bunching, which a server counting per
// window would answer with 429s.
type pacer struct {
	lim   *rate.Limiter
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

func newPacer(n int, per time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{lim: rate.NewLimiter(rate.Every(per/time.Duration(n)), 1), now: now, sleep: sleep}
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
// when the server says no requests remain until its reset time.
type budget struct {
	limiter Limiter // nil: no client-side pacing

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
	until := time.Unix(reset, 0)
	if reset < 1e9 { // not a UNIX time: some servers send seconds from now
		until = now.Add(time.Duration(reset) * time.Second)
	}
	if limit := now.Add(maxHold); until.After(limit) {
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

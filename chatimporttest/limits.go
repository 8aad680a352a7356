package chatimporttest

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// window is a fixed-window request budget. A window opens with the first
// request after the previous one ended, so a test using a long window never
// straddles a boundary by accident.
type window struct {
	spec  limitSpec
	mu    sync.Mutex // guards start and used
	start time.Time
	used  int
}

// quota is what one request learned about the budget.
type quota struct {
	on        bool
	allowed   bool
	limit     int
	remaining int
	reset     time.Time
}

func newWindow(spec limitSpec) *window { return &window{spec: spec} }

// take spends one request from the budget if any is left.
func (w *window) take(now time.Time) quota { return w.check(now, true) }

// peek reports the budget without spending, for answers to requests that
// were rejected before the limit applied.
func (w *window) peek(now time.Time) quota { return w.check(now, false) }

func (w *window) check(now time.Time, spend bool) quota {
	if w.spec.n <= 0 {
		return quota{allowed: true}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.start.IsZero() || !now.Before(w.start.Add(w.spec.per)) {
		if !spend {
			return quota{on: true, allowed: true, limit: w.spec.n, remaining: w.spec.n, reset: now.Add(w.spec.per)}
		}
		w.start, w.used = now, 0
	}
	q := quota{on: true, limit: w.spec.n, reset: w.start.Add(w.spec.per)}
	if w.used < w.spec.n {
		q.allowed = true
		if spend {
			w.used++
		}
	}
	q.remaining = w.spec.n - w.used
	return q
}

// setHeaders writes both spellings CometChat documents, because clients in
// the wild read one or the other.
func (q quota) setHeaders(h http.Header) {
	if !q.on {
		return
	}
	limit, remaining, reset := strconv.Itoa(q.limit), strconv.Itoa(q.remaining), strconv.FormatInt(ceilUnix(q.reset), 10)
	h.Set("X-Rate-Limit", limit)
	h.Set("X-Rate-Limit-Remaining", remaining)
	h.Set("X-Rate-Limit-Reset", reset)
	h.Set("X-RateLimit-Limit", limit)
	h.Set("X-RateLimit-Remaining", remaining)
	h.Set("X-RateLimit-Reset", reset)
}

// retryAfter is the whole seconds until the window ends, at least 1 so a
// client honouring it never comes back inside the same window.
func (q quota) retryAfter(now time.Time) string {
	d := q.reset.Sub(now)
	secs := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}

func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

package chatimporttest

import (
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults are per-request probabilities, each in [0,1], of a failure injected
// into a request to an import endpoint, to any Tencent command (reads
// included) or to CometChat's users and groups listings (where an
// after-apply fault is a plain 500 or dropped connection: a listing
// applies nothing); CometChat's members listing is never faulty. One
// random draw per request picks at most one fault, so the probabilities
// that apply to a provider must add up to at most 1. A fault is only drawn for a request that passed
// authentication and the rate limit: a rejected request is never also faulty.
type Faults struct {
	// RateLimit answers as if a limit the client cannot see was hit: 429
	// ERR_TOO_MANY_REQUESTS with Retry-After on CometChat, 10006 on Tencent.
	RateLimit float64
	// Unavailable answers like a failing load balancer: 503 with an HTML
	// body on CometChat, 502 with an HTML body on Tencent.
	Unavailable float64
	// FailAfterApply applies the batch, then answers 500 ERR_MISSION_FAILED
	// on CometChat and 10002 on Tencent: the client cannot tell it worked.
	FailAfterApply float64
	// DropAfterApply applies the batch, then closes the connection without
	// any answer: the lost-response case at the transport level.
	DropAfterApply float64
	// TencentInternal answers Tencent's retryable 10002 without applying
	// anything. It does not apply to CometChat.
	TencentInternal float64

	// RetryAfter is the Retry-After of injected 429s, rounded up to whole
	// seconds; zero is sent as "0" so tests need not wait.
	RetryAfter time.Duration
	// Latency delays every import request and Tencent command before it
	// is judged. A client
	// that gives up meanwhile leaves no trace in the state.
	Latency time.Duration
}

type fault int

const (
	noFault fault = iota
	faultRateLimit
	faultUnavailable
	faultTencentInternal
	faultFailAfterApply
	faultDropAfterApply
)

// FaultCounts counts injected faults by kind, so a test can check that the
// faults it asked for really happened before judging the client's recovery.
type FaultCounts struct {
	RateLimit       int
	Unavailable     int
	FailAfterApply  int
	DropAfterApply  int
	TencentInternal int
}

func (c *FaultCounts) add(f fault) {
	switch f {
	case faultRateLimit:
		c.RateLimit++
	case faultUnavailable:
		c.Unavailable++
	case faultFailAfterApply:
		c.FailAfterApply++
	case faultDropAfterApply:
		c.DropAfterApply++
	case faultTencentInternal:
		c.TencentInternal++
	}
}

type band struct {
	f fault
	p float64
}

// bands lists the faults that apply to a provider in the fixed order the
// single draw walks them, which is what makes a seeded run reproducible.
func (f Faults) bands(tencent bool) []band {
	b := []band{{faultRateLimit, f.RateLimit}, {faultUnavailable, f.Unavailable}}
	if tencent {
		b = append(b, band{faultTencentInternal, f.TencentInternal})
	}
	return append(b, band{faultFailAfterApply, f.FailAfterApply}, band{faultDropAfterApply, f.DropAfterApply})
}

func (f Faults) validate() error {
	for _, p := range []float64{f.RateLimit, f.Unavailable, f.FailAfterApply, f.DropAfterApply, f.TencentInternal} {
		if math.IsNaN(p) || p < 0 || p > 1 {
			return errors.New("fault probabilities must be in [0,1]")
		}
	}
	for _, tencent := range []bool{false, true} {
		sum := 0.0
		for _, b := range f.bands(tencent) {
			sum += b.p
		}
		if sum > 1+1e-9 {
			return errors.New("fault probabilities for one provider must add up to at most 1")
		}
	}
	if f.RetryAfter < 0 || f.Latency < 0 {
		return errors.New("RetryAfter and Latency must not be negative")
	}
	return nil
}

type faultPicker struct {
	f  Faults
	mu sync.Mutex // guards rng
	rg *rand.Rand
}

func newFaultPicker(f Faults, seed int64, seeded bool) *faultPicker {
	return &faultPicker{f: f, rg: newRand(seed, seeded)}
}

// draw picks the fault for one request. Nothing is drawn when no fault can
// apply, so enabling faults for one provider leaves the other's sequence alone.
func (p *faultPicker) draw(tencent bool) fault {
	bands := p.f.bands(tencent)
	total := 0.0
	for _, b := range bands {
		total += b.p
	}
	if total == 0 {
		return noFault
	}
	p.mu.Lock()
	u := p.rg.Float64()
	p.mu.Unlock()
	acc := 0.0
	for _, b := range bands {
		acc += b.p
		if b.p > 0 && u < acc {
			return b.f
		}
	}
	return noFault
}

func (p *faultPicker) retryAfter() string {
	return strconv.FormatInt(int64((p.f.RetryAfter+time.Second-1)/time.Second), 10)
}

const unavailableHTML = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n"

const badGatewayHTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"

// writeHTML mimics a proxy's error page, which clients must not try to
// decode as the provider's JSON.
func writeHTML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// dropConnection closes the connection without writing anything, so the
// client sees a transport error after the server acted on its request.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWaitGrowsExponentiallyWithinJitterAndCap(t *testing.T) {
	p := Policy{Max: 10, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second}
	for n, full := range []time.Duration{100, 200, 400, 800, 1600, 2000, 2000} {
		full *= time.Millisecond
		for range 50 {
			w := p.Wait(n, 0)
			assert.GreaterOrEqual(t, w, full/2, "retry %d", n)
			assert.LessOrEqual(t, w, full, "retry %d", n)
		}
	}
}

func TestWaitHonoursRetryAfterButCapsIt(t *testing.T) {
	p := Policy{MinWait: 10 * time.Millisecond, MaxWait: 5 * time.Second}
	assert.Equal(t, 3*time.Second, p.Wait(0, 3*time.Second))
	assert.Equal(t, 5*time.Second, p.Wait(0, time.Hour), "a server cannot make us wait past MaxWait")
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	h := http.Header{}
	_, ok := RetryAfter(h, now)
	assert.False(t, ok)

	h.Set("Retry-After", "7")
	d, ok := RetryAfter(h, now)
	assert.True(t, ok)
	assert.Equal(t, 7*time.Second, d)

	h.Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
	d, ok = RetryAfter(h, now)
	assert.True(t, ok)
	assert.Equal(t, 90*time.Second, d)

	h.Set("Retry-After", now.Add(-time.Minute).Format(http.TimeFormat))
	d, ok = RetryAfter(h, now)
	assert.True(t, ok)
	assert.Zero(t, d, "a date in the past means now")

	for _, bad := range []string{"soon", "-3"} {
		h.Set("Retry-After", bad)
		_, ok = RetryAfter(h, now)
		assert.False(t, ok, bad)
	}
}

func TestStatus(t *testing.T) {
	for _, code := range []int{429, 500, 502, 503, 504} {
		assert.True(t, Status(code), code)
	}
	for _, code := range []int{200, 400, 401, 403, 404, 409, 422, 501} {
		assert.False(t, Status(code), code)
	}
}

func TestNetError(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Post", URL: "https://h/x", Err: err} }
	assert.True(t, NetError(wrap(syscall.ECONNRESET)))
	assert.True(t, NetError(wrap(errors.New("EOF"))))
	assert.False(t, NetError(nil))
	assert.False(t, NetError(wrap(x509.UnknownAuthorityError{})))
	assert.False(t, NetError(wrap(&tls.CertificateVerificationError{Err: errors.New("bad")})))
	assert.False(t, NetError(wrap(errors.New(`unsupported protocol scheme "ftp"`))))
	assert.False(t, NetError(wrap(errors.New("stopped after 10 redirects"))))
	assert.True(t, NetError(wrap(context.DeadlineExceeded)), "a per-attempt timeout is worth retrying; the caller's context is checked first")
}

// A Retry-After too long for a Duration, in either form, is the longest
// Duration, never one wrapped to negative or zero; nonsense is unreadable.
func TestRetryAfterNeverOverflows(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	h := http.Header{}
	for _, huge := range []string{"9223372037", "1e300", "1e400", "99999999999999999999999", "9e9", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		h.Set("Retry-After", huge)
		d, ok := RetryAfter(h, now)
		assert.True(t, ok, huge)
		assert.Equal(t, time.Duration(math.MaxInt64), d, huge)
	}
	h.Set("Retry-After", "1.5")
	d, ok := RetryAfter(h, now)
	assert.True(t, ok)
	assert.Equal(t, 1500*time.Millisecond, d)
	for _, bad := range []string{"NaN", "nan", "-5", "-0", "+5", "Inf", "+Inf", "0x10", "0x1p3", "1_0", "1e", ".5", "5s", "1e-400x"} {
		h.Set("Retry-After", bad)
		d, ok := RetryAfter(h, now)
		assert.False(t, ok, bad)
		assert.Zero(t, d, bad)
	}
}

func TestPolicyRetryAfterIsCappedAtMaxWait(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	p := Policy{MinWait: time.Second, MaxWait: time.Minute}
	for v, want := range map[string]time.Duration{"9223372037": time.Minute, "1e300": time.Minute, "30": 30 * time.Second,
		"Fri, 31 Dec 9999 23:59:59 GMT": time.Minute} {
		d, ok := p.RetryAfter(http.Header{"Retry-After": {v}}, now)
		assert.True(t, ok, v)
		assert.Equal(t, want, d, v)
	}
	_, ok := p.RetryAfter(http.Header{"Retry-After": {"NaN"}}, now)
	assert.False(t, ok)
}

// However large the caps and however many the retries, a wait is neither
// negative nor zero nor past MaxWait.
func TestWaitNeverOverflows(t *testing.T) {
	for _, p := range []Policy{
		{MinWait: time.Second, MaxWait: math.MaxInt64},
		{MinWait: time.Second, MaxWait: math.MaxInt64 - 1},
		{MinWait: 3 * time.Second, MaxWait: time.Duration(math.MaxInt64/2 + 1)},
	} {
		for _, n := range []int{0, 1, 33, 34, 35, 62, 63, 64, 100, math.MaxInt} {
			for _, asked := range []time.Duration{0, -5 * time.Second, math.MinInt64, math.MaxInt64} {
				w := p.Wait(n, asked)
				assert.Positive(t, w, "%+v retry %d asked %v", p, n, asked)
				assert.LessOrEqual(t, w, p.MaxWait, "%+v retry %d asked %v", p, n, asked)
			}
		}
		assert.Equal(t, p.MaxWait, p.Wait(0, math.MaxInt64))
	}
	assert.Zero(t, Policy{MinWait: time.Second}.Wait(3, time.Hour), "a zero MaxWait allows no wait")
	assert.Zero(t, Policy{MinWait: time.Second, MaxWait: -time.Second}.Wait(3, time.Hour), "nor does a negative one")
	assert.Zero(t, Policy{MaxWait: time.Second}.Wait(math.MaxInt, 0), "a zero MinWait backs off nothing, at once")
}

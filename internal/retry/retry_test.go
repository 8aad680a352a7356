package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
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

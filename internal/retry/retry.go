// Package retry holds the retry policy shared by every request: which
// failures are worth another attempt and how long to wait before it.
package retry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Policy is how many times to retry and how long to wait in between.
type Policy struct {
	Max     int           // retries after the first attempt
	MinWait time.Duration // the first backoff
	MaxWait time.Duration // caps every wait, Retry-After included
}

// Wait returns how long to wait before retry number n (0 for the first),
// given how long the server asked for (0 if it did not say). The server's
// wish is honoured but capped at MaxWait; without it the wait is exponential
// with full jitter in its upper half, so that clients that failed together
// do not retry together. The wait is never more than MaxWait, and never
// less than zero.
func (p Policy) Wait(n int, serverAsked time.Duration) time.Duration {
	backoff := max(p.MinWait, 0)
	for i := 0; i < n && 0 < backoff && backoff < p.MaxWait; i++ {
		if backoff > p.MaxWait/2 { // doubling would pass the cap, or overflow
			backoff = p.MaxWait
			break
		}
		backoff *= 2
	}
	backoff = max(min(backoff, p.MaxWait), 0)
	if backoff > 1 {
		backoff = backoff/2 + rand.N(backoff/2+1)
	}
	// CometChat's advice: honour Retry-After, and keep doubling on further 429s.
	return max(min(max(serverAsked, backoff), p.MaxWait), 0)
}

// maxSeconds is the longest Retry-After in seconds that is read as is
// (285 years); a longer one, which time.Duration could not hold, is read
// as the longest Duration.
const maxSeconds = 9e9

// RetryAfter reads a Retry-After header in either of its forms, seconds or an
// HTTP date, relative to now, as the non-negative wait the server asked for:
// one too long for a Duration (1e300, or a date in the year 9999) is the
// longest Duration, never a wrapped one. It reports false when the header
// is absent or unreadable, negative or NaN included. Waits are capped by
// Policy.Wait; Policy.RetryAfter caps the value itself.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' && strings.Trim(v, "0123456789.eE+-") == "" { // no sign, NaN, Inf or hex
		secs, err := strconv.ParseFloat(v, 64)
		switch {
		case err == nil && secs < maxSeconds:
			return time.Duration(secs * float64(time.Second)), true
		case err == nil || errors.Is(err, strconv.ErrRange) && secs > 0:
			return math.MaxInt64, true
		}
		return 0, false
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true // Sub saturates rather than wraps
	}
	return 0, false
}

// RetryAfter is the package's RetryAfter capped at MaxWait: the longest
// wait this policy allows, whatever the server asked.
func (p Policy) RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	d, ok := RetryAfter(h, now)
	return min(d, max(p.MaxWait, 0)), ok
}

// Status reports whether an answer with this HTTP status is worth another
// attempt: rate limiting and the transient server errors, never other 4xx.
func Status(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// NetError reports whether a transport error is worth another attempt. A
// connection that failed or was reset is; a TLS, scheme or redirect error
// would fail the same way again.
func NetError(err error) bool {
	if err == nil {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg := ue.Err.Error()
		if strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects") {
			return false
		}
		if strings.Contains(msg, "unsupported protocol scheme") || strings.Contains(msg, "invalid header") {
			return false
		}
	}
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalidCert      x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
		recordHeader     tls.RecordHeaderError
	)
	return !errors.As(err, &unknownAuthority) && !errors.As(err, &hostname) &&
		!errors.As(err, &invalidCert) && !errors.As(err, &verification) &&
		!errors.As(err, &recordHeader)
}

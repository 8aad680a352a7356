// Package retry holds the retry policy shared by every request: which
// failures are worth another attempt and how long to wait before it.
package retry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
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
// do not retry together.
func (p Policy) Wait(n int, serverAsked time.Duration) time.Duration {
	backoff := p.MinWait
	for i := 0; i < n && backoff < p.MaxWait; i++ {
		backoff *= 2
	}
	backoff = min(backoff, p.MaxWait)
	if backoff > 1 {
		backoff = backoff/2 + rand.N(backoff/2+1)
	}
	// CometChat's advice: honour Retry-After, and keep doubling on further 429s.
	return min(max(serverAsked, backoff), p.MaxWait)
}

// RetryAfter reads a Retry-After header in either of its forms, seconds or an
// HTTP date, relative to now. It reports false when the header is absent or
// unreadable.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
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

package chatimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatimport/chatimport/internal/retry"
)

// Option configures a Client. An option given an invalid value makes the
// constructor fail with an error naming it.
type Option struct {
	apply func(*config) error
}

// WithBaseURL overrides the provider's endpoint: for CometChat the ".../v3"
// root, for Tencent "https://host". It must be https, except on a loopback
// host (tests and local fakes), where http is accepted.
func WithBaseURL(rawURL string) Option {
	return Option{func(c *config) error {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return fmt.Errorf("WithBaseURL: %q is not an absolute URL", rawURL)
		}
		switch {
		case u.Scheme == "https":
		case u.Scheme == "http" && isLoopback(u.Hostname()):
		default:
			return fmt.Errorf("WithBaseURL: %q must use https (http is only accepted for loopback hosts)", rawURL)
		}
		if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("WithBaseURL: %q must not carry a query, fragment or user info", u.Redacted())
		}
		c.baseURL = strings.TrimRight(u.String(), "/")
		return nil
	}}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithHTTPClient sends requests through hc instead of a pooled client with a
// 60-second timeout. Redirects are refused unless hc sets its own policy,
// because following one would send the credentials to another host.
func WithHTTPClient(hc *http.Client) Option {
	return Option{func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}}
}

// WithRateLimit paces the requests of every import budget to at most n per
// period, evenly spaced, in place of the provider's documented limits.
// n <= 0 turns their pacing off. Listing budgets keep their documented
// rates.
func WithRateLimit(n int, per time.Duration) Option {
	return Option{func(c *config) error {
		if n > 0 && per <= 0 {
			return fmt.Errorf("WithRateLimit: period %v must be positive", per)
		}
		c.rate, c.limiter = &rateSetting{n: n, per: per}, nil
		return nil
	}}
}

// WithLimiter replaces the built-in pacing of every import budget with l,
// for example a limiter shared by several processes. A provider with
// several import budgets (Tencent) then paces all of them through l; to
// keep each at its own rate, use WithLimiterFunc.
func WithLimiter(l Limiter) Option {
	return Option{func(c *config) error {
		if l == nil {
			return errors.New("WithLimiter: nil limiter")
		}
		c.limiter, c.rate, c.limiterFunc = l, nil, nil
		return nil
	}}
}

// WithLimiterFunc replaces the built-in pacing of every budget the Client
// has, imports and listings, with the Limiter newLimiter returns for it
// (package redislimit has one that shares each budget across processes).
// newLimiter is called once per budget at construction, with the rate the
// budget would be paced at (WithRateLimit's for import budgets, if given);
// an error makes the constructor fail, and a nil Limiter leaves that budget
// unpaced. A budget whose pacing is off is not handed to it.
func WithLimiterFunc(newLimiter func(Budget) (Limiter, error)) Option {
	return Option{func(c *config) error {
		if newLimiter == nil {
			return errors.New("WithLimiterFunc: nil func")
		}
		c.limiterFunc, c.limiter = newLimiter, nil
		return nil
	}}
}

// WithRetry sets how often a failed request is sent again (0: never) and the
// bounds of the wait in between (default 6 retries, 500 ms to 1 minute).
// maxWait caps every wait the server can ask for: a Retry-After, and a
// hold on a budget when the server says no requests remain until a reset
// time.
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return Option{func(c *config) error {
		if maxRetries < 0 || minWait < 0 || maxWait < minWait {
			return fmt.Errorf("WithRetry: need maxRetries >= 0 and 0 <= minWait <= maxWait, got %d, %v, %v", maxRetries, minWait, maxWait)
		}
		c.retry = retry.Policy{Max: maxRetries, MinWait: minWait, MaxWait: maxWait}
		return nil
	}}
}

// WithConcurrency sets how many requests an import keeps in flight at once.
// The default follows the pace of the endpoint's budget: enough to use all
// of it with 100 ms round trips, at least 4 and at most 64 (4 for
// CometChat's imports, 20 for Tencent's 200 a second). Pacing still
// applies across all of them.
func WithConcurrency(n int) Option {
	return Option{func(c *config) error {
		if n < 1 || n > 256 {
			return fmt.Errorf("WithConcurrency: %d is outside 1..256", n)
		}
		c.concurrency = n
		return nil
	}}
}

// WithBatchSize caps how many entities one import request carries. Each
// endpoint still sends at most its documented maximum (CometChat 50;
// Tencent 100 accounts, 1 group or 300 members); n above the provider's
// largest maximum makes the constructor fail.
func WithBatchSize(n int) Option {
	return Option{func(c *config) error {
		if n < 1 {
			return fmt.Errorf("WithBatchSize: %d must be at least 1", n)
		}
		c.batchSize = n
		return nil
	}}
}

// WithLogger logs requests, retries and waits through l at debug and info
// levels, with every credential redacted. Without it nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return Option{func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}}
}

// withClock replaces the clock and the sleep of every wait (retry backoff,
// pacing, rate-limit holds), so tests never wait for real.
func withClock(now func() time.Time, sleep func(context.Context, time.Duration) error) Option {
	return Option{func(c *config) error {
		c.now, c.sleep = now, sleep
		return nil
	}}
}

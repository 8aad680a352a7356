package chatimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/chatimport/chatimport/internal/redact"
	"github.com/chatimport/chatimport/internal/retry"
)

// Version is the library version, sent in the User-Agent header.
const Version = "0.1.0"

const userAgent = "chatimport-go/" + Version

// Client imports into, and lists from, one app of one provider. It is safe
// for concurrent use; all its calls share one pacing budget per endpoint kind,
// so share one Client rather than making one per call.
type Client struct {
	provider    provider
	base        string // without a trailing slash
	basePath    string // base's path, for naming requests in errors
	http        *retryablehttp.Client
	retry       retry.Policy
	imports     *budget // the import endpoints' shared rate limit
	lists       *budget // listing's own, off unless asked for
	concurrency int
	batchSize   int
	logger      *slog.Logger
	redact      *redact.Redactor
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
}

// Option configures a Client. An option given an invalid value makes the
// constructor fail with an error naming it.
type Option struct {
	apply func(*config) error
}

type config struct {
	baseURL     string
	httpClient  *http.Client
	rate        *rateSetting
	limiter     Limiter
	retry       retry.Policy
	concurrency int
	batchSize   int
	logger      *slog.Logger
	admin       string
	region      string
	sigValidity time.Duration
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
}

type rateSetting struct {
	n   int
	per time.Duration
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

// WithRateLimit paces import requests to at most n per period, evenly spaced,
// in place of the provider's documented limit. n <= 0 turns pacing off.
func WithRateLimit(n int, per time.Duration) Option {
	return Option{func(c *config) error {
		if n > 0 && per <= 0 {
			return fmt.Errorf("WithRateLimit: period %v must be positive", per)
		}
		c.rate, c.limiter = &rateSetting{n: n, per: per}, nil
		return nil
	}}
}

// WithLimiter replaces the built-in pacing of import requests with l, for
// example a limiter shared by several processes.
func WithLimiter(l Limiter) Option {
	return Option{func(c *config) error {
		if l == nil {
			return errors.New("WithLimiter: nil limiter")
		}
		c.limiter, c.rate = l, nil
		return nil
	}}
}

// WithRetry sets how often a failed request is sent again (0: never) and the
// bounds of the wait in between; maxWait also caps a server's Retry-After.
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
// The default follows the pace: enough to use all of it with 100 ms round
// trips, at least 4 and at most 64 (4 for CometChat, 20 for Tencent).
// Pacing still applies across all of them.
func WithConcurrency(n int) Option {
	return Option{func(c *config) error {
		if n < 1 || n > 256 {
			return fmt.Errorf("WithConcurrency: %d is outside 1..256", n)
		}
		c.concurrency = n
		return nil
	}}
}

// WithBatchSize sets how many entities one import request carries, at most
// the provider's documented maximum (CometChat 50, Tencent 300).
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

var (
	appIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,63}$`)
	cometRegions = []string{"us", "eu", "in"}
)

// NewCometChat returns a Client for the CometChat app appID in region ("us",
// "eu" or "in"), authenticated with a REST API key that has full access.
func NewCometChat(appID, region, apiKey string, opts ...Option) (*Client, error) {
	switch {
	case appID == "":
		return nil, errors.New("chatimport: NewCometChat: appID is empty")
	case !appIDPattern.MatchString(appID):
		return nil, fmt.Errorf("chatimport: NewCometChat: appID %q is not a valid app ID", appID)
	case !contains(cometRegions, region):
		return nil, fmt.Errorf("chatimport: NewCometChat: region %q is not one of %s", region, strings.Join(cometRegions, ", "))
	case apiKey == "":
		return nil, errors.New("chatimport: NewCometChat: apiKey is empty")
	}
	cfg, err := newConfig(cometChatDefaults(), opts)
	if err != nil {
		return nil, err
	}
	if cfg.admin != "" || cfg.region != "" {
		return nil, errors.New("chatimport: NewCometChat: WithAdmin and WithRegion apply to Tencent only")
	}
	if cfg.baseURL == "" {
		cfg.baseURL = fmt.Sprintf("https://%s.api-%s.cometchat.io/v3", strings.ToLower(appID), region)
	}
	return newClient(cfg, &cometChat{apiKey: apiKey}, redact.New(apiKey))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// defaults are what a provider documents; options override them.
type defaults struct {
	batchSize    int // also the most a request may carry
	importRate   rateSetting
	providerName string
}

func newConfig(d defaults, opts []Option) (*config, error) {
	cfg := &config{
		rate:        &d.importRate,
		retry:       retry.Policy{Max: 6, MinWait: 500 * time.Millisecond, MaxWait: time.Minute},
		concurrency: 0, // derived from the pace unless WithConcurrency says
		batchSize:   d.batchSize,
		now:         time.Now,
		sleep:       sleepContext,
	}
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(cfg); err != nil {
			return nil, fmt.Errorf("chatimport: %w", err)
		}
	}
	if cfg.batchSize > d.batchSize {
		return nil, fmt.Errorf("chatimport: WithBatchSize: %d is above %s's maximum of %d", cfg.batchSize, d.providerName, d.batchSize)
	}
	return cfg, nil
}

func newClient(cfg *config, p provider, r *redact.Redactor) (*Client, error) {
	c := &Client{
		provider:    p,
		base:        cfg.baseURL,
		retry:       cfg.retry,
		concurrency: cfg.concurrency,
		batchSize:   cfg.batchSize,
		logger:      cfg.logger,
		redact:      r,
		now:         cfg.now,
		sleep:       cfg.sleep,
	}
	limiter := cfg.limiter
	if limiter == nil && cfg.rate != nil && cfg.rate.n > 0 {
		limiter = newPacer(cfg.rate.n, cfg.rate.per, c.now, c.sleep)
	}
	if c.concurrency == 0 {
		c.concurrency = defaultConcurrency(cfg.rate)
	}
	if u, err := url.Parse(c.base); err == nil {
		c.basePath = u.Path
	}
	c.imports = &budget{limiter: limiter}
	c.lists = &budget{}
	c.http = c.newTransport(cfg.httpClient)
	return c, nil
}

// defaultConcurrency keeps enough requests in flight to use the whole pace
// when each takes up to 100 ms: 4 at CometChat's 60 a minute, 20 at
// Tencent's 200 a second. Workers start only when all are busy, so a pace
// that needs fewer costs nothing more.
func defaultConcurrency(r *rateSetting) int {
	if r == nil || r.n <= 0 {
		return 4
	}
	perSecond := float64(r.n) / r.per.Seconds()
	return min(max(int(math.Ceil(perSecond/10)), 4), 64)
}

// sleepContext waits for d or until ctx ends, whichever is first.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func defaultHTTPClient() *http.Client {
	hc := cleanhttp.DefaultPooledClient()
	hc.Timeout = time.Minute
	return hc
}

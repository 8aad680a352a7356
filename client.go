package chatimport

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/chatimport/chatimport/internal/redact"
	"github.com/chatimport/chatimport/internal/retry"
)

// Version is the library version, sent in the User-Agent header.
const Version = "0.2.0"

const userAgent = "chatimport-go/" + Version

// Client imports into, and lists from, one app of one provider. It is safe
// for concurrent use; all its calls share the provider's pacing budgets, so
// share one Client rather than making one per call.
type Client struct {
	provider    provider
	ep          endpoints
	base        string // without a trailing slash
	basePath    string // base's path, for naming requests in errors
	http        *retryablehttp.Client
	retry       retry.Policy
	budgets     map[string]*budget // by name; never changed after construction
	concurrency int                // 0: each budget's own default
	batchSize   int                // 0: each endpoint's maximum
	logger      *slog.Logger
	redact      *redact.Redactor
	now         func() time.Time
	sleep       func(context.Context, time.Duration) error
}

type config struct {
	baseURL     string
	httpClient  *http.Client
	rate        *rateSetting
	limiter     Limiter
	limiterFunc func(Budget) (Limiter, error)
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

func newConfig(opts []Option) (*config, error) {
	cfg := &config{
		retry: retry.Policy{Max: 6, MinWait: 500 * time.Millisecond, MaxWait: time.Minute},
		now:   time.Now,
		sleep: sleepContext,
	}
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if err := o.apply(cfg); err != nil {
			return nil, fmt.Errorf("chatimport: %w", err)
		}
	}
	return cfg, nil
}

// newClient builds the Client of provider p: its endpoints, and a budget
// for each budget p declares, paced at its documented rate unless the
// options say otherwise.
func newClient(cfg *config, p provider, r *redact.Redactor) (*Client, error) {
	c := &Client{
		provider:    p,
		ep:          p.endpoints(),
		base:        cfg.baseURL,
		retry:       cfg.retry,
		concurrency: cfg.concurrency,
		batchSize:   cfg.batchSize,
		logger:      cfg.logger,
		redact:      r,
		now:         cfg.now,
		sleep:       cfg.sleep,
		budgets:     map[string]*budget{},
	}
	if most := c.ep.maxBatch(); c.batchSize > most {
		return nil, fmt.Errorf("chatimport: WithBatchSize: %d is above %s's largest request of %d", c.batchSize, p.name(), most)
	}
	for _, spec := range p.budgets() {
		b, err := c.newBudget(cfg, spec)
		if err != nil {
			return nil, err
		}
		c.budgets[spec.name] = b
	}
	if u, err := url.Parse(c.base); err == nil {
		c.basePath = u.Path
	}
	c.http = newTransport(cfg.httpClient)
	return c, nil
}

func (c *Client) newBudget(cfg *config, spec budgetSpec) (*budget, error) {
	rate := rateSetting{n: spec.n, per: spec.per}
	if spec.imports && cfg.rate != nil {
		rate = *cfg.rate
	}
	b := &budget{concurrency: defaultConcurrency(rate), maxHold: c.retry.MaxWait}
	switch {
	case rate.n <= 0:
	case cfg.limiterFunc != nil:
		l, err := cfg.limiterFunc(Budget{App: c.provider.app(), Name: spec.name, N: rate.n, Per: rate.per, Logger: c.logger})
		if err != nil {
			return nil, fmt.Errorf("chatimport: WithLimiterFunc: budget %s: %w", spec.name, err)
		}
		b.limiter = l
	case spec.imports && cfg.limiter != nil:
		b.limiter = cfg.limiter
	default:
		b.limiter = newPacer(rate.n, rate.per, c.now, c.sleep)
	}
	return b, nil
}

// concurrencyOf is how many requests an import on the named budget keeps
// in flight.
func (c *Client) concurrencyOf(name string) int {
	if c.concurrency > 0 {
		return c.concurrency
	}
	return c.budgets[name].concurrency
}

// unsupported is the error of a call the Client's provider cannot serve.
func (c *Client) unsupported(what string) error {
	return fmt.Errorf("%w: %s on %s", ErrUnsupported, what, c.provider.name())
}

// defaultConcurrency keeps enough requests in flight to use the whole pace
// when each takes up to 100 ms: 4 at CometChat's 60 a minute, 20 at
// Tencent's 200 a second. Workers start only when all are busy, so a pace
// that needs fewer costs nothing more.
func defaultConcurrency(r rateSetting) int {
	if r.n <= 0 {
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

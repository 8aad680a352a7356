package chatimporttest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Option configures a Server. Without options the fake accepts what the
// providers document (credentials, batch sizes, validation rules) but
// enforces no rate limit, so a test runs as fast as its client can send.
type Option func(*config)

type limitSpec struct {
	n   int
	per time.Duration
}

type config struct {
	apiKey       string
	sdkAppID     uint64
	secretKey    string
	admin        string
	seed         int64
	seeded       bool
	faults       Faults
	cometLimit   limitSpec
	tencentLimit limitSpec
	cometBatch   int
	tencentBatch int
	autoCreate   bool
	countOnly    bool
	clock        func() time.Time
	tencent      tencentOptions
}

// The import limits the providers document.
var (
	documentedCometChatLimit = limitSpec{n: 60, per: time.Minute}
	documentedTencentLimit   = limitSpec{n: 200, per: time.Second}
)

func defaultConfig() config {
	return config{
		apiKey:       APIKey,
		sdkAppID:     SDKAppID,
		secretKey:    SecretKey,
		admin:        Admin,
		cometBatch:   50,
		tencentBatch: 300,
		clock:        time.Now,
	}
}

// WithSeed makes fault injection reproducible: two servers with the same seed
// and options inject the same faults into the same sequence of requests.
// Without it the seed is random.
func WithSeed(seed int64) Option {
	return func(c *config) { c.seed, c.seeded = seed, true }
}

// WithFaults injects failures into requests so that retry and resume
// logic can be exercised; see Faults for the kinds and the endpoints.
func WithFaults(f Faults) Option {
	return func(c *config) { c.faults = f }
}

// WithDocumentedLimits enforces the limits the providers document, for a
// test of how a client keeps to them: CometChat's 60 import requests a
// minute, shared by its import endpoints, and Tencent's 200
// import_group_member calls a second, and each other Tencent command's
// own rate (see WithTencentCommandLimit). A later WithCometChatLimit or
// WithTencentLimit replaces that provider's.
func WithDocumentedLimits() Option {
	return func(c *config) {
		c.cometLimit, c.tencentLimit = documentedCometChatLimit, documentedTencentLimit
		c.tencent.documented = true
	}
}

// WithCometChatLimit enforces n import requests per period, shared by all
// CometChat import endpoints, so a test can reach a limit in a few
// requests. n <= 0 turns the limit off, and its headers with it; n > 0
// needs a positive period.
func WithCometChatLimit(n int, per time.Duration) Option {
	return func(c *config) { c.cometLimit = limitSpec{n: n, per: per} }
}

// WithTencentLimit enforces n import_group_member calls per period.
// n <= 0 turns the limit off; n > 0 needs a positive period.
func WithTencentLimit(n int, per time.Duration) Option {
	return func(c *config) { c.tencentLimit = limitSpec{n: n, per: per} }
}

// WithBatchLimits replaces the entities allowed per import request
// (documented: 50 for CometChat, 300 for Tencent, whose docs also name 20,
// 100 and 500), so batch splitting can be tested with a handful of entities.
// A value <= 0 keeps that provider's default.
func WithBatchLimits(cometchat, tencent int) Option {
	return func(c *config) {
		if cometchat > 0 {
			c.cometBatch = cometchat
		}
		if tencent > 0 {
			c.tencentBatch = tencent
		}
	}
}

// WithAPIKey makes the fake expect another CometChat REST key, for tests
// that check a client sends the key it was configured with.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = key }
}

// WithTencentCredentials makes the fake impersonate another Tencent app,
// for tests that check a client signs with what it was configured with.
func WithTencentCredentials(sdkAppID uint64, secretKey, admin string) Option {
	return func(c *config) { c.sdkAppID, c.secretKey, c.admin = sdkAppID, secretKey, admin }
}

// WithTencentAutoCreate lets demos import Tencent members without seeding:
// an unknown group is created as if it had existed since the Unix epoch (so
// any JoinTime is after its creation), and an unknown account is created on
// first use. Real Tencent requires both to exist first.
func WithTencentAutoCreate() Option {
	return func(c *config) { c.autoCreate = true }
}

// WithCountOnly validates and answers imports but retains only counters, so
// a benchmark of a million users measures the client, not the fake. In this
// mode imported users, CometChat members and Tencent members are not kept
// (nothing is ever "already existing"), users and Tencent accounts a member
// refers to are assumed to exist, and Received always reports 0. Groups are
// still kept: they are few and the joinedAt rule needs their creation time.
func WithCountOnly() Option {
	return func(c *config) { c.countOnly = true }
}

// WithClock replaces time.Now as the fake's notion of now: for the joinedAt
// and JoinTime "not in the future" rules, default creation times, rate-limit
// windows and UserSig expiry. A test can then move time instead of sleeping.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// validate rejects options that are bugs in the test.
func (c *config) validate() error {
	for _, l := range []struct {
		name string
		spec limitSpec
	}{{"WithCometChatLimit", c.cometLimit}, {"WithTencentLimit", c.tencentLimit}} {
		if l.spec.n > 0 && l.spec.per <= 0 {
			return fmt.Errorf("%s: period %v must be positive for a limit of %d", l.name, l.spec.per, l.spec.n)
		}
	}
	return c.faults.validate()
}

func newRand(seed int64, seeded bool) *rand.Rand {
	if !seeded {
		return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}

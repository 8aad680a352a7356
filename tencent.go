package chatimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/chatimport/chatimport/internal/redact"
	"github.com/chatimport/chatimport/internal/tencent"
	"github.com/chatimport/chatimport/internal/usersig"
)

// defaultAdmin is the App admin account Tencent creates with every app.
const defaultAdmin = "administrator"

// WithAdmin sets the Tencent App admin account that signs every request
// (default "administrator").
func WithAdmin(identifier string) Option {
	return Option{func(c *config) error {
		if strings.TrimSpace(identifier) == "" || strings.ContainsAny(identifier, "\r\n") {
			return fmt.Errorf("WithAdmin: %q is not a usable account", identifier)
		}
		c.admin = identifier
		return nil
	}}
}

// WithRegion picks the Tencent REST domain of the region the SDKAppID
// belongs to: "china", "singapore", "seoul", "frankfurt", "mumbai", "usa",
// "tokyo" or "jakarta".
func WithRegion(region string) Option {
	return Option{func(c *config) error {
		if _, ok := tencent.Regions[region]; !ok {
			return fmt.Errorf("WithRegion: %q is not one of %s", region, strings.Join(tencent.RegionNames(), ", "))
		}
		c.region = region
		return nil
	}}
}

// WithUserSigValidity sets how long each Tencent UserSig is valid (default
// 24 hours); a new one is signed after 90% of it has passed.
func WithUserSigValidity(d time.Duration) Option {
	return Option{func(c *config) error {
		if d < time.Minute {
			return fmt.Errorf("WithUserSigValidity: %v is shorter than a minute", d)
		}
		c.sigValidity = d
		return nil
	}}
}

// NewTencent returns a Client for the Tencent Cloud Chat app sdkAppID,
// signing requests with UserSigs made from secretKey. There is no default
// region: an SDKAppID lives in one, and a wrong guess would surface later
// as a confusing signature error, so give WithRegion or WithBaseURL.
func NewTencent(sdkAppID uint64, secretKey string, opts ...Option) (*Client, error) {
	switch {
	case sdkAppID == 0:
		return nil, errors.New("chatimport: NewTencent: sdkAppID is zero")
	case secretKey == "":
		return nil, errors.New("chatimport: NewTencent: secretKey is empty")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.baseURL == "" {
		if cfg.region == "" {
			return nil, fmt.Errorf("chatimport: NewTencent: no region; give WithRegion with one of %s, or WithBaseURL",
				strings.Join(tencent.RegionNames(), ", "))
		}
		cfg.baseURL = "https://" + tencent.Regions[cfg.region]
	}
	admin := cfg.admin
	if admin == "" {
		admin = defaultAdmin
	}
	r := redact.New(secretKey)
	p := &tencentChat{
		sdkAppID: sdkAppID,
		admin:    admin,
		redact:   r,
		newSigs: func() *usersig.Cache {
			return usersig.NewCache(sdkAppID, secretKey, admin, cfg.sigValidity, cfg.now)
		},
	}
	p.sigs.Store(p.newSigs())
	p.limit.Store(tencentMembersBatch)
	return newClient(cfg, p, r)
}

// Tencent paces each REST command on its own, at the rates of its
// frequency table (https://www.tencentcloud.com/document/product/1047/34350
// and each command's page), so each endpoint has a budget of its own.
const (
	tencentImportAccounts = "tencent.multiaccount_import"
	tencentImportGroups   = "tencent.import_group"
	tencentImportMembers  = "tencent.import_group_member"
	tencentListMembers    = "tencent.get_group_member_info"
	tencentListGroups     = "tencent.get_appid_group_list"
	tencentGroupInfo      = "tencent.get_group_info"
)

// tencentChat speaks Tencent Cloud Chat's REST API v4.
type tencentChat struct {
	sdkAppID uint64
	admin    string
	sigs     atomic.Pointer[usersig.Cache]
	newSigs  func() *usersig.Cache
	redact   *redact.Redactor
	// limit is the most members one request carries: the configured batch
	// size until the server answers 10005, then what it accepted. Doc
	// versions disagree on the maximum (500, 300, 100, 20).
	limit atomic.Int64
}

func (p *tencentChat) name() string { return ProviderTencent }

// blamesItem: 10004 is Tencent's "invalid parameter", which one bad member
// of a request causes; its other refusals are about the request or the app.
func (p *tencentChat) blamesItem(e *APIError) bool { return e.Code == "10004" }

func (p *tencentChat) app() string { return strconv.FormatUint(p.sdkAppID, 10) }

func (p *tencentChat) budgets() []budgetSpec {
	return []budgetSpec{
		{name: tencentImportAccounts, n: 100, per: time.Second, imports: true},
		{name: tencentImportGroups, n: 200, per: time.Second, imports: true},
		{name: tencentImportMembers, n: 200, per: time.Second, imports: true},
		// The 2019 page said 100 a second; the current ones say 200.
		{name: tencentListMembers, n: 200, per: time.Second},
		// One call a second: a walk of many groups is paced by this.
		{name: tencentListGroups, n: 1, per: time.Second},
		{name: tencentGroupInfo, n: 200, per: time.Second},
	}
}

// authorize signs one attempt: the cached UserSig and a random number that
// is new on every attempt, retries included.
func (p *tencentChat) authorize(req *http.Request) error {
	sig, err := p.sigs.Load().Get()
	if err != nil {
		return fmt.Errorf("chatimport: tencent: cannot sign the request: %w", err)
	}
	p.redact.Add(sig)
	u := *req.URL // the URL is shared with earlier attempts' copies of the request
	u.RawQuery = tencent.Query(p.sdkAppID, p.admin, sig, rand.Uint32())
	req.URL = &u
	return nil
}

func (p *tencentChat) parseError(_ int, body []byte) *APIError {
	if env, ok := tencent.ReadError(body); ok {
		return tencentError(env)
	}
	return nil
}

// tencentLockout is how long Tencent bars an app after too many failed
// signature checks (70050: "retry after 1 minute").
const tencentLockout = time.Minute

func tencentError(env tencent.Envelope) *APIError {
	e := &APIError{Provider: ProviderTencent, Code: strconv.Itoa(env.ErrorCode), Message: env.ErrorInfo}
	if env.ErrorCode == 70050 {
		// Retried like a rate limit, but only after the lockout: an earlier
		// attempt would fail again and may prolong it.
		e.RetryAfter = tencentLockout
	}
	return e
}

func (p *tencentChat) endpoints() endpoints {
	return endpoints{
		users:   p.accountsEndpoint(),
		groups:  p.groupsEndpoint(),
		members: p.membersEndpoint(),

		listMembers: p.listMembers,
		listGroups:  p.listGroups,
		listUsers: func(*Client, *ListUsersOptions) *Pager[User] {
			return failedPager[User](fmt.Errorf("%w: listing users on %s: Tencent has no call that lists accounts; "+
				"collect them from the groups' member lists (ListGroups, then ListMembers), or check known ids with account_check",
				ErrUnsupported, ProviderTencent))
		},
	}
}

// call sends r. A UserSig the server calls expired (70001) or invalidated
// (70052) is signed anew and the request sent once more: the cached one
// may have outlived the server's notion of its validity (a clock apart, a
// machine that slept), and a second refusal of a fresh one is final.
func (p *tencentChat) call(ctx context.Context, c *Client, r *request) error {
	err := c.do(ctx, r)
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.Code == "70001" || apiErr.Code == "70052") {
		p.sigs.Store(p.newSigs())
		err = c.do(ctx, r)
	}
	return err
}

// tencentAnswer is an answer that carries the envelope.
type tencentAnswer interface{ Env() tencent.Envelope }

// tencentPost sends body to a Tencent command on budget and decodes its
// answer, fresh on every attempt. A failure the envelope reports is an
// *APIError.
func tencentPost[A tencentAnswer](ctx context.Context, c *Client, p *tencentChat, path, budget string, body []byte) (A, error) {
	var out A
	err := p.call(ctx, c, &request{
		method: http.MethodPost, path: path, body: body, budget: budget,
		decode: func(r io.Reader) error {
			var a A
			if err := json.NewDecoder(r).Decode(&a); err != nil {
				return err
			}
			if env := a.Env(); env.ErrorCode != 0 || env.ActionStatus == "FAIL" {
				return tencentError(env)
			}
			out = a
			return nil
		},
	})
	return out, err
}

// checkTencentID applies the one rule every Tencent id has: present and
// valid UTF-8; max bounds its bytes when a page documents it (0: none).
func checkTencentID(field, id string, most int) *ValidationError {
	switch {
	case strings.TrimSpace(id) == "":
		return fieldError(field, "is empty")
	case !utf8.ValidString(id):
		return fieldError(field, "is not valid UTF-8")
	case most > 0 && len(id) > most:
		return fieldError(field, "has %d bytes, more than Tencent's %d", len(id), most)
	}
	return nil
}

// checkBytes bounds a Tencent text field, whose limits count bytes.
func checkBytes(field, s string, most int) *ValidationError {
	if len(s) > most {
		return fieldError(field, "has %d bytes, more than Tencent's %d", len(s), most)
	}
	return nil
}

// tencentKind maps a Tencent error code to a sentinel, or nil for codes the
// table does not know. Codes that concern one group or account (a full
// group, a quota) are ErrInvalidRequest rather than ErrPermission, which
// would stop a whole import.
func tencentKind(text string) error {
	code, err := strconv.Atoi(text)
	if err != nil {
		return nil
	}
	switch {
	case code >= 60004 && code <= 60006, code >= 70001 && code <= 70016, code == 70020, code == 70052:
		return ErrUnauthorized
	}
	switch code {
	// 60008 is "timeout, or a malformed request": the safe reading retries
	// it, a few times, rather than lose a request that timed out.
	case 10002, 40006, 60008, 60013, 60014, 70169, 70202, 70500:
		return ErrTemporary
	case 10006, 10023, 60007, 60011, 60018, 60019, 70050:
		return ErrRateLimited
	case 10003, 10004, 10011, 10014, 10015, 10016, 10036, 10037, 10038, 40005, 40601,
		60002, 60003, 60009, 60012, 60015, 70399, 70402, 80001, 80002:
		return ErrInvalidRequest
	case 10005, 10018, 70206:
		return ErrBatchTooLarge
	case 10007, 10026, 60010, 60016, 60017, 60020, 60021, 70051, 70114, 70398, 70403:
		return ErrPermission
	case 10008, 10012:
		return ErrUnauthorized
	case 10010, 10019, 70107:
		return ErrNotFound
	case 10013, 10021, 10025:
		return ErrAlreadyExists
	}
	return nil
}

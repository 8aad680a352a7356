package chatimport

import (
	"context"
	"encoding/binary"
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
		sigs:     usersig.NewCache(sdkAppID, secretKey, admin, cfg.sigValidity, cfg.now),
		redact:   r,
	}
	p.limit.Store(tencentMembersBatch)
	return newClient(cfg, p, r)
}

// Tencent paces each REST command on its own (the frequency table of
// https://www.tencentcloud.com/document/product/1047/34350), so each
// endpoint has a budget of its own.
const (
	tencentImportMembers = "tencent.import_group_member"
	tencentMembersBatch  = 300
)

// tencentChat speaks Tencent Cloud Chat's REST API v4.
type tencentChat struct {
	sdkAppID uint64
	admin    string
	sigs     *usersig.Cache
	redact   *redact.Redactor
	// limit is the most members one request carries: the configured batch
	// size until the server answers 10005, then what it accepted. Doc
	// versions disagree on the maximum (500, 300, 100, 20).
	limit atomic.Int64
}

func (p *tencentChat) name() string { return ProviderTencent }

func (p *tencentChat) app() string { return strconv.FormatUint(p.sdkAppID, 10) }

func (p *tencentChat) budgets() []budgetSpec {
	return []budgetSpec{
		{name: tencentImportMembers, n: 200, per: time.Second, imports: true},
	}
}

// authorize signs one attempt: the cached UserSig and a random number that
// is new on every attempt, retries included.
func (p *tencentChat) authorize(req *http.Request) error {
	sig, err := p.sigs.Get()
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

func tencentError(env tencent.Envelope) *APIError {
	return &APIError{Provider: ProviderTencent, Code: strconv.Itoa(env.ErrorCode), Message: env.ErrorInfo}
}

func (p *tencentChat) endpoints() endpoints {
	return endpoints{
		// https://www.tencentcloud.com/document/product/1047/34947
		members: &importEndpoint[Member]{
			what: "member", idField: "uid", maxBatch: tencentMembersBatch, budget: tencentImportMembers,
			id: memberID,
			// Tencent ids are case-sensitive: only an exact repeat of the
			// group and the account is the same member.
			key:   appendParts[Member],
			part:  func(m *Member) string { return m.GUID },
			check: checkTencentMember,
			encode: func(dst []byte, m *Member, _ string) ([]byte, error) {
				w := tencent.Member{Account: m.UID, JoinTime: unix(m.JoinedAt), UnreadMsgNum: m.UnreadCount}
				if m.Scope == ScopeAdmin {
					w.Role = "Admin"
				}
				return tencent.AppendMember(dst, &w), nil
			},
			send: p.sendMembers,
		},
	}
}

// appendParts keys a member by its group and account, the group's length
// first so that no two pairs run together into one key.
func appendParts[T any](dst []byte, m *Member, _ string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(m.GUID)))
	return append(append(dst, m.GUID...), m.UID...)
}

func checkTencentMember(m *Member, now time.Time) *ValidationError {
	for _, f := range []struct{ name, value string }{{"guid", m.GUID}, {"uid", m.UID}} {
		switch {
		case strings.TrimSpace(f.value) == "":
			return fieldError(f.name, "is empty")
		case !utf8.ValidString(f.value):
			return fieldError(f.name, "is not valid UTF-8")
		}
	}
	switch m.Scope {
	case "", ScopeParticipant, ScopeAdmin:
	case ScopeModerator:
		return fieldError("scope", "moderator cannot be imported into Tencent Cloud Chat (only admin or an ordinary member)")
	default:
		return fieldError("scope", "is %q; want admin or participant", m.Scope)
	}
	if m.Banned {
		return fieldError("isBanned", "Tencent's member import cannot ban; import the member and ban it afterwards")
	}
	if m.UnreadCount < 0 {
		return fieldError("unreadMsgNum", "is %d, below zero", m.UnreadCount)
	}
	// Tencent's member import creates neither groups nor accounts: import
	// them first (ImportGroups, ImportUsers) rather than lose the details.
	if m.Group != nil {
		return fieldError("groupDetails", "Tencent's member import cannot create or change a group; import it with ImportGroups first")
	}
	if m.User != nil {
		return fieldError("userDetails", "Tencent's member import cannot create or change an account; import it with ImportUsers first")
	}
	return checkJoinedAt("joinedAt", m.JoinedAt, nil, now)
}

// sendMembers sends jobs, all of one group, in requests of at most the
// learned limit, filling outcomes. When the server answers 10005 (too many
// accounts) the request is halved and sent again, and the smaller size is
// kept for later requests.
func (p *tencentChat) sendMembers(ctx context.Context, c *Client, jobs []job) ([]outcome, error) {
	outcomes := make([]outcome, len(jobs))
	for start := 0; start < len(jobs); {
		n := min(int(p.limit.Load()), len(jobs)-start)
		chunk, out := jobs[start:start+n], outcomes[start:start+n]
		err := p.importChunk(ctx, c, chunk, out)
		switch {
		case errors.Is(err, ErrBatchTooLarge) && n > 1:
			p.lowerLimit(n / 2)
			continue
		case err != nil:
			for i := range out {
				out[i] = outcome{status: StatusFailed, err: err}
			}
		}
		start += n
	}
	return outcomes, nil
}

func (p *tencentChat) lowerLimit(n int) {
	for {
		cur := p.limit.Load()
		if int64(n) >= cur || p.limit.CompareAndSwap(cur, int64(n)) {
			return
		}
	}
}

func (p *tencentChat) importChunk(ctx context.Context, c *Client, jobs []job, out []outcome) error {
	size := 64 + len(jobs[0].part)
	for _, j := range jobs {
		size += len(j.wire) + 1
	}
	body := tencent.AppendImportBody(make([]byte, 0, size), jobs[0].part, len(jobs), func(i int) []byte { return jobs[i].wire })
	op := http.MethodPost + " " + c.basePath + tencent.PathImportGroupMember
	return c.do(ctx, &request{
		method: http.MethodPost, path: tencent.PathImportGroupMember, body: body, budget: tencentImportMembers,
		decode: func(r io.Reader) error {
			clear(out) // a retried attempt starts afresh
			return readAll(r, func(data []byte) error {
				m := matcher{jobs: jobs, name: uidOf}
				env, err := tencent.ReadImportAnswer(data, func(account []byte, result int) {
					if i := m.find(account); i >= 0 {
						out[i] = memberOutcome(c, result, op)
					}
				})
				if err != nil {
					return err
				}
				if env.ErrorCode != 0 || env.ActionStatus == "FAIL" {
					return tencentError(env)
				}
				unanswered(out)
				return nil
			})
		},
	})
}

func memberOutcome(c *Client, result int, op string) outcome {
	switch result {
	case tencent.ResultImported:
		return outcome{status: StatusImported}
	case tencent.ResultExisted:
		return outcome{status: StatusExisted}
	}
	return outcome{status: StatusFailed, err: c.finish(&APIError{HTTPStatus: http.StatusOK,
		Message: fmt.Sprintf("member not imported (Result %d): the account may not exist, or JoinTime is outside the group's lifetime", result)}, op)}
}

// uidOf recovers the member account from a job's id, "<guid>_member_<uid>".
func uidOf(j job) string { return j.id[len(j.part)+len(memberSep):] }

// tencentKind maps a Tencent error code to a sentinel, or nil for codes the
// table does not know.
func tencentKind(text string) error {
	code, err := strconv.Atoi(text)
	if err != nil {
		return nil
	}
	switch {
	case code >= 60004 && code <= 60006, code >= 70001 && code <= 70016, code == 70020:
		return ErrUnauthorized
	}
	switch code {
	case 10002, 70169, 70202, 70500:
		return ErrTemporary
	case 10006, 60007, 60011, 60018, 60019:
		return ErrRateLimited
	case 10003, 10004, 10011, 10015, 60002, 60003, 60008, 70402:
		return ErrInvalidRequest
	case 10005, 70206:
		return ErrBatchTooLarge
	case 10007, 60010, 70403:
		return ErrPermission
	case 10010, 10019, 70107:
		return ErrNotFound
	case 10013:
		return ErrAlreadyExists
	}
	return nil
}

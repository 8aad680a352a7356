package chatimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/chatimport/chatimport/internal/cometchat"
	"github.com/chatimport/chatimport/internal/redact"
)

// cometChat speaks CometChat's REST API v3
// (https://www.cometchat.com/docs/rest-api).
type cometChat struct {
	appID  string
	apiKey string
}

// CometChat's import endpoints share one budget of 60 requests a minute
// (data-migration constraints); listing is a "standard operation", 20,000
// a minute for the whole app (rate-limits).
const (
	cometChatImports = "cometchat.import"
	cometChatLists   = "cometchat.list"
	cometChatBatch   = 50
	cometChatEntity  = 10_000 // "POST body ≤ 10 KB" for one entity; 10,000 is the safe reading
)

var cometRegions = []string{"us", "eu", "in"}

// NewCometChat returns a Client for the CometChat app appID in region ("us",
// "eu" or "in"), authenticated with a REST API key that has full access.
// No error it returns quotes appID or apiKey: an app ID that looks like an
// API key (the arguments swapped) is refused without naming it, so the key
// never reaches a DNS name, a TLS handshake or a log.
func NewCometChat(appID, region, apiKey string, opts ...Option) (*Client, error) {
	if err := checkCometChatArgs(appID, region, apiKey); err != nil {
		return nil, err
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.admin != "" || cfg.region != "" || cfg.sigValidity != 0 {
		return nil, errors.New("chatimport: NewCometChat: WithAdmin, WithRegion and WithUserSigValidity apply to Tencent only")
	}
	if cfg.baseURL == "" {
		cfg.baseURL = fmt.Sprintf("https://%s.api-%s.cometchat.io/v3", strings.ToLower(appID), region)
	}
	return newClient(cfg, &cometChat{appID: appID, apiKey: apiKey}, redact.New(apiKey))
}

// checkCometChatArgs refuses arguments that cannot be right. CometChat's
// app IDs are short (16 to 20 hex digits) and its REST keys 40 hex digits,
// so an app ID of 32 or more bytes, or longer than the key, is the key.
func checkCometChatArgs(appID, region, apiKey string) error {
	switch {
	case appID == "":
		return errors.New("chatimport: NewCometChat: appID is empty")
	case apiKey == "":
		return errors.New("chatimport: NewCometChat: apiKey is empty")
	case len(appID) >= 32 || len(appID) > len(apiKey):
		return fmt.Errorf("chatimport: NewCometChat: appID (%d bytes) has the shape of an API key; are appID and apiKey swapped?", len(appID))
	case !isAppID(appID):
		return errors.New("chatimport: NewCometChat: appID may hold only ASCII letters, digits and '-'")
	}
	for _, r := range cometRegions {
		if r == region {
			return nil
		}
	}
	return fmt.Errorf("chatimport: NewCometChat: region %q is not one of %s", region, strings.Join(cometRegions, ", "))
}

func isAppID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (p *cometChat) name() string { return ProviderCometChat }

// app is the app ID as CometChat's host name has it, lower-cased, so that
// replicas configured "MyApp" and "myapp" share one budget.
func (p *cometChat) app() string { return strings.ToLower(p.appID) }

// blamesItem: CometChat refuses a body with a bad entity as a whole with
// 400 or 422 (ERR_BAD_REQUEST, ERR_IMPORT_INVALID_…); its other refusals
// are about the request or the app.
func (p *cometChat) blamesItem(e *APIError) bool {
	return e.HTTPStatus == http.StatusBadRequest || e.HTTPStatus == http.StatusUnprocessableEntity
}

func (p *cometChat) authorize(req *http.Request) error {
	req.Header.Set("apikey", p.apiKey)
	return nil
}

func (p *cometChat) parseError(_ int, body []byte) *APIError {
	if e := cometchat.ReadError(body); e != nil {
		return cometChatError(e)
	}
	return nil
}

func cometChatError(e *cometchat.Error) *APIError {
	return &APIError{Provider: ProviderCometChat, Code: e.Code, Message: e.Message, DevMessage: e.DevMessage, Details: e.Details}
}

func (p *cometChat) budgets() []budgetSpec {
	return []budgetSpec{
		{name: cometChatImports, n: 60, per: time.Minute, imports: true},
		{name: cometChatLists, n: 20_000, per: time.Minute},
	}
}

func (p *cometChat) endpoints() endpoints {
	return endpoints{
		// https://www.cometchat.com/docs/rest-api/data-import
		users: &importEndpoint[User]{
			what: "user", idField: "uid", maxBatch: cometChatBatch, maxWire: cometChatEntity, budget: cometChatImports,
			id:    func(u *User, _ *arena) string { return u.UID },
			key:   appendID[User],
			fold:  true,
			check: func(u *User, now time.Time) *ValidationError { return checkUser(u, u.UID, "", now) },
			encode: func(dst []byte, u *User, _ string) ([]byte, error) {
				w := wireUser(u)
				return metadataError(cometchat.AppendUser(dst, &w, ""))
			},
			send: cometChatImport(cometchat.PathImportUsers, "users"),
		},
		groups: cometChatGroups(),
		members: &importEndpoint[Member]{
			what: "member", idField: "memberId", maxBatch: cometChatBatch, maxWire: cometChatEntity, budget: cometChatImports,
			id:    memberID,
			key:   appendID[Member],
			fold:  true,
			check: checkCometChatMember,
			encode: func(dst []byte, m *Member, id string) ([]byte, error) {
				w := wireMember(m, id)
				return metadataError(cometchat.AppendMember(dst, &w))
			},
			send: cometChatImport(cometchat.PathImportMembers, "members"),
		},
		listMembers: cometChatMembers,
		listUsers:   cometChatUsers,
		listGroups:  cometChatGroupList,
	}
}

// appendID is CometChat's key for an item: its id, which CometChat
// lower-cases (the endpoint folds case). A memberId is "<guid>_member_<uid>",
// CometChat's own key for a membership.
func appendID[T any](dst []byte, _ *T, id string) []byte { return append(dst, id...) }

// memberID builds "<guid>_member_<uid>" in the import's arena.
func memberID(m *Member, a *arena) string { return a.join(m.GUID, memberSep, m.UID) }

// metadataError turns metadata that does not encode into a
// *ValidationError naming it; metadata is the only part of an item that can
// fail to encode.
func metadataError(b []byte, err error) ([]byte, error) {
	if err == nil {
		return b, nil
	}
	var me *cometchat.MetadataError
	if errors.As(err, &me) {
		return nil, fieldError(me.Field, "does not encode as JSON: %v", me.Err)
	}
	return b, err
}

// cometChatImport sends a batch to one of the import endpoints, whose
// bodies and answers are keyed by id.
func cometChatImport(path, wrapper string) func(context.Context, *Client, []job) ([]outcome, error) {
	return func(ctx context.Context, c *Client, jobs []job) ([]outcome, error) {
		size := 32
		for _, j := range jobs {
			size += len(j.id) + len(j.wire) + 4
		}
		body := cometchat.AppendBody(make([]byte, 0, size), wrapper, len(jobs),
			func(i int) string { return jobs[i].id }, func(i int) []byte { return jobs[i].wire })
		op := http.MethodPost + " " + c.basePath + path
		outcomes := make([]outcome, len(jobs))
		err := c.do(ctx, &request{
			method: http.MethodPost, path: path, body: body, budget: cometChatImports,
			// Each entity is echoed: at most its 10 KB, with its outcome.
			limit: int64(4<<10 + len(jobs)*(cometChatEntity+2<<10)),
			decode: func(r io.Reader) error {
				clear(outcomes) // a retried attempt starts afresh
				return readAll(r, func(data []byte) error {
					// CometChat answers under the lower-cased id.
					m := matcher{jobs: jobs, name: jobID, fold: true}
					return cometchat.ReadImportAnswer(data, func(key []byte, a cometchat.Answer) {
						if i := m.find(key); i >= 0 {
							outcomes[i] = cometChatOutcome(c, a, op)
						}
					})
				})
			},
		})
		if err != nil {
			return nil, err
		}
		unanswered(outcomes)
		return outcomes, nil
	}
}

func cometChatOutcome(c *Client, a cometchat.Answer, op string) outcome {
	e := a.Error
	switch {
	case !a.Known:
		return outcome{status: StatusFailed, err: errNoAnswer, again: true}
	case a.Success && e == nil:
		return outcome{status: StatusImported}
	case e == nil:
		e = &cometchat.Error{Message: "the answer says the item failed without saying why"}
	}
	apiErr := c.finish(cometChatError(e), op)
	apiErr.HTTPStatus = http.StatusOK
	switch {
	case apiErr.Kind() == ErrAlreadyExists:
		return outcome{status: StatusExisted}
	case apiErr.temporary():
		return outcome{status: StatusFailed, err: apiErr, again: true}
	}
	return outcome{status: StatusFailed, err: apiErr}
}

// unixTime reads a wire time: 0 is "not sent", the zero time.
func unixTime(n cometchat.Int) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(int64(n), 0)
}

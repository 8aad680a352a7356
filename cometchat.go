package chatimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/chatimport/chatimport/internal/cometchat"
)

// cometChat speaks CometChat's REST API v3.
type cometChat struct {
	apiKey string
}

func cometChatDefaults() defaults {
	return defaults{batchSize: 50, importRate: cometChatImportRate, providerName: "CometChat"}
}

func (p *cometChat) name() string { return ProviderCometChat }

func (p *cometChat) authorize(req *http.Request) error {
	req.Header.Set("apikey", p.apiKey)
	return nil
}

func (p *cometChat) parseError(_ int, body []byte) *APIError {
	var b cometchat.ErrorBody
	if json.Unmarshal(body, &b) != nil || b.Error == nil || (b.Error.Code == "" && b.Error.Message == "") {
		return nil
	}
	return cometChatError(b.Error)
}

func cometChatError(e *cometchat.Error) *APIError {
	return &APIError{Provider: ProviderCometChat, Code: e.Code, Message: e.Message, DevMessage: e.DevMessage, Details: e.Details}
}

func (p *cometChat) users(c *Client) (*importSpec[User], error) {
	return &importSpec[User]{
		kind:     "user",
		keyField: "uid",
		id:       func(u *User, _ *arena) string { return u.UID },
		key:      lowerKey[User],
		check:    func(u *User, _ time.Time) *ValidationError { return checkUser(u, u.UID, "") },
		encode: func(dst []byte, u *User, _ string) ([]byte, error) {
			w := wireUser(u)
			b, err := cometchat.AppendUser(dst, &w, "")
			return b, metadataError(err)
		},
		send: c.cometChatSend(cometchat.PathImportUsers, "users"),
	}, nil
}

func (p *cometChat) members(c *Client) (*importSpec[Member], error) {
	return &importSpec[Member]{
		kind:     "member",
		keyField: "memberId",
		id:       memberID,
		key:      lowerKey[Member],
		check:    checkCometChatMember,
		encode: func(dst []byte, m *Member, id string) ([]byte, error) {
			w := wireMember(m, id)
			b, err := cometchat.AppendMember(dst, &w)
			return b, metadataError(err)
		},
		send: c.cometChatSend(cometchat.PathImportMembers, "members"),
	}, nil
}

// lowerKey is CometChat's key for an id: it lower-cases uids and guids, so
// ids differing only in case are one entity there. "_member_" is already
// lower case, so a memberId's key is its lower-cased self.
func lowerKey[T any](_ *T, id string) string { return strings.ToLower(id) }

// memberID builds "<guid>_member_<uid>" in the import's arena.
func memberID(m *Member, a *arena) string { return a.join(m.GUID, memberSep, m.UID) }

// metadataError turns metadata that does not encode into a
// *ValidationError naming it; metadata is the only part of an item that can
// fail to encode.
func metadataError(err error) error {
	if err == nil {
		return nil
	}
	var me *cometchat.MetadataError
	if errors.As(err, &me) {
		return fieldError(me.Field, "does not encode as JSON: %v", me.Err)
	}
	return err
}

func checkCometChatMember(m *Member, now time.Time) *ValidationError {
	if v := checkID("", "guid", m.GUID); v != nil {
		return v
	}
	if v := checkID("", "uid", m.UID); v != nil {
		return v
	}
	switch m.Scope {
	case "", ScopeAdmin, ScopeModerator, ScopeParticipant:
	default:
		return fieldError("scope", "is %q; want admin, moderator or participant", m.Scope)
	}
	if g := m.Group; g != nil {
		if g.GUID != "" && g.GUID != m.GUID {
			return fieldError("groupDetails.guid", "is %q but the member's guid is %q", g.GUID, m.GUID)
		}
		if v := checkGroup(g, m.GUID, "groupDetails."); v != nil {
			return v
		}
	}
	if u := m.User; u != nil {
		if u.UID != "" && u.UID != m.UID {
			return fieldError("userDetails.uid", "is %q but the member's uid is %q", u.UID, m.UID)
		}
		if v := checkUser(u, m.UID, "userDetails."); v != nil {
			return v
		}
	}
	return checkJoinedAt("joinedAt", m.JoinedAt, m.Group, now)
}

func wireUser(u *User) cometchat.User {
	return cometchat.User{
		UID: u.UID, Name: u.Name, Avatar: u.Avatar, Link: u.Link, Role: u.Role,
		CreatedAt: unix(u.CreatedAt), LastActiveAt: unix(u.LastActiveAt), DeactivatedAt: unix(u.DeactivatedAt),
		Metadata: u.Metadata, Tags: u.Tags,
	}
}

// wireMember is m on the wire; id is its memberId, already built.
func wireMember(m *Member, id string) cometchat.Member {
	scope := m.Scope
	if scope == "" {
		scope = ScopeParticipant
	}
	w := cometchat.Member{
		MemberID: id, GUID: m.GUID, UID: m.UID, Scope: string(scope),
		IsBanned: m.Banned, JoinedAt: unix(m.JoinedAt),
	}
	if g := m.Group; g != nil {
		w.GroupDetails = &cometchat.Group{
			GUID: m.GUID, Name: g.Name, Icon: g.Icon, Type: string(g.Type), Password: g.Password,
			Owner: g.Owner, CreatedAt: unix(g.CreatedAt), Metadata: g.Metadata, Tags: g.Tags,
		}
	}
	if m.User != nil {
		u := wireUser(m.User)
		u.UID = m.UID
		w.UserDetails = &u
	}
	return w
}

// errNoAnswer is an item the answer says nothing about: it may or may not
// have arrived, so it is sent again (an already-exists answer then settles it).
var errNoAnswer = fmt.Errorf("%w: the answer has no result for this item", ErrTemporary)

// cometChatSend sends a batch to one of the import endpoints, whose bodies
// and answers are keyed by id.
func (c *Client) cometChatSend(path, wrapper string) sendFunc {
	op := http.MethodPost + " " + c.basePath + path
	return func(ctx context.Context, jobs []job) ([]outcome, error) {
		size := 32
		for _, j := range jobs {
			size += len(j.id) + len(j.wire) + 4
		}
		body := cometchat.AppendBody(make([]byte, 0, size), wrapper, len(jobs),
			func(i int) string { return jobs[i].id }, func(i int) []byte { return jobs[i].wire })
		outcomes := make([]outcome, len(jobs))
		err := c.do(ctx, &request{
			method: http.MethodPost, path: path, body: body, budget: c.imports,
			decode: func(r io.Reader) error {
				clear(outcomes) // a retried attempt starts afresh
				return readAll(r, func(data []byte) error {
					// CometChat answers under the lower-cased id.
					m := matcher{jobs: jobs, name: jobID, fold: true}
					return cometchat.ReadImportAnswer(data, func(key []byte, a cometchat.Answer) {
						if i := m.find(key); i >= 0 {
							outcomes[i] = c.cometChatOutcome(a, op)
						}
					})
				})
			},
		})
		if err != nil {
			return nil, err
		}
		for i := range outcomes {
			if outcomes[i].status == 0 {
				outcomes[i] = outcome{status: StatusFailed, err: errNoAnswer, again: true}
			}
		}
		return outcomes, nil
	}
}

func (c *Client) cometChatOutcome(a cometchat.Answer, op string) outcome {
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

// listMembers fetches one page of GET /groups/{guid}/members on the list
// budget, which is apart from the imports' so that a verification walk
// neither waits behind an import nor slows it.
func (p *cometChat) listMembers(ctx context.Context, c *Client, guid, query string) (pageOf[Member], error) {
	var answer cometchat.MembersPage
	err := c.do(ctx, &request{
		method: http.MethodGet, path: cometchat.MembersPath(guid), query: query, budget: c.lists,
		decode: func(r io.Reader) error {
			return readAll(r, func(data []byte) (err error) {
				answer, err = cometchat.ReadMembersPage(data)
				return err
			})
		},
	})
	if err != nil {
		return pageOf[Member]{}, err
	}
	pg := answer.Meta.Pagination
	return pageOf[Member]{
		items:      listedMembers(guid, answer.Data),
		current:    int(pg.CurrentPage),
		perPage:    int(pg.PerPage),
		totalPages: int(pg.TotalPages),
		cursor:     Cursor{UpdatedAt: int64(answer.Cursor.UpdatedAt), Affix: answer.Cursor.Affix},
	}, nil
}

// listedMembers converts a page. The users share one allocation: they
// live and die with their page.
func listedMembers(guid string, data []cometchat.ListedMember) []Member {
	members := make([]Member, len(data))
	users := make([]User, len(data))
	for i := range data {
		w := &data[i]
		users[i] = User{
			UID: w.UID, Name: w.Name, Avatar: w.Avatar, Link: w.Link, Role: w.Role,
			Metadata: w.Metadata, Tags: w.Tags, Status: w.Status,
			CreatedAt: unixTime(w.CreatedAt), LastActiveAt: unixTime(w.LastActiveAt),
			DeactivatedAt: unixTime(w.DeactivatedAt),
		}
		members[i] = Member{
			GUID: guid, UID: w.UID, Scope: Scope(w.Scope),
			JoinedAt: unixTime(w.JoinedAt), User: &users[i],
		}
	}
	return members
}

// unixTime reads a wire time: 0 is "not sent", the zero time.
func unixTime(n cometchat.Int) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(int64(n), 0)
}

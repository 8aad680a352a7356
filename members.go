package chatimport

import (
	"context"
	"iter"
	"time"
)

// Scope is a member's rank in a group.
type Scope string

// The scopes CometChat knows. Tencent's import can set only admin; a
// participant there is an ordinary member.
const (
	ScopeAdmin       Scope = "admin"
	ScopeModerator   Scope = "moderator"
	ScopeParticipant Scope = "participant"
)

// Member is a user's membership of a group.
type Member struct {
	GUID, UID   string
	Scope       Scope // zero = participant
	Banned      bool
	JoinedAt    time.Time // zero = not sent
	UnreadCount int       // Tencent only
	Group       *Group    // CometChat: the group is created by the import if it does not exist
	User        *User     // CometChat: the user is created by the import if it does not exist
}

// memberSep joins a guid and a uid into a memberId.
const memberSep = "_member_"

// ID is the id an import reports the member under: "<guid>_member_<uid>",
// CometChat's memberId.
func (m *Member) ID() string { return m.GUID + memberSep + m.UID }

// ImportMembers imports group memberships with the guarantees of
// ImportUsers: one ItemResult per input member, in input order; invalid
// members refused before any request; repeats skipped; existing memberships
// StatusExisted.
func (c *Client) ImportMembers(ctx context.Context, members []Member) (*ImportResult, error) {
	return importAll(ctx, c, c.ep.members, members)
}

// ImportMembersSeq is the streaming form of ImportMembers, with the
// guarantees of ImportUsersSeq. On Tencent, which takes one group's
// members a request, members of groups that interleave in the stream wait
// in partial requests, at most 16,384 members in all (about 2.5 MB) before
// the fullest request goes out early; a stream sorted by group holds none.
func (c *Client) ImportMembersSeq(ctx context.Context, members iter.Seq2[Member, error], fn func(ItemResult)) error {
	return importSeq(ctx, c, c.ep.members, members, fn)
}

// ListMembersOptions narrows and pages a listing of a group's members. The
// zero value lists every member, a thousand to a page.
type ListMembersOptions struct {
	// PerPage is the page size, 1 to 1000; 0 means 1000, the most CometChat
	// allows, so a large group takes the fewest requests.
	PerPage int `url:"perPage,omitempty"`
	// Page is the page to start at, from 1; 0 means 1.
	Page int `url:"page,omitempty"`
	// Status keeps only members whose user is "available" or "offline".
	Status string `url:"status,omitempty"`
	// Scopes keeps only members of these scopes.
	Scopes []Scope `url:"scopes,comma,omitempty"`
}

// ListMembers returns every member of the group guid, page after page, for
// use in one range loop. On CometChat each member has its User filled in;
// Tencent lists only the account, and lists a group's Owner as an admin
// (ListGroups names the owner). The loop ends after the last member, when
// it breaks, or after yielding the first error once: a *ValidationError
// for invalid options before any request, an *APIError (ErrNotFound for an
// unknown group), a context error, or ErrPageRepeated. opts may be nil; it
// is copied when ListMembers is called, never changed. Each range over the
// sequence walks the group anew.
//
// Pages are fetched ahead of the loop, on goroutines of their own, and
// handed over in order: where pages are numbered (CometChat) or counted
// by offset (Tencent's ordinary groups), as many at once as the listing's
// pacing needs with 100 ms round trips (34 on CometChat, 20 on Tencent by
// default) and no more than the server counts after the latest page;
// where pages follow a cursor (Community groups), the next one only; the
// walk holds at most that many pages besides the loop's. A loop that
// breaks, or panics, cancels the requests under way and returns once they
// have ended: the server may have answered some of them, and no request
// starts after the loop.
//
// To stop and later continue a long walk, use MembersPager.
func (c *Client) ListMembers(ctx context.Context, guid string, opts *ListMembersOptions) iter.Seq2[Member, error] {
	p := c.MembersPager(guid, opts)
	return func(yield func(Member, error) bool) {
		p.fresh().All(ctx)(yield)
	}
}

// MembersPager returns a pager over the members of the group guid, for
// walks that save their Position and resume after a stop. Invalid options,
// or a provider that cannot list members, make its first NextPage return
// the error without a request. opts may be nil; it is copied, never
// changed.
func (c *Client) MembersPager(guid string, opts *ListMembersOptions) *Pager[Member] {
	if c.ep.listMembers == nil {
		return failedPager[Member](c.unsupported("listing members"))
	}
	return c.ep.listMembers(c, guid, opts)
}

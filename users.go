package chatimport

import (
	"context"
	"iter"
	"time"
)

// User is a chat user as both providers' import documents describe it.
type User struct {
	UID, Name, Avatar, Link, Role          string
	Metadata                               map[string]any
	Tags                                   []string
	CreatedAt, LastActiveAt, DeactivatedAt time.Time // zero = not sent
	Status                                 string    // read-only, filled by listing
}

// ImportUsers imports users and reports every one of them: ImportResult has
// exactly one ItemResult per input user, in input order. Invalid users are
// refused before any request while the valid ones still go; a user repeated
// later in the call is skipped; a user the provider has already is
// StatusExisted. The error is nil when every user was imported or existed,
// and otherwise an *ImportError whose causes match errors.Is and errors.As.
//
// On CometChat, uids differing only in letter case are one user there: the
// later of two such uids is refused rather than merged.
//
// On Tencent every account not failed is StatusImported: its answer never
// says whether an account existed (a re-import only updates its nickname
// and photo).
//
// If the context ends or an error befalls every request (bad credentials,
// no permission), the users not sent are StatusSkipped with that cause.
// A nil context panics, as in net/http. The result is nil only with an
// error: ErrUnsupported when the provider cannot import users.
func (c *Client) ImportUsers(ctx context.Context, users []User) (*ImportResult, error) {
	return importAll(ctx, c, c.ep.users, users)
}

// ImportUsersSeq is the streaming form of ImportUsers, for inputs too large
// to hold: it pulls users from the sequence only as fast as they are sent
// and hands each ItemResult to fn as soon as it is known (not in input
// order; fn is called from one goroutine at a time, the caller's). The
// source reports a read error as its second value; that ends the import
// like an error fatal to it, and the error returned wraps it.
//
// Memory stays bounded by batch size × concurrency, plus what exact
// duplicate detection keeps for each distinct uid: its bytes and about 19
// more (32 bytes for a 13-byte uid, measured in BENCHMARKS.md). When the context ends, an error is fatal to the
// whole import or the source fails, it stops pulling users at once: the
// requests in flight finish, users read but not yet sent are StatusSkipped
// with the cause, none after them are reported, and the *ImportError
// returned says how many it read (Unread, Read). It returns nil when every user read was
// imported or existed.
func (c *Client) ImportUsersSeq(ctx context.Context, users iter.Seq2[User, error], fn func(ItemResult)) error {
	return importSeq(ctx, c, c.ep.users, users, fn)
}

// ListUsersOptions pages a listing of an app's users. nil or the zero value
// lists every user, deactivated ones included, in the provider's largest
// pages.
type ListUsersOptions struct {
	PerPage int `url:"perPage,omitempty"` // page size; 0: the provider's largest
	Page    int `url:"page,omitempty"`    // the page to start at, from 1; 0: the first
	// Deactivated chooses users by whether they are deactivated: "" lists
	// all of them, so that an export loses nobody (CometChat itself leaves
	// deactivated users out unless asked); "exclude" lists only active
	// users, "only" only deactivated ones.
	Deactivated string `url:"-"`
}

// ListUsers returns every user of the app, page after page, for use in one
// range loop, with the loop rules of ListMembers. On CometChat each user
// carries every field ImportUsers sends, tags included, so an export
// re-imports unchanged.
//
// On Tencent it yields ErrUnsupported: Tencent has no call that lists
// accounts. Collect them from the groups' member lists (ListGroups, then
// ListMembers), or check known ids with Tencent's account_check.
func (c *Client) ListUsers(ctx context.Context, opts *ListUsersOptions) iter.Seq2[User, error] {
	p := c.UsersPager(opts)
	return func(yield func(User, error) bool) { p.fresh().All(ctx)(yield) }
}

// UsersPager returns a pager over the app's users, for walks that save
// their Position and resume after a stop; see MembersPager.
func (c *Client) UsersPager(opts *ListUsersOptions) *Pager[User] {
	if c.ep.listUsers == nil {
		return failedPager[User](c.unsupported("listing users"))
	}
	return c.ep.listUsers(c, opts)
}

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
func (c *Client) ImportUsers(ctx context.Context, users []User) (*ImportResult, error) {
	return importAll(ctx, c, c.provider.users, users)
}

// ImportUsersSeq is the streaming form of ImportUsers: it pulls users from
// the sequence only as fast as they are sent, so memory stays bounded by
// batch size × concurrency, and hands each ItemResult to fn as soon as it is
// known (not in input order; fn is called from one goroutine at a time,
// the caller's). It returns what ImportUsers would.
func (c *Client) ImportUsersSeq(ctx context.Context, users iter.Seq[User], fn func(ItemResult)) error {
	return importSeq(ctx, c, c.provider.users, users, fn)
}

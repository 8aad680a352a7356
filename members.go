package chatimport

import (
	"context"
	"errors"
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

// ID is the id an import reports the member under: "<guid>_member_<uid>",
// CometChat's memberId.
func (m *Member) ID() string { return m.GUID + "_member_" + m.UID }

// ImportMembers imports group memberships with the guarantees of
// ImportUsers: one ItemResult per input member, in input order; invalid
// members refused before any request; repeats skipped; existing memberships
// StatusExisted.
func (c *Client) ImportMembers(ctx context.Context, members []Member) (*ImportResult, error) {
	spec, err := c.provider.members(c)
	if err != nil {
		return nil, err
	}
	return importAll(ctx, c, spec, members)
}

// ImportMembersSeq is the streaming form of ImportMembers, with the
// guarantees of ImportUsersSeq.
func (c *Client) ImportMembersSeq(ctx context.Context, members iter.Seq[Member], fn func(ItemResult)) error {
	spec, err := c.provider.members(c)
	if err != nil {
		return err
	}
	if fn == nil {
		return errors.New("chatimport: ImportMembersSeq: nil fn")
	}
	return runImport(ctx, c, spec, members, fn)
}

package chatimport

import (
	"context"
	"iter"
	"time"
)

// GroupType is who may join a group.
type GroupType string

// The group types both providers' import documents name.
const (
	GroupPublic   GroupType = "public"
	GroupPassword GroupType = "password" // joining needs Group.Password
	GroupPrivate  GroupType = "private"
)

// The group types of Tencent Cloud Chat beyond public and private.
const (
	GroupMeeting   GroupType = "meeting"   // Tencent's ChatRoom (Meeting): anyone may join and leave
	GroupCommunity GroupType = "community" // Tencent's Community: up to 100,000 members; its id starts with "@TGS#_"
)

// Group describes a group. CometChat creates it from these details when a
// member import names a group that does not exist yet.
type Group struct {
	GUID, Name, Icon, Password, Owner string
	Type                              GroupType
	CreatedAt                         time.Time // zero = not sent
	Metadata                          map[string]any
	Tags                              []string
	Description                       string
	// OwnerUser is the owner's user, for CometChat's groupOwnerDetails: a
	// groups import creates the owner from it when the user does not exist
	// yet. Its UID is Owner's, or empty for Owner's. Listing leaves it nil.
	OwnerUser *User

	// Tencent Cloud Chat's group profile beyond Description (its
	// Introduction); CometChat has no place for these.

	// Notification is the group's notice, at most 300 bytes.
	Notification string
	// MaxMembers is the most members the group may hold; 0 leaves it to
	// Tencent (the most the app's edition allows).
	MaxMembers int
	// JoinOption is how others may join: "FreeAccess", "NeedPermission"
	// or "DisableApply"; "" leaves it to Tencent.
	JoinOption string
}

// ImportGroups imports groups with the guarantees of ImportUsers: one
// ItemResult per input group, in input order; invalid groups refused
// before any request; repeats skipped; a group the provider has already
// StatusExisted.
//
// On CometChat, guids differing only in letter case are one group there:
// the later of two such guids is refused rather than merged. A password
// group needs its Password; CometChat takes no meeting or community type.
//
// On Tencent, ids are case-sensitive and each group is one request; a
// group id already in use is StatusExisted, and an Owner must be an
// account imported before.
func (c *Client) ImportGroups(ctx context.Context, groups []Group) (*ImportResult, error) {
	return importAll(ctx, c, c.ep.groups, groups)
}

// ImportGroupsSeq is the streaming form of ImportGroups, with the
// guarantees of ImportUsersSeq.
func (c *Client) ImportGroupsSeq(ctx context.Context, groups iter.Seq2[Group, error], fn func(ItemResult)) error {
	return importSeq(ctx, c, c.ep.groups, groups, fn)
}

// ListGroupsOptions pages a listing of an app's groups. nil or the zero
// value lists every group, in the provider's largest pages.
type ListGroupsOptions struct {
	PerPage int `url:"perPage,omitempty"` // page size; 0: the provider's largest
	Page    int `url:"page,omitempty"`    // the page to start at, from 1; 0: the first
}

// ListGroups returns every group of the app, page after page, for use in
// one range loop, with the loop rules of ListMembers. On CometChat each
// group carries every field ImportGroups sends but two: Password, which
// CometChat never lists (set it again before importing a password group
// elsewhere), and OwnerUser (list the owner with ListUsers). On Tencent
// each group carries every field ImportGroups sends, and a type with no
// portable name keeps Tencent's, lower-cased ("avchatroom"); its list
// follows a cursor, so only the next page is fetched ahead, and each
// page's details are read up to 20 requests at once.
func (c *Client) ListGroups(ctx context.Context, opts *ListGroupsOptions) iter.Seq2[Group, error] {
	p := c.GroupsPager(opts)
	return func(yield func(Group, error) bool) { p.fresh().All(ctx)(yield) }
}

// GroupsPager returns a pager over the app's groups, for walks that save
// their Position and resume after a stop; see MembersPager.
func (c *Client) GroupsPager(opts *ListGroupsOptions) *Pager[Group] {
	if c.ep.listGroups == nil {
		return failedPager[Group](c.unsupported("listing groups"))
	}
	return c.ep.listGroups(c, opts)
}

package chatimport

import (
	"context"
	"fmt"
	"strconv"

	"github.com/chatimport/chatimport/internal/cometchat"
)

// cometChatList is one of CometChat's listings, all paged by page number.
type cometChatList[T any] struct {
	list, of, path string
	perPage        int
	first          int
	// query is the query of page n; of page 0 it is the options the
	// position is counted under.
	query func(n int) any
	key   func(*T) string
	read  func([]byte) ([]T, cometchat.Pagination, error)
}

// pager walks the listing from its first page, as many pages at once as
// the listing budget's pace needs with 100 ms round trips: page n+1 is
// named without asking, and the server's page count bounds how far ahead.
func (l *cometChatList[T]) pager(c *Client) *Pager[T] {
	q, err := encodeQuery(l.query(0))
	if err != nil {
		return failedPager[T](err)
	}
	pos := Position{Provider: ProviderCometChat, List: l.list, Of: l.of, Query: q, Token: strconv.Itoa(l.first)}
	p := newPager(pos, l.key, func(ctx context.Context, token string) (page[T], error) {
		n, err := strconv.Atoi(token)
		if err != nil || n < 1 {
			return page[T]{}, fmt.Errorf("%w: page token %q is not a page number", ErrInvalidRequest, token)
		}
		var items []T
		var pg cometchat.Pagination
		if err := c.getPage(ctx, l.path, pageLimit(l.perPage), l.query(n), func(data []byte) (err error) {
			items, pg, err = l.read(data)
			return err
		}); err != nil {
			return page[T]{}, err
		}
		last, err := cometChatLastPage(n, l.perPage, len(items), pg)
		if err != nil {
			return page[T]{}, fmt.Errorf("listing %s: %w", l.what(), err)
		}
		return page[T]{items: items, next: strconv.Itoa(n + 1), last: last, ahead: max(int(pg.TotalPages)-n, 0)}, nil
	})
	return p.readahead(c.budgets[cometChatLists].concurrency, nextPageNumber)
}

// nextPageNumber is the token of the page after the page numbered token.
func nextPageNumber(token string) string {
	n, err := strconv.Atoi(token)
	if err != nil {
		return ""
	}
	return strconv.Itoa(n + 1)
}

func (l *cometChatList[T]) what() string {
	if l.of != "" {
		return fmt.Sprintf("%s of %q", l.list, l.of)
	}
	return l.list
}

// cometChatUsersQuery is the query of GET /users. Tags are listed only
// when asked for, and deactivated users only when asked for: an export
// needs both.
type cometChatUsersQuery struct {
	PerPage         int  `url:"perPage"`
	Page            int  `url:"page,omitempty"`
	WithTags        bool `url:"withTags"`
	WithDeactivated bool `url:"withDeactivated,omitempty"`
	OnlyDeactivated bool `url:"onlyDeactivated,omitempty"`
}

// cometChatUsers walks GET /users
// (https://www.cometchat.com/docs/rest-api/users/list).
func cometChatUsers(c *Client, opts *ListUsersOptions) *Pager[User] {
	var o ListUsersOptions
	if opts != nil {
		o = *opts
	}
	perPage, first, err := cometChatPaging("users", o.PerPage, o.Page)
	if err == nil {
		switch o.Deactivated {
		case "", "exclude", "only":
		default:
			v := fieldError("deactivated", `is %q; want "", "exclude" or "only"`, o.Deactivated)
			v.Index, v.ID = -1, "users"
			err = v
		}
	}
	if err != nil {
		return failedPager[User](err)
	}
	l := &cometChatList[User]{
		list: "users", path: cometchat.PathUsers, perPage: perPage, first: first,
		query: func(n int) any {
			return &cometChatUsersQuery{PerPage: perPage, Page: n, WithTags: true,
				WithDeactivated: o.Deactivated == "", OnlyDeactivated: o.Deactivated == "only"}
		},
		key: func(u *User) string { return u.UID },
		read: func(data []byte) ([]User, cometchat.Pagination, error) {
			p, err := cometchat.ReadUsersPage(data)
			return listedUsers(p.Data), p.Meta.Pagination, err
		},
	}
	return l.pager(c)
}

// cometChatGroupsQuery is the query of GET /groups.
type cometChatGroupsQuery struct {
	PerPage  int  `url:"perPage"`
	Page     int  `url:"page,omitempty"`
	WithTags bool `url:"withTags"`
}

// cometChatGroupList walks GET /groups
// (https://www.cometchat.com/docs/rest-api/groups/list).
func cometChatGroupList(c *Client, opts *ListGroupsOptions) *Pager[Group] {
	var o ListGroupsOptions
	if opts != nil {
		o = *opts
	}
	perPage, first, err := cometChatPaging("groups", o.PerPage, o.Page)
	if err != nil {
		return failedPager[Group](err)
	}
	l := &cometChatList[Group]{
		list: "groups", path: cometchat.PathGroups, perPage: perPage, first: first,
		query: func(n int) any { return &cometChatGroupsQuery{PerPage: perPage, Page: n, WithTags: true} },
		key:   func(g *Group) string { return g.GUID },
		read: func(data []byte) ([]Group, cometchat.Pagination, error) {
			p, err := cometchat.ReadGroupsPage(data)
			return listedGroups(p.Data), p.Pagination, err
		},
	}
	return l.pager(c)
}

// cometChatPaging validates a page size and a first page, 0 meaning the
// largest page and the first; errors name id, what is listed.
func cometChatPaging(id string, perPage, page int) (int, int, error) {
	invalid := func(v *ValidationError) (int, int, error) {
		v.Index, v.ID = -1, id
		return 0, 0, v
	}
	switch {
	case perPage == 0:
		perPage = maxPerPage
	case perPage < 1 || perPage > maxPerPage:
		return invalid(fieldError("perPage", "is %d; want 1 to %d, or 0 for %d", perPage, maxPerPage, maxPerPage))
	}
	switch {
	case page == 0:
		page = 1
	case page < 0:
		return invalid(fieldError("page", "is %d; pages count from 1", page))
	}
	return perPage, page, nil
}

func listedUsers(data []cometchat.ListedUser) []User {
	users := make([]User, len(data))
	for i := range data {
		users[i] = listedUser(&data[i])
	}
	return users
}

// listedUser is a listed user, or a listed member's user, as a User.
func listedUser(w *cometchat.ListedUser) User {
	return User{
		UID: w.UID, Name: w.Name, Avatar: w.Avatar, Link: w.Link, Role: w.Role,
		Metadata: w.Metadata, Tags: w.Tags, Status: w.Status,
		CreatedAt: unixTime(w.CreatedAt), LastActiveAt: unixTime(w.LastActiveAt),
		DeactivatedAt: unixTime(w.DeactivatedAt),
	}
}

func listedGroups(data []cometchat.ListedGroup) []Group {
	groups := make([]Group, len(data))
	for i := range data {
		w := &data[i]
		groups[i] = Group{
			GUID: w.GUID, Name: w.Name, Icon: w.Icon, Description: w.Description, Owner: w.Owner,
			Type: GroupType(w.Type), CreatedAt: unixTime(w.CreatedAt), Metadata: w.Metadata, Tags: w.Tags,
		}
	}
	return groups
}

package chatimport

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
		q, err := encodeQuery(l.query(n))
		if err != nil {
			return page[T]{}, err
		}
		var items []T
		var pg cometchat.Pagination
		// On the list budget, apart from the imports', so that a
		// verification walk neither waits behind an import nor slows it.
		err = c.do(ctx, &request{
			method: http.MethodGet, path: l.path, query: q, budget: cometChatLists, limit: pageLimit(l.perPage),
			decode: func(r io.Reader) error {
				return readAll(r, func(data []byte) (err error) {
					items, pg, err = l.read(data)
					return err
				})
			},
		})
		if err != nil {
			return page[T]{}, err
		}
		last, err := cometChatLastPage(n, l.perPage, len(items), pg)
		if err != nil {
			return page[T]{}, fmt.Errorf("listing %s: %w", pos.what(), err)
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

// cometChatMembers walks GET /groups/{guid}/members page by page
// (https://www.cometchat.com/docs/rest-api/group-members/list).
func cometChatMembers(c *Client, guid string, opts *ListMembersOptions) *Pager[Member] {
	o, err := cometChatMemberOptions(guid, opts)
	if err != nil {
		return failedPager[Member](err)
	}
	l := &cometChatList[Member]{
		list: "members", of: guid, path: cometchat.MembersPath(guid), perPage: o.PerPage, first: o.Page,
		query: func(n int) any {
			at := o
			at.Page = n
			return &at
		},
		key: func(m *Member) string { return m.UID },
		read: func(data []byte) ([]Member, cometchat.Pagination, error) {
			p, err := cometchat.ReadMembersPage(data)
			return listedMembers(guid, p.Data), p.Meta.Pagination, err
		},
	}
	return l.pager(c)
}

// pageLimit bounds a page of n entries: each at most an entity's 10 KB and
// its membership's fields.
func pageLimit(n int) int64 { return int64(4<<10 + n*(cometChatEntity+2<<10)) }

// cometChatLastPage judges a page of n items asked as page number n of
// size perPage. The end is an empty page, or a page that is both short
// and, by the server's count, the last. Neither signal alone is enough: a
// server may cap the page size below what was asked, and its counts are
// not to be trusted (CometChat's documented example lists four members
// with count 5 and total 0), so a walk ends on the pair or, at worst, one
// request later on an empty page. A page is short against the smaller of
// the size asked and the size the server says it serves.
func cometChatLastPage(asked, perPage, n int, pg cometchat.Pagination) (bool, error) {
	if cur := int(pg.CurrentPage); cur > 0 && cur != asked {
		return false, fmt.Errorf("%w: asked for page %d, the server answered page %d", ErrPageRepeated, asked, cur)
	}
	size := perPage
	if pg.PerPage > 0 {
		size = min(size, int(pg.PerPage))
	}
	return n < size && pg.TotalPages > 0 && asked >= int(pg.TotalPages), nil
}

// listedMembers converts a page. The users share one allocation: they
// live and die with their page.
func listedMembers(guid string, data []cometchat.ListedMember) []Member {
	members := make([]Member, len(data))
	users := make([]User, len(data))
	for i := range data {
		w := &data[i]
		users[i] = listedUser(&w.ListedUser)
		members[i] = Member{
			GUID: guid, UID: w.UID, Scope: Scope(w.Scope),
			JoinedAt: unixTime(w.JoinedAt), User: &users[i],
		}
	}
	return members
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

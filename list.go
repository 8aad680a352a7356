package chatimport

import (
	"context"
	"slices"
	"strings"

	"github.com/google/go-querystring/query"
)

// maxPerPage is CometChat's largest page of members, and the default: a
// walk of a million members then takes a thousand requests, not ten
// thousand at the server's default of 100.
const maxPerPage = 1000

// memberLister is a provider that can list a group's members. It is apart
// from provider so that a provider without listing still builds; the
// Client answers ErrUnsupported for it.
type memberLister interface {
	// listMembers fetches one page; query is the encoded
	// ListMembersOptions, page included.
	listMembers(ctx context.Context, c *Client, guid, query string) (pageOf[Member], error)
}

// listOptions validates the caller's options and returns a copy with the
// defaults filled in, so that nothing the caller does to opts later (or
// did before) changes a walk under way.
func listOptions(guid string, opts *ListMembersOptions) (ListMembersOptions, error) {
	var o ListMembersOptions
	if opts != nil {
		o = *opts
		o.Scopes = slices.Clone(opts.Scopes)
	}
	invalid := func(v *ValidationError) error {
		v.Index, v.ID = -1, guid
		return v
	}
	if v := checkID("", "guid", guid); v != nil {
		return o, invalid(v)
	}
	switch {
	case o.PerPage == 0:
		o.PerPage = maxPerPage
	case o.PerPage < 1 || o.PerPage > maxPerPage:
		return o, invalid(fieldError("perPage", "is %d; want 1 to %d, or 0 for %d", o.PerPage, maxPerPage, maxPerPage))
	}
	switch {
	case o.Page == 0:
		o.Page = 1
	case o.Page < 0:
		return o, invalid(fieldError("page", "is %d; pages count from 1", o.Page))
	}
	switch o.Status {
	case "", "available", "offline":
	default:
		return o, invalid(fieldError("status", "is %q; want available or offline", o.Status))
	}
	for _, s := range o.Scopes {
		switch s {
		case ScopeAdmin, ScopeModerator, ScopeParticipant:
		default:
			return o, invalid(fieldError("scopes", "has %q; want admin, moderator or participant", s))
		}
	}
	return o, nil
}

// encodeListOptions is the query string of validated options.
func encodeListOptions(o *ListMembersOptions) (string, error) {
	v, err := query.Values(o)
	if err != nil {
		return "", err
	}
	// CometChat documents scopes as one comma-separated value. Validated
	// options hold no other comma, and a literal comma is legal in a query,
	// so the separator is sent as written rather than as %2C.
	return strings.ReplaceAll(v.Encode(), "%2C", ","), nil
}

// newMembersPager walks the group's member pages from o.Page.
func newMembersPager(c *Client, lister memberLister, guid string, o ListMembersOptions) *Pager[Member] {
	counted := o
	counted.Page = 0
	q, err := encodeListOptions(&counted)
	if err != nil {
		return failedPager[Member](err)
	}
	return &Pager[Member]{
		id:      guid,
		query:   q,
		perPage: o.PerPage,
		fetch: func(ctx context.Context, page int) (pageOf[Member], error) {
			at := o
			at.Page = page
			q, err := encodeListOptions(&at)
			if err != nil {
				return pageOf[Member]{}, err
			}
			return lister.listMembers(ctx, c, guid, q)
		},
		key: func(m *Member) string { return m.UID },
		pos: Position{Page: o.Page, Query: q},
	}
}

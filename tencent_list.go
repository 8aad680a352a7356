package chatimport

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/chatimport/chatimport/internal/tencent"
)

// tencentMembersPage is the largest page get_group_member_info is asked
// for. The documents disagree (200 with 100 recommended, 6,000, 10,000 in
// older versions and SDKs); 100 is the safe reading, and keeps a page of
// members well under the 1 MB answer limit (10018).
const tencentMembersPage = 100

// tencentMemberFields are the member fields a listing asks for
// (Member_Account always comes): fewer fields, smaller answers.
var tencentMemberFields = []string{"Role", "JoinTime"}

// listMembers walks get_group_member_info
// (https://www.tencentcloud.com/document/product/1047/34948). An ordinary
// group pages by Offset, its token the offset in decimal; a Community
// group (its id starts with "@TGS#_") refuses Offset and pages by the
// opaque Next cursor, its token that cursor, "" at first. Offsets let All
// fetch many pages at once; a cursor, only the next. The group's
// Owner is listed with ScopeAdmin, the nearest portable scope; the
// group's Owner field (ListGroups) names it, so an import of the group
// and then its members restores it.
func (p *tencentChat) listMembers(c *Client, guid string, opts *ListMembersOptions) *Pager[Member] {
	o, roles, err := tencentMemberOptions(guid, opts)
	if err != nil {
		return failedPager[Member](err)
	}
	community := strings.HasPrefix(guid, tencentCommunityPrefix)
	q := url.Values{"perPage": {strconv.Itoa(o.PerPage)}}
	if len(roles) > 0 {
		q.Set("roles", strings.Join(roles, ","))
	}
	pos := Position{Provider: ProviderTencent, List: "members", Of: guid, Query: q.Encode()}
	if !community {
		pos.Token = strconv.Itoa((o.Page - 1) * o.PerPage)
	}
	key := func(m *Member) string { return m.UID }
	pager := newPager(pos, key, func(ctx context.Context, token string) (page[Member], error) {
		req := tencent.MemberInfoRequest{GroupID: guid, Limit: o.PerPage, MemberInfoFilter: tencentMemberFields, MemberRoleFilter: roles}
		var offset int64
		if community {
			req.Next = &token
		} else {
			n, err := strconv.ParseInt(token, 10, 64)
			if err != nil || n < 0 {
				return page[Member]{}, fmt.Errorf("%w: member list token %q is not an offset", ErrInvalidRequest, token)
			}
			offset, req.Offset = n, &n
		}
		body, _ := json.Marshal(&req)
		answer, err := tencentPost[tencent.MemberInfoAnswer](ctx, c, p, tencent.PathGroupMemberInfo, tencentListMembers, body)
		if err != nil {
			return page[Member]{}, err
		}
		members, err := listedTencentMembers(guid, answer.MemberList)
		if err != nil {
			return page[Member]{}, err
		}
		if community {
			return page[Member]{items: members, next: answer.Next, last: answer.Next == ""}, nil
		}
		// MemberNum alone does not end the walk: a short page ends it only
		// when the count agrees exactly, so a server that serves fewer than
		// asked, or miscounts, costs at worst one more request, for an
		// empty page.
		end := offset + int64(len(members))
		last := len(members) < o.PerPage && end == answer.MemberNum
		ahead := int(max(answer.MemberNum-end+int64(o.PerPage)-1, 0) / int64(o.PerPage))
		return page[Member]{items: members, next: strconv.FormatInt(end, 10), last: last, ahead: ahead}, nil
	})
	if community {
		return pager
	}
	// Offsets name later pages without asking; a page shorter than asked
	// moves the next offset, and the pages guessed past it are dropped.
	return pager.readahead(c.budgets[tencentListMembers].concurrency, func(token string) string {
		n, err := strconv.ParseInt(token, 10, 64)
		if err != nil {
			return ""
		}
		return strconv.FormatInt(n+int64(o.PerPage), 10)
	})
}

// tencentMemberOptions validates the options before any request, and
// returns them with the defaults filled in and the role filter they ask
// for, sorted so that a Position compares equal however the scopes were
// ordered.
func tencentMemberOptions(guid string, opts *ListMembersOptions) (ListMembersOptions, []string, error) {
	var o ListMembersOptions
	if opts != nil {
		o = *opts
	}
	invalid := func(v *ValidationError) (ListMembersOptions, []string, error) {
		v.Index, v.ID = -1, guid
		return o, nil, v
	}
	if v := checkTencentID("guid", guid, 0); v != nil {
		return invalid(v)
	}
	switch {
	case o.PerPage == 0:
		o.PerPage = tencentMembersPage
	case o.PerPage < 1 || o.PerPage > tencentMembersPage:
		return invalid(fieldError("perPage", "is %d; want 1 to %d on Tencent, or 0 for %d", o.PerPage, tencentMembersPage, tencentMembersPage))
	}
	switch {
	case o.Page == 0:
		o.Page = 1
	case o.Page < 0:
		return invalid(fieldError("page", "is %d; pages count from 1", o.Page))
	case o.Page > 1 && strings.HasPrefix(guid, tencentCommunityPrefix):
		return invalid(fieldError("page", "is %d, but a Community group pages by cursor only; resume a walk with Pager.Resume", o.Page))
	}
	if o.Status != "" {
		return invalid(fieldError("status", "is %q, but Tencent cannot list members by online status", o.Status))
	}
	var roles []string
	for _, s := range o.Scopes {
		switch s {
		case ScopeAdmin:
			roles = append(roles, "Owner", "Admin")
		case ScopeParticipant:
			roles = append(roles, "Member")
		case ScopeModerator:
			return invalid(fieldError("scopes", "has moderator, which Tencent does not have"))
		default:
			return invalid(fieldError("scopes", "has %q; want admin or participant", s))
		}
	}
	slices.Sort(roles)
	return o, slices.Compact(roles), nil
}

// listedTencentMembers converts a page. A role it does not know is an
// error rather than a guess: a member listed with the wrong scope would
// be imported with it.
func listedTencentMembers(guid string, list []tencent.ListMember) ([]Member, error) {
	members := make([]Member, len(list))
	for i, w := range list {
		var scope Scope
		switch role := strings.TrimSpace(w.Role); role {
		case "Owner", "Admin":
			scope = ScopeAdmin
		case "Member", "":
			scope = ScopeParticipant
		default:
			return nil, fmt.Errorf("chatimport: listing members of %q: member %q has role %q, which is not Owner, Admin or Member", guid, w.Account, role)
		}
		members[i] = Member{GUID: guid, UID: w.Account, Scope: scope, JoinedAt: tencentTime(int64(w.JoinTime))}
	}
	return members, nil
}

package chatimport

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memberAnswer serves members [offset, offset+limit) of n, the first the
// owner, the second an admin.
func memberAnswer(call apiCall, n int, role func(i int) string) map[string]any {
	limit := int(call.body["Limit"].(float64))
	offset := 0
	if v, ok := call.body["Offset"].(float64); ok {
		offset = int(v)
	}
	list := []map[string]any{}
	for i := offset; i < min(offset+limit, n); i++ {
		list = append(list, map[string]any{"Member_Account": fmt.Sprint("m", i), "Role": role(i), "JoinTime": 1_700_000_000 + i})
	}
	return ok(map[string]any{"MemberNum": n, "MemberList": list})
}

func roles(i int) string {
	switch i {
	case 0:
		return "Owner"
	case 1:
		return "Admin"
	}
	return "Member " // as in the documented sample, with a blank
}

func drain[T any](t *testing.T, seq func(func(T, error) bool)) ([]T, error) {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func TestTencentListMembersByOffset(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(_ int, call apiCall) any { return memberAnswer(call, 250, roles) })
	members, err := drain(t, c.ListMembers(t.Context(), "g", nil))
	require.NoError(t, err)
	require.Len(t, members, 250)
	assert.Equal(t, Member{GUID: "g", UID: "m0", Scope: ScopeAdmin, JoinedAt: time.Unix(1_700_000_000, 0)}, members[0], "the owner is an admin")
	assert.Equal(t, ScopeAdmin, members[1].Scope)
	assert.Equal(t, ScopeParticipant, members[2].Scope, "a role with a trailing blank is still Member")
	calls := s.Calls()
	require.Len(t, calls, 3, "100, 100, then a short page the count agrees is the last")
	assert.ElementsMatch(t, []float64{0, 100, 200}, callOffsets(calls), "pages fetched ahead arrive in any order")
	for _, call := range calls {
		assert.Equal(t, "get_group_member_info", call.command)
		assert.EqualValues(t, 100, call.body["Limit"])
		assert.NotContains(t, call.body, "Next", "an ordinary group pages by Offset")
		assert.Equal(t, []any{"Role", "JoinTime"}, call.body["MemberInfoFilter"])
	}
}

func TestTencentListMembersCountNotTrusted(t *testing.T) {
	// The server serves 40 a page however many are asked, and counts 0.
	c, s, _ := setupTencentAPI(t, func(_ int, call apiCall) any {
		call.body["Limit"] = float64(40)
		a := memberAnswer(call, 90, roles)
		a["MemberNum"] = 0
		return a
	})
	members, err := drain(t, c.ListMembers(t.Context(), "g", nil))
	require.NoError(t, err)
	assert.Len(t, members, 90)
	assert.Len(t, s.Calls(), 4, "40, 40, 10 and an empty page")
}

func TestTencentListMembersCommunityCursor(t *testing.T) {
	const n = 250
	c, s, _ := setupTencentAPI(t, func(_ int, call apiCall) any {
		start := 0
		if next := call.body["Next"].(string); next != "" {
			start, _ = strconv.Atoi(next[len("cur"):])
		}
		list := []map[string]any{}
		for i := start; i < min(start+100, n); i++ {
			list = append(list, map[string]any{"Member_Account": fmt.Sprint("m", i), "Role": "Member"})
		}
		next := ""
		if start+100 < n {
			next = fmt.Sprint("cur", start+100)
		}
		return ok(map[string]any{"MemberNum": n, "MemberList": list, "Next": next})
	})
	p := c.MembersPager("@TGS#_comm", nil)
	first, err := p.NextPage(t.Context())
	require.NoError(t, err)
	assert.Len(t, first, 100)
	saved := p.Position()
	assert.Equal(t, "cur100", saved.Token)

	q := c.MembersPager("@TGS#_comm", nil)
	require.NoError(t, q.Resume(saved))
	rest, err := drain(t, q.All(t.Context()))
	require.NoError(t, err)
	assert.Len(t, rest, 150)
	assert.Equal(t, "m100", rest[0].UID)
	calls := s.Calls()
	require.Len(t, calls, 3)
	assert.Equal(t, "", calls[0].body["Next"], "the first call sends an empty Next")
	for _, call := range calls {
		assert.NotContains(t, call.body, "Offset", "a Community group refuses Offset")
	}
	assert.Error(t, q.Resume(Position{Provider: ProviderTencent, List: "members", Of: "@TGS#_other", Query: saved.Query}), "another group's position")
}

func TestTencentListMembersUnchangedCursor(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(n int, call apiCall) any {
		return ok(map[string]any{"MemberList": []map[string]any{{"Member_Account": fmt.Sprint("m", n), "Role": "Member"}}, "Next": "stuck"})
	})
	members, err := drain(t, c.ListMembers(t.Context(), "@TGS#_comm", nil))
	require.ErrorIs(t, err, ErrPageRepeated)
	assert.Len(t, members, 2, "the pages before the repeat are handed over")
	assert.Len(t, s.Calls(), 2, "no loop")
}

func TestTencentListMembersOptions(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(_ int, call apiCall) any { return memberAnswer(call, 3, roles) })
	for _, tc := range []struct {
		guid  string
		opts  ListMembersOptions
		field string
	}{
		{"g", ListMembersOptions{Status: "available"}, "status"},
		{"g", ListMembersOptions{PerPage: 101}, "perPage"},
		{"g", ListMembersOptions{Scopes: []Scope{ScopeModerator}}, "scopes"},
		{"g", ListMembersOptions{Page: -1}, "page"},
		{"@TGS#_c", ListMembersOptions{Page: 2}, "page"},
		{" ", ListMembersOptions{}, "guid"},
	} {
		_, err := drain(t, c.ListMembers(t.Context(), tc.guid, &tc.opts))
		var v *ValidationError
		require.ErrorAs(t, err, &v, tc.field)
		assert.Equal(t, tc.field, v.Field)
	}
	assert.Empty(t, s.Calls(), "refused before any request")

	_, err := drain(t, c.ListMembers(t.Context(), "g", &ListMembersOptions{PerPage: 2, Page: 2, Scopes: []Scope{ScopeParticipant, ScopeAdmin}}))
	require.NoError(t, err)
	calls := s.Calls()
	require.NotEmpty(t, calls)
	assert.EqualValues(t, 2, calls[0].body["Offset"], "page 2 of 2")
	assert.Equal(t, []any{"Admin", "Member", "Owner"}, calls[0].body["MemberRoleFilter"])
}

func TestTencentListMembersErrors(t *testing.T) {
	c, _, _ := setupTencentAPI(t, func(int, apiCall) any { return failure(10010, "group not found") })
	_, err := drain(t, c.ListMembers(t.Context(), "nope", nil))
	require.ErrorIs(t, err, ErrNotFound)

	c, _, _ = setupTencentAPI(t, func(_ int, call apiCall) any {
		return memberAnswer(call, 3, func(int) string { return "Moderator" })
	})
	_, err = drain(t, c.ListMembers(t.Context(), "g", nil))
	require.ErrorContains(t, err, `role "Moderator"`)
}

func TestTencentListMembersBreakStops(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(_ int, call apiCall) any { return memberAnswer(call, 1000, roles) })
	n := 0
	for _, err := range c.ListMembers(t.Context(), "g", nil) {
		require.NoError(t, err)
		if n++; n == 150 {
			break
		}
	}
	// Pages up to the server's count may have been asked for ahead, each
	// once; once the loop has ended none is under way.
	offsets := callOffsets(s.Calls())
	assert.GreaterOrEqual(t, len(offsets), 2)
	assert.Subset(t, []float64{0, 100, 200, 300, 400, 500, 600, 700, 800, 900}, offsets)
	assert.Len(t, offsets, len(slices.Compact(slices.Sorted(slices.Values(offsets)))), "no page twice")
}

// callOffsets is the Offset of each get_group_member_info call.
func callOffsets(calls []apiCall) []float64 {
	var offsets []float64
	for _, c := range calls {
		if c.command == "get_group_member_info" {
			offset, _ := c.body["Offset"].(float64)
			offsets = append(offsets, offset)
		}
	}
	return offsets
}

// groupsServer answers get_appid_group_list with ids g0…g(n-1), per a
// page, its cursors offset by base, and get_group_info with details.
func groupsServer(n, per int, base uint64) func(int, apiCall) any {
	return func(_ int, call apiCall) any {
		switch call.command {
		case "get_appid_group_list":
			next := uint64(call.body["Next"].(float64))
			start := 0
			if next != 0 {
				start = int(next - base)
			}
			ids := []map[string]any{}
			for i := start; i < min(start+per, n); i++ {
				ids = append(ids, map[string]any{"GroupId": fmt.Sprint("g", i)})
			}
			out := uint64(0)
			if start+per < n {
				out = base + uint64(start+per)
			}
			return ok(map[string]any{"TotalCount": n, "GroupIdList": ids, "Next": out})
		case "get_group_info":
			var infos []map[string]any
			for _, id := range call.list("GroupIdList") {
				infos = append(infos, map[string]any{"GroupId": id, "ErrorCode": 0, "Type": "Public", "Name": "name " + id,
					"Owner_Account": "owner", "CreateTime": 1_600_000_000, "MaxMemberNum": 200, "ApplyJoinOption": "FreeAccess",
					"Introduction": "i", "Notification": "n", "FaceUrl": "f"})
			}
			return ok(map[string]any{"GroupInfo": infos})
		}
		return failure(10003, "bad command")
	}
}

func TestTencentListGroupsBigCursor(t *testing.T) {
	const base = 4_454_685_361 // the documented sample, above 2^31
	c, s, clock := setupTencentAPI(t, groupsServer(120, 60, base))
	p := c.GroupsPager(nil)
	first, err := p.NextPage(t.Context())
	require.NoError(t, err)
	assert.Len(t, first, 60)
	assert.Equal(t, Group{GUID: "g0", Name: "name g0", Icon: "f", Owner: "owner", Type: GroupPublic, CreatedAt: time.Unix(1_600_000_000, 0),
		Description: "i", Notification: "n", MaxMembers: 200, JoinOption: "FreeAccess"}, first[0])
	pos := p.Position()
	assert.Equal(t, strconv.FormatUint(base+60, 10), pos.Token)

	q := c.GroupsPager(nil)
	require.NoError(t, q.Resume(pos))
	rest, err := drain(t, q.All(t.Context()))
	require.NoError(t, err)
	require.Len(t, rest, 60)
	assert.Equal(t, "g60", rest[0].GUID)
	var listCalls, infoCalls int
	for _, call := range s.Calls() {
		switch call.command {
		case "get_appid_group_list":
			listCalls++
			assert.EqualValues(t, 10_000, call.body["Limit"])
		case "get_group_info":
			infoCalls++
			assert.LessOrEqual(t, len(call.list("GroupIdList")), 50)
		}
	}
	assert.Equal(t, 2, listCalls)
	assert.Equal(t, 4, infoCalls, "60 ids take two requests of at most 50")
	// The list budget is one call a second: the second call waited for it
	// on the client's clock, not a real one.
	var waited time.Duration
	for _, d := range clock.Slept() {
		waited += d
	}
	assert.GreaterOrEqual(t, waited, time.Second)
}

func TestTencentListGroupsDetails(t *testing.T) {
	c, _, _ := setupTencentAPI(t, func(_ int, call apiCall) any {
		if call.command == "get_appid_group_list" {
			return ok(map[string]any{"GroupIdList": []map[string]any{{"GroupId": "a"}, {"GroupId": "gone"}, {"GroupId": "c"}, {"GroupId": "d"}}, "Next": 0})
		}
		return ok(map[string]any{"GroupInfo": []map[string]any{
			{"GroupId": "a", "Type": "Private", "Name": "a"},
			{"GroupId": "gone", "ErrorCode": 10010, "ErrorInfo": "group dissolved"},
			{"GroupId": "c", "Type": "Community", "Name": "c"},
			{"GroupId": "d", "Type": "AVChatRoom", "Name": "d"},
		}})
	})
	groups, err := drain(t, c.ListGroups(t.Context(), nil))
	require.NoError(t, err)
	require.Len(t, groups, 3, "a group dissolved between list and details is gone")
	assert.Equal(t, []GroupType{GroupPrivate, GroupCommunity, "avchatroom"}, []GroupType{groups[0].Type, groups[1].Type, groups[2].Type})
}

func TestTencentListGroupsOptions(t *testing.T) {
	c, s, _ := setupTencentAPI(t, groupsServer(3, 10, 1<<40))
	for _, opts := range []ListGroupsOptions{{PerPage: 10_001}, {PerPage: -1}, {Page: 2}} {
		_, err := drain(t, c.ListGroups(t.Context(), &opts))
		var v *ValidationError
		require.ErrorAs(t, err, &v, "%+v", opts)
	}
	assert.Empty(t, s.Calls())
	groups, err := drain(t, c.ListGroups(t.Context(), &ListGroupsOptions{PerPage: 2}))
	require.NoError(t, err)
	assert.Len(t, groups, 3)
}

func TestTencentListMembersPageOfNothingNew(t *testing.T) {
	// A server that ignores Offset answers the first page again and again,
	// with a count that never lets the walk end.
	c, s, _ := setupTencentAPI(t, func(_ int, call apiCall) any {
		delete(call.body, "Offset")
		a := memberAnswer(call, 100, roles)
		a["MemberNum"] = 1000
		return a
	})
	members, err := drain(t, c.ListMembers(t.Context(), "g", nil))
	require.ErrorIs(t, err, ErrPageRepeated)
	assert.Len(t, members, 100, "each member once")
	// Readahead may have asked for every page the count names, but no more.
	calls := s.Calls()
	assert.GreaterOrEqual(t, len(calls), 2)
	assert.LessOrEqual(t, len(calls), 10, "no loop")
}

// A page of 1,000 ids is detailed in 20 requests sent at once, and the
// groups still come in the list's order.
func TestTencentListGroupsDetailsAtOnceInOrder(t *testing.T) {
	const n = 1000
	c, s, _ := setupTencentAPI(t, groupsServer(n, 10_000, 0))
	groups, err := drain(t, c.ListGroups(t.Context(), nil))
	require.NoError(t, err)
	require.Len(t, groups, n)
	for i, g := range groups {
		require.Equal(t, fmt.Sprint("g", i), g.GUID)
	}
	var infoCalls int
	for _, call := range s.Calls() {
		if call.command == "get_group_info" {
			infoCalls++
		}
	}
	assert.Equal(t, n/50, infoCalls)
}

// A batch that fails ends the walk with its own error, not with the
// cancellation it caused in the batches beside it.
func TestTencentListGroupsDetailErrorWins(t *testing.T) {
	details := groupsServer(1000, 10_000, 0)
	c, _, _ := setupTencentAPI(t, func(i int, call apiCall) any {
		if call.command == "get_group_info" && slices.Contains(call.list("GroupIdList"), "g510") {
			return failure(10007, "no permission")
		}
		return details(i, call)
	})
	groups, err := drain(t, c.ListGroups(t.Context(), nil))
	require.ErrorIs(t, err, ErrPermission)
	assert.NotErrorIs(t, err, context.Canceled)
	assert.Empty(t, groups, "no group of a page whose details failed")
}

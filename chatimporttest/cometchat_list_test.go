package chatimporttest_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// listServer holds group g with members u1..u5 (u5 banned) and one
// available user.
func listServer(t *testing.T) *chatimporttest.Server {
	s := newServer(t, chatimporttest.WithCometChatLimit(1, time.Hour))
	s.AddUsers(
		chatimporttest.User{UID: "u1", Name: "One", Status: "available", Metadata: map[string]any{"k": "v"}, CreatedAt: 1600000000},
		chatimporttest.User{UID: "u2", Name: "Two"},
	)
	s.AddMembers("g",
		chatimporttest.Member{UID: "u3", Scope: "admin", JoinedAt: 1650000003},
		chatimporttest.Member{UID: "U1", Scope: "moderator", JoinedAt: 1650000001},
		chatimporttest.Member{UID: "u2", JoinedAt: 1650000002},
		chatimporttest.Member{UID: "u4", Scope: "admin", JoinedAt: 1650000004},
		chatimporttest.Member{UID: "u6", JoinedAt: 1650000006},
		chatimporttest.Member{UID: "u5", Banned: true, JoinedAt: 1650000005},
	)
	return s
}

type listPage struct {
	uids       []string
	data       []any
	pagination map[string]any
	cursor     map[string]any
}

func list(t *testing.T, s *chatimporttest.Server, query string) listPage {
	t.Helper()
	r := get(t, s, "/groups/g/members"+query)
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	m := r.obj(t)
	data, ok := m["data"].([]any)
	require.True(t, ok, "data must be an array even when empty: %s", r.body)
	p := listPage{data: data, pagination: m["meta"].(map[string]any)["pagination"].(map[string]any), cursor: m["cursor"].(map[string]any)}
	for _, d := range data {
		p.uids = append(p.uids, d.(map[string]any)["uid"].(string))
	}
	return p
}

func TestListMembersPagination(t *testing.T) {
	s := listServer(t)
	want := [][]string{{"u3", "u1"}, {"u2", "u4"}, {"u6"}, nil}
	for i, uids := range want {
		p := list(t, s, "?perPage=2&page="+itoa(i+1))
		assert.Equal(t, uids, p.uids, "page %d", i+1)
		assert.Equal(t, map[string]any{"total": 5.0, "count": float64(len(uids)), "per_page": 2.0,
			"current_page": float64(i + 1), "total_pages": 3.0}, p.pagination)
		assert.Equal(t, "append", p.cursor["affix"])
		assert.IsType(t, 0.0, p.cursor["updatedAt"])
	}

	p := list(t, s, "")
	assert.Equal(t, []string{"u3", "u1", "u2", "u4", "u6"}, p.uids, "import order, banned left out")
	assert.Equal(t, 100.0, p.pagination["per_page"])
	assert.Equal(t, 1.0, p.pagination["current_page"])
	one := p.data[1].(map[string]any)
	assert.Equal(t, map[string]any{"uid": "u1", "name": "One", "role": "default", "status": "available", "scope": "moderator",
		"joinedAt": 1650000001.0, "createdAt": 1600000000.0, "updatedAt": 1650000001.0,
		"metadata": map[string]any{"k": "v"}, "conversationId": "group_g"}, one)
	assert.Equal(t, []string{"u1", "u2", "u3", "u4", "u6"}, p1000(t, s))
	assert.Equal(t, 0, s.Stats().RateLimited, "the list is not rate limited by default")
}

// p1000 lists with the maximum page size, sorted by uid.
func p1000(t *testing.T, s *chatimporttest.Server) []string {
	uids := list(t, s, "?perPage=1000").uids
	slices.Sort(uids)
	return uids
}

func TestListMembersFilters(t *testing.T) {
	s := listServer(t)
	for query, want := range map[string][]string{
		"?status=available":                    {"u1"},
		"?status=offline":                      {"u3", "u2", "u4", "u6"},
		"?scopes=admin":                        {"u3", "u4"},
		"?scopes=admin,moderator":              {"u3", "u1", "u4"},
		"?scopes=participant&scopes=admin":     {"u3", "u2", "u4", "u6"},
		"?scopes[]=moderator":                  {"u1"},
		"?scopes=admin&status=available":       nil,
		"?scopes=participant&perPage=1&page=2": {"u6"},
	} {
		p := list(t, s, query)
		assert.Equal(t, want, p.uids, query)
	}
	p := list(t, s, "?scopes=admin&perPage=1")
	assert.Equal(t, 2.0, p.pagination["total"])
	assert.Equal(t, 2.0, p.pagination["total_pages"])
}

func TestListMembersErrors(t *testing.T) {
	s := listServer(t)
	r := get(t, s, "/groups/nope/members")
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "ERR_GUID_NOT_FOUND", r.errorCode(t))

	for _, q := range []string{"perPage=0", "perPage=1001", "perPage=x", "page=0", "page=-1", "status=busy", "scopes=owner"} {
		r := get(t, s, "/groups/g/members?"+q)
		assert.Equal(t, http.StatusBadRequest, r.status, q)
		assert.Equal(t, "ERR_BAD_REQUEST", r.errorCode(t), q)
		assert.NotEmpty(t, r.obj(t)["error"].(map[string]any)["details"], q)
	}
	r = do(t, http.MethodPost, s.URL+"/v3/groups/g/members", map[string]string{"apikey": chatimporttest.APIKey}, "{}")
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	assert.Equal(t, 0, s.Stats().RateLimited)
	assert.Empty(t, r.header.Get("X-Rate-Limit"), "the list carries no import rate-limit headers")
}

func TestListMembersAfterImport(t *testing.T) {
	s := newServer(t)
	m := member("g", "Eve")
	m["groupDetails"] = groupDetails("g", 1600000000)
	m["userDetails"] = map[string]any{"uid": "Eve", "name": "Eve", "avatar": "https://e.example/e.png"}
	m["joinedAt"] = 1600000001
	m["scope"] = "moderator"
	post(t, s, "/data_import/members", membersBody(t, m)).entityData(t, "g_member_Eve")
	p := list(t, s, "")
	require.Len(t, p.data, 1)
	e := p.data[0].(map[string]any)
	assert.Equal(t, "eve", e["uid"])
	assert.Equal(t, "https://e.example/e.png", e["avatar"])
	assert.Equal(t, "moderator", e["scope"])
	assert.Equal(t, "offline", e["status"])
}

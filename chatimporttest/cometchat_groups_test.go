package chatimporttest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// groupsBody wraps group objects keyed by their guid.
func groupsBody(t *testing.T, groups ...map[string]any) string {
	t.Helper()
	m := map[string]any{}
	for _, g := range groups {
		m[g["guid"].(string)] = g
	}
	return mustJSON(t, map[string]any{"groups": m})
}

func group(guid string) map[string]any {
	return map[string]any{"guid": guid, "name": "Group " + guid, "type": "public"}
}

func TestImportGroupsStoresLowerCased(t *testing.T) {
	s := newServer(t)
	s.AddUsers(chatimporttest.User{UID: "ann", Name: "Ann"})
	g := map[string]any{
		"guid": "Hikers", "name": "Hikers", "type": "password", "password": "pw", "icon": "https://i.example/h.png",
		"description": "Up hills", "owner": "Ann", "createdAt": "1673421419", "metadata": map[string]any{"k": "v"}, "tags": []string{"t"},
	}
	r := post(t, s, "/data_import/groups", groupsBody(t, g))
	d := r.entityData(t, "Hikers")
	assert.Equal(t, "hikers", d["guid"])
	assert.Equal(t, "group_hikers", d["conversationId"])
	assert.Equal(t, float64(1673421419), d["createdAt"])
	assert.Equal(t, []chatimporttest.Group{{GUID: "hikers", Name: "Hikers", Icon: "https://i.example/h.png", Type: "password",
		Password: "pw", Owner: "ann", Description: "Up hills", CreatedAt: 1673421419, Metadata: map[string]any{"k": "v"}, Tags: []string{"t"}}},
		s.Groups(), "a group imported on its own is in the state")
	assert.Equal(t, 1, s.Received("Hikers"))
	assert.Empty(t, s.Members("hikers"), "an empty group exists without members")
}

func TestImportGroupsExisting(t *testing.T) {
	s := newServer(t)
	s.AddGroups(chatimporttest.Group{GUID: "team", Name: "Team", Type: "public"})
	r := post(t, s, "/data_import/groups", groupsBody(t, group("Team"), group("fresh")))
	code, _ := r.entityError(t, "Team")
	assert.Equal(t, "ERR_GUID_ALREADY_EXISTS", code, "guids compare case-insensitively")
	assert.Equal(t, true, r.entity(t, "fresh")["success"])
	assert.Equal(t, "Team", s.Groups()[1].Name, "the existing group is left as it was")
}

func TestImportGroupsValidation(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name  string
		group map[string]any
		key   string
		field string
	}{
		{"no name", map[string]any{"guid": "g1", "type": "public"}, "", "name"},
		{"no type", map[string]any{"guid": "g2", "name": "G"}, "", "type"},
		{"meeting", map[string]any{"guid": "g3", "name": "G", "type": "meeting"}, "", "type"},
		{"no password", map[string]any{"guid": "g4", "name": "G", "type": "password"}, "", "password"},
		{"bad guid", map[string]any{"guid": "g 5", "name": "G", "type": "public"}, "", "guid"},
		{"key differs", group("g6"), "other", "guid"},
		{"bad owner", map[string]any{"guid": "g7", "name": "G", "type": "public", "owner": "a b"}, "", "owner"},
		{"details, no owner", map[string]any{"guid": "g8", "name": "G", "type": "public", "groupOwnerDetails": map[string]any{"uid": "x", "name": "X"}}, "", "groupOwnerDetails"},
		{"bad time", map[string]any{"guid": "g9", "name": "G", "type": "public", "createdAt": 12}, "", "createdAt"},
	} {
		key := tc.key
		if key == "" {
			key = tc.group["guid"].(string)
		}
		r := post(t, s, "/data_import/groups", mustJSON(t, map[string]any{"groups": map[string]any{key: tc.group}}))
		code, details := r.entityError(t, key)
		assert.Equal(t, "ERR_IMPORT_INVALID_GROUP_FORMAT", code, tc.name)
		assert.Contains(t, details, tc.field, tc.name)
	}
	r := post(t, s, "/data_import/groups", `{"groups":{"g10":"not an object"}}`)
	code, details := r.entityError(t, "g10")
	assert.Equal(t, "ERR_IMPORT_INVALID_GROUP_FORMAT", code)
	assert.Contains(t, details, "group")
	r = post(t, s, "/data_import/members", `{"members":{"g11_member_u":{"memberId":"g11_member_u","guid":"g11","uid":"u","groupDetails":7}}}`)
	code, details = r.entityError(t, "g11_member_u")
	assert.Equal(t, "ERR_IMPORT_INVALID_GROUP_FORMAT", code)
	assert.Contains(t, details, "groupDetails")
	assert.Empty(t, s.Groups())
}

func TestImportGroupsOwner(t *testing.T) {
	s := newServer(t)
	owner := func(guid, uid string, details map[string]any) map[string]any {
		g := group(guid)
		g["owner"] = uid
		if details != nil {
			g["groupOwnerDetails"] = details
		}
		return g
	}
	r := post(t, s, "/data_import/groups", groupsBody(t,
		owner("g1", "nobody", nil),
		owner("g2", "Zoe", map[string]any{"uid": "Zoe", "name": "Zoe Z", "avatar": "https://z.example/z.png"}),
		owner("g3", "amy", map[string]any{"uid": "bea", "name": "Bea"}),
		owner("g4", "cat", map[string]any{"uid": "cat"}),
	))
	code, _ := r.entityError(t, "g1")
	assert.Equal(t, "ERR_UID_NOT_FOUND", code, "an unknown owner needs groupOwnerDetails")
	assert.Equal(t, true, r.entity(t, "g2")["success"])
	code, details := r.entityError(t, "g3")
	assert.Equal(t, "ERR_IMPORT_INVALID_USER_FORMAT", code)
	assert.Contains(t, details, "groupOwnerDetails.uid")
	code, details = r.entityError(t, "g4")
	assert.Equal(t, "ERR_IMPORT_INVALID_USER_FORMAT", code)
	assert.Contains(t, details, "groupOwnerDetails.name")

	users := s.Users()
	require.Len(t, users, 1, "only the valid owner details create a user")
	assert.Equal(t, "zoe", users[0].UID)
	assert.Equal(t, "Zoe Z", users[0].Name)
	groups := s.Groups()
	require.Len(t, groups, 1)
	assert.Equal(t, "zoe", groups[0].Owner)
}

func TestImportGroupsSharesTheImportLimit(t *testing.T) {
	s := newServer(t, chatimporttest.WithCometChatLimit(2, time.Hour))
	assert.Equal(t, http.StatusOK, post(t, s, "/data_import/users", usersBody(t, user("u1"))).status)
	assert.Equal(t, http.StatusOK, post(t, s, "/data_import/groups", groupsBody(t, group("g1"))).status)
	r := post(t, s, "/data_import/groups", groupsBody(t, group("g2")))
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "ERR_TOO_MANY_REQUESTS", r.errorCode(t))
	assert.Equal(t, http.StatusTooManyRequests, post(t, s, "/data_import/members", membersBody(t, member("g1", "u1"))).status)
}

func TestImportGroupsBatchLimit(t *testing.T) {
	s := newServer(t, chatimporttest.WithBatchLimits(2, 0))
	r := post(t, s, "/data_import/groups", groupsBody(t, group("a"), group("b"), group("c")))
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "ERR_BAD_REQUEST", r.errorCode(t))
	assert.Empty(t, s.Groups(), "nothing of a refused batch is imported")
	assert.Equal(t, 3, s.Stats().LargestBatch)
}

func TestMemberImportFindsGroupWhateverItsCase(t *testing.T) {
	s := newServer(t)
	s.AddUsers(chatimporttest.User{UID: "u1", Name: "U"})
	post(t, s, "/data_import/groups", groupsBody(t, group("Team")))
	r := post(t, s, "/data_import/members", membersBody(t, member("TEAM", "u1")))
	assert.Equal(t, "team", r.entityData(t, "TEAM_member_u1")["guid"])
	require.Len(t, s.Groups(), 1, "no second group is made from another spelling")
	assert.Equal(t, []chatimporttest.Member{{GUID: "team", UID: "u1", Scope: "participant", JoinedAt: s.Members("Team")[0].JoinedAt}}, s.Members("Team"))
}

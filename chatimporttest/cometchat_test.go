package chatimporttest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

func TestCometChatAuth(t *testing.T) {
	s := newServer(t)
	body := usersBody(t, user("u1"))
	for _, tc := range []struct {
		name, key, code string
	}{
		{"missing", "", "AUTH_ERR_EMPTY_APIKEY"},
		{"wrong", "secret-that-must-not-leak", "AUTH_ERR_APIKEY_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/v3/data_import/users", "/v3/groups/g/members"} {
				method := http.MethodPost
				if strings.Contains(path, "groups") {
					method = http.MethodGet
				}
				r := do(t, method, s.URL+path, map[string]string{"apikey": tc.key}, body)
				assert.Equal(t, http.StatusUnauthorized, r.status)
				assert.Equal(t, tc.code, r.errorCode(t))
				assert.NotContains(t, string(r.body), "secret-that-must-not-leak")
				e := r.obj(t)["error"].(map[string]any)
				assert.Equal(t, "chat-api", e["source"])
				assert.NotEmpty(t, e["message"])
				assert.NotEmpty(t, e["devMessage"])
				assert.NotContains(t, e, "details")
			}
		})
	}
	assert.Empty(t, s.Users())
}

func TestCometChatAPIKeyOption(t *testing.T) {
	s := newServer(t, chatimporttest.WithAPIKey("other-key"))
	r := post(t, s, "/data_import/users", usersBody(t, user("u1")))
	assert.Equal(t, http.StatusUnauthorized, r.status)
	r = do(t, http.MethodPost, s.URL+"/v3/data_import/users", map[string]string{"apikey": "other-key"}, usersBody(t, user("u1")))
	assert.Equal(t, true, r.entity(t, "u1")["success"])
}

func TestUnknownPathsAndMethods(t *testing.T) {
	s := newServer(t)
	for _, p := range []string{"/", "/v3/users/x", "/v3/groups//members", "/v3/groups/a/b/members", "/v4/other", "/v3/data_import/users/x"} {
		r := do(t, http.MethodPost, s.URL+p, map[string]string{"apikey": chatimporttest.APIKey}, "{}")
		assert.Equal(t, http.StatusNotFound, r.status, p)
		assert.Equal(t, "ERR_NOT_FOUND", r.errorCode(t), p)
	}
	for path, allow := range map[string]string{"/v3/data_import/users": "POST", "/v3/data_import/groups": "POST", "/v3/users": "GET", "/v3/groups": "GET"} {
		method := http.MethodGet
		if allow == method {
			method = http.MethodPost
		}
		r := do(t, method, s.URL+path, map[string]string{"apikey": chatimporttest.APIKey}, "")
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, path)
		assert.Equal(t, allow, r.header.Get("Allow"), path)
		assert.Equal(t, "ERR_METHOD_NOT_ALLOWED", r.errorCode(t), path)
	}
}

func TestImportUsersEchoesLowerCased(t *testing.T) {
	s := newServer(t)
	u := map[string]any{
		"uid": "Alice", "name": "Alice Liddell", "avatar": "https://a.example/a.png", "link": "https://a.example",
		"createdAt": "1673421419", "lastActiveAt": 1673421425, "deactivatedAt": "1673421430",
		"metadata": map[string]any{"k": "v"}, "tags": []string{"t1"},
	}
	r := post(t, s, "/data_import/users", usersBody(t, u))
	assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	d := r.entityData(t, "Alice")
	assert.Equal(t, "alice", d["uid"])
	assert.Equal(t, "Alice Liddell", d["name"])
	assert.Equal(t, "default", d["role"])
	assert.Equal(t, "offline", d["status"])
	assert.Equal(t, float64(1673421419), d["createdAt"], "times are echoed as integers")
	assert.Equal(t, float64(1673421425), d["lastActiveAt"])
	assert.Equal(t, float64(1673421430), d["deactivatedAt"])
	assert.Equal(t, map[string]any{"k": "v"}, d["metadata"])
	assert.Equal(t, []any{"t1"}, d["tags"])

	assert.Equal(t, []chatimporttest.User{{
		UID: "alice", Name: "Alice Liddell", Avatar: "https://a.example/a.png", Link: "https://a.example",
		Role: "default", Status: "offline", Metadata: map[string]any{"k": "v"}, Tags: []string{"t1"},
		CreatedAt: 1673421419, LastActiveAt: 1673421425, DeactivatedAt: 1673421430,
	}}, s.Users())
}

func TestImportUsersRoleAndDefaultCreatedAt(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	u := user("u1")
	u["role"] = "vip"
	d := post(t, s, "/data_import/users", usersBody(t, u)).entityData(t, "u1")
	assert.Equal(t, "vip", d["role"])
	assert.Equal(t, float64(t0.Unix()), d["createdAt"])
}

func TestImportUsersCaseCollision(t *testing.T) {
	s := newServer(t)
	post(t, s, "/data_import/users", usersBody(t, user("Alice"))).entityData(t, "Alice")

	r := post(t, s, "/data_import/users", usersBody(t, user("ALICE")))
	code, _ := r.entityError(t, "ALICE")
	assert.Equal(t, "ERR_UID_ALREADY_EXISTS", code)

	// Within one request too: the later key (in body order) loses.
	r = post(t, s, "/data_import/users", `{"users":{"Bob":{"uid":"Bob","name":"B1"},"bob":{"uid":"bob","name":"B2"}}}`)
	r.entityData(t, "Bob")
	code, _ = r.entityError(t, "bob")
	assert.Equal(t, "ERR_UID_ALREADY_EXISTS", code)

	users := s.Users()
	require.Len(t, users, 2)
	assert.Equal(t, "alice", users[0].UID)
	assert.Equal(t, "bob", users[1].UID)
	assert.Equal(t, "B1", users[1].Name)
}

func TestImportUsersValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tags := func(n int) []string { return make([]string, n) }
	with := func(k string, v any) map[string]any { u := user("u1"); u[k] = v; return u }
	without := func(k string) map[string]any { u := user("u1"); delete(u, k); return u }
	for _, tc := range []struct {
		name  string
		user  any
		field string // "" means valid
	}{
		{"valid", user("u1"), ""},
		{"limits reached", map[string]any{"uid": "u1", "name": long(100), "avatar": long(3000), "link": long(3000), "tags": tags(25)}, ""},
		{"integer time", with("createdAt", 1673421419), ""},
		{"null time", with("createdAt", nil), ""},
		{"uid differs from key", with("uid", "u2"), "uid"},
		{"uid missing", without("uid"), "uid"},
		{"uid with space", with("uid", "u 1"), "uid"},
		{"uid with dot", with("uid", "u.1"), "uid"},
		{"uid too long", with("uid", long(101)), "uid"},
		{"name missing", without("name"), "name"},
		{"name empty", with("name", ""), "name"},
		{"name not a string", with("name", 7), "name"},
		{"name too long", with("name", strings.Repeat("é", 101)), "name"},
		{"avatar too long", with("avatar", long(3001)), "avatar"},
		{"link too long", with("link", long(3001)), "link"},
		{"too many tags", with("tags", tags(26)), "tags"},
		{"tags not strings", with("tags", []int{1}), "tags"},
		{"time 9 digits", with("createdAt", "167342141"), "createdAt"},
		{"time 11 digits", with("lastActiveAt", 16734214190), "lastActiveAt"},
		{"time fraction", with("createdAt", 1673421419.5), "createdAt"},
		{"time not numeric", with("deactivatedAt", "yesterday"), "deactivatedAt"},
		{"time leading zero", with("createdAt", "0673421419"), "createdAt"},
		{"metadata not object", with("metadata", "x"), "metadata"},
		{"not an object", "u1", "user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			r := post(t, s, "/data_import/users", mustJSON(t, map[string]any{"users": map[string]any{"u1": tc.user}}))
			if tc.field == "" {
				r.entityData(t, "u1")
				assert.Len(t, s.Users(), 1)
				return
			}
			code, details := r.entityError(t, "u1")
			assert.Equal(t, "ERR_IMPORT_INVALID_USER_FORMAT", code)
			assert.Contains(t, details, tc.field)
			assert.Empty(t, s.Users())
		})
	}
}

func TestImportWholeRequestErrors(t *testing.T) {
	s := newServer(t, chatimporttest.WithBatchLimits(2, 0))
	for _, tc := range []struct{ name, path, body string }{
		{"malformed", "/data_import/users", `{"users":`},
		{"not an object", "/data_import/users", `[]`},
		{"users missing", "/data_import/users", `{"members":{}}`},
		{"users null", "/data_import/users", `{"users":null}`},
		{"users empty", "/data_import/users", `{"users":{}}`},
		{"users an array", "/data_import/users", `{"users":[{"uid":"a","name":"a"}]}`},
		{"duplicate key", "/data_import/users", `{"users":{"a":{"uid":"a","name":"a"},"a":{"uid":"a","name":"a"}}}`},
		{"over batch limit", "/data_import/users", usersBody(t, user("a"), user("b"), user("c"))},
		{"members over batch limit", "/data_import/members", membersBody(t, member("g", "a"), member("g", "b"), member("g", "c"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, tc.path, tc.body)
			assert.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			assert.Equal(t, "ERR_BAD_REQUEST", r.errorCode(t))
		})
	}
	assert.Empty(t, s.Users(), "nothing of a rejected request is applied")
	assert.Empty(t, s.Groups())
	assert.Equal(t, 3, s.Stats().LargestBatch, "oversized batches are visible in the stats")

	r := post(t, s, "/data_import/users", usersBody(t, user("a"), user("b")))
	r.entityData(t, "a")
	r.entityData(t, "b")
}

func TestImportMembersCreatesGroupAndUserFromDetails(t *testing.T) {
	s := newServer(t)
	// The documented example: joinedAt equals the group's createdAt and succeeds.
	body := `{"members":{"guid1_member_uid2":{"memberId":"guid1_member_uid2","uid":"uid2","guid":"guid1",
		"joinedAt":"1673421419","scope":"admin",
		"groupDetails":{"guid":"guid1","name":"guid1","type":"public","owner":"uid1","createdAt":"1673421419","tags":["x"]},
		"userDetails":{"uid":"uid2","name":"uid2"}}}}`
	d := post(t, s, "/data_import/members", body).entityData(t, "guid1_member_uid2")
	assert.Equal(t, map[string]any{"guid": "guid1", "uid": "uid2", "scope": "admin", "joinedAt": float64(1673421419)}, d)

	assert.Equal(t, []chatimporttest.Group{{GUID: "guid1", Name: "guid1", Type: "public", Owner: "uid1", CreatedAt: 1673421419, Tags: []string{"x"}}}, s.Groups())
	users := s.Users()
	require.Len(t, users, 1)
	assert.Equal(t, "uid2", users[0].UID)
	assert.Equal(t, []chatimporttest.Member{{GUID: "guid1", UID: "uid2", Scope: "admin", JoinedAt: 1673421419}}, s.Members("guid1"))
}

func TestImportMembersExistingGroupAndUser(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	s.AddGroups(chatimporttest.Group{GUID: "g", Name: "G", Type: "private", CreatedAt: 1600000000})
	s.AddUsers(chatimporttest.User{UID: "Dave", Name: "Dave"})
	m := member("g", "Dave")
	m["isBanned"] = true
	m["groupDetails"] = map[string]any{"type": "nonsense"} // ignored: the group exists
	d := post(t, s, "/data_import/members", membersBody(t, m)).entityData(t, "g_member_Dave")
	assert.Equal(t, "dave", d["uid"])
	assert.Equal(t, "participant", d["scope"], "absent scope means participant")
	assert.Equal(t, float64(t0.Unix()), d["joinedAt"], "absent joinedAt means now")
	assert.Equal(t, []chatimporttest.Member{{GUID: "g", UID: "dave", Scope: "participant", Banned: true, JoinedAt: t0.Unix()}}, s.Members("g"))
	assert.Equal(t, "private", s.Groups()[0].Type)
}

func TestImportMembersMissingGroupOrUser(t *testing.T) {
	s := newServer(t)
	r := post(t, s, "/data_import/members", membersBody(t, member("nog", "u1")))
	code, _ := r.entityError(t, "nog_member_u1")
	assert.Equal(t, "ERR_GUID_NOT_FOUND", code)

	// A new group is not created when the member fails for its user.
	m := member("g", "nou")
	m["groupDetails"] = groupDetails("g", 1600000000)
	r = post(t, s, "/data_import/members", membersBody(t, m))
	code, _ = r.entityError(t, "g_member_nou")
	assert.Equal(t, "ERR_UID_NOT_FOUND", code)
	assert.Empty(t, s.Groups())
	assert.Empty(t, s.Users())
}

func TestImportMembersInvalidGroupDetails(t *testing.T) {
	for _, tc := range []struct {
		name    string
		details map[string]any
		field   string
	}{
		{"bad type", map[string]any{"guid": "g", "name": "G", "type": "secret"}, "groupDetails.type"},
		{"type missing", map[string]any{"guid": "g", "name": "G"}, "groupDetails.type"},
		{"password missing", map[string]any{"guid": "g", "name": "G", "type": "password"}, "groupDetails.password"},
		{"name missing", map[string]any{"guid": "g", "type": "public"}, "groupDetails.name"},
		{"guid differs", map[string]any{"guid": "h", "name": "G", "type": "public"}, "groupDetails.guid"},
		{"guid missing", map[string]any{"name": "G", "type": "public"}, "groupDetails.guid"},
		{"createdAt bad", map[string]any{"guid": "g", "name": "G", "type": "public", "createdAt": "soon"}, "groupDetails.createdAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			s.AddUsers(chatimporttest.User{UID: "u1", Name: "U"})
			m := member("g", "u1")
			m["groupDetails"] = tc.details
			code, details := post(t, s, "/data_import/members", membersBody(t, m)).entityError(t, "g_member_u1")
			assert.Equal(t, "ERR_IMPORT_INVALID_GROUP_FORMAT", code)
			assert.Contains(t, details, tc.field)
			assert.Empty(t, s.Groups())
		})
	}
	s := newServer(t)
	s.AddUsers(chatimporttest.User{UID: "u1", Name: "U"})
	m := member("g", "u1")
	m["groupDetails"] = map[string]any{"guid": "g", "name": "G", "type": "password", "password": "pw", "createdAt": 1600000000}
	m["joinedAt"] = 1600000001
	post(t, s, "/data_import/members", membersBody(t, m)).entityData(t, "g_member_u1")
	assert.Equal(t, "pw", s.Groups()[0].Password)
}

func TestImportMembersInvalidUserDetails(t *testing.T) {
	s := newServer(t)
	s.AddGroups(chatimporttest.Group{GUID: "g", Name: "G", Type: "public", CreatedAt: 1600000000})
	m := member("g", "u1")
	m["userDetails"] = map[string]any{"uid": "u2", "name": "U"}
	code, details := post(t, s, "/data_import/members", membersBody(t, m)).entityError(t, "g_member_u1")
	assert.Equal(t, "ERR_IMPORT_INVALID_USER_FORMAT", code)
	assert.Contains(t, details, "userDetails.uid")

	m["userDetails"] = map[string]any{"uid": "u1"}
	code, details = post(t, s, "/data_import/members", membersBody(t, m)).entityError(t, "g_member_u1")
	assert.Equal(t, "ERR_IMPORT_INVALID_USER_FORMAT", code)
	assert.Contains(t, details, "userDetails.name")
	assert.Empty(t, s.Users())
	assert.Empty(t, s.Members("g"))
}

func TestImportMembersFormat(t *testing.T) {
	with := func(k string, v any) map[string]any { m := member("g", "u1"); m[k] = v; return m }
	for _, tc := range []struct {
		name   string
		key    string
		member any
		field  string
	}{
		{"key differs from memberId", "g_member_u1", map[string]any{"memberId": "g_member_u2", "guid": "g", "uid": "u2"}, "memberId"},
		{"memberId not guid_member_uid", "g_member_u1", map[string]any{"memberId": "g_member_u1", "guid": "g", "uid": "u2"}, "memberId"},
		{"memberId missing", "g_member_u1", map[string]any{"guid": "g", "uid": "u1"}, "memberId"},
		{"uid missing", "g_member_u1", map[string]any{"memberId": "g_member_u1", "guid": "g"}, "uid"},
		{"guid missing", "g_member_u1", map[string]any{"memberId": "g_member_u1", "uid": "u1"}, "guid"},
		{"bad scope", "g_member_u1", with("scope", "owner"), "scope"},
		{"bad isBanned", "g_member_u1", with("isBanned", "yes"), "isBanned"},
		{"bad joinedAt", "g_member_u1", with("joinedAt", "1673421419000"), "joinedAt"},
		{"not an object", "g_member_u1", []int{1}, "member"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			s.AddMembers("g")
			s.AddUsers(chatimporttest.User{UID: "u1"}, chatimporttest.User{UID: "u2"})
			body := mustJSON(t, map[string]any{"members": map[string]any{tc.key: tc.member}})
			code, details := post(t, s, "/data_import/members", body).entityError(t, tc.key)
			assert.Equal(t, "ERR_IMPORT_INVALID_MEMBER_FORMAT", code)
			assert.Contains(t, details, tc.field)
			assert.Empty(t, s.Members("g"))
		})
	}
}

func TestImportMembersJoinedAt(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	s.AddGroups(chatimporttest.Group{GUID: "g", Name: "G", Type: "public", CreatedAt: 1600000000})
	s.AddUsers(chatimporttest.User{UID: "a"}, chatimporttest.User{UID: "b"}, chatimporttest.User{UID: "c"}, chatimporttest.User{UID: "d"})
	at := func(uid string, joined int64) map[string]any { m := member("g", uid); m["joinedAt"] = joined; return m }
	r := post(t, s, "/data_import/members", membersBody(t,
		at("a", 1599999999), at("b", t0.Unix()+1), at("c", 1600000000), at("d", t0.Unix())))
	for _, uid := range []string{"a", "b"} {
		code, details := r.entityError(t, "g_member_"+uid)
		assert.Equal(t, "ERR_IMPORT_INVALID_JOINEDAT", code, uid)
		assert.Contains(t, details, "joinedAt")
	}
	r.entityData(t, "g_member_c")
	r.entityData(t, "g_member_d")
	assert.Len(t, s.Members("g"), 2)

	// A group created from details without createdAt is created now, so an
	// earlier joinedAt fails.
	m := at("a", 1650000000)
	m["memberId"], m["guid"] = "new_member_a", "new"
	m["groupDetails"] = map[string]any{"guid": "new", "name": "N", "type": "public"}
	code, _ := post(t, s, "/data_import/members", membersBody(t, m)).entityError(t, "new_member_a")
	assert.Equal(t, "ERR_IMPORT_INVALID_JOINEDAT", code)
}

func TestImportMembersAlreadyJoinedCaseInsensitive(t *testing.T) {
	s := newServer(t)
	m := member("g", "Carol")
	m["groupDetails"] = groupDetails("g", 1600000000)
	m["userDetails"] = map[string]any{"uid": "Carol", "name": "Carol"}
	m["joinedAt"] = 1600000001
	post(t, s, "/data_import/members", membersBody(t, m)).entityData(t, "g_member_Carol")

	r := post(t, s, "/data_import/members", membersBody(t, member("g", "carol")))
	code, _ := r.entityError(t, "g_member_carol")
	assert.Equal(t, "ERR_ALREADY_JOINED", code)
	assert.Equal(t, []chatimporttest.Member{{GUID: "g", UID: "carol", Scope: "participant", JoinedAt: 1600000001}}, s.Members("g"))
}

func TestImportMembersKeepBodyOrder(t *testing.T) {
	s := newServer(t)
	s.AddMembers("g")
	s.AddUsers(chatimporttest.User{UID: "z"}, chatimporttest.User{UID: "a"}, chatimporttest.User{UID: "m"})
	body := `{"members":{"g_member_z":{"memberId":"g_member_z","guid":"g","uid":"z"},` +
		`"g_member_a":{"memberId":"g_member_a","guid":"g","uid":"a"},"g_member_m":{"memberId":"g_member_m","guid":"g","uid":"m"}}}`
	post(t, s, "/data_import/members", body).entityData(t, "g_member_a")
	var uids []string
	for _, m := range s.Members("g") {
		uids = append(uids, m.UID)
	}
	assert.Equal(t, []string{"z", "a", "m"}, uids)
}

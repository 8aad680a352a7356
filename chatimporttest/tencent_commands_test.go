package chatimporttest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// command posts body to a Tencent command, signed for now, and decodes the
// whole answer.
func command(t *testing.T, s *chatimporttest.Server, now time.Time, name, body string) map[string]any {
	t.Helper()
	service := "group_open_http_svc"
	if name == "multiaccount_import" {
		service = "im_open_login_svc"
	}
	u := s.URL + "/v4/" + service + "/" + name + "?" + tencentQuery(t, now).Encode()
	r := do(t, http.MethodPost, u, nil, body)
	require.Equal(t, http.StatusOK, r.status, "Tencent answers 200: %s", r.body)
	var a map[string]any
	require.NoError(t, json.Unmarshal(r.body, &a), string(r.body))
	return a
}

func codeOf(a map[string]any) int { return int(a["ErrorCode"].(float64)) }

func TestTencentAccountRules(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	var list []map[string]any
	for i := range 101 {
		list = append(list, map[string]any{"UserID": fmt.Sprint("u", i)})
	}
	assert.Equal(t, 70206, codeOf(command(t, s, t0, "multiaccount_import", mustJSON(t, map[string]any{"AccountList": list}))), "at most 100")
	assert.Equal(t, 70402, codeOf(command(t, s, t0, "multiaccount_import", `{"AccountList":[]}`)))

	a := command(t, s, t0, "multiaccount_import", mustJSON(t, map[string]any{"AccountList": []map[string]any{
		{"UserID": "Bob", "Nick": "Bob", "FaceUrl": "https://x/b.png"},
		{"UserID": "bob"},
		{"UserID": strings.Repeat("x", 33)},
		{"UserID": "long-nick", "Nick": strings.Repeat("n", 501)},
	}}))
	require.Equal(t, 0, codeOf(a))
	assert.Equal(t, []any{strings.Repeat("x", 33), "long-nick"}, a["FailAccounts"])
	a = command(t, s, t0, "multiaccount_import", `{"Accounts":["old-form"]}`)
	assert.Equal(t, []any{}, a["FailAccounts"], "the older body is taken too")
	assert.Equal(t, []chatimporttest.TencentAccount{{UserID: "Bob", Nick: "Bob", FaceURL: "https://x/b.png"}, {UserID: "bob"}, {UserID: "old-form"}},
		s.TencentAccounts(), "ids are case-sensitive")
}

func TestTencentGroupRules(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	s.AddTencentAccounts("alice")
	group := func(fields map[string]any) string {
		g := map[string]any{"GroupId": "g", "Name": "n", "Type": "Public"}
		for k, v := range fields {
			if v == nil {
				delete(g, k)
			} else {
				g[k] = v
			}
		}
		return mustJSON(t, g)
	}
	for _, tc := range []struct {
		name   string
		fields map[string]any
		code   int
	}{
		{"AVChatRoom", map[string]any{"Type": "AVChatRoom"}, 10007},
		{"unknown type", map[string]any{"Type": "Chat"}, 10004},
		{"no name", map[string]any{"Name": nil}, 10004},
		{"long name", map[string]any{"Name": strings.Repeat("n", 31)}, 10004},
		{"community without prefix", map[string]any{"Type": "Community"}, 10015},
		{"custom id with the auto prefix", map[string]any{"GroupId": "@TGS#abc"}, 10015},
		{"owner never imported", map[string]any{"Owner_Account": "ghost"}, 10019},
		{"future CreateTime", map[string]any{"CreateTime": t0.Unix() + 1}, 10004},
		{"bad join option", map[string]any{"ApplyJoinOption": "Anyone"}, 10004},
		{"long introduction", map[string]any{"Introduction": strings.Repeat("i", 241)}, 10004},
	} {
		assert.Equal(t, tc.code, codeOf(command(t, s, t0, "import_group", group(tc.fields))), tc.name)
	}
	assert.Empty(t, s.TencentGroups(), "nothing refused was made")

	a := command(t, s, t0, "import_group", group(map[string]any{"GroupId": "owned", "Owner_Account": "alice", "CreateTime": 1_600_000_000}))
	require.Equal(t, 0, codeOf(a))
	assert.Equal(t, "owned", a["GroupId"])
	assert.Equal(t, 10021, codeOf(command(t, s, t0, "import_group", group(map[string]any{"GroupId": "owned"}))), "in use, owned by an account")
	require.Equal(t, 0, codeOf(command(t, s, t0, "import_group", group(map[string]any{"GroupId": "admins"}))))
	assert.Equal(t, 10025, codeOf(command(t, s, t0, "import_group", group(map[string]any{"GroupId": "admins"}))), "in use, owned by the admin")
	a = command(t, s, t0, "import_group", group(map[string]any{"GroupId": nil, "Type": "Community"}))
	require.Equal(t, 0, codeOf(a))
	assert.True(t, strings.HasPrefix(a["GroupId"].(string), "@TGS#_"), "a made-up Community id has the prefix")

	assert.Equal(t, []chatimporttest.Member{{GUID: "owned", UID: "alice", Scope: "owner", JoinedAt: 1_600_000_000}}, s.TencentMembers("owned"),
		"the owner is the first member")
	r := tencentImport(t, s, t0, tencentBody(t, "owned", map[string]any{"Member_Account": "alice", "Role": "Admin"}, map[string]any{"Member_Account": "ghost"}))
	assert.Equal(t, map[string]int{"alice": 2, "ghost": 0}, results(r), "the owner is a member already; a member never imported fails")
}

func TestTencentLooseAccounts(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }), chatimporttest.WithTencentLooseAccounts())
	require.Equal(t, 0, codeOf(command(t, s, t0, "import_group", `{"GroupId":"g","Name":"g","Type":"Private","Owner_Account":"ghost","CreateTime":1600000000}`)))
	a := tencentImport(t, s, t0, tencentBody(t, "g", map[string]any{"Member_Account": "phantom"}))
	assert.Equal(t, map[string]int{"phantom": 1}, results(a))
}

func TestTencentMemberInfoRules(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	accounts := make([]string, 250)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("m%03d", i)
	}
	s.AddTencentAccounts(accounts...)
	for _, g := range []string{`{"GroupId":"pub","Name":"p","Type":"Public","Owner_Account":"m000","CreateTime":1600000000}`,
		`{"GroupId":"@TGS#_com","Name":"c","Type":"Community","Owner_Account":"m000","CreateTime":1600000000}`} {
		require.Equal(t, 0, codeOf(command(t, s, t0, "import_group", g)))
	}
	for _, g := range []string{"pub", "@TGS#_com"} {
		for start := 1; start < 250; start += 100 {
			var ms []map[string]any
			for _, id := range accounts[start:min(start+100, 250)] {
				m := map[string]any{"Member_Account": id}
				if id == "m001" {
					m["Role"] = "Admin"
				}
				ms = append(ms, m)
			}
			require.Equal(t, 0, tencentImport(t, s, t0, tencentBody(t, g, ms...)).ErrorCode)
		}
	}
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"unknown group", `{"GroupId":"nope","Limit":10}`, 10010},
		{"no group", `{"Limit":10}`, 10015},
		{"limit over 100", `{"GroupId":"pub","Limit":101}`, 10004},
		{"community with Offset", `{"GroupId":"@TGS#_com","Limit":10,"Next":"","Offset":0}`, 10004},
		{"community without Next", `{"GroupId":"@TGS#_com","Limit":10}`, 10004},
		{"community forged cursor", `{"GroupId":"@TGS#_com","Limit":10,"Next":"12"}`, 10004},
		{"bad role filter", `{"GroupId":"pub","MemberRoleFilter":["Boss"]}`, 10004},
	} {
		assert.Equal(t, tc.code, codeOf(command(t, s, t0, "get_group_member_info", tc.body)), tc.name)
	}

	a := command(t, s, t0, "get_group_member_info", `{"GroupId":"pub","Limit":2,"Offset":0}`)
	require.Equal(t, 0, codeOf(a))
	assert.EqualValues(t, 250, a["MemberNum"])
	list := a["MemberList"].([]any)
	require.Len(t, list, 2)
	assert.Equal(t, "Owner", list[0].(map[string]any)["Role"])
	assert.Equal(t, "Admin", list[1].(map[string]any)["Role"])
	assert.NotContains(t, a, "Next", "an ordinary group has no cursor")

	// The Community walk: cursors until "", every member once.
	seen := map[string]int{}
	next := ""
	for range 10 {
		a = command(t, s, t0, "get_group_member_info", mustJSON(t, map[string]any{"GroupId": "@TGS#_com", "Limit": 100, "Next": next}))
		require.Equal(t, 0, codeOf(a), a["ErrorInfo"])
		for _, m := range a["MemberList"].([]any) {
			seen[m.(map[string]any)["Member_Account"].(string)]++
		}
		if next = a["Next"].(string); next == "" {
			break
		}
	}
	assert.Len(t, seen, 250)
	for id, n := range seen {
		assert.Equal(t, 1, n, id)
	}

	a = command(t, s, t0, "get_group_member_info", `{"GroupId":"pub","MemberRoleFilter":["Owner","Admin"]}`)
	assert.EqualValues(t, 2, a["MemberNum"], "the filter counts what it keeps")
}

func TestTencentGroupListRules(t *testing.T) {
	clock := newClock(t0)
	s := newServer(t, chatimporttest.WithClock(clock.Now), chatimporttest.WithDocumentedLimits())
	for i := range 30 {
		s.AddTencentGroup(fmt.Sprintf("g%02d", i), time.Unix(1_600_000_000, 0))
	}
	assert.Equal(t, 10004, codeOf(command(t, s, t0, "get_appid_group_list", `{"Limit":10001}`)))
	clock.Advance(time.Second)
	a := command(t, s, t0, "get_appid_group_list", `{"Limit":20,"Next":0}`)
	require.Equal(t, 0, codeOf(a))
	assert.Len(t, a["GroupIdList"], 20)
	assert.Greater(t, a["Next"].(float64), float64(1<<31), "the cursor runs past 2^31")
	assert.Equal(t, 10006, codeOf(command(t, s, t0, "get_appid_group_list", `{"Limit":20,"Next":0}`)), "one call a second")
	clock.Advance(time.Second)
	a = command(t, s, t0, "get_appid_group_list", fmt.Sprintf(`{"Limit":20,"Next":%.0f}`, a["Next"].(float64)))
	require.Equal(t, 0, codeOf(a))
	assert.Len(t, a["GroupIdList"], 10)
	assert.EqualValues(t, 0, a["Next"], "0 after the last page")

	var ids []string
	for i := range 51 {
		ids = append(ids, fmt.Sprintf("g%02d", i))
	}
	assert.Equal(t, 10004, codeOf(command(t, s, t0, "get_group_info", mustJSON(t, map[string]any{"GroupIdList": ids}))), "at most 50")
	a = command(t, s, t0, "get_group_info", `{"GroupIdList":["g01","nope"]}`)
	require.Equal(t, 0, codeOf(a))
	infos := a["GroupInfo"].([]any)
	assert.Equal(t, "Public", infos[0].(map[string]any)["Type"])
	assert.EqualValues(t, 10010, infos[1].(map[string]any)["ErrorCode"], "a missing group fails alone")
}

func TestTencentCommandLimitOption(t *testing.T) {
	clock := newClock(t0)
	s := newServer(t, chatimporttest.WithClock(clock.Now), chatimporttest.WithTencentCommandLimit("multiaccount_import", 2, time.Minute))
	body := `{"AccountList":[{"UserID":"a"}]}`
	assert.Equal(t, 0, codeOf(command(t, s, t0, "multiaccount_import", body)))
	assert.Equal(t, 0, codeOf(command(t, s, t0, "multiaccount_import", body)))
	assert.Equal(t, 60007, codeOf(command(t, s, t0, "multiaccount_import", body)))
	clock.Advance(time.Minute)
	assert.Equal(t, 0, codeOf(command(t, s, t0, "multiaccount_import", body)))
	assert.Equal(t, 1, s.Stats().RateLimited)
}

func TestTencentCommandLimitOptionChecked(t *testing.T) {
	assert.PanicsWithValue(t, `chatimporttest: WithTencentCommandLimit: no command "import_groups"`, func() {
		chatimporttest.NewServer(chatimporttest.WithTencentCommandLimit("import_groups", 1, time.Second))
	}, "a misspelt command would otherwise limit nothing")
	assert.Panics(t, func() { chatimporttest.NewServer(chatimporttest.WithTencentCommandLimit("import_group", 1, 0)) })
}

func TestTencentCommandsUnlimitedByDefault(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	for range 5 {
		assert.Equal(t, 0, codeOf(command(t, s, t0, "get_appid_group_list", `{}`)), "no limit until asked for")
	}
}

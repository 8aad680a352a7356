package chatimporttest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

func TestTencentAuth(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	s.AddTencentGroup("g", t0.Add(-time.Hour))
	s.AddTencentAccounts("a")
	signed := func(app uint64, key, id string, issued time.Time, expire time.Duration) func(url.Values) {
		return func(q url.Values) { q.Set("usersig", sign(t, app, key, id, issued, expire)) }
	}
	set := func(k, v string) func(url.Values) { return func(q url.Values) { q.Set(k, v) } }
	del := func(k string) func(url.Values) { return func(q url.Values) { q.Del(k) } }
	for _, tc := range []struct {
		name string
		mod  func(url.Values)
		code int
	}{
		{"good", func(url.Values) {}, 0},
		{"sdkappid other", set("sdkappid", "1400000001"), 60006},
		{"sdkappid missing", del("sdkappid"), 60006},
		{"identifier not admin", set("identifier", "bob"), 60010},
		{"usersig empty", set("usersig", ""), 70002},
		{"usersig missing", del("usersig"), 70002},
		{"usersig garbage", set("usersig", "not-a-sig"), 70003},
		{"usersig other key", signed(chatimporttest.SDKAppID, "other-key", chatimporttest.Admin, t0, time.Hour), 70003},
		{"usersig expired", signed(chatimporttest.SDKAppID, chatimporttest.SecretKey, chatimporttest.Admin, t0.Add(-2*time.Hour), time.Hour), 70001},
		{"usersig for another identifier", signed(chatimporttest.SDKAppID, chatimporttest.SecretKey, "bob", t0, time.Hour), 70013},
		{"usersig for another app", signed(1400000001, chatimporttest.SecretKey, chatimporttest.Admin, t0, time.Hour), 70014},
		{"random not a number", set("random", "x"), 60002},
		{"random above uint32", set("random", "4294967296"), 60002},
		{"random missing", del("random"), 60002},
		{"contenttype", set("contenttype", "xml"), 60002},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tencentQuery(t, t0)
			tc.mod(q)
			a := decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "g", map[string]any{"Member_Account": "a"})))
			assert.Equal(t, tc.code, a.ErrorCode, a.ErrorInfo)
			if sig := q.Get("usersig"); sig != "" {
				assert.NotContains(t, a.ErrorInfo, sig)
			}
		})
	}
	assert.Len(t, s.TencentMembers("g"), 1, "only the good request applied")
	assert.Equal(t, 1, s.Received("g/a"), "rejected bodies are not read")
}

func TestTencentCredentialsOption(t *testing.T) {
	s := newServer(t, chatimporttest.WithTencentCredentials(42, "k2", "root"), chatimporttest.WithTencentAutoCreate())
	now := time.Now()
	q := url.Values{"sdkappid": {"42"}, "identifier": {"root"}, "usersig": {sign(t, 42, "k2", "root", now, time.Hour)},
		"random": {"1"}, "contenttype": {"json"}}
	a := decodeTencent(t, do(t, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "g", map[string]any{"Member_Account": "a"})))
	assert.Equal(t, 0, a.ErrorCode, a.ErrorInfo)
	assert.Equal(t, 60006, tencentImport(t, s, now, tencentBody(t, "g", map[string]any{"Member_Account": "a"})).ErrorCode)
}

func TestTencentRequestErrors(t *testing.T) {
	s := newServer(t, chatimporttest.WithBatchLimits(0, 2))
	s.AddTencentGroup("g", t0)
	s.AddTencentAccounts("a", "b", "c")
	a1, a2, a3 := map[string]any{"Member_Account": "a"}, map[string]any{"Member_Account": "b"}, map[string]any{"Member_Account": "c"}
	now := time.Now()
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"malformed JSON", `{"GroupId":`, 60003},
		{"wrong type", `{"GroupId":"g","MemberList":[{"Member_Account":"a","JoinTime":"soon"}]}`, 60003},
		{"GroupId missing", `{"MemberList":[{"Member_Account":"a"}]}`, 10015},
		{"GroupId empty", tencentBody(t, "", a1), 10015},
		{"unknown group", tencentBody(t, "nope", a1), 10010},
		{"over batch limit", tencentBody(t, "g", a1, a2, a3), 10005},
		{"role not Admin", tencentBody(t, "g", a1, map[string]any{"Member_Account": "b", "Role": "Owner"}), 10004},
		{"MemberList empty", tencentBody(t, "g"), 10004},
		{"Member_Account empty", tencentBody(t, "g", map[string]any{"Member_Account": ""}), 10004},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tencentImport(t, s, now, tc.body)
			assert.Equal(t, tc.code, a.ErrorCode, a.ErrorInfo)
			assert.NotEmpty(t, a.ErrorInfo)
			assert.Empty(t, a.MemberList)
		})
	}
	assert.Empty(t, s.TencentMembers("g"), "nothing of a rejected request is applied")
	assert.Nil(t, s.TencentMembers("nope"))
	assert.Equal(t, 3, s.Stats().LargestBatch)

	a := tencentImport(t, s, now, tencentBody(t, "g", a1, a2))
	assert.Equal(t, map[string]int{"a": 1, "b": 1}, results(a))

	r := do(t, http.MethodGet, tencentURL(s, tencentQuery(t, now)), nil, "")
	assert.Equal(t, 60002, decodeTencent(t, r).ErrorCode)
}

func TestTencentResults(t *testing.T) {
	s := newServer(t, chatimporttest.WithClock(func() time.Time { return t0 }))
	created := int64(1600000000)
	s.AddTencentGroup("g", time.Unix(created, 0))
	s.AddTencentAccounts("a", "b", "c", "d", "e")
	a := tencentImport(t, s, t0, tencentBody(t, "g",
		map[string]any{"Member_Account": "a", "Role": "Admin", "JoinTime": created + 1, "UnreadMsgNum": 5},
		map[string]any{"Member_Account": "ghost"},
		map[string]any{"Member_Account": "b", "JoinTime": created - 1},
		map[string]any{"Member_Account": "c", "JoinTime": t0.Unix() + 1},
		map[string]any{"Member_Account": "d"},
		map[string]any{"Member_Account": "e", "JoinTime": created},
		map[string]any{"Member_Account": "a"},
	))
	require.Equal(t, 0, a.ErrorCode)
	var got []string
	for _, m := range a.MemberList {
		got = append(got, fmt.Sprintf("%s=%d", m.Member_Account, m.Result))
	}
	assert.Equal(t, []string{"a=1", "ghost=0", "b=0", "c=0", "d=1", "e=1", "a=2"}, got, "answers in request order")

	a = tencentImport(t, s, t0, tencentBody(t, "g", map[string]any{"Member_Account": "d"}, map[string]any{"Member_Account": "b", "JoinTime": created + 5}))
	assert.Equal(t, map[string]int{"d": 2, "b": 1}, results(a))

	assert.Equal(t, []chatimporttest.Member{
		{GUID: "g", UID: "a", Scope: "admin", JoinedAt: created + 1, UnreadMsgNum: 5},
		{GUID: "g", UID: "d", Scope: "participant", JoinedAt: t0.Unix()},
		{GUID: "g", UID: "e", Scope: "participant", JoinedAt: created},
		{GUID: "g", UID: "b", Scope: "participant", JoinedAt: created + 5},
	}, s.TencentMembers("g"))
	assert.Equal(t, 1, s.Received("g/a"), "counted once per request even when listed twice")
	assert.Equal(t, 2, s.Received("g/d"))
	assert.Equal(t, 1, s.Received("g/ghost"))
	assert.Empty(t, s.Members("g"), "Tencent and CometChat groups are separate")
}

func TestTencentAutoCreate(t *testing.T) {
	s := newServer(t, chatimporttest.WithTencentAutoCreate())
	a := tencentImport(t, s, time.Now(), tencentBody(t, "demo", map[string]any{"Member_Account": "x", "JoinTime": 1000000000}))
	assert.Equal(t, map[string]int{"x": 1}, results(a))
	assert.Equal(t, []chatimporttest.Member{{GUID: "demo", UID: "x", Scope: "participant", JoinedAt: 1000000000}}, s.TencentMembers("demo"))
}

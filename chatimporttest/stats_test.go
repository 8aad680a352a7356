package chatimporttest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

func TestStatsAndReceived(t *testing.T) {
	s := newServer(t, chatimporttest.WithTencentAutoCreate())
	post(t, s, "/data_import/users", usersBody(t, user("u1"), user("u2"), user("U3")))
	r := post(t, s, "/data_import/users", usersBody(t, user("u1"))) // a resend
	code, _ := r.entityError(t, "u1")
	assert.Equal(t, "ERR_UID_ALREADY_EXISTS", code)
	post(t, s, "/data_import/members", membersBody(t, member("nog", "u1")))
	get(t, s, "/groups/nog/members")
	do(t, http.MethodGet, s.URL+"/elsewhere", nil, "")
	do(t, http.MethodPost, s.URL+"/v3/data_import/users", nil, usersBody(t, user("u9"))) // 401: not read
	tencentImport(t, s, time.Now(), tencentBody(t, "tg", map[string]any{"Member_Account": "x"}, map[string]any{"Member_Account": "y"}))

	assert.Equal(t, chatimporttest.Stats{
		Requests:       7,
		ImportRequests: 5,
		ListRequests:   1,
		LargestBatch:   3,
		Entities:       3 + 1 + 1 + 2,
	}, s.Stats())
	assert.Equal(t, 2, s.Received("u1"))
	assert.Equal(t, 1, s.Received("u2"))
	assert.Equal(t, 1, s.Received("U3"), "ids are counted as the client keyed them")
	assert.Equal(t, 0, s.Received("u3"))
	assert.Equal(t, 0, s.Received("u9"))
	assert.Equal(t, 1, s.Received("nog_member_u1"))
	assert.Equal(t, 1, s.Received("tg/x"))
}

func TestCountOnly(t *testing.T) {
	s := newServer(t, chatimporttest.WithCountOnly(), chatimporttest.WithClock(func() time.Time { return t0 }))
	for range 2 {
		post(t, s, "/data_import/users", usersBody(t, user("a"))).entityData(t, "a")
	}
	code, _ := post(t, s, "/data_import/users", usersBody(t, user("b c"))).entityError(t, "b c")
	assert.Equal(t, "ERR_IMPORT_INVALID_USER_FORMAT", code, "still validates")
	assert.Empty(t, s.Users())

	m := member("g", "nobody")
	m["groupDetails"] = groupDetails("g", 1600000000)
	m["joinedAt"] = 1600000001
	for range 2 {
		post(t, s, "/data_import/members", membersBody(t, m)).entityData(t, "g_member_nobody")
	}
	assert.Empty(t, s.Members("g"))
	assert.Len(t, s.Groups(), 1, "groups are kept for the joinedAt rule")
	m["joinedAt"] = 1500000000
	code, _ = post(t, s, "/data_import/members", membersBody(t, m)).entityError(t, "g_member_nobody")
	assert.Equal(t, "ERR_IMPORT_INVALID_JOINEDAT", code)

	s.AddTencentGroup("tg", t0.Add(-time.Hour))
	for range 2 {
		a := tencentImport(t, s, t0, tencentBody(t, "tg", map[string]any{"Member_Account": "unknown"}))
		assert.Equal(t, map[string]int{"unknown": 1}, results(a))
	}
	assert.Empty(t, s.TencentMembers("tg"))

	st := s.Stats()
	assert.Equal(t, 2+1+3+2, st.Entities)
	assert.Equal(t, 0, s.Received("a"))
}

func TestSnapshotsAreCopies(t *testing.T) {
	s := newServer(t)
	meta := map[string]any{"nested": map[string]any{"k": "v"}, "list": []any{"x"}}
	s.AddUsers(chatimporttest.User{UID: "a", Metadata: meta, Tags: []string{"t"}})
	meta["nested"].(map[string]any)["k"] = "changed by caller"

	u := s.Users()[0]
	assert.Equal(t, "v", u.Metadata["nested"].(map[string]any)["k"])
	u.Metadata["nested"].(map[string]any)["k"] = "changed"
	u.Metadata["list"].([]any)[0] = "changed"
	u.Tags[0] = "changed"
	assert.Equal(t, chatimporttest.User{UID: "a", Role: "default", Metadata: map[string]any{"nested": map[string]any{"k": "v"}, "list": []any{"x"}},
		Tags: []string{"t"}, CreatedAt: s.Users()[0].CreatedAt}, s.Users()[0])

	s.AddMembers("g", chatimporttest.Member{UID: "a"})
	s.Members("g")[0].Scope = "admin"
	assert.Equal(t, "participant", s.Members("g")[0].Scope)
	assert.Nil(t, s.Members("nope"))
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t, chatimporttest.WithTencentAutoCreate())
	s.AddMembers("g")
	q := tencentQuery(t, time.Now())
	var wg sync.WaitGroup
	errs := make(chan error, 8*5*3)
	check := func(r *response, err error) {
		if err == nil && r.status != http.StatusOK {
			err = fmt.Errorf("status %d: %s", r.status, r.body)
		}
		if err != nil {
			errs <- err
		}
	}
	key := map[string]string{"apikey": chatimporttest.APIKey}
	ctx := context.Background()
	for w := range 8 {
		wg.Go(func() { // no require here: FailNow belongs to the test goroutine
			for i := range 5 {
				uid := "w" + itoa(w) + "u" + itoa(i)
				check(send(ctx, http.MethodPost, s.URL+"/v3/data_import/users", key, usersBody(t, user(uid))))
				check(send(ctx, http.MethodPost, s.URL+"/v3/data_import/members", key, membersBody(t, member("g", uid))))
				check(send(ctx, http.MethodPost, tencentURL(s, q), nil, tencentBody(t, "tg", map[string]any{"Member_Account": uid})))
				_ = s.Stats()
				_ = s.Users()
				_ = s.Members("g")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Len(t, s.Users(), 40)
	assert.Len(t, s.Members("g"), 40)
	assert.Len(t, s.TencentMembers("tg"), 40)
	assert.Equal(t, 120, s.Stats().ImportRequests)
}

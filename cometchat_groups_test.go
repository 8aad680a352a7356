package chatimport

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// groupsBody is a decoded import-groups body.
type groupsBody struct {
	Groups map[string]map[string]any `json:"groups"`
}

func decodeGroups(t *testing.T, r *http.Request) (groupsBody, string) {
	t.Helper()
	data, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	var b groupsBody
	require.NoError(t, json.Unmarshal(data, &b), string(data))
	return b, string(data)
}

func TestImportGroupsWireFormat(t *testing.T) {
	c, mux, clock := setup(t)
	created := clock.Now().Add(-time.Hour)
	var body string
	mux.HandleFunc("POST /data_import/groups", func(w http.ResponseWriter, r *http.Request) {
		var b groupsBody
		b, body = decodeGroups(t, r)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, testAPIKey, r.Header.Get("apikey"))
		answerAll(w, b.Groups)
	})
	res, err := c.ImportGroups(t.Context(), []Group{
		{GUID: "Hikers", Name: "Hikers", Type: GroupPublic, Icon: "https://i.example/h.png", Description: "Up hills",
			Owner: "Alice", CreatedAt: created, Metadata: map[string]any{"region": "alps"}, Tags: []string{"outdoor"},
			OwnerUser: &User{Name: "Alice A", Avatar: "https://a.example/a.png", CreatedAt: created}},
		{GUID: "vault", Name: "Vault", Type: GroupPassword, Password: "s3same"},
		{GUID: "board", Name: "Board", Type: GroupPrivate, Owner: "bob"},
	})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Count(StatusImported))
	ts := strconv.FormatInt(created.Unix(), 10)
	assert.JSONEq(t, `{"groups":{
		"Hikers":{"guid":"Hikers","name":"Hikers","icon":"https://i.example/h.png","description":"Up hills","type":"public",
			"owner":"Alice","createdAt":`+ts+`,"metadata":{"region":"alps"},"tags":["outdoor"],
			"groupOwnerDetails":{"uid":"Alice","name":"Alice A","avatar":"https://a.example/a.png","createdAt":`+ts+`}},
		"vault":{"guid":"vault","name":"Vault","type":"password","password":"s3same"},
		"board":{"guid":"board","name":"Board","type":"private","owner":"bob"}}}`, body)
	assert.True(t, strings.Index(body, `"Hikers"`) < strings.Index(body, `"vault"`), "entities go in input order")
}

// TestImportGroupsAnswers reads CometChat's answers: under the lower-cased
// guid, an existing group as existed, a refused one as failed.
func TestImportGroupsAnswers(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /data_import/groups", func(w http.ResponseWriter, r *http.Request) {
		b, _ := decodeGroups(t, r)
		data := map[string]any{}
		for guid := range b.Groups {
			low := strings.ToLower(guid)
			switch low {
			case "old":
				data[low] = map[string]any{"success": false, "error": map[string]any{"code": "ERR_GUID_ALREADY_EXISTS", "message": "exists"}}
			case "bad":
				data[low] = map[string]any{"success": false, "error": map[string]any{"code": "ERR_IMPORT_INVALID_GROUP_FORMAT", "message": "no"}}
			default:
				data[low] = map[string]any{"success": true, "data": map[string]any{"guid": low, "conversationId": "group_" + low}}
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	})
	res, err := c.ImportGroups(t.Context(), []Group{
		{GUID: "New-One", Name: "N", Type: GroupPublic},
		{GUID: "Old", Name: "O", Type: GroupPublic},
		{GUID: "bad", Name: "B", Type: GroupPublic},
	})
	require.Error(t, err)
	assert.Equal(t, []Status{StatusImported, StatusExisted, StatusFailed}, statuses(res))
	assert.Equal(t, []string{"New-One", "Old", "bad"}, []string{res.Items[0].ID, res.Items[1].ID, res.Items[2].ID})
	var apiErr *APIError
	require.ErrorAs(t, res.Items[2].Err, &apiErr)
	assert.Equal(t, "ERR_IMPORT_INVALID_GROUP_FORMAT", apiErr.Code)
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

func statuses(res *ImportResult) []Status {
	out := make([]Status, len(res.Items))
	for i, it := range res.Items {
		out[i] = it.Status
	}
	return out
}

func TestImportGroupsRefusesBeforeSending(t *testing.T) {
	c, mux, clock := setup(t)
	var mu sync.Mutex
	var sent []string
	mux.HandleFunc("POST /data_import/groups", func(w http.ResponseWriter, r *http.Request) {
		b, _ := decodeGroups(t, r)
		mu.Lock()
		for guid := range b.Groups {
			sent = append(sent, guid)
		}
		mu.Unlock()
		answerAll(w, b.Groups)
	})
	ok := func(guid string) Group { return Group{GUID: guid, Name: "G " + guid, Type: GroupPublic} }
	with := func(g Group, f func(*Group)) Group { f(&g); return g }
	input := []Group{
		ok("good"),
		with(ok("spaced"), func(g *Group) { g.GUID = "has space" }),
		with(ok("long"), func(g *Group) { g.GUID = strings.Repeat("g", 101) }),
		with(ok("meeting"), func(g *Group) { g.Type = GroupType("meeting") }),
		with(ok("community"), func(g *Group) { g.Type = GroupType("community") }),
		with(ok("untyped"), func(g *Group) { g.Type = "" }),
		with(ok("locked"), func(g *Group) { g.Type = GroupPassword }),
		with(ok("nameless"), func(g *Group) { g.Name = " " }),
		with(ok("ownerless"), func(g *Group) { g.OwnerUser = &User{Name: "X"} }),
		with(ok("mismatch"), func(g *Group) { g.Owner, g.OwnerUser = "ann", &User{UID: "bea", Name: "B"} }),
		with(ok("nameless-owner"), func(g *Group) { g.Owner, g.OwnerUser = "ann", &User{} }),
		with(ok("future"), func(g *Group) { g.CreatedAt = clock.Now().Add(time.Hour) }),
		with(ok("tagged"), func(g *Group) { g.Tags = make([]string, 26) }),
		ok("GOOD"),
		ok("good"),
		ok("other"),
	}
	res, err := c.ImportGroups(t.Context(), input)
	require.Error(t, err)
	want := []struct {
		status Status
		field  string
	}{
		{StatusImported, ""}, {StatusFailed, "guid"}, {StatusFailed, "guid"}, {StatusFailed, "type"}, {StatusFailed, "type"},
		{StatusFailed, "type"}, {StatusFailed, "password"}, {StatusFailed, "name"}, {StatusFailed, "groupOwnerDetails"},
		{StatusFailed, "groupOwnerDetails.uid"}, {StatusFailed, "groupOwnerDetails.name"}, {StatusFailed, "createdAt"},
		{StatusFailed, "tags"}, {StatusFailed, "guid"}, {StatusSkipped, ""}, {StatusImported, ""},
	}
	require.Len(t, res.Items, len(want))
	for i, w := range want {
		it := res.Items[i]
		assert.Equal(t, w.status, it.Status, "item %d", i)
		assert.Equal(t, i, it.Index)
		var v *ValidationError
		if w.field != "" {
			require.ErrorAs(t, it.Err, &v, "item %d", i)
			assert.Equal(t, w.field, v.Field, "item %d: %v", i, it.Err)
			assert.Equal(t, i, v.Index)
		}
	}
	var dup *DuplicateError
	require.True(t, errors.As(res.Items[14].Err, &dup))
	assert.Equal(t, 0, dup.First)
	assert.Contains(t, res.Items[13].Err.Error(), "letter case")
	assert.ElementsMatch(t, []string{"good", "other"}, sent, "only the valid groups are sent, each once")
}

func TestImportMembersRefusesGroupFieldsItCannotCarry(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /data_import/members", func(w http.ResponseWriter, r *http.Request) {
		answerAll(w, decodeImport(t, r).Members)
	})
	res, err := c.ImportMembers(t.Context(), []Member{
		{GUID: "g", UID: "u1", Group: &Group{Name: "G", Type: GroupPublic, Description: "d"}},
		{GUID: "g", UID: "u2", Group: &Group{Name: "G", Type: GroupPublic, Owner: "o", OwnerUser: &User{Name: "O"}}},
		{GUID: "g", UID: "u3", Group: &Group{Name: "G", Type: GroupPublic, Owner: "o"}},
	})
	require.Error(t, err)
	for i, field := range []string{"groupDetails.description", "groupDetails.groupOwnerDetails"} {
		var v *ValidationError
		require.ErrorAs(t, res.Items[i].Err, &v)
		assert.Equal(t, field, v.Field)
	}
	assert.Equal(t, StatusImported, res.Items[2].Status)
}

// TestImportEndpointsShareOneBudget runs users, groups and members imports
// on one Client, one after another, and checks that the requests of all
// three keep the one 60-a-minute spacing (one request in flight, so the
// fake clock reads each request's own time): with a budget per endpoint, each
// import's first request would go at once and a minute could hold 61.
func TestImportEndpointsShareOneBudget(t *testing.T) {
	c, mux, clock := setup(t, WithRateLimit(60, time.Minute), WithBatchSize(1), WithConcurrency(1))
	var mu sync.Mutex
	var at []time.Time
	record := func() {
		mu.Lock()
		at = append(at, clock.Now())
		mu.Unlock()
	}
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		record()
		answerAll(w, decodeImport(t, r).Users)
	})
	mux.HandleFunc("POST /data_import/groups", func(w http.ResponseWriter, r *http.Request) {
		record()
		b, _ := decodeGroups(t, r)
		answerAll(w, b.Groups)
	})
	mux.HandleFunc("POST /data_import/members", func(w http.ResponseWriter, r *http.Request) {
		record()
		answerAll(w, decodeImport(t, r).Members)
	})
	var us []User
	var gs []Group
	var ms []Member
	for i := range 30 {
		id := "x" + strconv.Itoa(i)
		us = append(us, User{UID: id, Name: id})
		gs = append(gs, Group{GUID: id, Name: id, Type: GroupPublic})
		ms = append(ms, Member{GUID: id, UID: id})
	}
	_, err := c.ImportUsers(t.Context(), us)
	require.NoError(t, err)
	_, err = c.ImportGroups(t.Context(), gs)
	require.NoError(t, err)
	_, err = c.ImportMembers(t.Context(), ms)
	require.NoError(t, err)
	require.Len(t, at, 90)
	for i := 1; i < len(at); i++ {
		require.GreaterOrEqual(t, at[i].Sub(at[i-1]), time.Second, "request %d", i)
	}
	for i := 60; i < len(at); i++ {
		require.GreaterOrEqual(t, at[i].Sub(at[i-60]), time.Minute, "61 requests within a minute, ending at %d", i)
	}
}

func TestImportGroupsSeqStreams(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(50))
	var mu sync.Mutex
	var sizes []int
	mux.HandleFunc("POST /data_import/groups", func(w http.ResponseWriter, r *http.Request) {
		b, _ := decodeGroups(t, r)
		mu.Lock()
		sizes = append(sizes, len(b.Groups))
		mu.Unlock()
		answerAll(w, b.Groups)
	})
	src := func(yield func(Group, error) bool) {
		for i := range 120 {
			if !yield(Group{GUID: "g" + strconv.Itoa(i%110), Name: "G", Type: GroupPrivate}, nil) {
				return
			}
		}
	}
	got := map[Status]int{}
	require.Error(t, c.ImportGroupsSeq(t.Context(), src, func(r ItemResult) { got[r.Status]++ }))
	assert.Equal(t, map[Status]int{StatusImported: 110, StatusSkipped: 10}, got)
	mu.Lock()
	defer mu.Unlock()
	assert.ElementsMatch(t, []int{50, 50, 10}, sizes)
}

// TestImportEndpointsShareOneBudgetAtOnce runs users, groups and members
// imports of one Client at the same time, at the default pacing, in a
// synctest bubble (its clock moves only while every goroutine waits) over
// an in-memory transport: together they never send more than 60 requests
// in any minute.
func TestImportEndpointsShareOneBudgetAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var at []time.Time
		mock := httpmock.NewMockTransport()
		for _, wrapper := range []string{"users", "groups", "members"} {
			mock.RegisterResponder(http.MethodPost, "https://cometchat.test/v3/data_import/"+wrapper, func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				at = append(at, time.Now())
				mu.Unlock()
				var body map[string]map[string]json.RawMessage
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
					return nil, err
				}
				data := map[string]any{}
				for id := range body[wrapper] {
					data[id] = map[string]any{"success": true}
				}
				return httpmock.NewJsonResponse(http.StatusOK, map[string]any{"data": data})
			})
		}
		c, err := NewCometChat(testAppID, "us", testAPIKey, WithBaseURL("https://cometchat.test/v3"),
			WithHTTPClient(&http.Client{Transport: mock}), WithBatchSize(1))
		require.NoError(t, err)
		var us []User
		var gs []Group
		var ms []Member
		for i := range 30 {
			id := "x" + strconv.Itoa(i)
			us = append(us, User{UID: id, Name: id})
			gs = append(gs, Group{GUID: id, Name: id, Type: GroupPublic})
			ms = append(ms, Member{GUID: id, UID: id})
		}
		var wg sync.WaitGroup
		errs := make([]error, 3)
		wg.Go(func() { _, errs[0] = c.ImportUsers(t.Context(), us) })
		wg.Go(func() { _, errs[1] = c.ImportGroups(t.Context(), gs) })
		wg.Go(func() { _, errs[2] = c.ImportMembers(t.Context(), ms) })
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.Len(t, at, 90)
		slices.SortFunc(at, time.Time.Compare)
		for i := 60; i < len(at); i++ {
			require.GreaterOrEqual(t, at[i].Sub(at[i-60]), time.Minute, "61 requests within a minute, ending at %d", i)
		}
	})
}

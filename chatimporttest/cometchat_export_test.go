package chatimporttest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// exportServer holds three users, one deactivated, and two groups.
func exportServer(t *testing.T, opts ...chatimporttest.Option) *chatimporttest.Server {
	s := newServer(t, opts...)
	s.AddUsers(
		chatimporttest.User{UID: "cid", Name: "Cid", Tags: []string{"t"}, CreatedAt: 1600000003},
		chatimporttest.User{UID: "Ann", Name: "Ann", Status: "available", Metadata: map[string]any{"k": "v"}, CreatedAt: 1600000001},
		chatimporttest.User{UID: "bob", Name: "Bob", CreatedAt: 1600000002, DeactivatedAt: 1650000000},
	)
	s.AddGroups(
		chatimporttest.Group{GUID: "vault", Name: "Vault", Type: "password", Password: "pw", CreatedAt: 1600000010},
		chatimporttest.Group{GUID: "Hikers", Name: "Hikers", Type: "public", Owner: "ann", Description: "Up hills",
			Icon: "https://i.example/h.png", Metadata: map[string]any{"k": "v"}, Tags: []string{"outdoor"}, CreatedAt: 1600000011},
	)
	return s
}

type page struct {
	data       []map[string]any
	pagination map[string]any
}

func listAt(t *testing.T, s *chatimporttest.Server, pathAndQuery string) page {
	t.Helper()
	r := get(t, s, pathAndQuery)
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	m := r.obj(t)
	raw, ok := m["data"].([]any)
	require.True(t, ok, "data must be an array: %s", r.body)
	p := page{pagination: m["meta"].(map[string]any)["pagination"].(map[string]any)}
	for _, d := range raw {
		p.data = append(p.data, d.(map[string]any))
	}
	return p
}

func ids(p page, key string) []string {
	out := []string{}
	for _, d := range p.data {
		out = append(out, d[key].(string))
	}
	return out
}

func TestListUsersDeactivated(t *testing.T) {
	s := exportServer(t)
	for query, want := range map[string][]string{
		"":                      {"ann", "cid"},
		"?withDeactivated=true": {"ann", "bob", "cid"},
		"?onlyDeactivated=true": {"bob"},
		"?withDeactivated=0":    {"ann", "cid"},
	} {
		assert.Equal(t, want, ids(listAt(t, s, "/users"+query), "uid"), query)
	}
}

func TestListUsersFieldsAndTags(t *testing.T) {
	s := exportServer(t)
	p := listAt(t, s, "/users?withDeactivated=true")
	assert.Equal(t, "available", p.data[0]["status"])
	assert.Equal(t, map[string]any{"k": "v"}, p.data[0]["metadata"])
	assert.Equal(t, float64(1650000000), p.data[1]["deactivatedAt"])
	assert.Equal(t, "offline", p.data[1]["status"])
	assert.Equal(t, "default", p.data[1]["role"])
	assert.NotContains(t, p.data[2], "tags", "tags only when asked for")
	p = listAt(t, s, "/users?withTags=true")
	assert.Equal(t, []any{"t"}, p.data[1]["tags"])
}

func TestListUsersPaging(t *testing.T) {
	s := exportServer(t)
	for pg, want := range map[string][]string{"1": {"ann", "bob"}, "2": {"cid"}, "3": {}} {
		p := listAt(t, s, "/users?withDeactivated=true&perPage=2&page="+pg)
		assert.Equal(t, want, ids(p, "uid"), pg)
		assert.Equal(t, float64(3), p.pagination["total"])
		assert.Equal(t, float64(2), p.pagination["total_pages"])
		assert.Equal(t, float64(len(want)), p.pagination["count"])
	}
}

func TestListGroupsFields(t *testing.T) {
	s := exportServer(t)
	p := listAt(t, s, "/groups")
	assert.Equal(t, []string{"hikers", "vault"}, ids(p, "guid"))
	h := p.data[0]
	assert.Equal(t, "Up hills", h["description"])
	assert.Equal(t, "ann", h["owner"])
	assert.Equal(t, "https://i.example/h.png", h["icon"])
	assert.Equal(t, float64(1600000011), h["createdAt"])
	assert.NotContains(t, h, "tags", "tags only when asked for")
	assert.NotContains(t, p.data[1], "password", "CometChat never lists a password")
	assert.Equal(t, []any{"outdoor"}, listAt(t, s, "/groups?withTags=true").data[0]["tags"])
	assert.Equal(t, []string{"vault"}, ids(listAt(t, s, "/groups?perPage=1&page=2"), "guid"))
}

func TestListUsersAndGroupsRefuseBadQueries(t *testing.T) {
	s := exportServer(t)
	for _, pq := range []string{"/users?perPage=1001", "/users?page=0", "/users?withDeactivated=yes", "/groups?withTags=maybe", "/groups?perPage=-3"} {
		r := get(t, s, pq)
		assert.Equal(t, http.StatusBadRequest, r.status, pq)
		assert.Equal(t, "ERR_BAD_REQUEST", r.errorCode(t), pq)
	}
	r := do(t, http.MethodGet, s.URL+"/v3/users", map[string]string{"apikey": "wrong"}, "")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, 6, s.Stats().ListRequests, "refused requests count too")
}

func TestListingsDrawFaults(t *testing.T) {
	s := exportServer(t, chatimporttest.WithSeed(1), chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 1}))
	r := get(t, s, "/users")
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "0", r.header.Get("Retry-After"))
	s = exportServer(t, chatimporttest.WithSeed(1), chatimporttest.WithFaults(chatimporttest.Faults{Unavailable: 1}))
	r = get(t, s, "/groups")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, 1, s.Stats().Faults.Unavailable)
}

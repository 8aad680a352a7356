package chatimport

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queries records the query strings a handler was sent.
type queries struct {
	mu  sync.Mutex
	got []string
}

func (q *queries) add(r *http.Request) {
	q.mu.Lock()
	q.got = append(q.got, r.URL.RawQuery)
	q.mu.Unlock()
}

func (q *queries) all() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.got...)
}

// userPages serves GET /users from n users, u0000 on, as CometChat pages.
func userPages(t *testing.T, mux *http.ServeMux, n int) *queries {
	q := &queries{}
	mux.HandleFunc("GET /users", func(w http.ResponseWriter, r *http.Request) {
		q.add(r)
		perPage, _ := strconv.Atoi(r.URL.Query().Get("perPage"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		data := []map[string]any{}
		for i := (page - 1) * perPage; i < min(page*perPage, n); i++ {
			data = append(data, map[string]any{"uid": "u" + strconv.Itoa(1000+i), "name": "U", "status": "offline", "role": "default"})
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"pagination": map[string]any{
			"total": 0, "count": len(data), "per_page": perPage, "current_page": page, "total_pages": (n + perPage - 1) / perPage}}})
	})
	return q
}

func TestListUsersQueryAndFields(t *testing.T) {
	c, mux, _ := setup(t)
	q := &queries{}
	mux.HandleFunc("GET /users", func(w http.ResponseWriter, r *http.Request) {
		q.add(r)
		assert.Equal(t, testAPIKey, r.Header.Get("apikey"))
		writeJSON(w, http.StatusOK, map[string]any{
			"data": []map[string]any{{
				"uid": "ann", "name": "Ann", "avatar": "https://a.example/a.png", "link": "https://a.example",
				"role": "manager", "status": "available", "metadata": map[string]any{"k": "v"}, "tags": []string{"t"},
				"createdAt": 1600000000, "lastActiveAt": "1600000100", "deactivatedAt": 1600000200,
				"updatedAt": 1600000300, "conversationId": "x_user_ann",
			}, {"uid": "bob", "name": "Bob", "role": "default", "status": "offline", "createdAt": 1600000001}},
			"meta": map[string]any{"pagination": map[string]any{"total": 2, "count": 2, "per_page": 1000, "current_page": 1, "total_pages": 1}},
		})
	})
	var got []User
	for u, err := range c.ListUsers(t.Context(), nil) {
		require.NoError(t, err)
		got = append(got, u)
	}
	assert.Equal(t, []User{{
		UID: "ann", Name: "Ann", Avatar: "https://a.example/a.png", Link: "https://a.example", Role: "manager",
		Status: "available", Metadata: map[string]any{"k": "v"}, Tags: []string{"t"},
		CreatedAt: time.Unix(1600000000, 0), LastActiveAt: time.Unix(1600000100, 0), DeactivatedAt: time.Unix(1600000200, 0),
	}, {UID: "bob", Name: "Bob", Role: "default", Status: "offline", CreatedAt: time.Unix(1600000001, 0)}}, got)
	assert.Equal(t, []string{"page=1&perPage=1000&withDeactivated=true&withTags=true"}, q.all(),
		"deactivated users and tags are asked for: an export needs both")
}

func TestListUsersOptionsQuery(t *testing.T) {
	for _, tc := range []struct {
		opts *ListUsersOptions
		want string
	}{
		{&ListUsersOptions{}, "page=1&perPage=1000&withDeactivated=true&withTags=true"},
		{&ListUsersOptions{PerPage: 10, Page: 4}, "page=4&perPage=10&withDeactivated=true&withTags=true"},
		{&ListUsersOptions{Deactivated: "exclude"}, "page=1&perPage=1000&withTags=true"},
		{&ListUsersOptions{Deactivated: "only"}, "onlyDeactivated=true&page=1&perPage=1000&withTags=true"},
	} {
		c, mux, _ := setup(t)
		q := userPages(t, mux, 0)
		for _, err := range c.ListUsers(t.Context(), tc.opts) {
			require.NoError(t, err)
		}
		assert.Equal(t, []string{tc.want}, q.all())
	}
}

func TestListUsersRefusesInvalidOptions(t *testing.T) {
	for field, opts := range map[string]*ListUsersOptions{
		"perPage":     {PerPage: 1001},
		"page":        {Page: -1},
		"deactivated": {Deactivated: "include"},
	} {
		c, mux, _ := setup(t)
		mux.HandleFunc("GET /users", func(http.ResponseWriter, *http.Request) { t.Errorf("%s: a request was sent", field) })
		n := 0
		for _, err := range c.ListUsers(t.Context(), opts) {
			n++
			var v *ValidationError
			require.ErrorAs(t, err, &v)
			assert.Equal(t, field, v.Field)
			assert.Equal(t, "users", v.ID)
			assert.ErrorIs(t, err, ErrInvalidRequest)
		}
		assert.Equal(t, 1, n, field)
	}
}

func TestListUsersPagesBreaksAndResumes(t *testing.T) {
	c, mux, _ := setup(t)
	q := userPages(t, mux, 25)
	opts := &ListUsersOptions{PerPage: 10}
	var first []string
	p := c.UsersPager(opts)
	for u, err := range p.All(t.Context()) {
		require.NoError(t, err)
		first = append(first, u.UID)
		if len(first) == 13 {
			break
		}
	}
	// Page 3, which page 1 counts, may have been asked for ahead; nothing
	// past the count.
	assert.Contains(t, []int{2, 3}, len(q.all()), "a break stops requests")
	saved := p.Position()
	assert.Equal(t, Position{Provider: ProviderCometChat, List: "users", Query: "perPage=10&withDeactivated=true&withTags=true", Token: "2", Skip: 3}, saved)

	resumed := c.UsersPager(opts)
	require.NoError(t, resumed.Resume(saved))
	var rest []string
	for u, err := range resumed.All(t.Context()) {
		require.NoError(t, err)
		rest = append(rest, u.UID)
	}
	all := append(first, rest...)
	require.Len(t, all, 25)
	for i, uid := range all {
		assert.Equal(t, "u"+strconv.Itoa(1000+i), uid)
	}

	var v *ValidationError
	require.ErrorAs(t, c.UsersPager(&ListUsersOptions{PerPage: 10, Deactivated: "only"}).Resume(saved), &v)
	assert.Equal(t, "query", v.Field)
	assert.Equal(t, `chatimport: "users": invalid query: `, v.Error()[:len(`chatimport: "users": invalid query: `)], "names the listing")
	require.ErrorAs(t, c.GroupsPager(&ListGroupsOptions{PerPage: 10}).Resume(saved), &v)
	assert.Equal(t, "list", v.Field)
}

func TestListGroupsReadsBothDocumentedShapes(t *testing.T) {
	want := []Group{
		{GUID: "hikers", Name: "Hikers", Description: "Up hills", Icon: "https://i.example/h.png", Type: GroupPublic,
			Owner: "ann", Metadata: map[string]any{"k": "v"}, Tags: []string{"outdoor"}, CreatedAt: time.Unix(1638440784, 0)},
		{GUID: "vault", Name: "Vault", Type: GroupPassword, CreatedAt: time.Unix(1638440785, 0)},
	}
	entry := func(g Group) map[string]any {
		m := map[string]any{"guid": g.GUID, "name": g.Name, "type": string(g.Type), "createdAt": g.CreatedAt.Unix(),
			"membersCount": 1, "conversationId": "group_" + g.GUID, "hasJoined": true, "scope": "admin"}
		if g.Owner != "" {
			m["owner"], m["description"], m["icon"], m["metadata"], m["tags"] = g.Owner, g.Description, g.Icon, g.Metadata, g.Tags
		}
		return m
	}
	pagination := map[string]any{"total": 0, "count": 2, "per_page": 1000, "current_page": 1, "total_pages": 1}
	for name, body := range map[string]map[string]any{
		// As the other listings answer.
		"array": {"data": []any{entry(want[0]), entry(want[1])}, "meta": map[string]any{"pagination": pagination}},
		// As the groups page documents it: an object of groups, meta inside.
		"documented": {"data": map[string]any{"0": entry(want[0]), "1": entry(want[1]), "meta": map[string]any{"pagination": pagination}}},
	} {
		c, mux, _ := setup(t)
		q := &queries{}
		mux.HandleFunc("GET /groups", func(w http.ResponseWriter, r *http.Request) {
			q.add(r)
			writeJSON(w, http.StatusOK, body)
		})
		var got []Group
		for g, err := range c.ListGroups(t.Context(), nil) {
			require.NoError(t, err, name)
			got = append(got, g)
		}
		assert.Equal(t, want, got, name)
		assert.Equal(t, []string{"page=1&perPage=1000&withTags=true"}, q.all(), name)
	}
}

func TestListGroupsPagesAndRefusesInvalidOptions(t *testing.T) {
	c, mux, _ := setup(t)
	q := &queries{}
	mux.HandleFunc("GET /groups", func(w http.ResponseWriter, r *http.Request) {
		q.add(r)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		data := []any{}
		if page <= 2 {
			data = append(data, map[string]any{"guid": "g" + strconv.Itoa(page), "name": "G", "type": "private"})
		}
		// No pagination: the walk ends on the empty page.
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	})
	var guids []string
	for g, err := range c.ListGroups(t.Context(), &ListGroupsOptions{PerPage: 1, Page: 1}) {
		require.NoError(t, err)
		guids = append(guids, g.GUID)
	}
	assert.Equal(t, []string{"g1", "g2"}, guids)
	assert.Equal(t, []string{"page=1&perPage=1&withTags=true", "page=2&perPage=1&withTags=true", "page=3&perPage=1&withTags=true"}, q.all())

	_, err := c.GroupsPager(&ListGroupsOptions{PerPage: -1}).NextPage(t.Context())
	var v *ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "perPage", v.Field)
	assert.Equal(t, "groups", v.ID)
	assert.Len(t, q.all(), 3, "no request for invalid options")
}

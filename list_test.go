package chatimport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeGroup serves GET /groups/team/members for a group of n members, u00000
// to u<n-1>, the way CometChat pages them, with switches for the ways a
// server can misbehave.
type fakeGroup struct {
	n          int
	cap        int  // serves at most this many per page, whatever was asked; 0: no cap
	ignorePage bool // always serves page 1 and says so
	echoPage   bool // with ignorePage: says it served the page asked for
	noMeta     bool // sends neither pagination nor cursor
	onePage    bool // says total_pages 1 on every page, as if counted from the page
	fail       func(w http.ResponseWriter, page int) bool

	mu      sync.Mutex
	queries []string
}

func (g *fakeGroup) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.queries = append(g.queries, r.URL.RawQuery)
	g.mu.Unlock()
	q := r.URL.Query()
	perPage, _ := strconv.Atoi(q.Get("perPage"))
	asked, _ := strconv.Atoi(q.Get("page"))
	if g.fail != nil && g.fail(w, asked) {
		return
	}
	if g.cap > 0 {
		perPage = min(perPage, g.cap)
	}
	served := asked
	if g.ignorePage {
		served = 1
	}
	items := []map[string]any{}
	for i := (served - 1) * perPage; i < min(served*perPage, g.n); i++ {
		items = append(items, map[string]any{
			"uid": memberUID(i), "name": "Member " + strconv.Itoa(i), "scope": "participant",
			"status": "offline", "role": "default", "joinedAt": 1600000000 + i, "conversationId": "group_team",
		})
	}
	body := map[string]any{"data": items}
	if !g.noMeta {
		current := served
		if g.echoPage {
			current = asked
		}
		totalPages := (g.n + perPage - 1) / perPage
		if g.onePage {
			totalPages = 1
		}
		body["meta"] = map[string]any{"pagination": map[string]any{
			"total": 0, "count": len(items), "per_page": perPage, "current_page": current, "total_pages": totalPages,
		}}
		body["cursor"] = map[string]any{"updatedAt": 1638354799, "affix": "prepend"} // the same on every page
	}
	writeJSON(w, http.StatusOK, body)
}

func (g *fakeGroup) Queries() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.queries...)
}

func memberUID(i int) string { return fmt.Sprintf("u%05d", i) }

func uidsUpTo(from, to int) []string {
	out := []string{}
	for i := from; i < to; i++ {
		out = append(out, memberUID(i))
	}
	return out
}

// listSetup is setup with g serving the members of group "team".
func listSetup(t *testing.T, g http.Handler, opts ...Option) (*Client, *fakeClock) {
	c, mux, clock := setup(t, opts...)
	mux.Handle("GET /groups/team/members", g)
	return c, clock
}

// collect ranges over seq as a caller would, keeping every uid and error.
func collect(seq iter.Seq2[Member, error]) (uids []string, errs []error) {
	uids = []string{}
	for m, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		uids = append(uids, m.UID)
	}
	return uids, errs
}

func TestListMembersYieldsEveryMemberOnceInOrder(t *testing.T) {
	for _, tc := range []struct{ n, requests int }{
		{0, 1}, {1, 1}, {999, 1}, {1000, 2}, {1001, 2}, {2500, 3},
	} {
		t.Run(strconv.Itoa(tc.n), func(t *testing.T) {
			g := &fakeGroup{n: tc.n}
			c, _ := listSetup(t, g)
			uids, errs := collect(c.ListMembers(t.Context(), "team", nil))
			require.Empty(t, errs)
			assert.Equal(t, uidsUpTo(0, tc.n), uids)
			// Pages fetched ahead may arrive in any order; each is asked once.
			queries := slices.Sorted(slices.Values(g.Queries()))
			require.Len(t, queries, tc.requests, "a full page is followed by one more request; a short last page is not")
			for i, q := range queries {
				assert.Equal(t, fmt.Sprintf("page=%d&perPage=1000", i+1), q)
			}
		})
	}
}

func TestListMembersRangesAnew(t *testing.T) {
	g := &fakeGroup{n: 3}
	c, _ := listSetup(t, g)
	seq := c.ListMembers(t.Context(), "team", &ListMembersOptions{PerPage: 2})
	for range 2 {
		uids, errs := collect(seq)
		require.Empty(t, errs)
		assert.Equal(t, uidsUpTo(0, 3), uids)
	}
	assert.Len(t, g.Queries(), 4)
}

// A loop that breaks inside page 2 of 3 may have had page 3 asked for
// ahead, but nothing past the server's count and nothing twice; once the
// loop has ended no request is under way.
func TestListMembersBreakStopsRequests(t *testing.T) {
	g := &fakeGroup{n: 2500}
	c, _ := listSetup(t, g)
	seen := 0
	for _, err := range c.ListMembers(t.Context(), "team", nil) {
		require.NoError(t, err)
		if seen++; seen == 1500 {
			break
		}
	}
	queries := g.Queries()
	require.GreaterOrEqual(t, len(queries), 2)
	assert.Subset(t, []string{"page=1&perPage=1000", "page=2&perPage=1000", "page=3&perPage=1000"}, queries)
	assert.Len(t, queries, len(slices.Compact(slices.Sorted(slices.Values(queries)))), "no page twice")
}

func TestListMembersErrorAfterEarlierPages(t *testing.T) {
	g := &fakeGroup{n: 2500, fail: func(w http.ResponseWriter, page int) bool {
		if page != 3 {
			return false
		}
		cometError(w, http.StatusForbidden, "AUTH_ERR_NO_ACCESS", "no")
		return true
	}}
	c, _ := listSetup(t, g)
	uids, errs := collect(c.ListMembers(t.Context(), "team", nil))
	assert.Equal(t, uidsUpTo(0, 2000), uids)
	require.Len(t, errs, 1, "the error is yielded once and ends the walk")
	assert.ErrorIs(t, errs[0], ErrPermission)
	assert.Len(t, g.Queries(), 3)
}

func TestListMembersStopsOnARepeatingServer(t *testing.T) {
	for name, g := range map[string]*fakeGroup{
		"answers page 1 for page 2":       {n: 2500, ignorePage: true},
		"repeats page 1 but says page 2":  {n: 2500, ignorePage: true, echoPage: true},
		"repeats page 1 and says nothing": {n: 2500, ignorePage: true, noMeta: true},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := listSetup(t, g)
			uids, errs := collect(c.ListMembers(t.Context(), "team", nil))
			assert.Equal(t, uidsUpTo(0, 1000), uids, "page 1 once, never again")
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrPageRepeated)
			// Page 3, which page 1 counts, may have been asked for ahead.
			assert.Contains(t, []int{2, 3}, len(g.Queries()))
		})
	}
}

// Signals that are not proof of an end or a repeat must not cut a walk
// short: a capped page size, a total_pages counted from the page, the same
// cursor on every page, no pagination at all, and total 0 throughout.
func TestListMembersDistrustsServerCounts(t *testing.T) {
	for name, tc := range map[string]struct {
		g        *fakeGroup
		requests int
	}{
		"page size capped at 100":      {&fakeGroup{n: 2500, cap: 100}, 26},
		"total_pages 1 on every page":  {&fakeGroup{n: 2500, onePage: true}, 3},
		"no pagination and no cursor":  {&fakeGroup{n: 2500, noMeta: true}, 4},
		"capped and total_pages wrong": {&fakeGroup{n: 250, cap: 100, onePage: true}, 3},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := listSetup(t, tc.g)
			uids, errs := collect(c.ListMembers(t.Context(), "team", nil))
			require.Empty(t, errs)
			assert.Equal(t, uidsUpTo(0, tc.g.n), uids)
			assert.Len(t, tc.g.Queries(), tc.requests)
		})
	}
}

func TestPagerNextPage(t *testing.T) {
	g := &fakeGroup{n: 25}
	c, _ := listSetup(t, g)
	p := c.MembersPager("team", &ListMembersOptions{PerPage: 10})
	var got []string
	pages := 0
	for p.More() {
		page, err := p.NextPage(t.Context())
		require.NoError(t, err)
		for _, m := range page {
			got = append(got, m.UID)
		}
		pages++
	}
	assert.Equal(t, uidsUpTo(0, 25), got)
	assert.Equal(t, 3, pages)
	assert.Equal(t, Position{Provider: ProviderCometChat, List: "members", Of: "team", Token: "4", Query: "perPage=10", Done: true}, p.Position())
	page, err := p.NextPage(t.Context())
	assert.NoError(t, err)
	assert.Empty(t, page, "an ended walk fetches nothing")
	assert.Len(t, g.Queries(), 3)
}

func TestPagerErrorKeepsPosition(t *testing.T) {
	failing := atomic.Bool{}
	failing.Store(true)
	g := &fakeGroup{n: 25, fail: func(w http.ResponseWriter, page int) bool {
		if page == 2 && failing.Load() {
			cometError(w, http.StatusForbidden, "AUTH_ERR_NO_ACCESS", "no")
			return true
		}
		return false
	}}
	c, _ := listSetup(t, g)
	p := c.MembersPager("team", &ListMembersOptions{PerPage: 10})
	_, err := p.NextPage(t.Context())
	require.NoError(t, err)
	_, err = p.NextPage(t.Context())
	require.ErrorIs(t, err, ErrPermission)
	assert.False(t, p.More(), "an error that is not temporary ends the walk")
	assert.Equal(t, "2", p.Position().Token)
	failing.Store(false)
	resumed := c.MembersPager("team", &ListMembersOptions{PerPage: 10})
	require.NoError(t, resumed.Resume(p.Position()))
	page, err := resumed.NextPage(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "u00010", page[0].UID, "a walk resumed at its position asks for the failed page again")
}

// save round-trips a position through JSON, as a caller saving it to a file
// would.
func save(t *testing.T, pos Position) Position {
	t.Helper()
	data, err := json.Marshal(pos)
	require.NoError(t, err)
	var back Position
	require.NoError(t, json.Unmarshal(data, &back))
	return back
}

func TestResumeYieldsExactlyTheRest(t *testing.T) {
	for _, stopAfter := range []int{1, 9, 10, 11, 24, 25} {
		t.Run(strconv.Itoa(stopAfter), func(t *testing.T) {
			g := &fakeGroup{n: 25}
			c, _ := listSetup(t, g)
			opts := &ListMembersOptions{PerPage: 10}
			p := c.MembersPager("team", opts)
			var first []string
			for m, err := range p.All(t.Context()) {
				require.NoError(t, err)
				first = append(first, m.UID)
				if len(first) == stopAfter {
					break
				}
			}
			pos := save(t, p.Position())

			// A new process: a new pager, resumed.
			resumed := c.MembersPager("team", opts)
			require.NoError(t, resumed.Resume(pos))
			rest, errs := collect(resumed.All(t.Context()))
			require.Empty(t, errs)
			assert.Equal(t, uidsUpTo(0, 25), append(first, rest...))
		})
	}
}

func TestResumeAfterPages(t *testing.T) {
	g := &fakeGroup{n: 25}
	c, _ := listSetup(t, g)
	p := c.MembersPager("team", &ListMembersOptions{PerPage: 10})
	_, err := p.NextPage(t.Context())
	require.NoError(t, err)
	pos := save(t, p.Position())
	assert.Equal(t, Position{Provider: ProviderCometChat, List: "members", Of: "team", Token: "2", Query: "perPage=10"}, pos)

	resumed := c.MembersPager("team", &ListMembersOptions{PerPage: 10})
	require.NoError(t, resumed.Resume(pos))
	var rest []string
	for resumed.More() {
		page, err := resumed.NextPage(t.Context())
		require.NoError(t, err)
		for _, m := range page {
			rest = append(rest, m.UID)
		}
	}
	assert.Equal(t, uidsUpTo(10, 25), rest)

	ended := c.MembersPager("team", &ListMembersOptions{PerPage: 10})
	require.NoError(t, ended.Resume(resumed.Position()))
	before := len(g.Queries())
	uids, errs := collect(ended.All(t.Context()))
	assert.Empty(t, uids)
	assert.Empty(t, errs)
	assert.Len(t, g.Queries(), before, "resuming an ended walk asks for nothing")
}

func TestResumeRefusesForeignPositions(t *testing.T) {
	c, _ := listSetup(t, &fakeGroup{})
	p := c.MembersPager("team", &ListMembersOptions{PerPage: 10, Status: "available"})
	here := p.Position()
	other := c.MembersPager("other", &ListMembersOptions{PerPage: 10, Status: "available"})
	for field, pos := range map[string]Position{
		"query": {Provider: ProviderCometChat, List: "members", Of: "team", Token: "2", Query: "perPage=1000"},
		"of":    other.Position(),
		"skip":  {Provider: ProviderCometChat, List: "members", Of: "team", Token: "1", Query: here.Query, Skip: -1},
	} {
		err := p.Resume(pos)
		var v *ValidationError
		require.ErrorAs(t, err, &v, field)
		assert.Equal(t, field, v.Field)
		assert.Equal(t, "team", v.ID)
	}
	assert.Equal(t, here, p.Position(), "a refused position changes nothing")
	pos := here
	pos.Token = "3"
	require.NoError(t, p.Resume(pos))
	assert.Equal(t, "3", p.Position().Token)
}

func TestListMembersQueryEncoding(t *testing.T) {
	for _, tc := range []struct {
		opts *ListMembersOptions
		want string
	}{
		{nil, "page=1&perPage=1000"},
		{&ListMembersOptions{}, "page=1&perPage=1000"},
		{&ListMembersOptions{PerPage: 1, Page: 7}, "page=7&perPage=1"},
		{&ListMembersOptions{Status: "available"}, "page=1&perPage=1000&status=available"},
		{&ListMembersOptions{Status: "offline", Scopes: []Scope{ScopeAdmin}}, "page=1&perPage=1000&scopes=admin&status=offline"},
		{&ListMembersOptions{PerPage: 50, Page: 3, Scopes: []Scope{ScopeAdmin, ScopeModerator, ScopeParticipant}},
			"page=3&perPage=50&scopes=admin,moderator,participant"},
	} {
		g := &fakeGroup{}
		c, _ := listSetup(t, g)
		_, errs := collect(c.ListMembers(t.Context(), "team", tc.opts))
		require.Empty(t, errs)
		require.Len(t, g.Queries(), 1)
		assert.Equal(t, tc.want, g.Queries()[0])
	}
}

func TestListMembersRefusesInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		guid, field string
		opts        *ListMembersOptions
	}{
		{"", "guid", nil},
		{"a/b", "guid", nil},
		{"team one", "guid", nil},
		{string(make([]byte, 101)), "guid", nil},
		{"team", "perPage", &ListMembersOptions{PerPage: -1}},
		{"team", "perPage", &ListMembersOptions{PerPage: 1001}},
		{"team", "page", &ListMembersOptions{Page: -2}},
		{"team", "status", &ListMembersOptions{Status: "busy"}},
		{"team", "status", &ListMembersOptions{Status: "Available"}},
		{"team", "scopes", &ListMembersOptions{Scopes: []Scope{ScopeAdmin, "owner"}}},
		{"team", "scopes", &ListMembersOptions{Scopes: []Scope{""}}},
	} {
		c, _ := listSetup(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			t.Errorf("%s: a request was sent for invalid options", tc.field)
		}))
		uids, errs := collect(c.ListMembers(t.Context(), tc.guid, tc.opts))
		assert.Empty(t, uids)
		require.Len(t, errs, 1, tc.field)
		var v *ValidationError
		require.ErrorAs(t, errs[0], &v, tc.field)
		assert.Equal(t, tc.field, v.Field)
		assert.Equal(t, -1, v.Index)
		assert.Equal(t, tc.guid, v.ID)
		assert.ErrorIs(t, errs[0], ErrInvalidRequest)
		assert.NotContains(t, v.Error(), "item -1")

		p := c.MembersPager(tc.guid, tc.opts)
		assert.True(t, p.More(), "the loop must reach the error")
		_, err := p.NextPage(t.Context())
		assert.ErrorAs(t, err, &v)
		assert.ErrorAs(t, p.Resume(Position{Token: "1"}), &v)
		assert.False(t, p.More(), "the error ends the walk")
	}
}

func TestListMembersCopiesOptions(t *testing.T) {
	g := &fakeGroup{n: 3}
	c, _ := listSetup(t, g)
	opts := &ListMembersOptions{PerPage: 2, Scopes: []Scope{ScopeParticipant}}
	p := c.MembersPager("team", opts)
	opts.Scopes[0] = ScopeAdmin // changed under way: the pager must not see it
	opts.PerPage = 999
	uids, errs := collect(p.All(t.Context()))
	require.Empty(t, errs)
	assert.Equal(t, uidsUpTo(0, 3), uids)
	assert.Equal(t, []string{"page=1&perPage=2&scopes=participant", "page=2&perPage=2&scopes=participant"}, g.Queries())
	assert.Equal(t, &ListMembersOptions{PerPage: 999, Scopes: []Scope{ScopeAdmin}}, opts, "defaults are not written back")

	zero := &ListMembersOptions{}
	collect(c.ListMembers(t.Context(), "team", zero))
	assert.Equal(t, &ListMembersOptions{}, zero)
}

func TestListMembersDecodesMembers(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /groups/team/members", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[
			{"uid":"superhero3","name":"Captain America","link":"https://l","avatar":"https://a",
			 "metadata":{"contactNumber":"0123456789"},"tags":["x"],"status":"available","role":"hero",
			 "scope":"moderator","joinedAt":"1638360106","createdAt":1629869270,"updatedAt":1638351060,
			 "lastActiveAt":"1638351000","conversationId":"c","somethingNew":{"a":[1]}},
			{"uid":"superhero4","name":"Wolverine","status":"offline","role":"default","scope":"admin",
			 "joinedAt":1638359534,"createdAt":null}
		],"meta":{"pagination":{"total":0,"count":5,"per_page":100,"current_page":1,"total_pages":1}},
		"cursor":{"updatedAt":1638354799,"affix":"prepend"}}`)
	})
	var got []Member
	for m, err := range c.ListMembers(t.Context(), "team", nil) {
		require.NoError(t, err)
		got = append(got, m)
	}
	require.Len(t, got, 2)
	assert.Equal(t, Member{
		GUID: "team", UID: "superhero3", Scope: ScopeModerator, JoinedAt: time.Unix(1638360106, 0),
		User: &User{
			UID: "superhero3", Name: "Captain America", Avatar: "https://a", Link: "https://l", Role: "hero",
			Metadata: map[string]any{"contactNumber": "0123456789"}, Tags: []string{"x"},
			CreatedAt: time.Unix(1629869270, 0), LastActiveAt: time.Unix(1638351000, 0), Status: "available",
		},
	}, got[0])
	assert.Equal(t, Member{
		GUID: "team", UID: "superhero4", Scope: ScopeAdmin, JoinedAt: time.Unix(1638359534, 0),
		User: &User{UID: "superhero4", Name: "Wolverine", Role: "default", Status: "offline"},
	}, got[1], "a null or missing time is the zero time")
}

func TestListMembersUnreadableAnswer(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /groups/team/members", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[{"uid":"a","joinedAt":"yesterday"}]}`)
	})
	uids, errs := collect(c.ListMembers(t.Context(), "team", nil))
	assert.Empty(t, uids)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "GET /v3/groups/team/members")
}

func TestListMembersUnknownGroup(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /groups/nope/members", func(w http.ResponseWriter, r *http.Request) {
		cometError(w, http.StatusNotFound, "ERR_GUID_NOT_FOUND", "The group nope does not exist.")
	})
	uids, errs := collect(c.ListMembers(t.Context(), "nope", nil))
	assert.Empty(t, uids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, "GET /v3/groups/nope/members", apiErr.Op)
	assert.NotContains(t, errs[0].Error(), testAPIKey)
}

func TestListMembersRetriesRateLimit(t *testing.T) {
	var calls atomic.Int32
	g := &fakeGroup{n: 3, fail: func(w http.ResponseWriter, _ int) bool {
		if calls.Add(1) > 1 {
			return false
		}
		w.Header().Set("Retry-After", "7")
		cometError(w, http.StatusTooManyRequests, "ERR_TOO_MANY_REQUESTS", "slow down")
		return true
	}}
	c, clock := listSetup(t, g, WithRetry(3, time.Millisecond, time.Minute))
	uids, errs := collect(c.ListMembers(t.Context(), "team", nil))
	require.Empty(t, errs)
	assert.Equal(t, uidsUpTo(0, 3), uids)
	assert.Equal(t, []time.Duration{7 * time.Second}, clock.Slept())
	assert.Len(t, g.Queries(), 2)
}

func TestListingHasItsOwnBudget(t *testing.T) {
	var waits atomic.Int32
	limiter := limiterFunc(func(context.Context) error { waits.Add(1); return nil })
	c, mux, _ := setup(t, WithLimiter(limiter))
	mux.HandleFunc("GET /groups/team/members", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", "30")
		(&fakeGroup{n: 2}).ServeHTTP(w, r)
	})
	_, errs := collect(c.ListMembers(t.Context(), "team", nil))
	require.Empty(t, errs)
	assert.Zero(t, waits.Load(), "the import limiter is not consulted by listing")
	assert.False(t, c.budgets[cometChatLists].hold.IsZero(), "the server's hold applies to listing")
	assert.True(t, c.budgets[cometChatImports].hold.IsZero(), "and not to imports")
}

func TestListMembersHonoursContext(t *testing.T) {
	c, _ := listSetup(t, &fakeGroup{n: 3})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	uids, errs := collect(c.ListMembers(ctx, "team", nil))
	assert.Empty(t, uids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
}

func TestListMembersUnsupportedProvider(t *testing.T) {
	c, _ := listSetup(t, &fakeGroup{})
	c.ep.listMembers = nil // the provider without its listing
	uids, errs := collect(c.ListMembers(t.Context(), "team", nil))
	assert.Empty(t, uids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrUnsupported)
	p := c.MembersPager("team", nil)
	assert.True(t, p.More())
	_, err := p.NextPage(t.Context())
	assert.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorIs(t, p.Resume(Position{Token: "2"}), ErrUnsupported)
}

func TestValidationErrorOfOptions(t *testing.T) {
	v := &ValidationError{Index: -1, ID: "team", Field: "perPage", Reason: "is 0"}
	assert.Equal(t, `chatimport: "team": invalid perPage: is 0`, v.Error())
	assert.True(t, errors.Is(v, ErrInvalidRequest))
}

// memberPages answers list requests from prebuilt pages, in memory, so the
// benchmark measures the client: request path, decoding, conversion, pager.
type memberPages [][]byte

func (p memberPages) RoundTrip(req *http.Request) (*http.Response, error) {
	n, _ := strconv.Atoi(req.URL.Query().Get("page"))
	body := []byte(`{"data":[]}`)
	if n >= 1 && n <= len(p) {
		body = p[n-1]
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: req,
	}, nil
}

// BenchmarkListMembers walks a group of 10,000 members in full pages; see
// the ns/member and allocs/member metrics.
func BenchmarkListMembers(b *testing.B) {
	const pages, perPage = 10, 1000
	bodies := make(memberPages, pages)
	for p := range bodies {
		items := make([]map[string]any, perPage)
		for i := range items {
			k := p*perPage + i
			items[i] = map[string]any{
				"uid": memberUID(k), "name": "Member " + strconv.Itoa(k), "status": "offline", "role": "default",
				"scope": "participant", "avatar": "https://data-us.cometchat.io/assets/images/avatars/" + memberUID(k) + ".png",
				"joinedAt": 1638360106, "createdAt": 1629869270, "updatedAt": 1630308676, "conversationId": "group_team",
			}
		}
		bodies[p], _ = json.Marshal(map[string]any{"data": items, "meta": map[string]any{"pagination": map[string]any{
			"total": 0, "count": perPage, "per_page": perPage, "current_page": p + 1, "total_pages": pages,
		}}})
	}
	c, err := NewCometChat(testAppID, "us", testAPIKey, WithHTTPClient(&http.Client{Transport: bodies}), unpaced())
	require.NoError(b, err)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		n := 0
		for _, err := range c.ListMembers(b.Context(), "team", nil) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != pages*perPage {
			b.Fatalf("walked %d members", n)
		}
	}
	runtime.ReadMemStats(&after)
	members := float64(b.N * pages * perPage)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/members, "ns/member")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/members, "allocs/member")
}

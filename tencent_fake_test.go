package chatimport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// sharedClock is one fake time for the client and the fake server: a sleep
// moves it at once, so rate windows pass without waiting.
type sharedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *sharedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *sharedClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.t = c.t.Add(max(d, 0))
	c.mu.Unlock()
	return nil
}

var tencentFaults = chatimporttest.Faults{RateLimit: 0.08, Unavailable: 0.04, TencentInternal: 0.04, FailAfterApply: 0.05, DropAfterApply: 0.02}

// fakeTencent starts the fake and a client on one fake clock, paced at
// the client's documented per-command rates, which the fake enforces.
func fakeTencent(t *testing.T, opts ...chatimporttest.Option) (*chatimporttest.Server, *chatimport.Client, *sharedClock) {
	t.Helper()
	clock := &sharedClock{t: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	s := chatimporttest.NewServer(append([]chatimporttest.Option{chatimporttest.WithClock(clock.Now), chatimporttest.WithDocumentedLimits()}, opts...)...)
	t.Cleanup(s.Close)
	c, err := chatimport.NewTencent(chatimporttest.SDKAppID, chatimporttest.SecretKey, chatimport.WithBaseURL(s.URL),
		chatimport.WithRetry(10, time.Millisecond, 5*time.Millisecond), chatimport.WithTestClock(clock.Now, clock.Sleep))
	require.NoError(t, err)
	return s, c, clock
}

func requireAllOK(t *testing.T, res *chatimport.ImportResult, err error, n int) {
	t.Helper()
	require.NoError(t, err)
	require.Len(t, res.Items, n)
	for i, it := range res.Items {
		require.Equal(t, i, it.Index)
		require.True(t, it.Status.OK(), "%s: %v %v", it.ID, it.Status, it.Err)
	}
}

func TestTencentAccountsAndGroupsUnderFaults(t *testing.T) {
	s, c, _ := fakeTencent(t, chatimporttest.WithSeed(3), chatimporttest.WithFaults(tencentFaults))
	users := make([]chatimport.User, 250)
	for i := range users {
		users[i] = chatimport.User{UID: fmt.Sprintf("acct-%03d", i), Name: fmt.Sprint("Account ", i)}
	}
	res, err := c.ImportUsers(t.Context(), users)
	requireAllOK(t, res, err, 250)
	assert.Equal(t, 250, res.Count(chatimport.StatusImported), "Tencent never says an account existed")
	assert.LessOrEqual(t, s.Stats().LargestBatch, 100)
	accounts := s.TencentAccounts()
	require.Len(t, accounts, 250)
	assert.Equal(t, "Account 7", accounts[7].Nick)

	types := []chatimport.GroupType{chatimport.GroupPublic, chatimport.GroupPrivate, chatimport.GroupMeeting, chatimport.GroupCommunity}
	want := map[chatimport.GroupType]string{chatimport.GroupPublic: "Public", chatimport.GroupPrivate: "Private",
		chatimport.GroupMeeting: "ChatRoom", chatimport.GroupCommunity: "Community"}
	groups := make([]chatimport.Group, 40)
	for i := range groups {
		typ := types[i%4]
		id := fmt.Sprintf("group-%02d", i)
		if typ == chatimport.GroupCommunity {
			id = "@TGS#_" + id
		}
		groups[i] = chatimport.Group{GUID: id, Name: fmt.Sprint("Group ", i), Type: typ, Owner: users[i].UID,
			CreatedAt: time.Unix(1_600_000_000, 0), Description: "intro", MaxMembers: 1000}
	}
	res, err = c.ImportGroups(t.Context(), groups)
	requireAllOK(t, res, err, 40)
	stats := s.Stats()
	assert.Positive(t, stats.Faults.FailAfterApply+stats.Faults.DropAfterApply, "faults were injected: %+v", stats.Faults)
	assert.Positive(t, stats.Faults.RateLimit+stats.Faults.TencentInternal+stats.Faults.Unavailable)
	stored := s.TencentGroups()
	require.Len(t, stored, 40, "each group stored once")
	byID := map[string]chatimporttest.TencentGroup{}
	for _, g := range stored {
		byID[g.GroupID] = g
	}
	for _, g := range groups {
		got := byID[g.GUID]
		assert.Equal(t, want[g.Type], got.Type, g.GUID)
		assert.Equal(t, g.Owner, got.Owner)
	}

	// Listed back: every group, with its owner and type.
	listed := map[string]chatimport.Group{}
	for g, err := range c.ListGroups(t.Context(), nil) {
		require.NoError(t, err)
		require.NotContains(t, listed, g.GUID, "no group twice")
		listed[g.GUID] = g
	}
	require.Len(t, listed, 40)
	for _, g := range groups {
		got := listed[g.GUID]
		assert.Equal(t, g.Type, got.Type)
		assert.Equal(t, g.Owner, got.Owner)
		assert.Equal(t, g.Name, got.Name)
		assert.Equal(t, "intro", got.Description)
		assert.Equal(t, 1000, got.MaxMembers)
		assert.True(t, g.CreatedAt.Equal(got.CreatedAt))
	}
}

func TestTencentStrictAccounts(t *testing.T) {
	s, c, _ := fakeTencent(t)
	res, err := c.ImportGroups(t.Context(), []chatimport.Group{{GUID: "g", Name: "g", Type: chatimport.GroupPublic, Owner: "nobody"}})
	require.ErrorIs(t, err, chatimport.ErrNotFound, "an owner never imported")
	assert.Equal(t, chatimport.StatusFailed, res.Items[0].Status)
	s.AddTencentGroup("g2", time.Unix(1_600_000_000, 0))
	res, err = c.ImportMembers(t.Context(), []chatimport.Member{{GUID: "g2", UID: "nobody"}})
	require.Error(t, err)
	assert.Equal(t, chatimport.StatusFailed, res.Items[0].Status, "a member never imported")
}

// bigGroups imports a Public group of 1,000 members and a Community group
// of 700, with their owners, through the client.
func bigGroups(t *testing.T, s *chatimporttest.Server, c *chatimport.Client) (string, string) {
	t.Helper()
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%04d", i)
	}
	s.AddTencentAccounts(ids...)
	const public, community = "big-public", "@TGS#_big-community"
	created := time.Unix(1_600_000_000, 0)
	res, err := c.ImportGroups(t.Context(), []chatimport.Group{
		{GUID: public, Name: "Public", Type: chatimport.GroupPublic, Owner: ids[0], CreatedAt: created},
		{GUID: community, Name: "Community", Type: chatimport.GroupCommunity, Owner: ids[1], CreatedAt: created},
	})
	requireAllOK(t, res, err, 2)
	var members []chatimport.Member
	for i, id := range ids {
		m := chatimport.Member{GUID: public, UID: id, JoinedAt: created.Add(time.Duration(i+1) * time.Second)}
		if i%50 == 7 {
			m.Scope = chatimport.ScopeAdmin
		}
		members = append(members, m)
		if i < 700 {
			members = append(members, chatimport.Member{GUID: community, UID: id, JoinedAt: m.JoinedAt})
		}
	}
	res, err = c.ImportMembers(t.Context(), members)
	requireAllOK(t, res, err, 1700)
	assert.Equal(t, chatimport.StatusExisted, res.Items[0].Status, "the owner was made a member by the group import")
	return public, community
}

func TestTencentListsBigGroupsUnderFaults(t *testing.T) {
	s, c, _ := fakeTencent(t, chatimporttest.WithSeed(5), chatimporttest.WithFaults(tencentFaults))
	public, community := bigGroups(t, s, c)
	for guid, n := range map[string]int{public: 1000, community: 700} {
		seen := map[string]chatimport.Member{}
		for m, err := range c.ListMembers(t.Context(), guid, nil) {
			require.NoError(t, err)
			require.NotContains(t, seen, m.UID, "no member twice")
			seen[m.UID] = m
		}
		require.Len(t, seen, n, guid)
		for _, m := range s.TencentMembers(guid) {
			require.Contains(t, seen, m.UID)
			assert.Equal(t, m.JoinedAt, seen[m.UID].JoinedAt.Unix())
		}
	}
	owner := s.TencentMembers(public)[0]
	require.Equal(t, "owner", owner.Scope)
	admins := 0
	for m, err := range c.ListMembers(t.Context(), public, &chatimport.ListMembersOptions{Scopes: []chatimport.Scope{chatimport.ScopeAdmin}}) {
		require.NoError(t, err)
		assert.Equal(t, chatimport.ScopeAdmin, m.Scope)
		admins++
	}
	assert.Equal(t, 1+20, admins, "the owner and the 20 admins")
	assert.Positive(t, s.Stats().Faults.RateLimit+s.Stats().Faults.TencentInternal)
}

func TestTencentListBreakAndResume(t *testing.T) {
	s, c, _ := fakeTencent(t)
	public, community := bigGroups(t, s, c)

	before := s.Stats().ListRequests
	n := 0
	for _, err := range c.ListMembers(t.Context(), public, nil) {
		require.NoError(t, err)
		if n++; n == 150 {
			break
		}
	}
	// A break inside page 2 may have had later pages asked for ahead, at
	// most the ten the group holds, and none after the loop.
	after := s.Stats().ListRequests
	assert.GreaterOrEqual(t, after, before+2)
	assert.LessOrEqual(t, after, before+10, "a break makes no request past the group's count")

	for guid, total := range map[string]int{public: 1000, community: 700} {
		p := c.MembersPager(guid, nil)
		seen := map[string]bool{}
		for range 3 {
			page, err := p.NextPage(t.Context())
			require.NoError(t, err)
			for _, m := range page {
				seen[m.UID] = true
			}
		}
		saved, err := json.Marshal(p.Position())
		require.NoError(t, err)

		var pos chatimport.Position
		require.NoError(t, json.Unmarshal(saved, &pos))
		q := c.MembersPager(guid, nil)
		require.NoError(t, q.Resume(pos))
		for m, err := range q.All(t.Context()) {
			require.NoError(t, err)
			require.False(t, seen[m.UID], "resumed after what was handed over: %s", m.UID)
			seen[m.UID] = true
		}
		assert.Len(t, seen, total, guid)
		assert.Error(t, c.MembersPager("other", nil).Resume(pos), "another group's position is refused")
	}
}

func TestTencentUnknownGroupNotFound(t *testing.T) {
	_, c, _ := fakeTencent(t)
	for _, guid := range []string{"missing", "@TGS#_missing"} {
		var got error
		for _, err := range c.ListMembers(t.Context(), guid, nil) {
			got = err
		}
		require.ErrorIs(t, got, chatimport.ErrNotFound, guid)
	}
}

func TestTencentGroupListPastTwoToThe31(t *testing.T) {
	s, c, clock := fakeTencent(t)
	for i := range 35 {
		s.AddTencentGroup(fmt.Sprintf("g%02d", i), time.Unix(1_600_000_000, 0))
	}
	start := clock.Now()
	p := c.GroupsPager(&chatimport.ListGroupsOptions{PerPage: 15})
	var got []string
	var tokens []uint64
	for p.More() {
		page, err := p.NextPage(t.Context())
		require.NoError(t, err)
		for _, g := range page {
			got = append(got, g.GUID)
		}
		if tok := p.Position().Token; tok != "0" {
			n, err := strconv.ParseUint(tok, 10, 64)
			require.NoError(t, err)
			tokens = append(tokens, n)
		}
	}
	require.Len(t, got, 35)
	assert.Equal(t, "g00", got[0])
	require.Len(t, tokens, 2)
	for _, n := range tokens {
		assert.Greater(t, n, uint64(1)<<31, "the cursor is 64 bits wide")
	}
	assert.GreaterOrEqual(t, clock.Now().Sub(start), 2*time.Second, "get_appid_group_list is paced at one call a second, on the fake clock")
}

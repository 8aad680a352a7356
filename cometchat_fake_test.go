package chatimport_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// faulty is a fake that fails about a quarter of import and list requests
// in every way it can; its limits are off, as by default, so the test is
// quick.
func faulty(t *testing.T, seed int64, opts ...chatimport.Option) (*chatimporttest.Server, *chatimport.Client) {
	t.Helper()
	s := chatimporttest.NewServer(
		chatimporttest.WithSeed(seed),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.10, Unavailable: 0.05, FailAfterApply: 0.05, DropAfterApply: 0.03}),
	)
	t.Cleanup(s.Close)
	c := s.CometChat(append([]chatimport.Option{chatimport.WithRetry(10, time.Millisecond, 5*time.Millisecond)}, opts...)...)
	return s, c
}

// TestGroupsImportedAndListedUnderFaults imports 120 groups, of every
// type, 20 of them on the server already, and lists them back: each ends
// imported or existed, once, and the listing holds exactly what the fake
// holds, with every field the import sent.
func TestGroupsImportedAndListedUnderFaults(t *testing.T) {
	s, c := faulty(t, 21, chatimport.WithBatchSize(5)) // 24 requests, so faults befall some
	created := time.Unix(1600000000, 0)
	types := []chatimport.GroupType{chatimport.GroupPublic, chatimport.GroupPassword, chatimport.GroupPrivate}
	groups := make([]chatimport.Group, 120)
	for i := range groups {
		g := chatimport.Group{
			GUID: fmt.Sprintf("Group-%03d", i), Name: fmt.Sprintf("Group %d", i), Type: types[i%3],
			Icon: "https://i.example/" + fmt.Sprint(i), Description: "group number " + fmt.Sprint(i),
			CreatedAt: created.Add(time.Duration(i) * time.Minute), Metadata: map[string]any{"n": float64(i)}, Tags: []string{"t" + fmt.Sprint(i%4)},
		}
		if g.Type == chatimport.GroupPassword {
			g.Password = "pw" + fmt.Sprint(i)
		}
		if i%5 == 0 {
			g.Owner = fmt.Sprintf("Owner-%d", i)
			g.OwnerUser = &chatimport.User{Name: "Owner " + fmt.Sprint(i)}
		}
		groups[i] = g
	}
	for i := 100; i < 120; i++ {
		s.AddGroups(chatimporttest.Group{GUID: groups[i].GUID, Name: groups[i].Name, Type: string(groups[i].Type), CreatedAt: created.Unix()})
	}

	res, err := c.ImportGroups(t.Context(), groups)
	require.NoError(t, err)
	assertAllArrived(t, res, len(groups))
	for i := 100; i < 120; i++ {
		assert.Equal(t, chatimport.StatusExisted, res.Items[i].Status, groups[i].GUID)
	}
	stats := s.Stats()
	assert.Positive(t, stats.Faults.FailAfterApply+stats.Faults.DropAfterApply, "faults were injected: %+v", stats.Faults)
	assert.Len(t, s.Groups(), 120, "each group stored once")
	assert.Len(t, s.Users(), 20, "each owner created from its details")

	// Listed in two runs: the first stops inside a page and saves where
	// it stands, the second resumes from there.
	listed := map[string]chatimport.Group{}
	opts := &chatimport.ListGroupsOptions{PerPage: 10}
	p := c.GroupsPager(opts)
	for pass := range 2 {
		for g, err := range p.All(t.Context()) {
			require.NoError(t, err)
			_, again := listed[g.GUID]
			require.False(t, again, "%s listed twice", g.GUID)
			listed[g.GUID] = g
			if pass == 0 && len(listed) == 57 {
				break
			}
		}
		saved, err := json.Marshal(p.Position())
		require.NoError(t, err)
		var pos chatimport.Position
		require.NoError(t, json.Unmarshal(saved, &pos))
		p = c.GroupsPager(opts)
		require.NoError(t, p.Resume(pos))
	}
	require.Len(t, listed, 120)
	assert.False(t, p.More(), "the saved position of a finished walk is done")
	for _, h := range s.Groups() {
		g, ok := listed[h.GUID]
		require.True(t, ok, h.GUID)
		assert.Equal(t, h.Name, g.Name)
		assert.Equal(t, h.Type, string(g.Type))
	}
	for _, in := range groups[:100] {
		g := listed[strings.ToLower(in.GUID)]
		want := in
		want.GUID, want.Owner, want.Password, want.OwnerUser = strings.ToLower(in.GUID), strings.ToLower(in.Owner), "", nil
		assert.Equal(t, want, g, "listing returns every field the import sent but the password")
	}
	assert.Greater(t, faults(s.Stats()), faults(stats), "the listing met faults too")
}

// TestUsersListedWithDeactivatedUnderFaults lists 2,500 users, every
// seventh deactivated, walks them in two halves across a saved position,
// and re-imports the export into a second app: nothing is lost or changed.
func TestUsersListedWithDeactivatedUnderFaults(t *testing.T) {
	s, c := faulty(t, 22)
	seeded := make([]chatimporttest.User, 2500)
	for i := range seeded {
		u := chatimporttest.User{UID: fmt.Sprintf("user-%04d", i), Name: fmt.Sprintf("User %d", i), Role: "default",
			Avatar: "https://a.example/" + fmt.Sprint(i), Link: "https://l.example/" + fmt.Sprint(i),
			Metadata: map[string]any{"n": float64(i)}, Tags: []string{"t"}, CreatedAt: 1600000000 + int64(i), LastActiveAt: 1650000000 + int64(i)}
		if i%7 == 0 {
			u.DeactivatedAt = 1700000000 + int64(i)
		}
		seeded[i] = u
	}
	s.AddUsers(seeded...)

	// The first half, then a stop: the position is saved as JSON.
	opts := &chatimport.ListUsersOptions{PerPage: 300}
	p := c.UsersPager(opts)
	var export []chatimport.User
	for u, err := range p.All(t.Context()) {
		require.NoError(t, err)
		export = append(export, u)
		if len(export) == 1234 {
			break
		}
	}
	saved, err := json.Marshal(p.Position())
	require.NoError(t, err)
	listRequests := s.Stats().ListRequests

	var pos chatimport.Position
	require.NoError(t, json.Unmarshal(saved, &pos))
	resumed := c.UsersPager(opts)
	require.NoError(t, resumed.Resume(pos))
	for u, err := range resumed.All(t.Context()) {
		require.NoError(t, err)
		export = append(export, u)
	}
	assert.Greater(t, s.Stats().ListRequests, listRequests)
	require.Len(t, export, 2500, "every user, deactivated ones included, exactly once")
	deactivated := 0
	for i, u := range export {
		require.Equal(t, fmt.Sprintf("user-%04d", i), u.UID, "in order, none twice")
		if !u.DeactivatedAt.IsZero() {
			deactivated++
		}
	}
	assert.Equal(t, 358, deactivated)
	assert.Positive(t, faults(s.Stats()), "the listing met faults")

	active := 0
	for _, err := range c.ListUsers(t.Context(), &chatimport.ListUsersOptions{Deactivated: "exclude"}) {
		require.NoError(t, err)
		active++
	}
	assert.Equal(t, 2500-358, active)

	// The export imports into another app unchanged.
	target, tc := faulty(t, 23)
	res, err := tc.ImportUsers(t.Context(), export)
	require.NoError(t, err)
	require.Len(t, res.Items, 2500)
	got := target.Users()
	for i := range got {
		got[i].Status = "" // the fake marks imported users offline
	}
	assert.Equal(t, seeded, got)
}

func faults(s chatimporttest.Stats) int {
	f := s.Faults
	return f.RateLimit + f.Unavailable + f.FailAfterApply + f.DropAfterApply
}

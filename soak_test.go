package chatimport_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// heavyFaults fail about 15 % of requests in every way the fake knows.
var heavyFaults = chatimporttest.Faults{RateLimit: 0.04, Unavailable: 0.03, FailAfterApply: 0.03, DropAfterApply: 0.03, TencentInternal: 0.02}

// TestSoakUnderHeavyFaults moves 20,000 users and 40,000 members into the
// CometChat fake and 40,000 members into the Tencent fake with heavy faults,
// as streams: nothing may be lost, stored twice or reported wrongly.
func TestSoakUnderHeavyFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak moves 100,000 items; skipped in -short mode")
	}
	const nUsers, nMembers, groups = 20_000, 40_000, 80
	t.Run("cometchat", func(t *testing.T) {
		s := chatimporttest.NewServer(chatimporttest.WithSeed(21), chatimporttest.WithCometChatLimit(0, 0), chatimporttest.WithFaults(heavyFaults))
		defer s.Close()
		c := s.CometChat(chatimport.WithRetry(20, time.Millisecond, 2*time.Millisecond), chatimport.WithConcurrency(8))
		users := func(yield func(chatimport.User, error) bool) {
			for i := range nUsers {
				if !yield(chatimport.User{UID: fmt.Sprintf("soak-%05d", i), Name: fmt.Sprint("User ", i)}, nil) {
					return
				}
			}
		}
		assertStreamArrives(t, nUsers, func(fn func(chatimport.ItemResult)) error { return c.ImportUsersSeq(t.Context(), users, fn) })
		created := time.Unix(1_600_000_000, 0)
		members := func(yield func(chatimport.Member, error) bool) {
			for i := range nMembers {
				guid := fmt.Sprintf("soak-group-%02d", i%groups)
				m := chatimport.Member{GUID: guid, UID: fmt.Sprintf("soak-%05d", i/2), JoinedAt: created.Add(time.Hour),
					Group: &chatimport.Group{Name: guid, Type: chatimport.GroupPublic, CreatedAt: created}}
				if i%2 == 1 {
					m.GUID = fmt.Sprintf("soak-group-%02d", (i+groups/2)%groups)
					m.Group.Name = m.GUID
				}
				if !yield(m, nil) {
					return
				}
			}
		}
		assertStreamArrives(t, nMembers, func(fn func(chatimport.ItemResult)) error { return c.ImportMembersSeq(t.Context(), members, fn) })
		assert.Len(t, s.Users(), nUsers, "each user stored once")
		stored := 0
		for _, g := range s.Groups() {
			stored += len(s.Members(g.GUID))
		}
		assert.Equal(t, nMembers, stored, "each membership stored once")
		assert.Positive(t, s.Stats().Faults.DropAfterApply)
	})
	t.Run("tencent", func(t *testing.T) {
		s := chatimporttest.NewServer(chatimporttest.WithSeed(22), chatimporttest.WithTencentLimit(0, 0),
			chatimporttest.WithTencentAutoCreate(), chatimporttest.WithFaults(heavyFaults))
		defer s.Close()
		c := s.Tencent(chatimport.WithRetry(20, time.Millisecond, 2*time.Millisecond))
		members := func(yield func(chatimport.Member, error) bool) {
			for i := range nMembers {
				if !yield(chatimport.Member{GUID: fmt.Sprintf("@TGS#soak%02d", i%groups), UID: fmt.Sprintf("acct-%05d", i)}, nil) {
					return
				}
			}
		}
		assertStreamArrives(t, nMembers, func(fn func(chatimport.ItemResult)) error { return c.ImportMembersSeq(t.Context(), members, fn) })
		stored := 0
		for g := range groups {
			stored += len(s.TencentMembers(fmt.Sprintf("@TGS#soak%02d", g)))
		}
		assert.Equal(t, nMembers, stored, "each membership stored once")
	})
}

// assertStreamArrives runs a streaming import and checks that each of n
// items is reported once, on the server.
func assertStreamArrives(t *testing.T, n int, run func(func(chatimport.ItemResult)) error) {
	t.Helper()
	seen := make([]bool, n)
	reported := 0
	err := run(func(r chatimport.ItemResult) {
		reported++
		if seen[r.Index] {
			t.Errorf("item %d reported twice", r.Index)
		}
		seen[r.Index] = true
		if !r.Status.OK() {
			t.Errorf("item %d (%s): %v %v", r.Index, r.ID, r.Status, r.Err)
		}
	})
	require.NoError(t, err)
	assert.Equal(t, n, reported)
}

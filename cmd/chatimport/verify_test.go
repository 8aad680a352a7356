package main

import (
	"context"
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// The verification reports a member the import said was there but the
// list does not show, and ignores members it did not import.
func TestVerifyReportsMissingMembers(t *testing.T) {
	s := newFake(t, chatimporttest.WithFaults(chatimporttest.Faults{}))
	s.AddMembers("team", chatimporttest.Member{UID: "alice"}, chatimporttest.Member{UID: "carol"})
	s.AddMembers("club", chatimporttest.Member{UID: "bob"})
	c := s.CometChat(chatimport.WithRateLimit(0, 0))

	v := newVerifier()
	for seq, m := range []chatimport.Member{
		{GUID: "team", UID: "Alice"}, // listed lower-cased
		{GUID: "team", UID: "dave"},  // reported imported, not listed
		{GUID: "club", UID: "bob"},
		{GUID: "club", UID: "erin", Banned: true}, // banned: listed apart
		{GUID: "club", UID: "frank"},              // failed: not expected
	} {
		v.fed(seq, &m)
		v.ended(seq, m.UID != "frank")
	}
	assert.Empty(t, v.pending)

	var said []string
	res, err := v.check(t.Context(), c, func(s string) { said = append(said, s) })
	require.NoError(t, err)
	assert.Equal(t, verified{groups: 2, members: 3, differences: 1}, res)
	assert.Equal(t, []string{"verify: team: member dave was imported but is not listed"}, said)
	assert.Equal(t, 1, v.banned)

	v.ended(99, true) // unknown sequence numbers never panic
	v.expected["gone"] = map[string]struct{}{"x": {}}
	_, err = v.check(t.Context(), c, func(string) {})
	assert.ErrorContains(t, err, "listing the members of gone")
}

func TestSeqMapFollowsGaps(t *testing.T) {
	var m seqMap
	// Records 0-2 fed, 3 skipped (done), 4-5 fed, a blank line before 5.
	m.fed(0, 0, 1)
	m.fed(1, 1, 2)
	m.fed(2, 2, 3)
	m.fed(3, 4, 5)
	m.fed(4, 5, 7)
	assert.Len(t, m.marks, 3, "only the gaps are stored")
	for seq, want := range []position{{0, 1}, {1, 2}, {2, 3}, {4, 5}, {5, 7}} {
		assert.Equal(t, want, m.at(seq), "seq %d", seq)
	}
}

// The listing check reports a user the import said was there but the list
// does not show, folding case as CometChat does, and ignores what failed.
func TestListCheckReportsMissingUsers(t *testing.T) {
	s := newFake(t, chatimporttest.WithFaults(chatimporttest.Faults{}))
	s.AddUsers(chatimporttest.User{UID: "alice", Name: "Alice"}, chatimporttest.User{UID: "carol", Name: "Carol"})
	c := s.CometChat(chatimport.WithRateLimit(0, 0))
	lc := &listCheck[chatimport.User]{noun: "user", id: usersKind.id, fold: true, pending: map[int]string{}, expected: map[string]bool{},
		list: func(ctx context.Context) iter.Seq2[chatimport.User, error] { return c.ListUsers(ctx, nil) }}
	for seq, u := range []chatimport.User{{UID: "Alice"}, {UID: "dave"}, {UID: "frank"}} {
		lc.fed(seq, &u)
		lc.ended(seq, u.UID != "frank")
	}
	var said []string
	expected, missing, err := lc.check(t.Context(), func(s string) { said = append(said, s) })
	require.NoError(t, err)
	assert.Equal(t, [2]int{2, 1}, [2]int{expected, missing})
	assert.Equal(t, []string{"verify: user dave was imported but is not listed"}, said)
}

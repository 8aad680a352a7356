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

// TestImportUnderFaults is the spine's acceptance test: 500 users and 1,000
// members against a server that answers 10% of requests with 429 +
// Retry-After, 5% with 503 and 2% with a 500 after applying the batch. Every
// item must end imported or existed, none twice, and no request may carry
// more than 50 entities.
func TestImportUnderFaults(t *testing.T) {
	s := chatimporttest.NewServer(
		chatimporttest.WithSeed(8),
		chatimporttest.WithCometChatLimit(0, 0),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.10, Unavailable: 0.05, FailAfterApply: 0.02, RetryAfter: time.Second}),
	)
	defer s.Close()
	// The fake asks for a one-second Retry-After; capping the wait at 5 ms
	// keeps the test fast and shows the cap at work.
	c := s.CometChat(chatimport.WithRetry(10, time.Millisecond, 5*time.Millisecond))

	users := make([]chatimport.User, 500)
	for i := range users {
		users[i] = chatimport.User{UID: fmt.Sprintf("user-%03d", i), Name: fmt.Sprintf("User %d", i), Tags: []string{"migrated"}}
	}
	res, err := c.ImportUsers(t.Context(), users)
	require.NoError(t, err)
	assertAllArrived(t, res, len(users))

	created := time.Unix(1600000000, 0)
	members := make([]chatimport.Member, 1000)
	for i := range members {
		guid := fmt.Sprintf("group-%02d", i%20)
		members[i] = chatimport.Member{
			GUID: guid, UID: users[i%500].UID, JoinedAt: created.Add(time.Duration(i+1) * time.Minute),
			Group: &chatimport.Group{Name: guid, Type: chatimport.GroupPublic, CreatedAt: created},
		}
		if i >= 500 { // the second half joins the same groups under other uids
			members[i].GUID = fmt.Sprintf("group-%02d", (i+7)%20)
			members[i].Group.Name = members[i].GUID
		}
	}
	res, err = c.ImportMembers(t.Context(), members)
	require.NoError(t, err)
	assertAllArrived(t, res, len(members))

	stats := s.Stats()
	assert.LessOrEqual(t, stats.LargestBatch, 50)
	assert.Positive(t, stats.Faults.RateLimit, "faults were injected: %+v", stats.Faults)
	assert.Positive(t, stats.Faults.Unavailable)
	assert.Positive(t, stats.Faults.FailAfterApply)
	assert.Len(t, s.Users(), 500, "each user stored once")
	total := 0
	for _, g := range s.Groups() {
		total += len(s.Members(g.GUID))
	}
	assert.Equal(t, 1000, total, "each membership stored once")
}

func assertAllArrived(t *testing.T, res *chatimport.ImportResult, n int) {
	t.Helper()
	require.Len(t, res.Items, n)
	existed := 0
	for i, it := range res.Items {
		assert.Equal(t, i, it.Index)
		assert.True(t, it.Status.OK(), "%s: %v %v", it.ID, it.Status, it.Err)
		if it.Status == chatimport.StatusExisted {
			existed++
		}
	}
	assert.Positive(t, existed, "some batches were applied but their answer lost: those items end as existed")
}

// TestTencentImportUnderFaults checks the same guarantees on Tencent, whose
// failures arrive inside HTTP 200 answers.
func TestTencentImportUnderFaults(t *testing.T) {
	s := chatimporttest.NewServer(
		chatimporttest.WithSeed(11),
		chatimporttest.WithTencentLimit(0, 0),
		chatimporttest.WithTencentAutoCreate(),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.10, Unavailable: 0.05, TencentInternal: 0.05, FailAfterApply: 0.05}),
	)
	defer s.Close()
	c := s.Tencent(chatimport.WithRetry(10, time.Millisecond, 5*time.Millisecond), chatimport.WithBatchSize(100))
	members := make([]chatimport.Member, 3000)
	for i := range members {
		members[i] = chatimport.Member{GUID: fmt.Sprintf("@TGS#%d", i%7), UID: fmt.Sprintf("acct-%d", i)}
	}
	res, err := c.ImportMembers(t.Context(), members)
	require.NoError(t, err)
	assertAllArrived(t, res, len(members))
	total := 0
	for g := range 7 {
		total += len(s.TencentMembers(fmt.Sprintf("@TGS#%d", g)))
	}
	assert.Equal(t, 3000, total)
	assert.LessOrEqual(t, s.Stats().LargestBatch, 100)
}

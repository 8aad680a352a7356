package chatimport_test

import (
	"fmt"
	"iter"
	"testing"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// BenchmarkExportMembers lists every member of one group with ListMembers,
// the walk an export makes, against chatimporttest with 20 ms latency, and
// reports members a second over the listing ceiling (page size × rate):
//
//   - cometchat: 1,000 a page at CometChat's documented 20,000 requests a
//     minute, which the client paces by default (the fake neither limits
//     nor delays CometChat's listings, so the client's transport adds the
//     20 ms): a ceiling of 333,333 members a second.
//   - tencent: 100 a page (the most chatimport asks for) with
//     get_group_member_info limited to its documented 200 calls a second,
//     which the helper's client paces at: a ceiling of 20,000 a second.
//
// The 100k size is skipped in -short mode.
func BenchmarkExportMembers(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1k", 1_000}, {"100k", 100_000}} {
		b.Run("cometchat/"+size.name, func(b *testing.B) {
			skipLarge(b, size.n)
			s := chatimporttest.NewServer()
			b.Cleanup(s.Close)
			seed := make([]chatimporttest.Member, size.n)
			for i := range seed {
				seed[i] = chatimporttest.Member{UID: fmt.Sprintf("user-%06d", i), JoinedAt: 1638360106}
			}
			s.AddMembers("big", seed...)
			c := cometChatLister(b, s)
			listRun(b, s, size.n, cometChatListCeiling, func() iter.Seq2[chatimport.Member, error] {
				return c.ListMembers(b.Context(), "big", nil)
			})
		})
		b.Run("tencent/"+size.name, func(b *testing.B) {
			skipLarge(b, size.n)
			const rate = 200
			s := tencentMembersFake(b, size.n, rate)
			c := s.Tencent()
			listRun(b, s, size.n, 100*rate, func() iter.Seq2[chatimport.Member, error] {
				return c.ListMembers(b.Context(), groupID(0), nil)
			})
		})
	}
}

func skipLarge(b *testing.B, n int) {
	if testing.Short() && n > 1_000 {
		b.Skip("a 100,000-member walk takes seconds; skipped in -short mode")
	}
}

package chatimport_test

import (
	"fmt"
	"iter"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// Every import and listing endpoint at its ceiling, measured as
// throughput_bench_test.go measures the CometChat users and Tencent
// members imports: against chatimporttest with 20 ms latency, limits
// scaled so a run takes seconds, the helper's client (pacing each budget at
// the fake's limit for it) and otherwise default options.
//
// A listing's ceiling is its page size times its rate; where a walk draws
// on two budgets (Tencent's group list, then its group details), the lower
// of the two. A listing walks one page after another, so it is also bound
// by one round trip a page: where the round trip is longer than the pacing
// interval, the round trip sets the pace, not the budget, and the run
// reports how far below the ceiling that leaves it.

// BenchmarkThroughputCometChatGroups imports 25,000 groups (500 requests
// of 50) against a fake limited to 6,000 import requests a minute.
func BenchmarkThroughputCometChatGroups(b *testing.B) {
	const limit, per, batch = 6000, time.Minute, 50
	n := scaled(25_000, 500)
	throughputRun(b, n, batch, float64(limit)/per.Seconds(), func() (*chatimporttest.Server, func() (int, error)) {
		s := cometChatImportFake(limit, per)
		c := s.CometChat()
		return s, func() (int, error) {
			fn, ok := countOK()
			err := c.ImportGroupsSeq(b.Context(), genCometGroups("group", n), fn)
			return *ok, err
		}
	})
}

// BenchmarkThroughputCometChatMembers imports 25,000 members of 10 seeded
// groups (500 requests of 50) against a fake limited to 6,000 import
// requests a minute.
func BenchmarkThroughputCometChatMembers(b *testing.B) {
	const limit, per, batch, groups = 6000, time.Minute, 50, 10
	n := scaled(25_000, 500)
	throughputRun(b, n, batch, float64(limit)/per.Seconds(), func() (*chatimporttest.Server, func() (int, error)) {
		s := cometChatImportFake(limit, per)
		seedCometGroups(s, groups)
		c := s.CometChat()
		return s, func() (int, error) {
			fn, ok := countOK()
			err := c.ImportMembersSeq(b.Context(), genCometMembers(n, groups), fn)
			return *ok, err
		}
	})
}

// BenchmarkThroughputCometChatShared runs a users, a groups and a members
// import of 10,000 each at once on one Client, against a fake limited to
// 6,000 import requests a minute for the three together, as CometChat
// limits them: the ceiling is that shared rate times 50, and
// entities/s counts the three imports' entities over the wall time of all
// three.
func BenchmarkThroughputCometChatShared(b *testing.B) {
	const limit, per, batch, groups = 6000, time.Minute, 50, 10
	each := scaled(10_000, 250)
	throughputRun(b, 3*each, batch, float64(limit)/per.Seconds(), func() (*chatimporttest.Server, func() (int, error)) {
		s := cometChatImportFake(limit, per)
		seedCometGroups(s, groups)
		c := s.CometChat()
		return s, func() (int, error) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok, errs := 0, make([]error, 3)
			count := func(r chatimport.ItemResult) {
				if r.Status.OK() {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}
			wg.Go(func() { errs[0] = c.ImportUsersSeq(b.Context(), genUsers(each), count) })
			wg.Go(func() { errs[1] = c.ImportGroupsSeq(b.Context(), genCometGroups("shared", each), count) })
			wg.Go(func() { errs[2] = c.ImportMembersSeq(b.Context(), genCometMembers(each, groups), count) })
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					return ok, err
				}
			}
			return ok, nil
		}
	})
}

// BenchmarkThroughputTencentAccounts imports 50,000 accounts
// (multiaccount_import, 500 requests of 100) at its documented 100 calls a
// second.
func BenchmarkThroughputTencentAccounts(b *testing.B) {
	const limit, batch = 100, 100
	n := scaled(50_000, 1_000)
	throughputRun(b, n, batch, limit, func() (*chatimporttest.Server, func() (int, error)) {
		s := tencentFake(chatimporttest.WithTencentCommandLimit("multiaccount_import", limit, time.Second))
		c := s.Tencent()
		return s, func() (int, error) {
			fn, ok := countOK()
			err := c.ImportUsersSeq(b.Context(), genAccounts(n), fn)
			return *ok, err
		}
	})
}

// BenchmarkThroughputTencentGroups imports 1,000 groups (import_group,
// one a request) at its documented 200 calls a second.
func BenchmarkThroughputTencentGroups(b *testing.B) {
	const limit, batch = 200, 1
	n := scaled(1_000, 20)
	throughputRun(b, n, batch, limit, func() (*chatimporttest.Server, func() (int, error)) {
		s := tencentFake(chatimporttest.WithTencentCommandLimit("import_group", limit, time.Second))
		c := s.Tencent()
		return s, func() (int, error) {
			fn, ok := countOK()
			err := c.ImportGroupsSeq(b.Context(), genTencentGroups(n), fn)
			return *ok, err
		}
	})
}

// BenchmarkThroughputCometChatListUsers walks 100,000 users with
// ListUsers, 1,000 a page. The fake neither limits nor delays CometChat's
// listings, so the client here is built with CometChat's own defaults
// (listings paced at the documented 20,000 requests a minute) and its
// transport adds the 20 ms; the ceiling is 1,000 × 20,000 a minute.
func BenchmarkThroughputCometChatListUsers(b *testing.B) {
	n := scaled(100_000, 2_000)
	s := chatimporttest.NewServer()
	b.Cleanup(s.Close)
	users := make([]chatimporttest.User, n)
	for i := range users {
		users[i] = chatimporttest.User{UID: fmt.Sprintf("user-%06d", i), Name: fmt.Sprintf("User %d", i), CreatedAt: 1629869270, Tags: benchTags}
	}
	s.AddUsers(users...)
	c := cometChatLister(b, s)
	listRun(b, s, n, cometChatListCeiling, func() iter.Seq2[chatimport.User, error] { return c.ListUsers(b.Context(), nil) })
}

// BenchmarkThroughputCometChatListGroups walks 50,000 groups with
// ListGroups, 1,000 a page, as BenchmarkThroughputCometChatListUsers walks
// users.
func BenchmarkThroughputCometChatListGroups(b *testing.B) {
	n := scaled(50_000, 2_000)
	s := chatimporttest.NewServer()
	b.Cleanup(s.Close)
	groups := make([]chatimporttest.Group, n)
	for i := range groups {
		groups[i] = chatimporttest.Group{GUID: fmt.Sprintf("group-%06d", i), Name: fmt.Sprintf("Group %d", i), Type: "public", CreatedAt: 1629869270}
	}
	s.AddGroups(groups...)
	c := cometChatLister(b, s)
	listRun(b, s, n, cometChatListCeiling, func() iter.Seq2[chatimport.Group, error] { return c.ListGroups(b.Context(), nil) })
}

// BenchmarkThroughputTencentListMembers walks a group of 20,000 members
// with ListMembers, 100 a page (the most chatimport asks for), with
// get_group_member_info limited to rate calls a second: 200, the
// documented rate, whose 5 ms interval is shorter than a round trip, and
// 40, whose 25 ms interval is longer, so that the budget and not the round
// trip sets the pace.
func BenchmarkThroughputTencentListMembers(b *testing.B) {
	n := scaled(20_000, 500)
	for _, rate := range []int{200, 40} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			s := tencentMembersFake(b, n, rate)
			c := s.Tencent()
			listRun(b, s, n, float64(100*rate), func() iter.Seq2[chatimport.Member, error] {
				return c.ListMembers(b.Context(), groupID(0), nil)
			})
		})
	}
}

// BenchmarkThroughputTencentListGroups walks 5,000 groups with
// ListGroups: get_appid_group_list scaled from one call a second to 20,
// then get_group_info, 50 groups a request, at its documented 200 a
// second. perPage=50 lists 50 ids a call, so the group list's 20 calls a
// second bind (a ceiling of 1,000 groups a second); perPage=10000, the
// default, lists them all in one call, so the details bind (10,000 a
// second).
func BenchmarkThroughputTencentListGroups(b *testing.B) {
	const listRate, infoRate, infoBatch = 20, 200, 50
	n := scaled(5_000, 100)
	s := tencentFake(
		chatimporttest.WithTencentCommandLimit("get_appid_group_list", listRate, time.Second),
		chatimporttest.WithTencentCommandLimit("get_group_info", infoRate, time.Second),
	)
	b.Cleanup(s.Close)
	for g := range n {
		s.AddTencentGroup(groupID(g), time.Unix(1_600_000_000, 0))
	}
	// One client for both walks: its pacing carries on where the fake's
	// windows do, so a new walk never opens inside a window it cannot see.
	c := s.Tencent()
	for _, perPage := range []int{50, 10_000} {
		b.Run(fmt.Sprintf("perPage=%d", perPage), func(b *testing.B) {
			ceiling := min(float64(perPage*listRate), float64(infoBatch*infoRate))
			listRun(b, s, n, ceiling, func() iter.Seq2[chatimport.Group, error] {
				return c.ListGroups(b.Context(), &chatimport.ListGroupsOptions{PerPage: perPage})
			})
		})
	}
}

// cometChatListCeiling is CometChat's listing ceiling: 1,000 a page at the
// documented 20,000 requests a minute.
const cometChatListCeiling = 1000 * 20_000 / 60.0

// listRun walks a listing of n entities once per iteration, timing only
// the walk, and reports entities/s, pct-of-ceiling (of ceiling entities a
// second), the fake's rate-limit answers (which must be 0) and its listing
// requests per walk. One client walks every iteration, so its pacing runs
// on across them as the fake's windows do.
func listRun[T any](b *testing.B, s *chatimporttest.Server, n int, ceiling float64, walk func() iter.Seq2[T, error]) {
	b.Helper()
	before := s.Stats()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		got := 0
		for _, err := range walk() {
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		elapsed += time.Since(start)
		if got != n {
			b.Fatalf("listed %d of %d", got, n)
		}
	}
	st := s.Stats()
	perSec := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(perSec, "entities/s")
	b.ReportMetric(100*perSec/ceiling, "pct-of-ceiling")
	b.ReportMetric(float64(st.RateLimited-before.RateLimited)/float64(b.N), "rate-limited/op")
	b.ReportMetric(float64(st.Requests-before.Requests)/float64(b.N), "requests/op")
}

// cometChatLister is a CometChat client of the fake with CometChat's
// default pacing, whose transport adds benchLatency to every request.
func cometChatLister(b *testing.B, s *chatimporttest.Server) *chatimport.Client {
	b.Helper()
	c, err := chatimport.NewCometChat(chatimporttest.AppID, "us", chatimporttest.APIKey,
		chatimport.WithBaseURL(s.URL+"/v3"),
		chatimport.WithHTTPClient(&http.Client{Transport: slowTransport{benchLatency, http.DefaultTransport}}))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func cometChatImportFake(limit int, per time.Duration) *chatimporttest.Server {
	return chatimporttest.NewServer(
		chatimporttest.WithCometChatLimit(limit, per),
		chatimporttest.WithFaults(chatimporttest.Faults{Latency: benchLatency}),
		chatimporttest.WithCountOnly(),
	)
}

func tencentFake(opts ...chatimporttest.Option) *chatimporttest.Server {
	return chatimporttest.NewServer(append([]chatimporttest.Option{
		chatimporttest.WithFaults(chatimporttest.Faults{Latency: benchLatency}),
		chatimporttest.WithCountOnly(),
	}, opts...)...)
}

// tencentMembersFake is a fake holding group groupID(0) with n members,
// imported without pacing before get_group_member_info is limited to rate
// calls a second.
func tencentMembersFake(b *testing.B, n, rate int) *chatimporttest.Server {
	b.Helper()
	s := chatimporttest.NewServer(
		chatimporttest.WithFaults(chatimporttest.Faults{Latency: benchLatency}),
		chatimporttest.WithTencentLooseAccounts(),
		chatimporttest.WithTencentCommandLimit("get_group_member_info", rate, time.Second),
	)
	b.Cleanup(s.Close)
	s.AddTencentGroup(groupID(0), time.Unix(1_600_000_000, 0))
	seeder := s.Tencent(chatimport.WithConcurrency(32))
	fn, ok := countOK()
	if err := seeder.ImportMembersSeq(b.Context(), genMembers(n, 1), fn); err != nil || *ok != n {
		b.Fatalf("seeded %d of %d members: %v", *ok, n, err)
	}
	return s
}

// seedCometGroups creates the groups genCometMembers puts members in.
func seedCometGroups(s *chatimporttest.Server, groups int) {
	for g := range groups {
		s.AddGroups(chatimporttest.Group{GUID: cometGroupID(g), Name: cometGroupID(g), Type: "public", CreatedAt: 1_600_000_000})
	}
}

func cometGroupID(g int) string { return fmt.Sprintf("mgroup-%04d", g) }

// genCometGroups yields n CometChat groups named prefix-…, one at a time.
func genCometGroups(prefix string, n int) iter.Seq2[chatimport.Group, error] {
	created := time.Unix(1_673_421_419, 0)
	return func(yield func(chatimport.Group, error) bool) {
		for i := range n {
			g := chatimport.Group{
				GUID: fmt.Sprintf("%s-%08d", prefix, i), Name: fmt.Sprintf("Group Number %d", i),
				Type: chatimport.GroupPublic, CreatedAt: created, Metadata: map[string]any{"plan": "pro"}, Tags: benchTags,
			}
			if !yield(g, nil) {
				return
			}
		}
	}
}

// genCometMembers yields n CometChat members spread evenly over the
// seeded groups, one group after the other.
func genCometMembers(n, groups int) iter.Seq2[chatimport.Member, error] {
	joined := time.Unix(1_673_421_419, 0)
	perGroup := (n + groups - 1) / groups
	return func(yield func(chatimport.Member, error) bool) {
		for i := range n {
			m := chatimport.Member{GUID: cometGroupID(i / perGroup), UID: fmt.Sprintf("user-%08d", i), Scope: chatimport.ScopeParticipant, JoinedAt: joined}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// genAccounts yields n Tencent accounts with a nickname and a photo.
func genAccounts(n int) iter.Seq2[chatimport.User, error] {
	return func(yield func(chatimport.User, error) bool) {
		for i := range n {
			u := chatimport.User{UID: fmt.Sprintf("account-%08d", i), Name: fmt.Sprintf("User %d", i),
				Avatar: fmt.Sprintf("https://cdn.example.com/avatars/%d.png", i)}
			if !yield(u, nil) {
				return
			}
		}
	}
}

// genTencentGroups yields n Tencent groups with custom ids.
func genTencentGroups(n int) iter.Seq2[chatimport.Group, error] {
	created := time.Unix(1_673_421_419, 0)
	return func(yield func(chatimport.Group, error) bool) {
		for i := range n {
			g := chatimport.Group{GUID: fmt.Sprintf("group-%08d", i), Name: fmt.Sprintf("Group %d", i),
				Type: chatimport.GroupPublic, CreatedAt: created}
			if !yield(g, nil) {
				return
			}
		}
	}
}

package chatimport_test

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// walkPerPage is ListMembers' default page size.
const walkPerPage = 1000

// BenchmarkPagerWalk100k walks a group of 100,000 members a thousand to a
// page, and reports members/s, ns/member and allocs/member.
//
// fake/ serves the group from chatimporttest over loopback HTTP. The fake
// runs in this process, so its CPU and allocations count in the figures;
// it builds the group's whole member list for every page it serves, which
// makes it, not the client, most of the cost.
//
// memory/ replays pages shaped like the fake's from memory, so the figures
// are the client's alone, and adds a delay per request (latency) and a
// pause per page in the loop (work) to show what fetching ahead gains.
//
// In -short mode, as CI runs it, the group has 10,000 members.
func BenchmarkPagerWalk100k(b *testing.B) {
	total := 100_000
	if testing.Short() {
		total /= 10
	}
	b.Run("fake", func(b *testing.B) {
		s := chatimporttest.NewServer()
		b.Cleanup(s.Close)
		seed := make([]chatimporttest.Member, total)
		for i := range seed {
			seed[i] = chatimporttest.Member{UID: fmt.Sprintf("user-%06d", i), JoinedAt: 1638360106}
		}
		s.AddMembers("big", seed...)
		c := s.CometChat(chatimport.WithRateLimit(0, 0))
		benchmarkWalk(b, c, "big", total, 0)
	})

	b.Run("memory", func(b *testing.B) {
		pages := fakePages("big", total, walkPerPage)
		for _, tc := range []struct{ latency, work time.Duration }{
			{0, 0}, {0, 20 * time.Millisecond}, {20 * time.Millisecond, 0}, {20 * time.Millisecond, 20 * time.Millisecond},
		} {
			var rt http.RoundTripper = pages
			if tc.latency > 0 {
				rt = slowTransport{tc.latency, pages}
			}
			// Pacing off for listing too: the walk's own cost is measured.
			unpaced := chatimport.WithLimiterFunc(func(chatimport.Budget) (chatimport.Limiter, error) { return nil, nil })
			c, err := chatimport.NewCometChat("app", "us", "key", chatimport.WithHTTPClient(&http.Client{Transport: rt}), unpaced)
			if err != nil {
				b.Fatal(err)
			}
			name := fmt.Sprintf("latency=%v/work=%v", tc.latency, tc.work)
			b.Run(name, func(b *testing.B) { benchmarkWalk(b, c, "big", total, tc.work) })
		}
	})
}

// benchmarkWalk walks guid, of total members, pausing for work after each
// page's members.
func benchmarkWalk(b *testing.B, c *chatimport.Client, guid string, total int, work time.Duration) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		n := 0
		for _, err := range c.ListMembers(b.Context(), guid, nil) {
			if err != nil {
				b.Fatal(err)
			}
			if n++; work > 0 && n%walkPerPage == 0 {
				time.Sleep(work)
			}
		}
		if n != total {
			b.Fatalf("walked %d members, want %d", n, total)
		}
	}
	runtime.ReadMemStats(&after)
	walked := float64(b.N * total)
	b.ReportMetric(walked/b.Elapsed().Seconds(), "members/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/walked, "ns/member")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/walked, "allocs/member")
}

// fakePages are the pages chatimporttest serves for a group of n members
// seeded with a uid and a join time, byte for byte but for the times.
func fakePages(guid string, n, perPage int) chatimport.MemberPages {
	var pages chatimport.MemberPages
	for start := 0; start < n; start += perPage {
		var b bytes.Buffer
		b.WriteString(`{"cursor":{"affix":"append","updatedAt":1795323428},"data":[`)
		end := min(start+perPage, n)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"uid":"user-%06d","name":"user-%06d","role":"default","status":"offline","scope":"participant",`+
				`"joinedAt":1638360106,"createdAt":1795323428,"updatedAt":1795323428,"conversationId":"group_%s"}`, i, i, guid)
		}
		fmt.Fprintf(&b, `],"meta":{"pagination":{"total":%d,"count":%d,"per_page":%d,"current_page":%d,"total_pages":%d}}}`+"\n",
			n, end-start, perPage, start/perPage+1, (n+perPage-1)/perPage)
		pages = append(pages, b.Bytes())
	}
	return pages
}

// slowTransport delays every request, standing in for the round trip to a
// real API.
type slowTransport struct {
	latency time.Duration
	next    http.RoundTripper
}

func (t slowTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	timer := time.NewTimer(t.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return t.next.RoundTrip(req)
}

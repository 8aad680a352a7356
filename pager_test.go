package chatimport

import (
	"context"
	"errors"
	"fmt"
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

// walkStart is where pagerOf's walks start.
var walkStart = Position{Provider: "test", List: "items", Of: "g", Query: "q", Token: "1"}

// at is walkStart at page token, skipping skip items.
func at(token string, skip int) Position {
	p := walkStart
	p.Token, p.Skip = token, skip
	return p
}

// pagerOf is a pager of strings addressed by page number from 1, its pages
// fetched by fetch; a page's next token is the following number unless
// fetch sets one.
func pagerOf(fetch func(ctx context.Context, n int) (page[string], error)) *Pager[string] {
	return newPager(walkStart, func(s *string) string { return *s }, func(ctx context.Context, token string) (page[string], error) {
		n, err := strconv.Atoi(token)
		if err != nil {
			return page[string]{}, err
		}
		pg, err := fetch(ctx, n)
		if pg.next == "" {
			pg.next = strconv.Itoa(n + 1)
		}
		return pg, err
	})
}

// scriptedPager answers page n with pages[n-1], counting honestly the
// pages after it, and an empty page past them, counting the fetches.
func scriptedPager(pages ...page[string]) (*Pager[string], *atomic.Int32) {
	fetches := new(atomic.Int32)
	return pagerOf(func(_ context.Context, n int) (page[string], error) {
		fetches.Add(1)
		if n > len(pages) {
			return page[string]{}, nil
		}
		pg := pages[n-1]
		pg.ahead = len(pages) - n
		return pg, nil
	}), fetches
}

// readahead fetches up to depth pages at once, naming page n+1 unasked;
// depth 0 leaves p as newPager makes it, fetching only the page its
// answer names.
func readahead(p *Pager[string], depth int) *Pager[string] {
	if depth == 0 {
		return p
	}
	return p.readahead(depth, nextPageNumber)
}

// bothWays runs a test of All as a cursor walk and as a walk that names
// its pages, three at once, which must hand over the same items and stand
// at the same position after.
func bothWays(t *testing.T, test func(t *testing.T, depth int)) {
	for _, depth := range []int{0, 3} {
		t.Run(fmt.Sprintf("depth=%d", depth), func(t *testing.T) { test(t, depth) })
	}
}

func items(p *Pager[string]) ([]string, error) {
	var out []string
	for s, err := range p.All(context.Background()) {
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

func TestPagerOverlapIsNotARepeat(t *testing.T) {
	bothWays(t, func(t *testing.T, depth int) {
		// A member who joined during the walk shifts the next page by one:
		// its first item was on the page before, but it brings new ones.
		p, _ := scriptedPager(
			page[string]{items: []string{"a", "b", "c"}},
			page[string]{items: []string{"c", "d", "e"}},
			page[string]{items: []string{"f"}},
		)
		p = readahead(p, depth)
		got, err := items(p)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c", "c", "d", "e", "f"}, got)
	})
}

func TestPagerNothingNewIsARepeat(t *testing.T) {
	bothWays(t, testPagerNothingNewIsARepeat)
}

func testPagerNothingNewIsARepeat(t *testing.T, depth int) {
	for name, second := range map[string][]string{
		"same page":        {"a", "b", "c"},
		"same, reordered":  {"c", "a", "b"},
		"part of the last": {"b", "c"},
	} {
		p, fetches := scriptedPager(
			page[string]{items: []string{"a", "b", "c"}},
			page[string]{items: second},
			page[string]{items: []string{"d"}},
		)
		p = readahead(p, depth)
		got, err := items(p)
		assert.ErrorIs(t, err, ErrPageRepeated, name)
		assert.Equal(t, []string{"a", "b", "c"}, got, name)
		// Page 3, which page 1 counts, may have been fetched ahead.
		assert.Contains(t, []int32{2, int32(min(depth, 2)) + 1}, fetches.Load(), name)
		assert.Equal(t, "2", p.Position().Token, "%s: the position stays before the bad page", name)
	}
}

func TestPagerEndRules(t *testing.T) {
	bothWays(t, func(t *testing.T, depth int) {
		for name, tc := range map[string]struct {
			pages   []page[string]
			fetches int
		}{
			"last by the provider": {[]page[string]{{items: []string{"a", "b"}, last: true}}, 1},
			"an empty page":        {[]page[string]{{items: []string{"a", "b"}}}, 2},
		} {
			p, fetches := scriptedPager(tc.pages...)
			p = readahead(p, depth)
			_, err := items(p)
			require.NoError(t, err, name)
			assert.EqualValues(t, tc.fetches, fetches.Load(), name)
			assert.False(t, p.More(), name)
		}
	})
}

func TestPagerCycleIsARepeat(t *testing.T) {
	bothWays(t, func(t *testing.T, depth int) {
		// A server alternating two pages: the third holds only items of
		// the first, though not of the page just before it.
		a, b := []string{"a", "b"}, []string{"c", "d"}
		p, fetches := scriptedPager(page[string]{items: a}, page[string]{items: b}, page[string]{items: a}, page[string]{items: b})
		p = readahead(p, depth)
		got, err := items(p)
		assert.ErrorIs(t, err, ErrPageRepeated)
		assert.Equal(t, []string{"a", "b", "c", "d"}, got)
		assert.Contains(t, []int32{3, int32(min(depth, 3)) + 1}, fetches.Load())
	})
}

func TestPagerRepeatedCursorEndsTheWalk(t *testing.T) {
	var fetches atomic.Int32
	cursors := []string{"x", "y", "x"}
	p := newPager(walkStart, func(s *string) string { return *s }, func(_ context.Context, token string) (page[string], error) {
		n := fetches.Add(1)
		return page[string]{items: []string{fmt.Sprint("item", n)}, next: cursors[n-1]}, nil
	})
	got, err := items(p)
	assert.ErrorIs(t, err, ErrPageRepeated)
	assert.Equal(t, []string{"item1", "item2", "item3"}, got)
	assert.EqualValues(t, 3, fetches.Load(), "the repeated cursor is never fetched")
	assert.False(t, p.More())
}

func TestPagerMoreIsFalseAfterAnErrorThatEndsTheWalk(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		more bool
	}{
		"not found":    {&APIError{Provider: ProviderCometChat, HTTPStatus: 404}, false},
		"cancelled":    {context.Canceled, false},
		"rate limited": {&APIError{Provider: ProviderCometChat, HTTPStatus: 429}, true},
		"temporary":    {&APIError{Provider: ProviderCometChat, HTTPStatus: 503}, true},
	} {
		var fetches atomic.Int32
		p := pagerOf(func(context.Context, int) (page[string], error) {
			fetches.Add(1)
			return page[string]{}, tc.err
		})
		// A loop that logs and goes on must not spin on an error that ends the walk.
		for i := 0; p.More() && i < 3; i++ {
			_, err := p.NextPage(t.Context())
			require.ErrorIs(t, err, tc.err, name)
		}
		assert.Equal(t, tc.more, p.More(), name)
		want := int32(1)
		if tc.more {
			want = 3
		}
		assert.Equal(t, want, fetches.Load(), name)
		assert.Equal(t, walkStart, p.Position(), "%s: the failed page is still next", name)
	}
}

func TestPagerResumeRefusesAnotherWalk(t *testing.T) {
	p, _ := scriptedPager(page[string]{items: []string{"a"}})
	for field, pos := range map[string]Position{
		"provider": {Provider: "other", List: "items", Of: "g", Query: "q", Token: "3"},
		"list":     {Provider: "test", List: "users", Of: "g", Query: "q", Token: "3"},
		"of":       {Provider: "test", List: "items", Of: "other", Query: "q", Token: "3"},
		"query":    {Provider: "test", List: "items", Of: "g", Query: "perPage=5", Token: "3"},
	} {
		err := p.Resume(pos)
		var v *ValidationError
		require.ErrorAs(t, err, &v, field)
		assert.Equal(t, field, v.Field)
	}
	assert.Equal(t, walkStart, p.Position(), "a refused position changes nothing")
	require.NoError(t, p.Resume(at("3", 0)))
	assert.Equal(t, at("3", 0), p.Position())
}

func TestPagerSkipBeyondAShrunkPage(t *testing.T) {
	bothWays(t, func(t *testing.T, depth int) {
		p, _ := scriptedPager(
			page[string]{items: []string{"a", "b", "c"}},
			page[string]{items: []string{"d"}},
		)
		p = readahead(p, depth)
		// Saved after five items of page 1, which has since shrunk to three.
		require.NoError(t, p.Resume(at("1", 5)))
		got, err := items(p)
		require.NoError(t, err)
		assert.Equal(t, []string{"d"}, got)
	})
}

// A cursor walk fetches the page its answer names while the loop is on the
// page before, and never more than that one.
func TestPagerCursorWalkFetchesOnePageAhead(t *testing.T) {
	pages := [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g"}}
	var mu sync.Mutex
	var started []int
	furthest := func() int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Max(started)
	}
	p := pagerOf(func(_ context.Context, n int) (page[string], error) {
		mu.Lock()
		started = append(started, n)
		mu.Unlock()
		return page[string]{items: pages[n-1], last: n == len(pages), ahead: 10}, nil
	})
	var got []string
	for s, err := range p.All(t.Context()) {
		require.NoError(t, err)
		got = append(got, s)
		page := (len(got) + 1) / 2
		if page < len(pages) {
			require.Eventually(t, func() bool { return furthest() == page+1 }, 5*time.Second, time.Millisecond,
				"page %d is fetched while the loop is on page %d", page+1, page)
		}
		assert.LessOrEqual(t, furthest(), page+1, "never more than one page ahead, whatever the server counts")
	}
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g"}, got)
	assert.Equal(t, []int{1, 2, 3, 4}, started, "each page once, and none past the last")
	end := at("5", 0)
	end.Done = true
	assert.Equal(t, end, p.Position())
}

// neverAnswered counts the fetches under way that wait for an answer that
// never comes, until they are cancelled.
func neverAnswered(ctx context.Context, waiting *atomic.Int32) (page[string], error) {
	waiting.Add(1)
	defer waiting.Add(-1)
	<-ctx.Done()
	return page[string]{}, ctx.Err()
}

// noGoroutineLeft fails t unless the goroutines are back to before. It
// polls, since assert.Eventually counts as a goroutine.
func noGoroutineLeft(t *testing.T, before int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine is left")
}

func TestPagerBreakCancelsTheFetchesAndWaits(t *testing.T) {
	bothWays(t, func(t *testing.T, depth int) {
		before := runtime.NumGoroutine()
		var waiting, fetches atomic.Int32
		p := readahead(pagerOf(func(ctx context.Context, n int) (page[string], error) {
			fetches.Add(1)
			if n == 1 {
				return page[string]{items: []string{"a", "b"}, ahead: 10}, nil
			}
			return neverAnswered(ctx, &waiting)
		}), depth)
		underWay := int32(max(depth, 1))
		for _, err := range p.All(t.Context()) {
			require.NoError(t, err)
			require.Eventually(t, func() bool { return waiting.Load() == underWay }, 5*time.Second, time.Millisecond,
				"the pages after page 1 are under way")
			break
		}
		assert.Zero(t, waiting.Load(), "the fetches ahead have ended when the loop has")
		assert.Equal(t, underWay+1, fetches.Load(), "no fetch starts after the loop")
		assert.Equal(t, at("1", 1), p.Position())
		noGoroutineLeft(t, before)
	})
}

func TestPagerErrorComesAfterThePagesBefore(t *testing.T) {
	bothWays(t, func(t *testing.T, depth int) {
		boom := errors.New("boom")
		var later sync.WaitGroup // with readahead, pages 3 and 4 answer before page 2 fails
		if depth > 0 {
			later.Add(2)
		}
		p := readahead(pagerOf(func(_ context.Context, n int) (page[string], error) {
			switch {
			case n == 2:
				if depth > 0 {
					later.Wait()
				}
				return page[string]{}, boom
			case n > 2 && depth > 0:
				defer later.Done()
			}
			return page[string]{items: []string{fmt.Sprint(n, "a"), fmt.Sprint(n, "b")}, ahead: 3}, nil
		}), depth)
		got, err := items(p)
		assert.Equal(t, []string{"1a", "1b"}, got, "nothing of the pages after the failed one")
		assert.ErrorIs(t, err, boom)
		assert.False(t, p.More(), "an error that is not temporary ends the walk")
		assert.Equal(t, at("2", 0), p.Position(), "the failed page is next")
	})
}

// A loop that panics still stops the fetches ahead.
func TestPagerPanicInTheLoop(t *testing.T) {
	bothWays(t, func(t *testing.T, depth int) {
		var waiting atomic.Int32
		p := readahead(pagerOf(func(ctx context.Context, n int) (page[string], error) {
			if n == 1 {
				return page[string]{items: []string{"a"}, ahead: 5}, nil
			}
			return neverAnswered(ctx, &waiting)
		}), depth)
		assert.Panics(t, func() {
			for range p.All(t.Context()) {
				require.Eventually(t, func() bool { return waiting.Load() == int32(max(depth, 1)) }, 5*time.Second, time.Millisecond)
				panic("loop body")
			}
		})
		assert.Zero(t, waiting.Load())
	})
}

// With readahead, depth pages are fetched at once and no more, each once,
// and handed over in order though later pages answer first.
func TestPagerReadaheadKeepsDepthInFlight(t *testing.T) {
	const depth, pages = 3, 10
	var mu sync.Mutex
	started := map[int]chan struct{}{}
	startedCh := func(n int) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if started[n] == nil {
			started[n] = make(chan struct{})
		}
		return started[n]
	}
	var inFlight, most, fetches atomic.Int32
	p := readahead(pagerOf(func(ctx context.Context, n int) (page[string], error) {
		fetches.Add(1)
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		close(startedCh(n))
		// Page 1 is fetched alone; each later one answers only once depth
		// pages are under way.
		if n > 1 && n+depth-1 <= pages {
			select {
			case <-startedCh(n + depth - 1):
			case <-time.After(5 * time.Second):
				return page[string]{}, fmt.Errorf("page %d: page %d never started", n, n+depth-1)
			}
		}
		return page[string]{items: []string{fmt.Sprint(n, "a"), fmt.Sprint(n, "b")}, last: n == pages, ahead: pages - n}, nil
	}), depth)
	got, err := items(p)
	require.NoError(t, err)
	var want []string
	for n := 1; n <= pages; n++ {
		want = append(want, fmt.Sprint(n, "a"), fmt.Sprint(n, "b"))
	}
	assert.Equal(t, want, got)
	assert.EqualValues(t, depth, most.Load(), "depth fetches at once, never more")
	assert.EqualValues(t, pages, fetches.Load(), "each page once, none past the count")
	end := at(strconv.Itoa(pages+1), 0)
	end.Done = true
	assert.Equal(t, end, p.Position())
}

// A server that counts more pages than it has: the fetches past the last
// page are cancelled, their goroutines end, and nothing of them surfaces.
func TestPagerReadaheadEndCancelsTheRest(t *testing.T) {
	before := runtime.NumGoroutine()
	var waiting atomic.Int32
	p := readahead(pagerOf(func(ctx context.Context, n int) (page[string], error) {
		if n > 2 {
			return neverAnswered(ctx, &waiting)
		}
		return page[string]{items: []string{fmt.Sprint(n)}, last: n == 2, ahead: 10}, nil
	}), 4)
	got, err := items(p)
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2"}, got)
	assert.Zero(t, waiting.Load(), "the fetches past the end have ended with the walk")
	assert.False(t, p.More())
	end := at("3", 0)
	end.Done = true
	assert.Equal(t, end, p.Position())
	noGoroutineLeft(t, before)
}

// The page an answer names wins over the page guessed: a server that moves
// the walk elsewhere (an offset after a short page) is followed, and the
// page guessed is dropped, never handed over.
func TestPagerReadaheadFollowsTheAnswer(t *testing.T) {
	var mu sync.Mutex
	asked := map[int]int{}
	p := readahead(pagerOf(func(_ context.Context, n int) (page[string], error) {
		mu.Lock()
		asked[n]++
		mu.Unlock()
		pg := page[string]{items: []string{fmt.Sprint(n)}, last: n == 5, ahead: 5 - n}
		if n == 2 {
			pg.next = "4" // page 3, fetched ahead on page 1's count, is skipped
		}
		return pg, nil
	}), 2)
	got, err := items(p)
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2", "4", "5"}, got)
	assert.Equal(t, map[int]int{1: 1, 2: 1, 3: 1, 4: 1, 5: 1}, asked, "each page once, the guessed one included")
}

// A walk stopped after any item, resumed by a new pager, hands over exactly
// the items not yet handed over.
func TestPagerReadaheadResumeIsExact(t *testing.T) {
	pages := [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g", "h", "i"}, {"j"}}
	walk := func() *Pager[string] {
		return readahead(pagerOf(func(_ context.Context, n int) (page[string], error) {
			return page[string]{items: pages[n-1], last: n == len(pages), ahead: len(pages) - n}, nil
		}), 3)
	}
	all := slices.Concat(pages...)
	for stop := 1; stop <= len(all); stop++ {
		p := walk()
		var first []string
		for s, err := range p.All(t.Context()) {
			require.NoError(t, err)
			if first = append(first, s); len(first) == stop {
				break
			}
		}
		resumed := walk()
		require.NoError(t, resumed.Resume(p.Position()))
		rest, err := items(resumed)
		require.NoError(t, err)
		assert.Equal(t, all, append(first, rest...), "stopped after %d", stop)
	}
}

package chatimport

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagerOf is a pager of strings from page 1, its pages fetched by fetch.
func pagerOf(perPage int, fetch func(ctx context.Context, n int) (pageOf[string], error)) *Pager[string] {
	return &Pager[string]{
		id: "g", query: "q", perPage: perPage, fetch: fetch,
		key: func(s *string) string { return *s },
		pos: Position{Page: 1, Query: "q"},
	}
}

// scriptedPager answers page n with pages[n-1], and an empty page past
// them, counting the fetches.
func scriptedPager(perPage int, pages ...pageOf[string]) (*Pager[string], *atomic.Int32) {
	fetches := new(atomic.Int32)
	return pagerOf(perPage, func(_ context.Context, n int) (pageOf[string], error) {
		fetches.Add(1)
		if n > len(pages) {
			return pageOf[string]{}, nil
		}
		return pages[n-1], nil
	}), fetches
}

// bothWays runs a test of All without and with Prefetch, which must not
// change what a walk hands over, fetches, or where it stands after.
func bothWays(t *testing.T, test func(t *testing.T, prefetch bool)) {
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%v", prefetch), func(t *testing.T) { test(t, prefetch) })
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
	bothWays(t, func(t *testing.T, prefetch bool) {
		// A member who joined during the walk shifts the next page by one:
		// its first item was on the page before, but it brings new ones.
		p, _ := scriptedPager(3,
			pageOf[string]{items: []string{"a", "b", "c"}},
			pageOf[string]{items: []string{"c", "d", "e"}},
			pageOf[string]{items: []string{"f"}},
		)
		p.Prefetch(prefetch)
		got, err := items(p)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c", "c", "d", "e", "f"}, got)
	})
}

func TestPagerNothingNewIsARepeat(t *testing.T) {
	bothWays(t, testPagerNothingNewIsARepeat)
}

func testPagerNothingNewIsARepeat(t *testing.T, prefetch bool) {
	for name, second := range map[string][]string{
		"same page":        {"a", "b", "c"},
		"same, reordered":  {"c", "a", "b"},
		"part of the last": {"b", "c"},
	} {
		p, fetches := scriptedPager(3,
			pageOf[string]{items: []string{"a", "b", "c"}, current: 1},
			pageOf[string]{items: second, current: 2},
			pageOf[string]{items: []string{"d"}},
		)
		p.Prefetch(prefetch)
		got, err := items(p)
		assert.ErrorIs(t, err, ErrPageRepeated, name)
		assert.Equal(t, []string{"a", "b", "c"}, got, name)
		assert.EqualValues(t, 2, fetches.Load(), name)
		assert.Equal(t, 2, p.Position().Page, "%s: the position stays before the bad page", name)
	}
}

func TestPagerEndRules(t *testing.T) {
	bothWays(t, testPagerEndRules)
}

func testPagerEndRules(t *testing.T, prefetch bool) {
	for name, tc := range map[string]struct {
		pages   []pageOf[string]
		fetches int
	}{
		"short and last by count": {[]pageOf[string]{{items: []string{"a", "b"}, totalPages: 1}}, 1},
		"short, count unknown":    {[]pageOf[string]{{items: []string{"a", "b"}}}, 2},
		"full and last by count":  {[]pageOf[string]{{items: []string{"a", "b", "c"}, totalPages: 1}}, 2},
		"short but not last":      {[]pageOf[string]{{items: []string{"a", "b"}, totalPages: 2}, {items: []string{"c"}, totalPages: 2}}, 2},
		"full by the server's size": {[]pageOf[string]{
			{items: []string{"a", "b"}, perPage: 2, totalPages: 1}, {items: []string{"c"}, perPage: 2, totalPages: 1},
		}, 2},
	} {
		p, fetches := scriptedPager(3, tc.pages...)
		p.Prefetch(prefetch)
		_, err := items(p)
		require.NoError(t, err, name)
		assert.EqualValues(t, tc.fetches, fetches.Load(), name)
		assert.False(t, p.More(), name)
	}
}

func TestPagerSkipBeyondAShrunkPage(t *testing.T) {
	bothWays(t, func(t *testing.T, prefetch bool) {
		p, _ := scriptedPager(3,
			pageOf[string]{items: []string{"a", "b", "c"}},
			pageOf[string]{items: []string{"d"}},
		)
		p.Prefetch(prefetch)
		// Saved after five items of page 1, which has since shrunk to three.
		require.NoError(t, p.Resume(Position{Page: 1, Skip: 5}))
		got, err := items(p)
		require.NoError(t, err)
		assert.Equal(t, []string{"d"}, got)
	})
}

func TestPagerPrefetchFetchesOnePageAhead(t *testing.T) {
	pages := [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g"}}
	var mu sync.Mutex
	var started []int
	furthest := func() int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Max(started)
	}
	p := pagerOf(2, func(_ context.Context, n int) (pageOf[string], error) {
		mu.Lock()
		started = append(started, n)
		mu.Unlock()
		return pageOf[string]{items: pages[n-1], totalPages: len(pages)}, nil
	})
	p.Prefetch(true)
	var got []string
	for s, err := range p.All(t.Context()) {
		require.NoError(t, err)
		got = append(got, s)
		page := (len(got) + 1) / 2
		if page < len(pages) {
			require.Eventually(t, func() bool { return furthest() == page+1 }, 5*time.Second, time.Millisecond,
				"page %d is fetched while the loop is on page %d", page+1, page)
		}
		assert.LessOrEqual(t, furthest(), page+1, "never more than one page ahead")
	}
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g"}, got)
	assert.Equal(t, []int{1, 2, 3, 4}, started, "each page once, and none past the last")
	assert.Equal(t, Position{Page: 5, Query: "q", Done: true}, p.Position())
}

func TestPagerPrefetchBreakCancelsTheFetchAndWaits(t *testing.T) {
	before := runtime.NumGoroutine()
	var waiting atomic.Int32
	p := pagerOf(2, func(ctx context.Context, n int) (pageOf[string], error) {
		if n == 1 {
			return pageOf[string]{items: []string{"a", "b"}}, nil
		}
		waiting.Add(1) // a request the server never answers
		defer waiting.Add(-1)
		<-ctx.Done()
		return pageOf[string]{}, ctx.Err()
	})
	p.Prefetch(true)
	for _, err := range p.All(t.Context()) {
		require.NoError(t, err)
		require.Eventually(t, func() bool { return waiting.Load() == 1 }, 5*time.Second, time.Millisecond, "page 2 is under way")
		break
	}
	assert.Zero(t, waiting.Load(), "the fetch ahead has ended when the loop has")
	assert.Equal(t, Position{Page: 1, Skip: 1, Query: "q"}, p.Position())
	// Polled here, not with assert.Eventually, which counts as a goroutine.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine is left")
}

func TestPagerPrefetchedErrorComesAfterThePageBefore(t *testing.T) {
	boom := errors.New("boom")
	var fetches atomic.Int32
	p := pagerOf(2, func(_ context.Context, n int) (pageOf[string], error) {
		fetches.Add(1)
		if n == 2 {
			return pageOf[string]{}, boom
		}
		return pageOf[string]{items: []string{"a", "b"}}, nil
	})
	p.Prefetch(true)
	got, err := items(p)
	assert.Equal(t, []string{"a", "b"}, got)
	assert.ErrorIs(t, err, boom)
	assert.EqualValues(t, 2, fetches.Load())
	assert.True(t, p.More())
	assert.Equal(t, Position{Page: 2, Query: "q"}, p.Position(), "the failed page is next")
}

// A loop that panics still stops the fetch ahead.
func TestPagerPrefetchPanicInTheLoop(t *testing.T) {
	var waiting atomic.Int32
	p := pagerOf(1, func(ctx context.Context, n int) (pageOf[string], error) {
		if n == 1 {
			return pageOf[string]{items: []string{"a"}}, nil
		}
		waiting.Add(1)
		defer waiting.Add(-1)
		<-ctx.Done()
		return pageOf[string]{}, ctx.Err()
	})
	p.Prefetch(true)
	assert.Panics(t, func() {
		for range p.All(t.Context()) {
			require.Eventually(t, func() bool { return waiting.Load() == 1 }, 5*time.Second, time.Millisecond)
			panic("loop body")
		}
	})
	assert.Zero(t, waiting.Load())
}

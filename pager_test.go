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

// scriptedPager answers page n with pages[n-1], and an empty page past
// them, counting the fetches.
func scriptedPager(pages ...page[string]) (*Pager[string], *atomic.Int32) {
	fetches := new(atomic.Int32)
	return pagerOf(func(_ context.Context, n int) (page[string], error) {
		fetches.Add(1)
		if n > len(pages) {
			return page[string]{}, nil
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
		p, _ := scriptedPager(
			page[string]{items: []string{"a", "b", "c"}},
			page[string]{items: []string{"c", "d", "e"}},
			page[string]{items: []string{"f"}},
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
		p, fetches := scriptedPager(
			page[string]{items: []string{"a", "b", "c"}},
			page[string]{items: second},
			page[string]{items: []string{"d"}},
		)
		p.Prefetch(prefetch)
		got, err := items(p)
		assert.ErrorIs(t, err, ErrPageRepeated, name)
		assert.Equal(t, []string{"a", "b", "c"}, got, name)
		assert.EqualValues(t, 2, fetches.Load(), name)
		assert.Equal(t, "2", p.Position().Token, "%s: the position stays before the bad page", name)
	}
}

func TestPagerEndRules(t *testing.T) {
	bothWays(t, func(t *testing.T, prefetch bool) {
		for name, tc := range map[string]struct {
			pages   []page[string]
			fetches int
		}{
			"last by the provider": {[]page[string]{{items: []string{"a", "b"}, last: true}}, 1},
			"an empty page":        {[]page[string]{{items: []string{"a", "b"}}}, 2},
		} {
			p, fetches := scriptedPager(tc.pages...)
			p.Prefetch(prefetch)
			_, err := items(p)
			require.NoError(t, err, name)
			assert.EqualValues(t, tc.fetches, fetches.Load(), name)
			assert.False(t, p.More(), name)
		}
	})
}

func TestPagerCycleIsARepeat(t *testing.T) {
	bothWays(t, func(t *testing.T, prefetch bool) {
		// A server alternating two pages: the third holds only items of
		// the first, though not of the page just before it.
		a, b := []string{"a", "b"}, []string{"c", "d"}
		p, fetches := scriptedPager(page[string]{items: a}, page[string]{items: b}, page[string]{items: a}, page[string]{items: b})
		p.Prefetch(prefetch)
		got, err := items(p)
		assert.ErrorIs(t, err, ErrPageRepeated)
		assert.Equal(t, []string{"a", "b", "c", "d"}, got)
		assert.EqualValues(t, 3, fetches.Load())
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
	bothWays(t, func(t *testing.T, prefetch bool) {
		p, _ := scriptedPager(
			page[string]{items: []string{"a", "b", "c"}},
			page[string]{items: []string{"d"}},
		)
		p.Prefetch(prefetch)
		// Saved after five items of page 1, which has since shrunk to three.
		require.NoError(t, p.Resume(at("1", 5)))
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
	p := pagerOf(func(_ context.Context, n int) (page[string], error) {
		mu.Lock()
		started = append(started, n)
		mu.Unlock()
		return page[string]{items: pages[n-1], last: n == len(pages)}, nil
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
	end := at("5", 0)
	end.Done = true
	assert.Equal(t, end, p.Position())
}

func TestPagerPrefetchBreakCancelsTheFetchAndWaits(t *testing.T) {
	before := runtime.NumGoroutine()
	var waiting atomic.Int32
	p := pagerOf(func(ctx context.Context, n int) (page[string], error) {
		if n == 1 {
			return page[string]{items: []string{"a", "b"}}, nil
		}
		waiting.Add(1) // a request the server never answers
		defer waiting.Add(-1)
		<-ctx.Done()
		return page[string]{}, ctx.Err()
	})
	p.Prefetch(true)
	for _, err := range p.All(t.Context()) {
		require.NoError(t, err)
		require.Eventually(t, func() bool { return waiting.Load() == 1 }, 5*time.Second, time.Millisecond, "page 2 is under way")
		break
	}
	assert.Zero(t, waiting.Load(), "the fetch ahead has ended when the loop has")
	assert.Equal(t, at("1", 1), p.Position())
	// Polled here, not with assert.Eventually, which counts as a goroutine.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine is left")
}

func TestPagerPrefetchedErrorComesAfterThePageBefore(t *testing.T) {
	boom := errors.New("boom")
	var fetches atomic.Int32
	p := pagerOf(func(_ context.Context, n int) (page[string], error) {
		fetches.Add(1)
		if n == 2 {
			return page[string]{}, boom
		}
		return page[string]{items: []string{"a", "b"}}, nil
	})
	p.Prefetch(true)
	got, err := items(p)
	assert.Equal(t, []string{"a", "b"}, got)
	assert.ErrorIs(t, err, boom)
	assert.EqualValues(t, 2, fetches.Load())
	assert.False(t, p.More(), "an error that is not temporary ends the walk")
	assert.Equal(t, at("2", 0), p.Position(), "the failed page is next")
}

// A loop that panics still stops the fetch ahead.
func TestPagerPrefetchPanicInTheLoop(t *testing.T) {
	var waiting atomic.Int32
	p := pagerOf(func(ctx context.Context, n int) (page[string], error) {
		if n == 1 {
			return page[string]{items: []string{"a"}}, nil
		}
		waiting.Add(1)
		defer waiting.Add(-1)
		<-ctx.Done()
		return page[string]{}, ctx.Err()
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

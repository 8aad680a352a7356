package chatimport

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptedPager answers page n with pages[n-1], and an empty page past
// them, counting the fetches.
func scriptedPager(perPage int, pages ...pageOf[string]) (*Pager[string], *int) {
	fetches := new(int)
	return &Pager[string]{
		id: "g", query: "q", perPage: perPage,
		fetch: func(_ context.Context, n int) (pageOf[string], error) {
			*fetches++
			if n > len(pages) {
				return pageOf[string]{}, nil
			}
			return pages[n-1], nil
		},
		key: func(s *string) string { return *s },
		pos: Position{Page: 1, Query: "q"},
	}, fetches
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
	// A member who joined during the walk shifts the next page by one: its
	// first item was on the page before, but it brings new ones.
	p, _ := scriptedPager(3,
		pageOf[string]{items: []string{"a", "b", "c"}},
		pageOf[string]{items: []string{"c", "d", "e"}},
		pageOf[string]{items: []string{"f"}},
	)
	got, err := items(p)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "c", "d", "e", "f"}, got)
}

func TestPagerNothingNewIsARepeat(t *testing.T) {
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
		got, err := items(p)
		assert.ErrorIs(t, err, ErrPageRepeated, name)
		assert.Equal(t, []string{"a", "b", "c"}, got, name)
		assert.Equal(t, 2, *fetches, name)
		assert.Equal(t, 2, p.Position().Page, "%s: the position stays before the bad page", name)
	}
}

func TestPagerEndRules(t *testing.T) {
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
		_, err := items(p)
		require.NoError(t, err, name)
		assert.Equal(t, tc.fetches, *fetches, name)
		assert.False(t, p.More(), name)
	}
}

func TestPagerSkipBeyondAShrunkPage(t *testing.T) {
	p, _ := scriptedPager(3,
		pageOf[string]{items: []string{"a", "b", "c"}},
		pageOf[string]{items: []string{"d"}},
	)
	// Saved after five items of page 1, which has since shrunk to three.
	require.NoError(t, p.Resume(Position{Page: 1, Skip: 5}))
	got, err := items(p)
	require.NoError(t, err)
	assert.Equal(t, []string{"d"}, got)
}

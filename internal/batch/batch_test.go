package batch

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

type item struct{ part, key string }

func id(it item) string   { return it.key }
func part(it item) string { return it.part }

func collect(seq func(func([]item) bool)) [][]item {
	var out [][]item
	for b := range seq {
		out = append(out, b)
	}
	return out
}

func keys(n int) []item {
	out := make([]item, n)
	for i := range out {
		out[i] = item{key: fmt.Sprint(i)}
	}
	return out
}

func TestSplitSizes(t *testing.T) {
	for _, tc := range []struct {
		n, size int
		want    []int
	}{
		{0, 50, nil},
		{1, 50, []int{1}},
		{50, 50, []int{50}},
		{51, 50, []int{50, 1}},
		{120, 50, []int{50, 50, 20}},
		{3, 0, []int{1, 1, 1}},
	} {
		var sizes []int
		var all []item
		for _, b := range collect(Split(slices.Values(keys(tc.n)), tc.size, 0, id, nil)) {
			sizes = append(sizes, len(b))
			all = append(all, b...)
		}
		assert.Equal(t, tc.want, sizes, "n=%d size=%d", tc.n, tc.size)
		assert.Equal(t, slices.Concat(keys(tc.n), nil), slices.Concat(all, nil), "order kept")
		assert.Len(t, all, tc.n)
	}
}

func TestSplitNeverRepeatsAKeyInABatch(t *testing.T) {
	in := []item{{key: "a"}, {key: "b"}, {key: "a"}, {key: "c"}}
	got := collect(Split(slices.Values(in), 10, 0, id, nil))
	assert.Equal(t, [][]item{{{key: "a"}, {key: "b"}}, {{key: "a"}, {key: "c"}}}, got)
}

func TestSplitPartitions(t *testing.T) {
	in := []item{{"g1", "1"}, {"g2", "2"}, {"g1", "3"}, {"g2", "4"}, {"g1", "5"}}
	got := collect(Split(slices.Values(in), 2, 0, id, part))
	assert.Equal(t, [][]item{{{"g1", "1"}, {"g1", "3"}}, {{"g2", "2"}, {"g2", "4"}}, {{"g1", "5"}}}, got)
	for _, b := range got {
		for _, it := range b {
			assert.Equal(t, b[0].part, it.part)
		}
	}
}

func TestSplitBoundsHeldItemsAndFlushesTheFullest(t *testing.T) {
	// 40 groups of 30, interleaved: round-robin, so no batch fills on its own.
	var in []item
	for round := range 30 {
		for g := range 40 {
			in = append(in, item{fmt.Sprint("g", g), fmt.Sprint(round, "-", g)})
		}
	}
	const held = 400
	total, pulled, maxHeld := 0, 0, 0
	src := func(yield func(item) bool) {
		for _, it := range in {
			pulled++
			if !yield(it) {
				return
			}
		}
	}
	var sizes []int
	for b := range Split(src, 30, held, id, part) {
		maxHeld = max(maxHeld, pulled-total)
		total += len(b)
		sizes = append(sizes, len(b))
		for _, it := range b {
			assert.Equal(t, b[0].part, it.part)
		}
	}
	assert.Equal(t, len(in), total, "nothing lost when partial batches are flushed early")
	assert.LessOrEqual(t, maxHeld, held+1, "held items stay bounded")
	// A bound of 16 open batches, oldest out first, sent 1,200 batches of one.
	assert.Less(t, len(sizes), 100, "flushing the fullest keeps batches large: %v", sizes)
}

func TestSplitManyInterleavedPartitionsWithRoomFillEveryBatch(t *testing.T) {
	// 1,000 groups of 600 in random order, with room to hold them: every
	// batch is full.
	var in []item
	for round := range 600 {
		for g := range 1000 {
			in = append(in, item{fmt.Sprint("g", (g*7919+round)%1000), fmt.Sprint(round, "-", g)})
		}
	}
	for b := range Split(slices.Values(in), 300, len(in), nil, part) {
		assert.Len(t, b, 300)
	}
}

func TestSplitStopsWhenConsumerStops(t *testing.T) {
	pulled := 0
	src := func(yield func(item) bool) {
		for i := range 1000 {
			pulled++
			if !yield(item{key: strings.Repeat("k", i+1)}) {
				return
			}
		}
	}
	for range Split(src, 10, 0, id, nil) {
		break
	}
	assert.Equal(t, 10, pulled)
}

func TestSplitWithoutKeys(t *testing.T) {
	in := []item{{key: "a"}, {key: "a"}, {key: "b"}}
	got := collect(Split(slices.Values(in), 10, 0, nil, nil))
	assert.Equal(t, [][]item{in}, got, "with no key function, keys are the caller's concern")
}

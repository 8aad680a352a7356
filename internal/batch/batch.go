// Package batch cuts a stream of items into the batches one request carries.
package batch

import "iter"

// MaxOpen bounds how many partial batches Split keeps while items of several
// partitions are interleaved; past it the oldest partial batch goes out early,
// so memory stays bounded by MaxOpen × size whatever the input.
const MaxOpen = 16

// Split yields batches of at most size items, in input order within each
// partition. Items whose part differs never share a batch (part may be nil:
// one partition), and neither do two items with the same key: a batch body
// keyed by id would let the second silently overwrite the first, so a repeated
// key closes the batch it would have joined. key may be nil when the caller
// has made keys unique already.
//
// A yielded batch is the caller's to keep: Split never writes to it again.
func Split[T any](items iter.Seq[T], size int, key, part func(T) string) iter.Seq[[]T] {
	size = max(size, 1)
	return func(yield func([]T) bool) {
		type open struct {
			part  string
			items []T
			keys  map[string]struct{}
		}
		var batches []*open // in the order they were opened
		find := func(p string) int {
			for i, b := range batches {
				if b.part == p {
					return i
				}
			}
			return -1
		}
		flush := func(i int) bool {
			b := batches[i]
			batches = append(batches[:i], batches[i+1:]...)
			return yield(b.items)
		}
		for it := range items {
			p := ""
			if part != nil {
				p = part(it)
			}
			k := ""
			if key != nil {
				k = key(it)
			}
			i := find(p)
			if i >= 0 && key != nil {
				if _, dup := batches[i].keys[k]; dup {
					if !flush(i) {
						return
					}
					i = -1
				}
			}
			if i < 0 {
				if len(batches) == MaxOpen && !flush(0) {
					return
				}
				b := &open{part: p, items: make([]T, 0, size)}
				if key != nil {
					b.keys = make(map[string]struct{}, size)
				}
				batches = append(batches, b)
				i = len(batches) - 1
			}
			b := batches[i]
			b.items = append(b.items, it)
			if key != nil {
				b.keys[k] = struct{}{}
			}
			if len(b.items) == size && !flush(i) {
				return
			}
		}
		for len(batches) > 0 {
			if !flush(0) {
				return
			}
		}
	}
}

// Package batch cuts a stream of items into the batches one request carries.
package batch

import "iter"

// Split yields batches of at most size items, in input order within each
// partition. Items whose part differs never share a batch (part may be nil:
// one partition), and neither do two items with the same key: a batch body
// keyed by id would let the second silently overwrite the first, so a repeated
// key closes the batch it would have joined. key may be nil when the caller
// has made keys unique already.
//
// While partitions interleave, Split holds partial batches open, up to held
// items in all (at least one batch's worth); past that it sends the fullest
// one early, so memory stays bounded by held items whatever the input, and
// batches stay as full as that bound allows. The rest go out, fullest
// first, when the input ends.
//
// A yielded batch is the caller's to keep: Split never writes to it again.
func Split[T any](items iter.Seq[T], size, held int, key, part func(T) string) iter.Seq[[]T] {
	size = max(size, 1)
	held = max(held, size)
	return func(yield func([]T) bool) {
		type open struct {
			items []T
			keys  map[string]struct{}
		}
		batches := map[string]*open{}
		inHand := 0
		flush := func(p string) bool {
			b := batches[p]
			delete(batches, p)
			inHand -= len(b.items)
			return yield(b.items)
		}
		fullest := func() string {
			best, n := "", -1
			for p, b := range batches {
				if len(b.items) > n {
					best, n = p, len(b.items)
				}
			}
			return best
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
			b := batches[p]
			if b != nil && key != nil {
				if _, dup := b.keys[k]; dup {
					if !flush(p) {
						return
					}
					b = nil
				}
			}
			if b == nil {
				// A batch opened alone will most likely fill, so it gets its
				// full size at once; one of several interleaved starts small,
				// so that the items held, not capacity, bound memory.
				n := size
				if len(batches) > 0 {
					n = min(size, 64)
				}
				b = &open{items: make([]T, 0, n)}
				if key != nil {
					b.keys = make(map[string]struct{}, n)
				}
				batches[p] = b
			}
			b.items = append(b.items, it)
			inHand++
			if key != nil {
				b.keys[k] = struct{}{}
			}
			if len(b.items) == size {
				if !flush(p) {
					return
				}
			} else if inHand > held && !flush(fullest()) {
				return
			}
		}
		for len(batches) > 0 {
			if !flush(fullest()) {
				return
			}
		}
	}
}

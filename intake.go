package chatimport

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// intake validates items, refuses letter-case collisions and skips repeats
// before anything is sent.
type intake[T any] struct {
	ep    *importEndpoint[T]
	now   func() time.Time
	first func(int) *T // an earlier item by index, when the input is a slice
	seen  *seenSet
	arena arena
	key   []byte // scratch for the key of the item being admitted
	again []byte // scratch for re-encoding an earlier item
	t     time.Time
	n     int // items checked, for the clock
}

func newIntake[T any](ep *importEndpoint[T], now func() time.Time, first func(int) *T, sizeHint int) *intake[T] {
	return &intake[T]{ep: ep, now: now, first: first, seen: newSeenSet(ep.fold, sizeHint)}
}

// clock returns the time the checks compare with, read afresh every 64
// items: exact enough for "not in the future", and cheaper than a clock
// read per item.
func (in *intake[T]) clock() time.Time {
	if in.n%64 == 0 {
		in.t = in.now()
	}
	in.n++
	return in.t
}

// admit returns the item's job, or the result that ends it without a request.
func (in *intake[T]) admit(index int, item *T) (job, *ItemResult) {
	ep := in.ep
	id := ep.id(item, &in.arena)
	refuse := func(status Status, err error) (job, *ItemResult) {
		return job{}, &ItemResult{Index: index, ID: id, Status: status, Err: err}
	}
	if v := ep.check(item, in.clock()); v != nil {
		v.Index, v.ID = index, id
		return refuse(StatusFailed, v)
	}
	wire, err := encodeInto(&in.arena, item, id, ep.encode)
	if err != nil {
		v, ok := err.(*ValidationError)
		if !ok {
			v = fieldError("metadata", "does not encode as JSON: %v", err)
		}
		v.Index, v.ID = index, id
		return refuse(StatusFailed, v)
	}
	if ep.maxWire > 0 && len(wire) > ep.maxWire {
		return refuse(StatusFailed, &ValidationError{Index: index, ID: id, Field: ep.what,
			Reason: fmt.Sprintf("the %s encodes to %d bytes, more than the %d the provider takes for one", ep.what, len(wire), ep.maxWire)})
	}
	in.key = ep.key(in.key[:0], item, id)
	wireHash := in.seen.hashOf(wire)
	prior, exact, found, err := in.seen.add(in.key, index, wireHash)
	switch {
	case err != nil:
		return refuse(StatusFailed, err)
	case !found:
		j := job{index: index, id: id, wire: wire}
		if ep.part != nil {
			j.part = ep.part(item)
		}
		return j, nil
	case !exact:
		return refuse(StatusFailed, &ValidationError{Index: index, ID: id, Field: ep.idField,
			Reason: fmt.Sprintf("differs from item %d only in letter case; the provider folds case, so both would be one %s", prior.index, ep.what)})
	}
	return refuse(StatusSkipped, &DuplicateError{Index: index, ID: id, First: prior.index, Differs: in.differs(prior, wire, wireHash)})
}

// differs reports whether a repeat's encoding differs from its first
// item's. Unequal hashes settle it; equal ones are confirmed against the
// first item itself when the input is a slice. A stream's first item is
// gone, so there equal 64-bit hashes are taken as identical.
func (in *intake[T]) differs(prior seenEntry, wire []byte, wireHash uint64) bool {
	if prior.wireHash != wireHash {
		return true
	}
	if in.first == nil {
		return false
	}
	item := in.first(prior.index)
	a := arena{wire: in.again[:0]}
	again, err := encodeInto(&a, item, in.ep.id(item, &a), in.ep.encode)
	in.again = a.wire
	return err != nil || !bytes.Equal(again, wire)
}

// Sizes of the chunks ids and encoded items are cut from: enough for a few
// hundred of each, small enough that a one-batch import stays light.
const (
	idChunk   = 4 << 10
	wireChunk = 16 << 10
)

// arena hands out ids and encoded items cut from shared chunks, so that
// admitting an item allocates nothing in the common case. Nothing is ever
// written where a piece was handed out, so pieces stay valid; a chunk is
// collected once no job or result refers to it.
type arena struct {
	ids  strings.Builder
	wire []byte
}

// join returns the concatenation of parts.
func (a *arena) join(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if a.ids.Cap()-a.ids.Len() < n {
		a.ids = strings.Builder{}
		a.ids.Grow(max(idChunk, n))
	}
	start := a.ids.Len()
	for _, p := range parts {
		a.ids.WriteString(p)
	}
	return a.ids.String()[start:]
}

// encodeInto appends item's encoding to a's current chunk and returns it.
func encodeInto[T any](a *arena, item *T, id string, enc func([]byte, *T, string) ([]byte, error)) ([]byte, error) {
	if cap(a.wire)-len(a.wire) < wireChunk/8 {
		a.wire = make([]byte, 0, wireChunk)
	}
	start := len(a.wire)
	out, err := enc(a.wire, item, id)
	if err != nil {
		return nil, err
	}
	a.wire = out // a larger item than the chunk had room for moved it: keep the new one
	return out[start:len(out):len(out)], nil
}

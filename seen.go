package chatimport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"math/bits"
)

// seenSet remembers every distinct key an import admitted, exactly: each
// decision compares key bytes, never hashes alone. The keys live in chunks
// that never move, as records of the key, the first item's index and a hash
// of its encoding; an open-addressing table of 4-byte references finds them.
//
// Per distinct id it costs the key's length plus about 12 bytes of record
// (one length byte for keys under 128 bytes, the index as a varint counted
// from its chunk's first, 3 bytes in a stream, and 8 of encoding hash), and
// 4 bytes a table slot at a load between ½ and ¾ (the table grows by half
// when it is ¾ full): with 13-byte ids, 31 to 33 bytes per id (measured in
// BENCHMARKS.md). A grow briefly holds the old table beside the new one.
type seenSet struct {
	hashOf func([]byte) uint64 // a tests' hook: they force collisions through it
	fold   bool
	chunks [][]byte // append-only; a record never spans two
	bases  []int    // per chunk, the index its records' indexes are counted from
	table  []uint32 // 0 is empty; otherwise a record's offset
	n      int
	lower  []byte // scratch for a folded key
}

// seenChunk is the size of a chunk of records: large enough that the
// chunk list stays short, small enough that a small import stays light.
const seenChunk = 1 << 20

// seenEntry is what a repeat learns of the first item with its key.
type seenEntry struct {
	index    int
	wireHash uint64
}

func newSeenSet(fold bool, sizeHint int) *seenSet {
	size := 64
	for size*3/4 < sizeHint {
		size += size / 2
	}
	seed := maphash.MakeSeed()
	s := &seenSet{hashOf: func(b []byte) uint64 { return maphash.Bytes(seed, b) }, fold: fold, table: make([]uint32, size)}
	// A slice's size is known: its first chunk is made big enough for
	// typical ids at once rather than grown to it.
	s.chunks = [][]byte{append(make([]byte, 0, min(seenChunk, max(256, 32*sizeHint))), 0)}
	s.bases = []int{0}
	return s
}

// add looks key up. When no key equal to it (or, folding, equal but for
// ASCII case) is there, it records key with the item's index and encoding
// hash and reports found false. Otherwise it reports the first item's
// entry, and exact: whether the two keys are equal byte for byte.
// It fails only when the records would pass 4 GiB, the most a 4-byte
// reference can address: over a hundred million ids.
func (s *seenSet) add(key []byte, index int, wireHash uint64) (prior seenEntry, exact, found bool, err error) {
	h := s.hash(key)
	for i := s.slot(h); ; i = s.next(i) {
		ref := s.table[i]
		if ref == 0 {
			break
		}
		stored, entry := s.record(ref)
		if s.equal(stored, key) {
			return entry, bytes.Equal(stored, key), true, nil
		}
	}
	ref, ok := s.store(key, index, wireHash)
	if !ok {
		return seenEntry{}, false, false, errSeenFull
	}
	if (s.n+1)*4 > len(s.table)*3 {
		s.grow()
	}
	s.insert(h, ref)
	s.n++
	return seenEntry{}, false, false, nil
}

var errSeenFull = errors.New("chatimport: duplicate detection holds 4 GiB of ids at most; split the import")

func (s *seenSet) equal(a, b []byte) bool {
	if s.fold {
		return asciiEqualFold(a, b)
	}
	return bytes.Equal(a, b)
}

func (s *seenSet) hash(key []byte) uint64 {
	if !s.fold {
		return s.hashOf(key)
	}
	s.lower = s.lower[:0]
	for _, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		s.lower = append(s.lower, c)
	}
	return s.hashOf(s.lower)
}

func (s *seenSet) insert(h uint64, ref uint32) {
	i := s.slot(h)
	for s.table[i] != 0 {
		i = s.next(i)
	}
	s.table[i] = ref
}

// slot maps a hash onto the table by multiplication, so the table's size
// need not be a power of two and can grow by half rather than double.
func (s *seenSet) slot(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(s.table)))
	return int(hi)
}

func (s *seenSet) next(i int) int {
	if i++; i == len(s.table) {
		return 0
	}
	return i
}

func (s *seenSet) grow() {
	old := s.table
	s.table = make([]uint32, len(old)+len(old)/2)
	for _, ref := range old {
		if ref != 0 {
			key, _ := s.record(ref)
			s.insert(s.hash(key), ref)
		}
	}
}

// store appends a record and returns its offset: the chunk's number times
// seenChunk plus the place in it. Offset 0 is never handed out (the first
// chunk, made with the set, starts with a byte of padding), so 0 can mean
// empty.
func (s *seenSet) store(key []byte, index int, wireHash uint64) (uint32, bool) {
	need := 2*binary.MaxVarintLen64 + len(key) + 8
	last := len(s.chunks) - 1
	if len(s.chunks[last])+need > seenChunk {
		if need > seenChunk || len(s.chunks) >= math.MaxUint32/seenChunk {
			return 0, false
		}
		// A chunk starts small and grows in place up to seenChunk, so that
		// a small import pays for little; its records move with it, which
		// offsets allow.
		s.chunks = append(s.chunks, make([]byte, 0, 256))
		s.bases = append(s.bases, index)
		last++
	}
	c := s.chunks[last]
	if cap(c)-len(c) < need {
		grown := make([]byte, len(c), min(seenChunk, max(2*cap(c), len(c)+need)))
		copy(grown, c)
		c = grown
	}
	off := uint32(last*seenChunk + len(c))
	c = binary.AppendUvarint(c, uint64(len(key)))
	c = append(c, key...)
	// A stream's indexes rise, so counting them from the chunk's first
	// keeps them short: three bytes rather than four past two million.
	c = binary.AppendVarint(c, int64(index-s.bases[last]))
	c = binary.LittleEndian.AppendUint64(c, wireHash)
	s.chunks[last] = c
	return off, true
}

func (s *seenSet) record(ref uint32) ([]byte, seenEntry) {
	chunk := ref / seenChunk
	c := s.chunks[chunk][ref%seenChunk:]
	n, w := binary.Uvarint(c)
	c = c[w:]
	key := c[:n:n]
	c = c[n:]
	delta, w := binary.Varint(c)
	return key, seenEntry{index: s.bases[chunk] + int(delta), wireHash: binary.LittleEndian.Uint64(c[w:])}
}

// asciiEqualFold is bytes.EqualFold for ASCII letters only: the providers
// fold ASCII case, and a Unicode fold would merge ids they keep apart.
func asciiEqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

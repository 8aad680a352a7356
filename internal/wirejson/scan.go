// Package wirejson reads and writes the small JSON documents the providers
// exchange without allocating per entity: an answer is read in one pass, in
// place, taking only the fields a result needs, where encoding/json would
// allocate a string for every echoed id and value.
package wirejson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// ErrSyntax reports a document that is not the JSON its reader expected.
var ErrSyntax = errors.New("wirejson: malformed JSON")

// maxDepth bounds the nesting of Object and Array, whose callers recurse;
// Skip has no such bound.
const maxDepth = 64

// Reader reads one JSON document from front to back. Each value must be
// consumed by exactly one call: Object, Array, String, Int, Bool, Null or
// Skip.
type Reader struct {
	data  []byte
	i     int
	depth int
}

// NewReader returns a Reader over data, which it never copies or changes.
func NewReader(data []byte) *Reader { return &Reader{data: data} }

// Object reads an object, calling fn with each key: the bytes between the
// quotes, aliasing the document, or a decoded copy when the key has
// escapes. fn must consume the member's value.
func (r *Reader) Object(fn func(key []byte) error) error {
	if !r.open('{') {
		return ErrSyntax
	}
	defer func() { r.depth-- }()
	if r.peek() == '}' {
		r.i++
		return nil
	}
	for {
		if r.peek() != '"' {
			return ErrSyntax
		}
		end, escaped, err := skipString(r.data, r.i)
		if err != nil {
			return err
		}
		key := r.data[r.i+1 : end-1]
		if escaped {
			if key, err = unquote(r.data[r.i:end]); err != nil {
				return err
			}
		}
		r.i = end
		if r.peek() != ':' {
			return ErrSyntax
		}
		r.i++
		if err := fn(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return ErrSyntax
		}
	}
}

// Array reads an array, calling fn once per element; fn must consume it.
func (r *Reader) Array(fn func() error) error {
	if !r.open('[') {
		return ErrSyntax
	}
	defer func() { r.depth-- }()
	if r.peek() == ']' {
		r.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return ErrSyntax
		}
	}
}

// String reads a string. Without escapes it returns the bytes between the
// quotes, aliasing the document, exactly as sent (invalid UTF-8 included);
// with them, a decoded copy.
func (r *Reader) String() ([]byte, error) {
	if r.peek() != '"' {
		return nil, ErrSyntax
	}
	end, escaped, err := skipString(r.data, r.i)
	if err != nil {
		return nil, err
	}
	raw := r.data[r.i:end]
	r.i = end
	if !escaped {
		return raw[1 : len(raw)-1], nil
	}
	return unquote(raw)
}

// Int reads a number that is an integer.
func (r *Reader) Int() (int64, error) {
	lit, err := r.literal()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(lit), 10, 64) // the conversion does not allocate
	if err != nil {
		return 0, ErrSyntax
	}
	return n, nil
}

// Bool reads true or false.
func (r *Reader) Bool() (bool, error) {
	lit, err := r.literal()
	switch {
	case err != nil:
		return false, err
	case string(lit) == "true":
		return true, nil
	case string(lit) == "false":
		return false, nil
	}
	return false, ErrSyntax
}

// Next returns the first byte of the next value without consuming it
// ('{', '[', '"', a digit…), or 0 at the end.
func (r *Reader) Next() byte { return r.peek() }

// Null consumes a null and reports true, or reports false and consumes
// nothing.
func (r *Reader) Null() bool {
	i := skipSpace(r.data, r.i)
	if bytes.HasPrefix(r.data[i:], []byte("null")) {
		r.i = i + 4
		return true
	}
	return false
}

// Raw consumes any value and returns its bytes, aliasing the document.
func (r *Reader) Raw() ([]byte, error) {
	start := skipSpace(r.data, r.i)
	r.i = start
	if err := r.Skip(); err != nil {
		return nil, err
	}
	return r.data[start:r.i], nil
}

// Skip consumes any value, checking it is JSON. An object or array is
// skipped by a flat scan, not member by member: skipping echoed entities is
// most of reading an import answer. The scan keeps one bit per open bracket,
// so nesting is bounded only by the document's length: a server echoes a
// stored value as deep as it was stored, and a reader that refused it would
// report a stored entity as failed.
func (r *Reader) Skip() error {
	end, err := skipValue(r.data, r.i)
	if err != nil {
		return err
	}
	r.i = end
	return nil
}

// skipValue returns the index just past the value starting at data[i],
// after white space, checked against JSON's grammar.
func skipValue(data []byte, i int) (int, error) {
	var small [4]uint64 // 256 levels without allocating
	open := small[:]    // bit set: that level is an object
	depth := 0
	var err error
value:
	for {
		i = skipSpace(data, i)
		if i == len(data) {
			return 0, ErrSyntax
		}
		switch c := data[i]; c {
		case '{', '[':
			if depth == len(open)*64 {
				open = append(open, 0)
			}
			bit := uint64(1) << (depth % 64)
			if c == '{' {
				open[depth/64] |= bit
			} else {
				open[depth/64] &^= bit
			}
			depth++
			i = skipSpace(data, i+1)
			if i < len(data) && data[i] == c+2 { // '{'+2 == '}', '['+2 == ']'
				i++
				depth--
				break
			}
			if c == '{' {
				if i, err = skipKey(data, i); err != nil {
					return 0, err
				}
			}
			continue value
		case '"':
			if i, _, err = skipString(data, i); err != nil {
				return 0, err
			}
		default:
			n := literalLen(data[i:])
			if n == 0 {
				return 0, ErrSyntax
			}
			i += n
		}
		for ; depth > 0; depth-- { // after a value: a comma, or the end of its container
			i = skipSpace(data, i)
			if i == len(data) {
				return 0, ErrSyntax
			}
			object := open[(depth-1)/64]>>((depth-1)%64)&1 == 1
			switch c := data[i]; {
			case c == ',':
				if object {
					if i, err = skipKey(data, i+1); err != nil {
						return 0, err
					}
				} else {
					i++
				}
				continue value
			case object && c != '}', !object && c != ']':
				return 0, ErrSyntax
			}
			i++
		}
		return i, nil
	}
}

// skipKey returns the index just past the key and colon at data[i], after
// white space.
func skipKey(data []byte, i int) (int, error) {
	i = skipSpace(data, i)
	if i == len(data) || data[i] != '"' {
		return 0, ErrSyntax
	}
	i, _, err := skipString(data, i)
	if err != nil {
		return 0, err
	}
	i = skipSpace(data, i)
	if i == len(data) || data[i] != ':' {
		return 0, ErrSyntax
	}
	return i + 1, nil
}

// End checks that nothing but white space follows the document.
func (r *Reader) End() error {
	if skipSpace(r.data, r.i) != len(r.data) {
		return ErrSyntax
	}
	return nil
}

// unquote decodes a checked string with escapes, as encoding/json does.
func unquote(raw []byte) ([]byte, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, ErrSyntax
	}
	return []byte(s), nil
}

// peek skips white space and returns the next byte, or 0 at the end.
func (r *Reader) peek() byte {
	r.i = skipSpace(r.data, r.i)
	if r.i < len(r.data) {
		return r.data[r.i]
	}
	return 0
}

func (r *Reader) open(c byte) bool {
	if r.peek() != c || r.depth == maxDepth {
		return false
	}
	r.i++
	r.depth++
	return true
}

// literal consumes a number, true, false or null.
func (r *Reader) literal() ([]byte, error) {
	start := skipSpace(r.data, r.i)
	n := literalLen(r.data[start:])
	if n == 0 {
		return nil, ErrSyntax
	}
	r.i = start + n
	return r.data[start:r.i], nil
}

// literalLen returns the length of the true, false, null or number that b
// starts with, or 0. What follows it is for the caller to check.
func literalLen(b []byte) int {
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(b, []byte(lit)) {
			return len(lit)
		}
	}
	return numberLen(b)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at data[i],
// and whether it has escapes, checking them and refusing control
// characters. Invalid UTF-8 passes, as encoding/json lets it.
func skipString(data []byte, i int) (int, bool, error) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return j + 1, escaped, nil
		case c < 0x20:
			return 0, false, ErrSyntax
		case c == '\\':
			escaped = true
			j++
			if j == len(data) {
				return 0, false, ErrSyntax
			}
			switch data[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(data) || !isHex(data[j+1]) || !isHex(data[j+2]) || !isHex(data[j+3]) || !isHex(data[j+4]) {
					return 0, false, ErrSyntax
				}
				j += 4
			default:
				return 0, false, ErrSyntax
			}
		}
	}
	return 0, false, ErrSyntax
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// numberLen returns the length of the number b starts with by JSON's
// grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, or 0.
func numberLen(b []byte) int {
	i := 0
	digits := func() bool {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return 0
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0
		}
	}
	return i
}

// isNumber checks that b is exactly one number by JSON's grammar.
func isNumber(b []byte) bool { return len(b) > 0 && numberLen(b) == len(b) }

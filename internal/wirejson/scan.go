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

// maxDepth bounds nesting, so a hostile answer cannot exhaust the stack.
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

// Object reads an object, calling fn with each raw key (without quotes,
// escapes as they are; see Key). fn must consume the member's value.
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
		end, err := skipString(r.data, r.i)
		if err != nil {
			return err
		}
		key := r.data[r.i+1 : end-1]
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
	end, err := skipString(r.data, r.i)
	if err != nil {
		return nil, err
	}
	raw := r.data[r.i:end]
	r.i = end
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

// Skip consumes any value. An object or array is skipped by a flat scan
// that balances brackets and strings without reading members one by one:
// skipping echoed entities is most of reading an import answer.
func (r *Reader) Skip() error {
	switch r.peek() {
	case '"':
		end, err := skipString(r.data, r.i)
		r.i = end
		return err
	case '{', '[':
		end, err := skipNested(r.data, r.i, maxDepth-r.depth)
		r.i = end
		return err
	}
	_, err := r.literal()
	return err
}

// skipNested returns the index just past the object or array at data[i],
// checking that brackets balance within depth levels.
func skipNested(data []byte, i, depth int) (int, error) {
	var stack [maxDepth]byte
	n := 0
	for j := i; j < len(data); j++ {
		switch c := data[j]; c {
		case '"':
			end, err := skipString(data, j)
			if err != nil {
				return 0, err
			}
			j = end - 1
		case '{', '[':
			if n == depth {
				return 0, ErrSyntax
			}
			stack[n] = c + 2 // '{'+2 == '}', '['+2 == ']'
			n++
		case '}', ']':
			if n == 0 || stack[n-1] != c {
				return 0, ErrSyntax
			}
			n--
			if n == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, ErrSyntax
}

// End checks that nothing but white space follows the document.
func (r *Reader) End() error {
	if skipSpace(r.data, r.i) != len(r.data) {
		return ErrSyntax
	}
	return nil
}

// Key decodes a raw object key as Object passes it.
func Key(raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw, nil
	}
	return unquote(append(append([]byte{'"'}, raw...), '"'))
}

func unquote(raw []byte) ([]byte, error) {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, nil
	}
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
	j := start
	for j < len(r.data) {
		c := r.data[j]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		j++
	}
	lit := r.data[start:j]
	if string(lit) != "true" && string(lit) != "false" && string(lit) != "null" && !isNumber(lit) {
		return nil, ErrSyntax
	}
	r.i = j
	return lit, nil
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

// skipString returns the index just past the string starting at data[i].
func skipString(data []byte, i int) (int, error) {
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '\\':
			j++
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return 0, ErrSyntax
		}
	}
	return 0, ErrSyntax
}

// isNumber checks JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(b []byte) bool {
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
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
}

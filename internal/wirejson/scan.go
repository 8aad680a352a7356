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

package wirejson

import (
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as encoding/json would
// without HTML escaping; invalid UTF-8 becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not valid JavaScript
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Object appends JSON object members one by one, each "key":value, with
// the commas between them.
type Object struct {
	Buf   []byte
	first bool
}

// Begin starts an object in dst.
func Begin(dst []byte) Object { return Object{Buf: append(dst, '{'), first: true} }

// Key appends a member's key; key must not need escaping.
func (o *Object) Key(key string) {
	if !o.first {
		o.Buf = append(o.Buf, ',')
	}
	o.first = false
	o.Buf = append(o.Buf, '"')
	o.Buf = append(o.Buf, key...)
	o.Buf = append(o.Buf, '"', ':')
}

// String appends a string member, left out when empty.
func (o *Object) String(key, v string) {
	if v == "" {
		return
	}
	o.Key(key)
	o.Buf = AppendString(o.Buf, v)
}

// Int appends an integer member, left out when zero.
func (o *Object) Int(key string, v int64) {
	if v == 0 {
		return
	}
	o.Key(key)
	o.Buf = strconv.AppendInt(o.Buf, v, 10)
}

// Bool appends a true member; false is left out.
func (o *Object) Bool(key string, v bool) {
	if !v {
		return
	}
	o.Key(key)
	o.Buf = append(o.Buf, "true"...)
}

// Strings appends an array of strings, left out when empty.
func (o *Object) Strings(key string, v []string) {
	if len(v) == 0 {
		return
	}
	o.Key(key)
	o.Buf = append(o.Buf, '[')
	for i, s := range v {
		if i > 0 {
			o.Buf = append(o.Buf, ',')
		}
		o.Buf = AppendString(o.Buf, s)
	}
	o.Buf = append(o.Buf, ']')
}

// End closes the object and returns the buffer.
func (o *Object) End() []byte { return append(o.Buf, '}') }

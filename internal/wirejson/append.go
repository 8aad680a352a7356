package wirejson

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"sync"
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

// Required appends a string member that is sent even when empty: the
// providers require it.
func (o *Object) Required(key, v string) {
	o.Key(key)
	o.Buf = AppendString(o.Buf, v)
}

// String appends a string member, left out when empty.
func (o *Object) String(key, v string) {
	if v != "" {
		o.Required(key, v)
	}
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

// encoder is a reusable json.Encoder with its buffer.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

// AppendValue appends v as encoding/json encodes it (without HTML
// escaping), through a recycled encoder, so that free-form values such as
// metadata cost no output copy.
func AppendValue(dst []byte, v any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(e.buf.Bytes(), []byte{'\n'})...), nil
}

// AppendAny appends v as AppendValue would, directly for the types decoded
// JSON holds (nil, bool, string, float64, integers, json.Number,
// map[string]any, []any, []string) and through encoding/json for any other:
// metadata is usually the first kind, and reflection costs it two
// allocations per entry.
//
// Values nested deeper than MaxDepth are refused with ErrTooDeep, so that a
// map holding itself ends in an error rather than a stack overflow, and no
// item carries more nesting than a server's parser takes.
func AppendAny(dst []byte, v any) ([]byte, error) { return appendAny(dst, v, 0) }

// MaxDepth is the deepest nesting AppendAny encodes.
const MaxDepth = 64

// ErrTooDeep is a value nested deeper than MaxDepth, or one that holds itself.
var ErrTooDeep = errors.New("nests deeper than 64 levels, or holds itself")

func appendAny(dst []byte, v any, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return dst, ErrTooDeep
	}
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case string:
		return AppendString(dst, v), nil
	case float64:
		return appendFloat(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case json.Number:
		if v == "" {
			return append(dst, '0'), nil
		}
		if !isNumber([]byte(v)) {
			return AppendValue(dst, v) // let encoding/json report it
		}
		return append(dst, v...), nil
	case []string:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, s)
		}
		return append(dst, ']'), nil
	case []any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendAny(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		return appendMap(dst, v, depth)
	}
	return AppendValue(dst, v)
}

// appendMap writes keys in sorted order, as encoding/json does.
func appendMap(dst []byte, m map[string]any, depth int) ([]byte, error) {
	if m == nil {
		return append(dst, "null"...), nil
	}
	var small [16]string // most metadata has few keys: sort them without allocating
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = appendAny(dst, m[k], depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendFloat formats f as encoding/json does, refusing NaN and infinities.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if m := len(dst) - n; m >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
	}
	return dst, nil
}

package wirejson

import "bytes"

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
			if depth == len(open)*64 { // double, so that the copies cost no more than the bits kept
				grown := make([]uint64, 2*len(open))
				copy(grown, open)
				open = grown
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

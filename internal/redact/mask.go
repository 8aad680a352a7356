package redact

import (
	"strings"
	"unicode/utf8"
)

// mask replaces every secret in s, in any of its echoed forms, by Mask.
// With limit >= 0 it stops after limit runes of output (a Mask counting as
// its own runes, and never cut) and reports whether s went on; matching
// looks past the limit, so that a secret straddling it is masked whole.
// valid turns invalid UTF-8 into U+FFFD.
func mask(s string, secrets []string, limit int, valid bool) (string, bool) {
	var b strings.Builder
	copied, runes := 0, 0 // s[copied:] is not in b yet
	flush := func(i int) {
		b.WriteString(s[copied:i])
		copied = i
	}
	for i := 0; i < len(s); {
		if end := matchAny(s, i, secrets); end >= 0 {
			flush(i)
			if limit >= 0 && runes+len(Mask) > limit {
				return b.String(), true
			}
			b.WriteString(Mask)
			runes += len(Mask)
			i, copied = end, end
			continue
		}
		if limit >= 0 && runes == limit {
			flush(i)
			return b.String(), true
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if valid && r == utf8.RuneError && size == 1 {
			flush(i)
			b.WriteRune(utf8.RuneError)
			copied = i + 1
		}
		i += size
		runes++
	}
	if copied == 0 { // nothing masked or replaced
		return s, false
	}
	flush(len(s))
	return b.String(), false
}

// matchAny returns the end of the first secret found at s[i], or -1.
func matchAny(s string, i int, secrets []string) int {
	for _, secret := range secrets {
		if end := matchAt(s, i, secret); end >= 0 {
			return end
		}
	}
	return -1
}

// longestForm is how many bytes of text one byte of a secret can take:
// half of a JSON surrogate pair, \ud83d\ude80, for a 4-byte rune.
const longestForm = 6

// matchAt returns the end of secret in s starting at s[i], each of its
// characters raw, URL-escaped or JSON-escaped, or -1.
func matchAt(s string, i int, secret string) int {
	if secret == "" {
		return -1
	}
	for k := 0; k < len(secret); {
		if i < len(s) && s[i] == secret[k] {
			i, k = i+1, k+1
			continue
		}
		r, size := utf8.DecodeRuneInString(secret[k:])
		if n := jsonEscaped(s[i:], r); n > 0 {
			i, k = i+n, k+size
			continue
		}
		if n := urlEscaped(s[i:], secret[k]); n > 0 {
			i, k = i+n, k+1
			continue
		}
		return -1
	}
	return i
}

// urlEscaped returns the length of the URL escape of byte c at the start
// of t (%XX in either case, or + for a space), or 0.
func urlEscaped(t string, c byte) int {
	if c == ' ' && strings.HasPrefix(t, "+") {
		return 1
	}
	if len(t) >= 3 && t[0] == '%' {
		if v, ok := hexValue(t[1:3]); ok && v == rune(c) {
			return 3
		}
	}
	return 0
}

// jsonEscaped returns the length of a JSON escape of r at the start of t
// (\uXXXX in either case, a surrogate pair, or a short escape such as \/),
// or 0.
func jsonEscaped(t string, r rune) int {
	if len(t) < 2 || t[0] != '\\' {
		return 0
	}
	if short := strings.IndexByte(`"\/bfnrt`, t[1]); short >= 0 {
		if r == rune("\"\\/\b\f\n\r\t"[short]) {
			return 2
		}
		return 0
	}
	if len(t) < 6 || t[1] != 'u' {
		return 0
	}
	v, ok := hexValue(t[2:6])
	switch {
	case !ok:
		return 0
	case v == r:
		return 6
	case r > 0xffff && len(t) >= 12 && t[6] == '\\' && t[7] == 'u':
		lo, ok := hexValue(t[8:12])
		if ok && 0xd800 <= v && v < 0xdc00 && 0xdc00 <= lo && lo < 0xe000 && 0x10000+(v-0xd800)<<10+(lo-0xdc00) == r {
			return 12
		}
	}
	return 0
}

func hexValue(h string) (rune, bool) {
	var v rune
	for i := range len(h) {
		c := h[i]
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

package wirejson

import (
	"errors"
	"math"
	"strconv"
)

// Int is an integer a provider sends as a JSON number or as a numeric
// string, depending on the endpoint and its age (the documents show both);
// null and "" are 0. A number written with a fraction or an exponent that
// names a whole number (1.6e9) is read too.
type Int int64

var errNotInt = errors.New("wirejson: not an integer or numeric string")

// Read reads the Int at r.
func (n *Int) Read(r *Reader) error {
	raw, err := r.Raw()
	if err != nil {
		return err
	}
	return n.UnmarshalJSON(raw)
}

// UnmarshalJSON parses the bytes in place so that decoding a page of a
// thousand members costs no allocation per number.
func (n *Int) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	if len(b) == 0 || string(b) == "null" {
		*n = 0
		return nil
	}
	if v, ok := parseInt(b); ok {
		*n = Int(v)
		return nil
	}
	// A number written with a fraction or an exponent (1.6e9) still names
	// a whole second; anything else is not a number.
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt64/2 {
		return errNotInt
	}
	*n = Int(f)
	return nil
}

// parseInt reads an optionally signed decimal integer without allocating.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

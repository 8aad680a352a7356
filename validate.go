package chatimport

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// minUnix is the first 10-digit UNIX time, the earliest the providers'
// timestamps carry.
var minUnix = time.Unix(1_000_000_000, 0)

// fieldError builds the ValidationError for a field; the engine fills in
// the item's index and id. The checks take a field's prefix and name apart
// and join them only here, on the way out: joining them for every check of
// every item would cost an allocation each.
func fieldError(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func checkLen(prefix, field, s string, limit int, required bool) *ValidationError {
	if required && strings.TrimSpace(s) == "" {
		return fieldError(prefix+field, "is empty")
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return fieldError(prefix+field, "has %d characters, more than %d", n, limit)
	}
	return nil
}

// checkTime is the one rule for every time an item carries: the zero time
// (not sent), or a time the providers' 10-digit UNIX seconds carry, from
// 2001-09-09T01:46:40Z (1,000,000,000) on, and not after now: nothing is
// created, joined, last active or deactivated in the future. An earlier
// time would go out with fewer digits, which the providers do not document.
func checkTime(prefix, field string, t, now time.Time) *ValidationError {
	switch {
	case t.IsZero():
		return nil
	case t.Before(minUnix):
		return fieldError(prefix+field, "%s is before 2001-09-09T01:46:40Z: the providers take 10-digit UNIX seconds", t.UTC().Format(time.RFC3339))
	case t.After(now):
		return fieldError(prefix+field, "%s is in the future", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// unix is the wire form of a time: 0, and so left out, for the zero time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// checkJoinedAt applies the providers' rule: a member joins strictly after
// its group was created (CometChat refuses a joinedAt equal to createdAt
// with ERR_IMPORT_INVALID_JOINEDAT) and not in the future.
func checkJoinedAt(field string, joined time.Time, g *Group, now time.Time) *ValidationError {
	if v := checkTime("", field, joined, now); v != nil || joined.IsZero() {
		return v
	}
	if g != nil && !g.CreatedAt.IsZero() && !joined.After(g.CreatedAt) {
		return fieldError(field, "%s is not after the group was created (%s)",
			joined.UTC().Format(time.RFC3339), g.CreatedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

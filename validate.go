package chatimport

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// CometChat's documented field limits.
const (
	maxIDLen   = 100
	maxNameLen = 100
	maxURLLen  = 3000
	maxTags    = 25
)

// maxUnix is the last 10-digit UNIX time (2286-11-20), the most the
// providers' timestamps can carry.
var maxUnix = time.Unix(9_999_999_999, 0)

// fieldError builds the ValidationError for a field; the engine fills in
// the item's index and id. The checks take a field's prefix and name apart
// and join them only here, on the way out: joining them for every check of
// every item would cost an allocation each.
func fieldError(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// checkID applies CometChat's rule for uids and guids: 1 to 100 characters
// of a–z, A–Z, 0–9, '-' and '_'.
func checkID(prefix, field, id string) *ValidationError {
	if id == "" {
		return fieldError(prefix+field, "is empty")
	}
	if len(id) > maxIDLen {
		return fieldError(prefix+field, "has %d characters, more than %d", len(id), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			r, _ := utf8.DecodeRuneInString(id[i:])
			return fieldError(prefix+field, "has %q at byte %d; only letters, digits, '-' and '_' are allowed", r, i)
		}
	}
	return nil
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

// checkTime accepts the zero time (not sent) or a time a 10-digit UNIX
// timestamp can carry, after 1970 and before 2286-11-20.
func checkTime(prefix, field string, t time.Time) *ValidationError {
	if t.IsZero() {
		return nil
	}
	if t.Unix() <= 0 || t.After(maxUnix) {
		return fieldError(prefix+field, "%s is outside 1970..2286 (10-digit UNIX seconds)", t.UTC().Format(time.RFC3339))
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

// checkUser applies CometChat's rules for a user whose uid is uid (a
// member's user details may leave theirs out); prefix names the field's
// place ("" or "userDetails.").
func checkUser(u *User, uid, prefix string) *ValidationError {
	if v := checkID(prefix, "uid", uid); v != nil {
		return v
	}
	if v := checkLen(prefix, "name", u.Name, maxNameLen, true); v != nil {
		return v
	}
	if v := checkLen(prefix, "avatar", u.Avatar, maxURLLen, false); v != nil {
		return v
	}
	if v := checkLen(prefix, "link", u.Link, maxURLLen, false); v != nil {
		return v
	}
	if v := checkTime(prefix, "createdAt", u.CreatedAt); v != nil {
		return v
	}
	if v := checkTime(prefix, "lastActiveAt", u.LastActiveAt); v != nil {
		return v
	}
	if v := checkTime(prefix, "deactivatedAt", u.DeactivatedAt); v != nil {
		return v
	}
	if len(u.Tags) > maxTags {
		return fieldError(prefix+"tags", "has %d tags, more than %d", len(u.Tags), maxTags)
	}
	return nil
}

// checkGroup applies CometChat's rules for the details of group guid.
func checkGroup(g *Group, guid, prefix string) *ValidationError {
	if v := checkID(prefix, "guid", guid); v != nil {
		return v
	}
	if v := checkLen(prefix, "name", g.Name, maxNameLen, true); v != nil {
		return v
	}
	switch t := g.Type; t {
	case GroupPublic, GroupPrivate:
	case GroupPassword:
		if g.Password == "" {
			return fieldError(prefix+"password", "is required for a password group")
		}
	case "":
		return fieldError(prefix+"type", "is empty; want public, password or private")
	default:
		return fieldError(prefix+"type", "is %q; want public, password or private", string(t))
	}
	if g.Owner != "" {
		if v := checkID(prefix, "owner", g.Owner); v != nil {
			return v
		}
	}
	if v := checkLen(prefix, "icon", g.Icon, maxURLLen, false); v != nil {
		return v
	}
	if len(g.Tags) > maxTags {
		return fieldError(prefix+"tags", "has %d tags, more than %d", len(g.Tags), maxTags)
	}
	return checkTime(prefix, "createdAt", g.CreatedAt)
}

// checkJoinedAt applies both providers' rule: a member joins after its group
// was created and not in the future.
func checkJoinedAt(field string, joined time.Time, g *Group, now time.Time) *ValidationError {
	if joined.IsZero() {
		return nil
	}
	if v := checkTime("", field, joined); v != nil {
		return v
	}
	if joined.After(now) {
		return fieldError(field, "%s is in the future", joined.UTC().Format(time.RFC3339))
	}
	if g != nil && !g.CreatedAt.IsZero() && joined.Before(g.CreatedAt) {
		return fieldError(field, "%s is before the group was created (%s)",
			joined.UTC().Format(time.RFC3339), g.CreatedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

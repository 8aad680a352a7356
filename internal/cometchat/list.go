package cometchat

import (
	"errors"
	"math"
	"net/url"
	"strconv"
)

// MembersPath is the list-members endpoint of a group, relative to the
// ".../v3" root.
func MembersPath(guid string) string { return "/groups/" + url.PathEscape(guid) + "/members" }

// MembersPage is one answer of GET /groups/{guid}/members. Only what a
// listed member carries into the portable types is decoded; conversationId,
// updatedAt and anything CometChat adds later are skipped.
type MembersPage struct {
	Data []ListedMember `json:"data"`
	Meta struct {
		Pagination Pagination `json:"pagination"`
	} `json:"meta"`
	Cursor Cursor `json:"cursor"`
}

// ListedMember is one entry of a members page: the user's fields and the
// membership's.
type ListedMember struct {
	UID           string         `json:"uid"`
	Name          string         `json:"name"`
	Avatar        string         `json:"avatar"`
	Link          string         `json:"link"`
	Role          string         `json:"role"`
	Status        string         `json:"status"`
	Scope         string         `json:"scope"`
	Metadata      map[string]any `json:"metadata"`
	Tags          []string       `json:"tags"`
	JoinedAt      Int            `json:"joinedAt"`
	CreatedAt     Int            `json:"createdAt"`
	LastActiveAt  Int            `json:"lastActiveAt"`
	DeactivatedAt Int            `json:"deactivatedAt"`
}

// Pagination is meta.pagination. Total is decoded for completeness but is
// not a reliable count: the documented example answers total 0 with five
// members.
type Pagination struct {
	Total       Int `json:"total"`
	Count       Int `json:"count"`
	PerPage     Int `json:"per_page"`
	CurrentPage Int `json:"current_page"`
	TotalPages  Int `json:"total_pages"`
}

// Cursor is the top-level cursor of a list answer.
type Cursor struct {
	UpdatedAt Int    `json:"updatedAt"`
	Affix     string `json:"affix"`
}

// Int is an integer CometChat sends as a JSON number or as a numeric
// string, depending on the endpoint and its age; null and "" are 0. Times
// are UNIX seconds in it.
type Int int64

var errNotInt = errors.New("cometchat: not an integer or numeric string")

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

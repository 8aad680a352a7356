package cometchat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"unicode/utf8"

	"github.com/chatimport/chatimport/internal/wirejson"
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
	ListedUser
	Scope    string `json:"scope"`
	JoinedAt Int    `json:"joinedAt"`
}

// Pagination is meta.pagination. Total and Count are decoded for
// completeness but are not reliable counts: the documented example lists
// four members with count 5 and total 0.
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

// ReadMembersPage reads a members page in one pass, in place, allocating
// only what the page keeps: the slice of members, their strings, metadata
// and tags. It reads what json.Unmarshal would into a MembersPage (escapes
// decoded, invalid UTF-8 replaced, null as absent) with two differences
// no CometChat answer shows: keys match only as CometChat spells them,
// not in another letter case, and a repeated key replaces the value before
// it rather than merging into it. data is not kept.
func ReadMembersPage(data []byte) (MembersPage, error) {
	var p MembersPage
	r := wirejson.NewReader(data)
	err := readObject(r, func(key []byte) error {
		switch string(key) {
		case "data":
			if r.Null() {
				p.Data = nil
				return nil
			}
			var err error
			p.Data, err = readMembers(r)
			return err
		case "meta":
			return readObject(r, func(key []byte) error {
				if string(key) == "pagination" {
					return p.Meta.Pagination.read(r)
				}
				return r.Skip()
			})
		case "cursor":
			return p.Cursor.read(r)
		}
		return r.Skip()
	})
	if err == nil {
		err = r.End()
	}
	if err != nil {
		return MembersPage{}, fmt.Errorf("cometchat: members page: %w", err)
	}
	return p, nil
}

// scratch holds the members of a page while it is read, so that the page
// gets one slice of the right size rather than a dozen as it grows: at 176
// bytes a member, growing the slice made a 1000-member page 29% slower to
// read, with 2.6 times the memory allocated.
var scratch = sync.Pool{New: func() any { return new([]ListedMember) }}

func readMembers(r *wirejson.Reader) ([]ListedMember, error) {
	buf := scratch.Get().(*[]ListedMember)
	members := (*buf)[:0]
	err := r.Array(func() error {
		members = append(members, ListedMember{})
		return members[len(members)-1].read(r)
	})
	out := make([]ListedMember, len(members))
	copy(out, members)
	clear(members) // let go of the strings
	*buf = members
	scratch.Put(buf)
	return out, err
}

func (m *ListedMember) read(r *wirejson.Reader) error {
	return readObject(r, func(key []byte) error {
		switch string(key) {
		case "uid":
			return readString(r, &m.UID)
		case "name":
			return readString(r, &m.Name)
		case "avatar":
			return readString(r, &m.Avatar)
		case "link":
			return readString(r, &m.Link)
		case "role":
			return readString(r, &m.Role, "default")
		case "status":
			return readString(r, &m.Status, "available", "offline")
		case "scope":
			return readString(r, &m.Scope, "participant", "admin", "moderator")
		case "metadata":
			return readMetadata(r, &m.Metadata)
		case "tags":
			return readStrings(r, &m.Tags)
		case "joinedAt":
			return m.JoinedAt.Read(r)
		case "createdAt":
			return m.CreatedAt.Read(r)
		case "lastActiveAt":
			return m.LastActiveAt.Read(r)
		case "deactivatedAt":
			return m.DeactivatedAt.Read(r)
		}
		return r.Skip()
	})
}

func (p *Pagination) read(r *wirejson.Reader) error {
	return readObject(r, func(key []byte) error {
		switch string(key) {
		case "total":
			return p.Total.Read(r)
		case "count":
			return p.Count.Read(r)
		case "per_page":
			return p.PerPage.Read(r)
		case "current_page":
			return p.CurrentPage.Read(r)
		case "total_pages":
			return p.TotalPages.Read(r)
		}
		return r.Skip()
	})
}

func (c *Cursor) read(r *wirejson.Reader) error {
	return readObject(r, func(key []byte) error {
		switch string(key) {
		case "updatedAt":
			return c.UpdatedAt.Read(r)
		case "affix":
			return readString(r, &c.Affix)
		}
		return r.Skip()
	})
}

// readObject reads an object, or null as no members, calling fn with each
// raw key; fn must consume the member's value.
func readObject(r *wirejson.Reader, fn func(key []byte) error) error {
	if r.Null() {
		return nil
	}
	return r.Object(fn)
}

var errNotString = errors.New("cometchat: not a string")

// readString reads a string into dst as encoding/json would; null leaves
// dst as it is. A value among common is set without allocating: a page
// says "participant" a thousand times, and sharing the common values
// halves a member's allocations.
func readString(r *wirejson.Reader, dst *string, common ...string) error {
	raw, err := r.Raw()
	switch {
	case err != nil:
		return err
	case raw[0] == 'n': // null; Raw has checked the literal
		return nil
	case raw[0] != '"':
		return errNotString
	}
	s := raw[1 : len(raw)-1]
	for _, c := range common {
		if string(s) == c {
			*dst = c
			return nil
		}
	}
	if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		*dst = string(s)
		return nil
	}
	// Escapes or invalid UTF-8: rare, and encoding/json's rules for both.
	return json.Unmarshal(raw, dst)
}

// readStrings reads an array of strings, or null as nil.
func readStrings(r *wirejson.Reader, dst *[]string) error {
	if r.Null() {
		*dst = nil
		return nil
	}
	out := []string{}
	err := r.Array(func() error {
		out = append(out, "")
		return readString(r, &out[len(out)-1])
	})
	*dst = out
	return err
}

// readMetadata decodes metadata, the one free-form field, with
// encoding/json: it is kept whole, and rare enough not to matter.
func readMetadata(r *wirejson.Reader, dst *map[string]any) error {
	raw, err := r.Raw()
	if err != nil {
		return err
	}
	if raw[0] == 'n' {
		*dst = nil
		return nil
	}
	return json.Unmarshal(raw, dst)
}

// Int is an integer CometChat sends as a JSON number or as a numeric
// string, depending on the endpoint and its age; null and "" are 0. Times
// are UNIX seconds in it.
type Int = wirejson.Int

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/chatimport/chatimport"
)

// decodeLine decodes one record strictly: an unknown field is an error, not
// data silently left behind, and so is anything after the object. A key
// repeated within the line and text that is not UTF-8 are refused too:
// encoding/json would keep the last value and turn bad bytes into U+FFFD,
// changing the record without a word.
func decodeLine(l inputLine, v any) error {
	if l.tooLong {
		return fmt.Errorf("line longer than %d bytes", maxLine)
	}
	dec := json.NewDecoder(bytes.NewReader(l.text))
	dec.DisallowUnknownFields()
	dec.UseNumber() // metadata keeps large integers exact
	if err := dec.Decode(v); err != nil {
		return describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more than one JSON value on the line")
	}
	return strictJSON(l.text)
}

// strictJSON refuses what encoding/json accepts by changing it: a repeated
// key and invalid UTF-8 (raw, or a lone surrogate escape). jsontext checks
// both exactly as RFC 7493 defines them, escaped keys included.
func strictJSON(text []byte) error {
	err := jsontext.NewDecoder(bytes.NewReader(text)).SkipValue()
	var syntax *jsontext.SyntacticError
	if !errors.As(err, &syntax) {
		return err
	}
	where := strings.ReplaceAll(strings.TrimPrefix(string(syntax.JSONPointer), "/"), "/", ".")
	if errors.Is(syntax.Err, jsontext.ErrDuplicateName) {
		return fmt.Errorf("key %q appears twice on the line", where)
	}
	if where == "" {
		where = "the line"
	}
	return fmt.Errorf("%v in %s at byte %d", syntax.Err, where, syntax.ByteOffset)
}

func describeJSONError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("%s must be %s, not a JSON %s", typ.Field, jsonKind(typ.Type.String()), typ.Value)
	case errors.As(err, &typ):
		return fmt.Errorf("a line must be a JSON object, not a JSON %s", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not valid JSON: the line ends inside a value")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return fmt.Errorf("%s: not a field of the import documents", strings.TrimPrefix(err.Error(), "json: "))
	}
	return err
}

func jsonKind(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case goType == "int":
		return "an integer"
	case goType == "[]string":
		return "an array of strings"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "main."), strings.HasPrefix(goType, "*main."):
		return "an object"
	}
	return goType
}

// unixTime reads a time as the providers' documents give it: UNIX seconds
// as a number or as a numeric string (their examples send strings). Null, an
// empty string and 0 mean not set. The range is left to the library, which
// refuses what a 10-digit timestamp cannot carry.
func unixTime(field string, raw json.RawMessage) (time.Time, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("%s: %v", field, err)
		}
	}
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be UNIX seconds as a number or a numeric string, not %s", field, raw)
	}
	if n == 0 {
		return time.Time{}, nil
	}
	return time.Unix(n, 0), nil
}

// userRecord is a user line, fields as in the import documents.
type userRecord struct {
	UID           string          `json:"uid"`
	Name          string          `json:"name"`
	Avatar        string          `json:"avatar"`
	Link          string          `json:"link"`
	Role          string          `json:"role"`
	CreatedAt     json.RawMessage `json:"createdAt"`
	LastActiveAt  json.RawMessage `json:"lastActiveAt"`
	Metadata      map[string]any  `json:"metadata"`
	Tags          []string        `json:"tags"`
	DeactivatedAt json.RawMessage `json:"deactivatedAt"`
}

func (r *userRecord) user(prefix string) (chatimport.User, error) {
	u := chatimport.User{UID: r.UID, Name: r.Name, Avatar: r.Avatar, Link: r.Link, Role: r.Role, Metadata: r.Metadata, Tags: r.Tags}
	var err error
	for _, t := range []struct {
		field string
		raw   json.RawMessage
		dst   *time.Time
	}{{"createdAt", r.CreatedAt, &u.CreatedAt}, {"lastActiveAt", r.LastActiveAt, &u.LastActiveAt}, {"deactivatedAt", r.DeactivatedAt, &u.DeactivatedAt}} {
		if *t.dst, err = unixTime(prefix+t.field, t.raw); err != nil {
			return u, err
		}
	}
	return u, nil
}

// groupRecord is a group line, or a member line's groupDetails.
type groupRecord struct {
	GUID        string          `json:"guid"`
	Description string          `json:"description"`
	Name        string          `json:"name"`
	Icon        string          `json:"icon"`
	Type        string          `json:"type"`
	Password    string          `json:"password"`
	Owner       string          `json:"owner"`
	CreatedAt   json.RawMessage `json:"createdAt"`
	Metadata    map[string]any  `json:"metadata"`
	Tags        []string        `json:"tags"`
	// Tencent's group profile beyond Description.
	Notification string `json:"notification"`
	MaxMembers   int    `json:"maxMembers"`
	JoinOption   string `json:"joinOption"`
}

func (g *groupRecord) group(prefix string) (chatimport.Group, error) {
	created, err := unixTime(prefix+"createdAt", g.CreatedAt)
	return chatimport.Group{GUID: g.GUID, Name: g.Name, Icon: g.Icon, Type: chatimport.GroupType(g.Type),
		Password: g.Password, Owner: g.Owner, CreatedAt: created, Metadata: g.Metadata, Tags: g.Tags,
		Description: g.Description, Notification: g.Notification, MaxMembers: g.MaxMembers, JoinOption: g.JoinOption}, err
}

// memberRecord is a member line, fields as in the import documents.
type memberRecord struct {
	MemberID     string          `json:"memberId"`
	GUID         string          `json:"guid"`
	UID          string          `json:"uid"`
	Scope        string          `json:"scope"`
	IsBanned     bool            `json:"isBanned"`
	JoinedAt     json.RawMessage `json:"joinedAt"`
	UnreadMsgNum int             `json:"unreadMsgNum"`
	GroupDetails *groupRecord    `json:"groupDetails"`
	UserDetails  *userRecord     `json:"userDetails"`
}

func decodeUser(l inputLine) (chatimport.User, error) {
	var r userRecord
	if err := decodeLine(l, &r); err != nil {
		return chatimport.User{}, err
	}
	return r.user("")
}

func decodeGroup(l inputLine) (chatimport.Group, error) {
	var r groupRecord
	if err := decodeLine(l, &r); err != nil {
		return chatimport.Group{}, err
	}
	return r.group("")
}

func decodeMember(l inputLine) (chatimport.Member, error) {
	var r memberRecord
	if err := decodeLine(l, &r); err != nil {
		return chatimport.Member{}, err
	}
	// The library derives the memberId; one given that says otherwise would
	// be silently ignored, so it is refused here.
	if want := r.GUID + "_member_" + r.UID; r.MemberID != "" && r.MemberID != want {
		return chatimport.Member{}, fmt.Errorf("memberId %q is not <guid>_member_<uid> (%q)", r.MemberID, want)
	}
	joined, err := unixTime("joinedAt", r.JoinedAt)
	if err != nil {
		return chatimport.Member{}, err
	}
	m := chatimport.Member{GUID: r.GUID, UID: r.UID, Scope: chatimport.Scope(r.Scope), Banned: r.IsBanned,
		JoinedAt: joined, UnreadCount: r.UnreadMsgNum}
	if r.GroupDetails != nil {
		g, err := r.GroupDetails.group("groupDetails.")
		if err != nil {
			return chatimport.Member{}, err
		}
		m.Group = &g
	}
	if r.UserDetails != nil {
		u, err := r.UserDetails.user("userDetails.")
		if err != nil {
			return chatimport.Member{}, err
		}
		m.User = &u
	}
	return m, nil
}

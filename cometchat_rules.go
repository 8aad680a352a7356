package chatimport

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-querystring/query"

	"github.com/chatimport/chatimport/internal/cometchat"
)

// CometChat's documented field limits.
const (
	maxIDLen   = 100
	maxNameLen = 100
	maxURLLen  = 3000
	maxTags    = 25
	maxPerPage = 1000 // the largest page a CometChat listing serves
)

// cometChatCodes maps CometChat error codes to sentinels; codes it lacks fall
// back to the HTTP status.
var cometChatCodes = map[string]error{
	"ERR_TOO_MANY_REQUESTS":     ErrRateLimited,
	"AUTH_ERR_EMPTY_APIKEY":     ErrUnauthorized,
	"AUTH_ERR_APIKEY_NOT_FOUND": ErrUnauthorized,
	"ERR_APIKEY_NOT_FOUND":      ErrUnauthorized,
	"AUTH_ERR_INVALID_APPID":    ErrUnauthorized,
	"AUTH_ERR_EMPTY_APPID":      ErrUnauthorized,
	"AUTH_ERR_NO_ACCESS":        ErrPermission,
	"ERR_UID_NOT_FOUND":         ErrNotFound,
	"ERR_GUID_NOT_FOUND":        ErrNotFound,
	"ERR_BAD_REQUEST":           ErrInvalidRequest,
	"ERR_ALREADY_JOINED":        ErrAlreadyExists,
	"ERR_UID_ALREADY_EXISTS":    ErrAlreadyExists,
	"ERR_GUID_ALREADY_EXISTS":   ErrAlreadyExists,
	"ERR_MISSION_FAILED":        ErrTemporary,
	"ERR_EXCEPTION":             ErrTemporary,
}

// cometChatKind is the sentinel of a CometChat error code, or nil.
func cometChatKind(code string) error {
	if k, ok := cometChatCodes[code]; ok {
		return k
	}
	if strings.HasPrefix(code, "ERR_IMPORT_INVALID_") {
		return ErrInvalidRequest
	}
	return nil
}

// checkID applies CometChat's rule for uids and guids: 1 to 100 bytes of
// ASCII letters, digits, '-' and '_'.
func checkID(prefix, field, id string) *ValidationError {
	if id == "" {
		return fieldError(prefix+field, "is empty")
	}
	if len(id) > maxIDLen {
		return fieldError(prefix+field, "has %d bytes, more than %d", len(id), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			r, _ := utf8.DecodeRuneInString(id[i:])
			return fieldError(prefix+field, "has %q at byte %d; only ASCII letters, digits, '-' and '_' are allowed", r, i)
		}
	}
	return nil
}

func checkCometChatMember(m *Member, now time.Time) *ValidationError {
	if v := checkID("", "guid", m.GUID); v != nil {
		return v
	}
	if v := checkID("", "uid", m.UID); v != nil {
		return v
	}
	if m.UnreadCount != 0 {
		return fieldError("unreadMsgNum", "CometChat's member import cannot store an unread count (Tencent only)")
	}
	switch m.Scope {
	case "", ScopeAdmin, ScopeModerator, ScopeParticipant:
	default:
		return fieldError("scope", "is %q; want admin, moderator or participant", m.Scope)
	}
	if g := m.Group; g != nil {
		if g.GUID != "" && g.GUID != m.GUID {
			return fieldError("groupDetails.guid", "is %q but the member's guid is %q", g.GUID, m.GUID)
		}
		if v := checkGroup(g, m.GUID, "groupDetails.", now); v != nil {
			return v
		}
		if v := checkMemberGroup(g); v != nil {
			return v
		}
	}
	if u := m.User; u != nil {
		if u.UID != "" && u.UID != m.UID {
			return fieldError("userDetails.uid", "is %q but the member's uid is %q", u.UID, m.UID)
		}
		if v := checkUser(u, m.UID, "userDetails.", now); v != nil {
			return v
		}
	}
	return checkJoinedAt("joinedAt", m.JoinedAt, m.Group, now)
}

// checkUser applies CometChat's rules for a user whose uid is uid (a
// member's user details may leave theirs out); prefix names the field's
// place ("" or "userDetails.").
func checkUser(u *User, uid, prefix string, now time.Time) *ValidationError {
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
	if v := checkTime(prefix, "createdAt", u.CreatedAt, now); v != nil {
		return v
	}
	if v := checkTime(prefix, "lastActiveAt", u.LastActiveAt, now); v != nil {
		return v
	}
	if v := checkTime(prefix, "deactivatedAt", u.DeactivatedAt, now); v != nil {
		return v
	}
	if len(u.Tags) > maxTags {
		return fieldError(prefix+"tags", "has %d tags, more than %d", len(u.Tags), maxTags)
	}
	return nil
}

// checkGroup applies CometChat's rules for the details of group guid.
func checkGroup(g *Group, guid, prefix string, now time.Time) *ValidationError {
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
	if field := tencentOnlyGroupField(g); field != "" {
		return fieldError(prefix+field, "is a Tencent Cloud Chat group field; a CometChat group cannot hold it")
	}
	return checkTime(prefix, "createdAt", g.CreatedAt, now)
}

func wireUser(u *User) cometchat.User {
	return cometchat.User{
		UID: u.UID, Name: u.Name, Avatar: u.Avatar, Link: u.Link, Role: u.Role,
		CreatedAt: unix(u.CreatedAt), LastActiveAt: unix(u.LastActiveAt), DeactivatedAt: unix(u.DeactivatedAt),
		Metadata: u.Metadata, Tags: u.Tags,
	}
}

// wireMember is m on the wire; id is its memberId, already built.
func wireMember(m *Member, id string) cometchat.Member {
	scope := m.Scope
	if scope == "" {
		scope = ScopeParticipant
	}
	w := cometchat.Member{
		MemberID: id, GUID: m.GUID, UID: m.UID, Scope: string(scope),
		IsBanned: m.Banned, JoinedAt: unix(m.JoinedAt),
	}
	if m.Group != nil {
		g := wireGroup(m.Group)
		g.GUID = m.GUID
		w.GroupDetails = &g
	}
	if m.User != nil {
		u := wireUser(m.User)
		u.UID = m.UID
		w.UserDetails = &u
	}
	return w
}

// cometChatMemberOptions validates the caller's options and returns a copy with the
// defaults filled in, so that nothing the caller does to opts later (or
// did before) changes a walk under way.
func cometChatMemberOptions(guid string, opts *ListMembersOptions) (ListMembersOptions, error) {
	var o ListMembersOptions
	if opts != nil {
		o = *opts
		o.Scopes = slices.Clone(opts.Scopes)
	}
	invalid := func(v *ValidationError) error {
		v.Index, v.ID = -1, guid
		return v
	}
	if v := checkID("", "guid", guid); v != nil {
		return o, invalid(v)
	}
	var err error
	if o.PerPage, o.Page, err = cometChatPaging(guid, o.PerPage, o.Page); err != nil {
		return o, err
	}
	switch o.Status {
	case "", "available", "offline":
	default:
		return o, invalid(fieldError("status", "is %q; want available or offline", o.Status))
	}
	for _, s := range o.Scopes {
		switch s {
		case ScopeAdmin, ScopeModerator, ScopeParticipant:
		default:
			return o, invalid(fieldError("scopes", "has %q; want admin, moderator or participant", s))
		}
	}
	return o, nil
}

// encodeQuery is the query string of validated options.
func encodeQuery(opts any) (string, error) {
	v, err := query.Values(opts)
	if err != nil {
		return "", err
	}
	// CometChat documents scopes as one comma-separated value. Validated
	// options hold no other comma, and a literal comma is legal in a query,
	// so the separator is sent as written rather than as %2C.
	return strings.ReplaceAll(v.Encode(), "%2C", ","), nil
}

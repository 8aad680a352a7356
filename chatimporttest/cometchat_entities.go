package chatimporttest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Field limits from CometChat's create-user page; guids are assumed to
// follow the uid rules.
const (
	maxIDLen   = 100
	maxNameLen = 100
	maxURLLen  = 3000
	maxTags    = 25
)

const (
	scopeAdmin       = "admin"
	scopeModerator   = "moderator"
	scopeParticipant = "participant"
)

func validScope(s string) bool {
	return s == scopeAdmin || s == scopeModerator || s == scopeParticipant
}

func itoa(n int) string { return strconv.Itoa(n) }

// wireUser holds raw fields so that a wrongly typed field becomes a
// per-entity validation error instead of failing the whole request.
type wireUser struct {
	UID           json.RawMessage `json:"uid"`
	Name          json.RawMessage `json:"name"`
	Avatar        json.RawMessage `json:"avatar"`
	Link          json.RawMessage `json:"link"`
	Role          json.RawMessage `json:"role"`
	CreatedAt     json.RawMessage `json:"createdAt"`
	LastActiveAt  json.RawMessage `json:"lastActiveAt"`
	DeactivatedAt json.RawMessage `json:"deactivatedAt"`
	Metadata      json.RawMessage `json:"metadata"`
	Tags          json.RawMessage `json:"tags"`
}

// parseUser validates a user object; prefix names nested fields in details
// ("userDetails." inside a member). The uid is returned as sent.
func parseUser(raw json.RawMessage, prefix string, now time.Time) (User, fieldErrors) {
	var fe fieldErrors
	var w wireUser
	if err := json.Unmarshal(raw, &w); err != nil {
		fe.add(prefix+"user", "The user must be a JSON object.")
		return User{}, fe
	}
	u := User{
		UID:           reqString(&fe, prefix+"uid", w.UID, maxIDLen),
		Name:          reqString(&fe, prefix+"name", w.Name, maxNameLen),
		Avatar:        optString(&fe, prefix+"avatar", w.Avatar, maxURLLen),
		Link:          optString(&fe, prefix+"link", w.Link, maxURLLen),
		Role:          optString(&fe, prefix+"role", w.Role, 0),
		CreatedAt:     optUnix(&fe, prefix+"createdAt", w.CreatedAt),
		LastActiveAt:  optUnix(&fe, prefix+"lastActiveAt", w.LastActiveAt),
		DeactivatedAt: optUnix(&fe, prefix+"deactivatedAt", w.DeactivatedAt),
		Metadata:      optObject(&fe, prefix+"metadata", w.Metadata),
		Tags:          optTags(&fe, prefix+"tags", w.Tags),
		Status:        "offline",
	}
	checkID(&fe, prefix+"uid", u.UID)
	if u.Role == "" {
		u.Role = "default"
	}
	if u.CreatedAt == 0 {
		u.CreatedAt = now.Unix()
	}
	return u, fe
}

// userEcho is the user CometChat returns for a successful import: uid
// lower-cased, times as integers.
type userEcho struct {
	UID           string         `json:"uid"`
	Name          string         `json:"name"`
	Avatar        string         `json:"avatar,omitempty"`
	Link          string         `json:"link,omitempty"`
	Role          string         `json:"role"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	Status        string         `json:"status"`
	CreatedAt     int64          `json:"createdAt"`
	LastActiveAt  int64          `json:"lastActiveAt,omitempty"`
	DeactivatedAt int64          `json:"deactivatedAt,omitempty"`
}

func echoUser(u User) userEcho {
	return userEcho{UID: u.UID, Name: u.Name, Avatar: u.Avatar, Link: u.Link, Role: u.Role,
		Metadata: u.Metadata, Tags: u.Tags, Status: "offline", CreatedAt: u.CreatedAt,
		LastActiveAt: u.LastActiveAt, DeactivatedAt: u.DeactivatedAt}
}

func (s *Server) importUser(e entry, now time.Time) *entityResult {
	u, fe := parseUser(e.raw, "", now)
	if u.UID != e.key && len(fe["uid"]) == 0 {
		fe.add("uid", "The uid must be the same as the key wrapping the user.")
	}
	if len(fe) > 0 {
		return failed("ERR_IMPORT_INVALID_USER_FORMAT", "The user is not in the expected format.", fe)
	}
	u.UID = strings.ToLower(u.UID) // CometChat stores uids lower-cased
	if s.cfg.countOnly {
		return &entityResult{Success: true, Data: echoUser(u)}
	}
	if s.st.users[u.UID] != nil {
		return failed("ERR_UID_ALREADY_EXISTS", "A user with the UID "+u.UID+" already exists.", nil)
	}
	s.st.users[u.UID] = &u
	return &entityResult{Success: true, Data: echoUser(u)}
}

type wireGroup struct {
	GUID         json.RawMessage `json:"guid"`
	Name         json.RawMessage `json:"name"`
	Icon         json.RawMessage `json:"icon"`
	Description  json.RawMessage `json:"description"`
	Type         json.RawMessage `json:"type"`
	Password     json.RawMessage `json:"password"`
	Owner        json.RawMessage `json:"owner"`
	CreatedAt    json.RawMessage `json:"createdAt"`
	Metadata     json.RawMessage `json:"metadata"`
	Tags         json.RawMessage `json:"tags"`
	OwnerDetails json.RawMessage `json:"groupOwnerDetails"`
}

// parseGroup validates a group object; prefix names nested fields in
// details ("groupDetails." inside a member). The guid is returned as sent.
func parseGroup(raw json.RawMessage, prefix string, now time.Time) (Group, wireGroup, fieldErrors) {
	var fe fieldErrors
	var w wireGroup
	if err := json.Unmarshal(raw, &w); err != nil {
		field := strings.TrimSuffix(prefix, ".")
		if field == "" {
			field = "group"
		}
		fe.add(field, "The %s must be a JSON object.", field)
		return Group{}, w, fe
	}
	g := Group{
		GUID:        reqString(&fe, prefix+"guid", w.GUID, maxIDLen),
		Name:        reqString(&fe, prefix+"name", w.Name, maxNameLen),
		Icon:        optString(&fe, prefix+"icon", w.Icon, maxURLLen),
		Description: optString(&fe, prefix+"description", w.Description, 0),
		Type:        reqString(&fe, prefix+"type", w.Type, 0),
		Password:    optString(&fe, prefix+"password", w.Password, 0),
		Owner:       optString(&fe, prefix+"owner", w.Owner, maxIDLen),
		CreatedAt:   optUnix(&fe, prefix+"createdAt", w.CreatedAt),
		Metadata:    optObject(&fe, prefix+"metadata", w.Metadata),
		Tags:        optTags(&fe, prefix+"tags", w.Tags),
	}
	checkID(&fe, prefix+"guid", g.GUID)
	checkID(&fe, prefix+"owner", g.Owner)
	switch g.Type {
	case "", "public", "private":
	case "password":
		if g.Password == "" {
			fe.add(prefix+"password", "The %spassword field is required when the type is password.", prefix)
		}
	default:
		fe.add(prefix+"type", "The %stype must be one of public, password, private.", prefix)
	}
	if g.CreatedAt == 0 {
		g.CreatedAt = now.Unix()
	}
	return g, w, fe
}

type wireMember struct {
	MemberID     json.RawMessage `json:"memberId"`
	GUID         json.RawMessage `json:"guid"`
	UID          json.RawMessage `json:"uid"`
	Scope        json.RawMessage `json:"scope"`
	IsBanned     json.RawMessage `json:"isBanned"`
	JoinedAt     json.RawMessage `json:"joinedAt"`
	GroupDetails json.RawMessage `json:"groupDetails"`
	UserDetails  json.RawMessage `json:"userDetails"`
}

// memberEcho is what CometChat's documented example returns for a member.
type memberEcho struct {
	GUID     string `json:"guid"`
	UID      string `json:"uid"`
	Scope    string `json:"scope"`
	JoinedAt int64  `json:"joinedAt"`
}

// parseMember checks the member's own fields; groupDetails and userDetails
// are only looked at when the group or user must be created.
func parseMember(e entry) (wireMember, Member, fieldErrors) {
	var fe fieldErrors
	var w wireMember
	if err := json.Unmarshal(e.raw, &w); err != nil {
		fe.add("member", "The member must be a JSON object.")
		return w, Member{}, fe
	}
	memberID := reqString(&fe, "memberId", w.MemberID, 0)
	m := Member{
		GUID:     reqString(&fe, "guid", w.GUID, maxIDLen),
		UID:      reqString(&fe, "uid", w.UID, maxIDLen),
		Scope:    optString(&fe, "scope", w.Scope, 0),
		Banned:   optBool(&fe, "isBanned", w.IsBanned),
		JoinedAt: optUnix(&fe, "joinedAt", w.JoinedAt),
	}
	checkID(&fe, "guid", m.GUID)
	checkID(&fe, "uid", m.UID)
	switch {
	case memberID != "" && memberID != e.key:
		fe.add("memberId", "The memberId must be the same as the key wrapping the member.")
	case memberID != "" && m.GUID != "" && m.UID != "" && memberID != m.GUID+"_member_"+m.UID:
		fe.add("memberId", "The memberId must be <guid>_member_<uid>.")
	}
	if m.Scope == "" {
		m.Scope = scopeParticipant
	} else if !validScope(m.Scope) {
		fe.add("scope", "The scope must be one of admin, moderator, participant.")
	}
	return w, m, fe
}

// importMember validates everything before changing anything, so a failed
// member never leaves a half-created group or user behind.
func (s *Server) importMember(e entry, now time.Time) *entityResult {
	w, m, fe := parseMember(e)
	if len(fe) > 0 {
		return failed("ERR_IMPORT_INVALID_MEMBER_FORMAT", "The member is not in the expected format.", fe)
	}
	guid := strings.ToLower(m.GUID) // CometChat stores guids lower-cased
	g := s.st.groups[guid]
	var newGroup *Group
	if g == nil {
		if isNull(w.GroupDetails) {
			return failed("ERR_GUID_NOT_FOUND", "The group "+m.GUID+" does not exist and no groupDetails were given.", nil)
		}
		ng, _, gfe := parseGroup(w.GroupDetails, "groupDetails.", now)
		if ng.GUID != "" && ng.GUID != m.GUID {
			gfe.add("groupDetails.guid", "The groupDetails.guid must be the same as the member's guid.")
		}
		if len(gfe) > 0 {
			return failed("ERR_IMPORT_INVALID_GROUP_FORMAT", "The groupDetails are not in the expected format.", gfe)
		}
		ng.GUID = guid
		newGroup = &ng
	}
	uid := strings.ToLower(m.UID)
	var newUser *User
	if s.st.users[uid] == nil {
		if isNull(w.UserDetails) {
			if !s.cfg.countOnly {
				return failed("ERR_UID_NOT_FOUND", "The user "+uid+" does not exist and no userDetails were given.", nil)
			}
		} else {
			u, ufe := parseUser(w.UserDetails, "userDetails.", now)
			if u.UID != m.UID && len(ufe["userDetails.uid"]) == 0 {
				ufe.add("userDetails.uid", "The userDetails.uid must be the same as the member's uid.")
			}
			if len(ufe) > 0 {
				return failed("ERR_IMPORT_INVALID_USER_FORMAT", "The userDetails are not in the expected format.", ufe)
			}
			u.UID = uid
			newUser = &u
		}
	}
	if g != nil && g.has(uid) {
		return failed("ERR_ALREADY_JOINED", "The user "+uid+" is already a member of the group "+m.GUID+".", nil)
	}
	createdAt := newGroupCreatedAt(g, newGroup)
	if m.JoinedAt == 0 {
		m.JoinedAt = now.Unix()
	} else if m.JoinedAt < createdAt || m.JoinedAt > now.Unix() {
		var jfe fieldErrors
		jfe.add("joinedAt", "The joinedAt must not be before the group's createdAt (%d) nor in the future.", createdAt)
		return failed("ERR_IMPORT_INVALID_JOINEDAT", "The joinedAt is not valid for this group.", jfe)
	}
	if newGroup != nil {
		g = newGroupState(*newGroup)
		s.st.groups[guid] = g // kept even when counting only: see WithCountOnly
	}
	m.GUID, m.UID = guid, uid
	if !s.cfg.countOnly {
		if newUser != nil {
			s.st.users[uid] = newUser
		}
		g.put(m)
	}
	return &entityResult{Success: true, Data: memberEcho{GUID: m.GUID, UID: m.UID, Scope: m.Scope, JoinedAt: m.JoinedAt}}
}

func newGroupCreatedAt(g *groupState, ng *Group) int64 {
	if g != nil {
		return g.CreatedAt
	}
	return ng.CreatedAt
}

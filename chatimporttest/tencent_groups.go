package chatimporttest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Tencent's documented group limits, in bytes.
const (
	maxTencentGroupName    = 30
	maxTencentIntroduction = 240
	maxTencentNotification = 300
	maxTencentFaceURL      = 100
	tencentCommunityPrefix = "@TGS#_"
	tencentAutoPrefix      = "@TGS#"
)

// TencentGroup is a Tencent group's profile as the fake holds it. Type is
// Tencent's: Public, Private, ChatRoom or Community (the older names Work
// and Meeting are stored as Private and ChatRoom).
type TencentGroup struct {
	GroupID, Type, Name, Owner, FaceURL string
	Introduction, Notification          string
	ApplyJoinOption                     string
	MaxMemberCount, CreateTime          int64
}

var tencentGroupTypes = map[string]string{
	"Public": "Public", "Private": "Private", "Work": "Private",
	"ChatRoom": "ChatRoom", "Meeting": "ChatRoom", "Community": "Community",
}

type tencentGroupBody struct {
	Owner           string `json:"Owner_Account"`
	Type            string `json:"Type"`
	GroupID         string `json:"GroupId"`
	Name            string `json:"Name"`
	Introduction    string `json:"Introduction"`
	Notification    string `json:"Notification"`
	FaceURL         string `json:"FaceUrl"`
	MaxMemberCount  int64  `json:"MaxMemberCount"`
	ApplyJoinOption string `json:"ApplyJoinOption"`
	CreateTime      *int64 `json:"CreateTime"`
}

// tencentGroup serves import_group: one group, its owner (an imported
// account) made its first member. An id in use answers 10025 when the App
// admin owns the group (no Owner_Account, or the admin) and 10021
// otherwise; AVChatRoom answers 10007.
func (s *Server) tencentGroup(body []byte, now time.Time) (map[string]any, int, string) {
	var g tencentGroupBody
	if json.Unmarshal(body, &g) != nil {
		return nil, tcJSONParse, "request body is not valid JSON"
	}
	s.noteBatch(1, []string{g.GroupID})
	typ, known := tencentGroupTypes[g.Type]
	switch {
	case g.Type == "AVChatRoom":
		return nil, tcNoPermission, "AVChatRoom groups cannot be imported"
	case !known:
		return nil, tcBadParam, "Type must be Public, Private, ChatRoom or Community"
	case strings.TrimSpace(g.Name) == "" || len(g.Name) > maxTencentGroupName:
		return nil, tcBadParam, "Name is missing or longer than 30 bytes"
	case len(g.Introduction) > maxTencentIntroduction, len(g.Notification) > maxTencentNotification, len(g.FaceURL) > maxTencentFaceURL:
		return nil, tcBadParam, "Introduction, Notification or FaceUrl is too long"
	case g.MaxMemberCount < 0:
		return nil, tcBadParam, "MaxMemberCount is negative"
	case g.CreateTime != nil && *g.CreateTime > now.Unix():
		return nil, tcBadParam, "CreateTime is in the future"
	case typ == "Community" && g.GroupID != "" && !strings.HasPrefix(g.GroupID, tencentCommunityPrefix):
		return nil, tcBadGroupID, "a Community group's custom id must start with @TGS#_"
	case typ != "Community" && strings.HasPrefix(g.GroupID, tencentAutoPrefix):
		return nil, tcBadGroupID, "a custom group id must not start with @TGS#"
	}
	switch g.ApplyJoinOption {
	case "", "FreeAccess", "NeedPermission", "DisableApply":
	default:
		return nil, tcBadParam, "ApplyJoinOption must be FreeAccess, NeedPermission or DisableApply"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.Owner != "" && !s.st.accounts[g.Owner] && !s.cfg.tencent.looseAccounts && !s.cfg.countOnly {
		return nil, tcNoAccount, "Owner_Account was never imported"
	}
	id := g.GroupID
	if id == "" {
		s.tc.nextID++
		id = tencentAutoPrefix + "fake" + strconv.Itoa(s.tc.nextID)
		if typ == "Community" {
			id = tencentCommunityPrefix + id
		}
	}
	if s.st.tgroups[id] != nil {
		if old := s.tc.groups[id]; old == nil || old.Owner == "" || old.Owner == s.cfg.admin {
			return nil, tcGroupIDOwned, "the group id is in use, and the App admin owns the group"
		}
		return nil, tcGroupIDUsed, "the group id is in use"
	}
	created := now.Unix()
	if g.CreateTime != nil {
		created = *g.CreateTime
	}
	s.tc.groups[id] = &TencentGroup{GroupID: id, Type: typ, Name: g.Name, Owner: g.Owner, FaceURL: g.FaceURL,
		Introduction: g.Introduction, Notification: g.Notification, ApplyJoinOption: g.ApplyJoinOption,
		MaxMemberCount: g.MaxMemberCount, CreateTime: created}
	gs := newGroupState(Group{GUID: id, Name: g.Name, Type: typ, Owner: g.Owner, CreatedAt: created})
	if g.Owner != "" && !s.cfg.countOnly {
		gs.put(Member{GUID: id, UID: g.Owner, Scope: scopeOwner, JoinedAt: created})
	}
	s.st.tgroups[id] = gs
	return map[string]any{"GroupId": id}, tcOK, ""
}

// scopeOwner is a Tencent group's owner among its members.
const scopeOwner = "owner"

// TencentGroups returns the Tencent groups' profiles sorted by id. Groups
// made by AddTencentGroup are Public, named after their id.
func (s *Server) TencentGroups() []TencentGroup {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TencentGroup, 0, len(s.st.tgroups))
	for _, id := range s.tencentGroupIDs() {
		out = append(out, s.tencentProfile(id))
	}
	return out
}

// tencentGroupIDs lists the groups in the order the group list pages
// through them, sorted once per change as sortedKeys does. The caller
// holds s.mu and must not modify the slice.
func (s *Server) tencentGroupIDs() []string {
	return sortedKeys(s.st.tgroups, &s.st.tgroupOrder)
}

// tencentProfile is a group's profile. The caller holds s.mu.
func (s *Server) tencentProfile(id string) TencentGroup {
	if p := s.tc.groups[id]; p != nil {
		return *p
	}
	g := s.st.tgroups[id]
	return TencentGroup{GroupID: id, Type: "Public", Name: g.Name, CreateTime: g.CreatedAt}
}

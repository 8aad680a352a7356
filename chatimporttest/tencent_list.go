package chatimporttest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Listing limits. get_group_member_info's maximum Limit differs between
// the documents (200, 6,000, 10,000); the fake holds clients to the safe
// 100, so one that relies on more finds out in tests.
const (
	maxTencentMemberPage = 100
	maxTencentGroupPage  = 10_000
	maxTencentInfoBatch  = 50
	// Cursors are opaque numbers. The group list's run past 2^31, like the
	// documented sample (4454685361), so a client that decodes them into
	// 32 bits fails at once.
	memberCursorBase uint64 = 144115265295492787
	groupCursorBase  uint64 = 4454685361
)

type tencentMemberInfoBody struct {
	GroupID          *string  `json:"GroupId"`
	Limit            *int     `json:"Limit"`
	Offset           *int     `json:"Offset"`
	Next             *string  `json:"Next"`
	MemberRoleFilter []string `json:"MemberRoleFilter"`
}

type tencentListedMember struct {
	MemberAccount string `json:"Member_Account"`
	Role          string `json:"Role"`
	JoinTime      int64  `json:"JoinTime"`
	MsgFlag       string `json:"MsgFlag"`
	ShutUpUntil   int64  `json:"ShutUpUntil"`
}

// tencentRoles are the roles as get_group_member_info names them; Member
// has the trailing blank of the documented sample, which clients must trim.
var tencentRoles = map[string]string{scopeOwner: "Owner", scopeAdmin: "Admin", scopeParticipant: "Member "}

// tencentMemberInfo serves get_group_member_info in import order: an
// ordinary group by Offset, a Community group by the Next cursor, which it
// requires ("" at first) and which refuses Offset.
func (s *Server) tencentMemberInfo(body []byte, _ time.Time) (map[string]any, int, string) {
	var req tencentMemberInfoBody
	if json.Unmarshal(body, &req) != nil {
		return nil, tcJSONParse, "request body is not valid JSON"
	}
	if req.GroupID == nil || *req.GroupID == "" {
		return nil, tcBadGroupID, "GroupId is missing or empty"
	}
	limit := maxTencentMemberPage
	if req.Limit != nil {
		if limit = *req.Limit; limit < 1 || limit > maxTencentMemberPage {
			return nil, tcBadParam, "Limit must be 1 to " + itoa(maxTencentMemberPage)
		}
	}
	roles := map[string]bool{}
	for _, r := range req.MemberRoleFilter {
		if r != "Owner" && r != "Admin" && r != "Member" {
			return nil, tcBadParam, "MemberRoleFilter may hold only Owner, Admin and Member"
		}
		roles[r] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.tgroups[*req.GroupID]
	if g == nil {
		return nil, tcNoGroup, "the group does not exist or has been disbanded"
	}
	community := s.tencentProfile(g.GUID).Type == "Community"
	start := 0
	switch {
	case community && req.Offset != nil:
		return nil, tcBadParam, "a Community group does not support Offset; page with Next"
	case community && req.Next == nil:
		return nil, tcBadParam, "a Community group requires Next, empty at first"
	case community && *req.Next != "":
		n, err := strconv.ParseUint(*req.Next, 10, 64)
		if err != nil || n <= memberCursorBase || n-memberCursorBase > uint64(len(g.members)) {
			return nil, tcBadParam, "Next is not a cursor this group returned"
		}
		start = int(n - memberCursorBase)
	case !community && req.Offset != nil:
		if start = *req.Offset; start < 0 {
			return nil, tcBadParam, "Offset is negative"
		}
	}
	// Offset counts the members the filter keeps; the cursor is a place in
	// the whole list, as opaque as Tencent's.
	list := []tencentListedMember{}
	matched, end, more := 0, start, false
	for i, m := range g.members {
		role := tencentRoles[m.Scope]
		if len(roles) > 0 && !roles[strings.TrimSpace(role)] {
			continue
		}
		at := matched
		if community {
			at = i
		}
		matched++
		switch {
		case at < start:
		case len(list) < limit:
			list = append(list, tencentListedMember{MemberAccount: m.UID, Role: role, JoinTime: m.JoinedAt, MsgFlag: "AcceptAndNotify"})
			end = i + 1
		default:
			more = true
		}
	}
	fields := map[string]any{"MemberNum": matched, "MemberList": list}
	if community {
		next := ""
		if more {
			next = strconv.FormatUint(memberCursorBase+uint64(end), 10)
		}
		fields["Next"] = next
	}
	return fields, tcOK, ""
}

type tencentGroupListBody struct {
	Limit     *int    `json:"Limit"`
	Next      *uint64 `json:"Next"`
	GroupType string  `json:"GroupType"`
}

// tencentGroupList serves get_appid_group_list: the group ids in id order,
// filtered by GroupType, Next 0 after the last.
func (s *Server) tencentGroupList(body []byte, _ time.Time) (map[string]any, int, string) {
	var req tencentGroupListBody
	if json.Unmarshal(body, &req) != nil {
		return nil, tcJSONParse, "request body is not valid JSON"
	}
	limit := maxTencentGroupPage
	if req.Limit != nil {
		if limit = *req.Limit; limit < 1 || limit > maxTencentGroupPage {
			return nil, tcBadParam, "Limit must be 1 to " + itoa(maxTencentGroupPage)
		}
	}
	want := ""
	if req.GroupType != "" {
		var ok bool
		if want, ok = tencentGroupTypes[req.GroupType]; !ok {
			return nil, tcBadParam, "GroupType is not a group type"
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, id := range s.tencentGroupIDs() {
		if want == "" || s.tencentProfile(id).Type == want {
			ids = append(ids, id)
		}
	}
	start := 0
	if req.Next != nil && *req.Next != 0 {
		n := *req.Next
		if n <= groupCursorBase || n-groupCursorBase > uint64(len(ids)) {
			return nil, tcBadParam, "Next is not a cursor this app returned"
		}
		start = int(n - groupCursorBase)
	}
	end := min(start+limit, len(ids))
	list := make([]map[string]string, 0, end-start)
	for _, id := range ids[start:end] {
		list = append(list, map[string]string{"GroupId": id})
	}
	var next uint64
	if end < len(ids) {
		next = groupCursorBase + uint64(end)
	}
	return map[string]any{"TotalCount": len(ids), "GroupIdList": list, "Next": next}, tcOK, ""
}

// tencentGroupInfo serves get_group_info for at most 50 groups, each with
// its own ErrorCode (10010 for a group that does not exist).
func (s *Server) tencentGroupInfo(body []byte, _ time.Time) (map[string]any, int, string) {
	var req struct {
		GroupIDList []string `json:"GroupIdList"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil, tcJSONParse, "request body is not valid JSON"
	}
	if len(req.GroupIDList) == 0 || len(req.GroupIDList) > maxTencentInfoBatch {
		return nil, tcBadParam, "GroupIdList must hold 1 to " + itoa(maxTencentInfoBatch) + " groups"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	infos := make([]map[string]any, len(req.GroupIDList))
	for i, id := range req.GroupIDList {
		g := s.st.tgroups[id]
		if g == nil {
			infos[i] = map[string]any{"GroupId": id, "ErrorCode": tcNoGroup, "ErrorInfo": "the group does not exist or has been disbanded"}
			continue
		}
		p := s.tencentProfile(id)
		infos[i] = map[string]any{"GroupId": id, "ErrorCode": 0, "ErrorInfo": "", "Type": p.Type, "Name": p.Name,
			"Owner_Account": p.Owner, "FaceUrl": p.FaceURL, "Introduction": p.Introduction, "Notification": p.Notification,
			"ApplyJoinOption": p.ApplyJoinOption, "MaxMemberNum": p.MaxMemberCount, "CreateTime": p.CreateTime,
			"MemberNum": len(g.members)}
	}
	return map[string]any{"GroupInfo": infos}, tcOK, ""
}

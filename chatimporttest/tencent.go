package chatimporttest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/chatimport/chatimport/internal/usersig"
)

// Tencent error codes the fake answers. Where the documentation left a
// choice, the comment says why this one.
const (
	tcOK              = 0
	tcInternal        = 10002 // retryable internal error
	tcBadParam        = 10004 // e.g. a Role other than Admin, an empty MemberList
	tcTooMany         = 10005 // more accounts than the batch limit
	tcRateLimited     = 10006
	tcNoGroup         = 10010
	tcBadGroupID      = 10015 // missing or empty GroupId
	tcHTTPParse       = 60002 // bad random, contenttype or method: the request line is wrong
	tcJSONParse       = 60003
	tcBadSDKAppID     = 60006 // the URL names an app the fake is not
	tcNotAdmin        = 60010
	tcSigExpired      = 70001
	tcSigEmpty        = 70002
	tcSigInvalid      = 70003 // undecodable or wrongly signed
	tcSigUserMismatch = 70013
	tcSigAppMismatch  = 70014 // the sig was issued for another SDKAppID
)

const (
	resultFailed  = 0
	resultOK      = 1
	resultAlready = 2
)

type tencentResult struct {
	MemberAccount string `json:"Member_Account"`
	Result        int    `json:"Result"`
}

type tencentBody struct {
	GroupID    *string         `json:"GroupId"`
	MemberList []tencentMember `json:"MemberList"`
}

type tencentMember struct {
	MemberAccount string `json:"Member_Account"`
	Role          string `json:"Role"`
	JoinTime      *int64 `json:"JoinTime"`
	UnreadMsgNum  *int   `json:"UnreadMsgNum"`
}

// tencentAuth checks the query string. Its messages never contain the
// usersig, so a test log never leaks one.
func (s *Server) tencentAuth(q url.Values, now time.Time) (int, string) {
	if app, err := strconv.ParseUint(q.Get("sdkappid"), 10, 64); err != nil || app != s.cfg.sdkAppID {
		return tcBadSDKAppID, "sdkappid is missing or is not this app's SDKAppID"
	}
	identifier := q.Get("identifier")
	if identifier != s.cfg.admin {
		return tcNotAdmin, "identifier must be the App admin"
	}
	sig := q.Get("usersig")
	if sig == "" {
		return tcSigEmpty, "usersig is empty"
	}
	claims, err := usersig.Verify(sig, s.cfg.sdkAppID, s.cfg.secretKey, now)
	switch {
	case errors.Is(err, usersig.ErrExpired):
		return tcSigExpired, "usersig expired"
	case errors.Is(err, usersig.ErrWrongApp):
		return tcSigAppMismatch, "usersig was issued for another SDKAppID"
	case err != nil:
		return tcSigInvalid, "usersig verification failed"
	case claims.Identifier != identifier:
		return tcSigUserMismatch, "identifier does not match the usersig"
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		return tcHTTPParse, "random must be a 32-bit unsigned integer"
	}
	if q.Get("contenttype") != "json" {
		return tcHTTPParse, "contenttype must be json"
	}
	return tcOK, ""
}

// tencentImport serves import_group_member as tencentServe serves the
// other commands, through its own window.
func (s *Server) tencentImport(w http.ResponseWriter, r *http.Request) {
	s.tencentRun(w, r, &tencentCommand{rateCode: tcRateLimited, internal: tcInternal, serve: (*Server).importMembers}, s.tencentLimit)
}

func (s *Server) importMembers(body []byte, now time.Time) (map[string]any, int, string) {
	var req tencentBody
	if json.Unmarshal(body, &req) != nil {
		return nil, tcJSONParse, "request body is not valid JSON"
	}
	results, code, info := s.applyTencent(req, now)
	if code != tcOK {
		return nil, code, info
	}
	return map[string]any{"MemberList": results}, tcOK, ""
}

// applyTencent validates the request as a whole (any failure there applies
// nothing), then imports member by member.
func (s *Server) applyTencent(req tencentBody, now time.Time) ([]tencentResult, int, string) {
	groupID := ""
	if req.GroupID != nil {
		groupID = *req.GroupID
	}
	ids := make([]string, len(req.MemberList))
	for i, m := range req.MemberList {
		ids[i] = groupID + "/" + m.MemberAccount
	}
	if groupID == "" {
		s.noteBatch(len(ids), nil) // no id to count entities under
		return nil, tcBadGroupID, "GroupId is missing or empty"
	}
	s.noteBatch(len(ids), ids)
	switch {
	case len(req.MemberList) == 0:
		return nil, tcBadParam, "MemberList is missing or empty"
	case len(req.MemberList) > s.cfg.tencentBatch:
		return nil, tcTooMany, "MemberList has more than " + itoa(s.cfg.tencentBatch) + " accounts"
	}
	for _, m := range req.MemberList {
		if m.MemberAccount == "" {
			return nil, tcBadParam, "Member_Account is missing or empty"
		}
		if m.Role != "" && m.Role != "Admin" {
			return nil, tcBadParam, "Role may only be Admin"
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.tgroups[groupID]
	if g == nil {
		if !s.cfg.autoCreate {
			return nil, tcNoGroup, "the group does not exist or has been disbanded"
		}
		g = newGroupState(Group{GUID: groupID, Name: groupID})
		s.st.tgroups[groupID] = g
	}
	results := make([]tencentResult, len(req.MemberList))
	for i, m := range req.MemberList {
		results[i] = tencentResult{MemberAccount: m.MemberAccount, Result: s.importTencentMember(g, m, now)}
	}
	return results, tcOK, ""
}

func (s *Server) importTencentMember(g *groupState, m tencentMember, now time.Time) int {
	if !s.st.accounts[m.MemberAccount] && !s.cfg.countOnly && !s.cfg.tencent.looseAccounts {
		if !s.cfg.autoCreate {
			return resultFailed
		}
		s.st.accounts[m.MemberAccount] = true
	}
	if g.has(m.MemberAccount) {
		return resultAlready
	}
	joined := now.Unix()
	if m.JoinTime != nil {
		joined = *m.JoinTime
		if joined < g.CreatedAt || joined > now.Unix() {
			return resultFailed
		}
	}
	unread := 0
	if m.UnreadMsgNum != nil {
		if *m.UnreadMsgNum < 0 {
			return resultFailed
		}
		unread = *m.UnreadMsgNum
	}
	if !s.cfg.countOnly {
		scope := scopeParticipant
		if m.Role == "Admin" {
			scope = scopeAdmin
		}
		g.put(Member{GUID: g.GUID, UID: m.MemberAccount, Scope: scope, JoinedAt: joined, UnreadMsgNum: unread})
	}
	return resultOK
}

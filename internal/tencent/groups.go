package tencent

import (
	"github.com/chatimport/chatimport/internal/wirejson"
)

// The group commands.
const (
	PathImportGroup     = "/v4/group_open_http_svc/import_group"          // https://www.tencentcloud.com/document/product/1047/34967
	PathGroupList       = "/v4/group_open_http_svc/get_appid_group_list"  // https://www.tencentcloud.com/document/product/1047/34960
	PathGroupInfo       = "/v4/group_open_http_svc/get_group_info"        // https://www.tencentcloud.com/document/product/1047/34962
	PathGroupMemberInfo = "/v4/group_open_http_svc/get_group_member_info" // https://www.tencentcloud.com/document/product/1047/34948
)

// ImportGroup is import_group's body.
type ImportGroup struct {
	Owner           string // Owner_Account
	Type            string
	GroupID         string
	Name            string
	Introduction    string
	Notification    string
	FaceURL         string
	MaxMemberCount  int64
	ApplyJoinOption string
	CreateTime      int64
}

// AppendImportGroup appends g's JSON to dst, leaving out what is not set.
func AppendImportGroup(dst []byte, g *ImportGroup) []byte {
	o := wirejson.Begin(dst)
	o.String("Owner_Account", g.Owner)
	o.String("Type", g.Type)
	o.String("GroupId", g.GroupID)
	o.String("Name", g.Name)
	o.String("Introduction", g.Introduction)
	o.String("Notification", g.Notification)
	o.String("FaceUrl", g.FaceURL)
	o.Int("MaxMemberCount", g.MaxMemberCount)
	o.String("ApplyJoinOption", g.ApplyJoinOption)
	o.Int("CreateTime", g.CreateTime)
	return o.End()
}

// GroupAnswer is import_group's answer.
type GroupAnswer struct {
	Envelope
	GroupID string `json:"GroupId"`
}

// GroupListRequest is get_appid_group_list's body.
type GroupListRequest struct {
	Limit int    `json:"Limit"`
	Next  uint64 `json:"Next"`
}

// GroupListAnswer is get_appid_group_list's answer. Next is 0 after the
// last page; it runs past 2^31 (the documented sample is 4454685361), so
// it is 64 bits wide.
type GroupListAnswer struct {
	Envelope
	TotalCount  int64 `json:"TotalCount"`
	GroupIDList []struct {
		GroupID string `json:"GroupId"`
	} `json:"GroupIdList"`
	Next uint64 `json:"Next"`
}

// GroupInfoRequest is get_group_info's body.
type GroupInfoRequest struct {
	GroupIDList []string `json:"GroupIdList"`
}

// GroupInfoAnswer is get_group_info's answer: one entry per group asked,
// each with its own ErrorCode.
type GroupInfoAnswer struct {
	Envelope
	GroupInfo []GroupInfo `json:"GroupInfo"`
}

// GroupInfo is one group's details.
type GroupInfo struct {
	GroupID         string `json:"GroupId"`
	ErrorCode       int    `json:"ErrorCode"`
	ErrorInfo       string `json:"ErrorInfo"`
	Type            string `json:"Type"`
	Name            string `json:"Name"`
	Introduction    string `json:"Introduction"`
	Notification    string `json:"Notification"`
	FaceURL         string `json:"FaceUrl"`
	Owner           string `json:"Owner_Account"`
	CreateTime      Int    `json:"CreateTime"`
	MaxMemberNum    Int    `json:"MaxMemberNum"`
	ApplyJoinOption string `json:"ApplyJoinOption"`
}

// MemberInfoRequest is get_group_member_info's body: Offset pages an
// ordinary group, Next (required, "" at first) a Community group, which
// refuses Offset.
type MemberInfoRequest struct {
	GroupID          string   `json:"GroupId"`
	Limit            int      `json:"Limit"`
	Offset           *int64   `json:"Offset,omitempty"`
	Next             *string  `json:"Next,omitempty"`
	MemberInfoFilter []string `json:"MemberInfoFilter"`
	MemberRoleFilter []string `json:"MemberRoleFilter,omitempty"`
}

// MemberInfoAnswer is get_group_member_info's answer.
type MemberInfoAnswer struct {
	Envelope
	MemberNum  int64        `json:"MemberNum"`
	MemberList []ListMember `json:"MemberList"`
	Next       string       `json:"Next"`
}

// ListMember is one listed member. Role may carry trailing blanks (the
// documented sample has "Member "): compare it trimmed.
type ListMember struct {
	Account  string `json:"Member_Account"`
	Role     string `json:"Role"`
	JoinTime Int    `json:"JoinTime"`
}

// Int is an integer Tencent sends as a JSON number or a numeric string.
type Int = wirejson.Int

// Env returns the envelope, so that every answer can be judged alike.
func (e Envelope) Env() Envelope { return e }

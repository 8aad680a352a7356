// Package tencent is the wire format of Tencent Cloud Chat's REST API v4:
// the signed query string, import_group_member's body and answer, and the
// envelope every answer shares.
package tencent

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// PathImportGroupMember is the import_group_member command.
const PathImportGroupMember = "/v4/group_open_http_svc/import_group_member"

// Regions maps each documented region to its REST domain; an SDKAppID
// belongs to exactly one of them.
var Regions = map[string]string{
	"china":     "console.tim.qq.com",
	"singapore": "adminapisgp.im.qcloud.com",
	"seoul":     "adminapikr.im.qcloud.com",
	"frankfurt": "adminapiger.im.qcloud.com",
	"mumbai":    "adminapiind.im.qcloud.com",
	"usa":       "adminapiusa.im.qcloud.com",
	"tokyo":     "adminapijpn.im.qcloud.com",
	"jakarta":   "adminapiidn.im.qcloud.com",
}

// RegionNames lists the regions in a stable order, for messages.
func RegionNames() []string {
	names := make([]string, 0, len(Regions))
	for n := range Regions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Query returns the query string every request carries. random must be new
// on every attempt.
func Query(sdkAppID uint64, identifier, userSig string, random uint32) string {
	var b strings.Builder
	b.Grow(96 + len(userSig))
	b.WriteString("sdkappid=")
	b.WriteString(strconv.FormatUint(sdkAppID, 10))
	b.WriteString("&identifier=")
	b.WriteString(url.QueryEscape(identifier))
	b.WriteString("&usersig=")
	b.WriteString(url.QueryEscape(userSig))
	b.WriteString("&random=")
	b.WriteString(strconv.FormatUint(uint64(random), 10))
	b.WriteString("&contenttype=json")
	return b.String()
}

// Member is one entry of import_group_member's MemberList.
type Member struct {
	Account      string `json:"Member_Account"`
	Role         string `json:"Role,omitempty"` // only "Admin" can be imported
	JoinTime     int64  `json:"JoinTime,omitempty"`
	UnreadMsgNum int    `json:"UnreadMsgNum,omitempty"`
}

// AppendImportBody appends {"GroupId":…,"MemberList":[…]} to dst; the
// members are already-encoded JSON objects.
func AppendImportBody(dst []byte, groupID string, members [][]byte) []byte {
	dst = append(dst, `{"GroupId":`...)
	id, _ := json.Marshal(groupID) // a string always marshals
	dst = append(dst, id...)
	dst = append(dst, `,"MemberList":[`...)
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, m...)
	}
	return append(dst, "]}"...)
}

// Envelope is what every answer carries: ErrorCode 0 is success.
type Envelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
}

// Results of one imported member.
const (
	ResultFailed   = 0
	ResultImported = 1
	ResultExisted  = 2
)

// ImportAnswer is import_group_member's answer.
type ImportAnswer struct {
	Envelope
	MemberList []MemberResult `json:"MemberList"`
}

// MemberResult is the answer for one member.
type MemberResult struct {
	Account string `json:"Member_Account"`
	Result  int    `json:"Result"`
}

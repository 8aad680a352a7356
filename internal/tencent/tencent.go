// Package tencent is the wire format of Tencent Cloud Chat's REST API v4:
// the signed query string, import_group_member's body and answer, and the
// envelope every answer shares.
package tencent

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/chatimport/chatimport/internal/wirejson"
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

// AppendMember appends m's JSON to dst, leaving out what is not set.
func AppendMember(dst []byte, m *Member) []byte {
	o := wirejson.Begin(dst)
	o.Required("Member_Account", m.Account)
	o.String("Role", m.Role)
	o.Int("JoinTime", m.JoinTime)
	o.Int("UnreadMsgNum", int64(m.UnreadMsgNum))
	return o.End()
}

// AppendImportBody appends {"GroupId":…,"MemberList":[…]} to dst, with n
// members, each already-encoded JSON returned by member(i).
func AppendImportBody(dst []byte, groupID string, n int, member func(i int) []byte) []byte {
	dst = append(dst, `{"GroupId":`...)
	dst = wirejson.AppendString(dst, groupID)
	dst = append(dst, `,"MemberList":[`...)
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, member(i)...)
	}
	return append(dst, "]}"...)
}

// Envelope is what every answer carries: ErrorCode 0 is success.
type Envelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
}

// ReadError reads the envelope of a failed request's body, and reports
// false when body is not one (an HTML page from a proxy) or its ErrorCode
// is not a non-zero integer. An ActionStatus or ErrorInfo of the wrong type
// is left empty rather than losing the code.
func ReadError(body []byte) (Envelope, bool) {
	var env Envelope
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(body, &env); err != nil && !errors.As(err, &typeErr) {
		return Envelope{}, false
	}
	return env, env.ErrorCode != 0
}

// Results of one imported member.
const (
	ResultFailed   = 0
	ResultImported = 1
	ResultExisted  = 2
)

// ReadImportAnswer reads import_group_member's answer in one pass, in
// place, calling each for every member with its account (aliasing data
// unless it has escapes) and Result. Only the envelope's ErrorInfo is
// copied out. null stands for an absent field or entry: a member without
// both an account and a Result is not reported.
func ReadImportAnswer(data []byte, each func(account []byte, result int)) (Envelope, error) {
	var env Envelope
	r := wirejson.NewReader(data)
	err := r.Object(func(key []byte) error {
		if r.Null() {
			return nil
		}
		switch string(key) {
		case "ActionStatus":
			s, err := r.String()
			env.ActionStatus = string(s)
			return err
		case "ErrorCode":
			n, err := r.Int()
			env.ErrorCode = int(n)
			return err
		case "ErrorInfo":
			s, err := r.String()
			env.ErrorInfo = string(s)
			return err
		case "MemberList":
			return r.Array(func() error { return readMemberResult(r, each) })
		}
		return r.Skip()
	})
	if err == nil {
		err = r.End()
	}
	if err != nil {
		return Envelope{}, fmt.Errorf("import_group_member answer: %w", err)
	}
	return env, nil
}

func readMemberResult(r *wirejson.Reader, each func([]byte, int)) error {
	if r.Null() {
		return nil
	}
	var account []byte
	result := -1
	err := r.Object(func(key []byte) error {
		if r.Null() {
			return nil
		}
		var err error
		switch string(key) {
		case "Member_Account":
			account, err = r.String()
		case "Result":
			var n int64
			n, err = r.Int()
			result = int(n)
		default:
			err = r.Skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if account != nil && result >= 0 {
		each(account, result)
	}
	return nil
}

package chatimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// The hand-rolled benchmarks are the client a team writes without
// chatimport, for comparison in the same run: encoding/json structs, one
// http.Client, the same in-memory answers, and nothing else (no validation,
// no duplicate detection, no pacing, no retries, no per-item accounting).

type handRolledTencentMember struct {
	Account      string `json:"Member_Account"`
	Role         string `json:"Role,omitempty"`
	JoinTime     int64  `json:"JoinTime,omitempty"`
	UnreadMsgNum int    `json:"UnreadMsgNum,omitempty"`
}

func BenchmarkHandRolledTencentImport300(b *testing.B) {
	members, answer := tencent300()
	hc := &http.Client{Transport: &replay{body: answer}}
	b.ReportAllocs()
	for b.Loop() {
		body := struct {
			GroupID    string                    `json:"GroupId"`
			MemberList []handRolledTencentMember `json:"MemberList"`
		}{GroupID: members[0].GUID}
		for _, m := range members {
			w := handRolledTencentMember{Account: m.UID, JoinTime: m.JoinedAt.Unix(), UnreadMsgNum: m.UnreadCount}
			if m.Scope == ScopeAdmin {
				w.Role = "Admin"
			}
			body.MemberList = append(body.MemberList, w)
		}
		var got struct {
			ActionStatus string
			ErrorCode    int
			MemberList   []struct {
				Account string `json:"Member_Account"`
				Result  int
			}
		}
		handRolledPost(b, hc, "https://adminapisgp.im.qcloud.com/v4/group_open_http_svc/import_group_member?sdkappid=1400000000&identifier=administrator&usersig=x&random=1&contenttype=json", body, &got)
		ok := map[string]bool{}
		for _, r := range got.MemberList {
			ok[r.Account] = r.Result == 1
		}
		if len(ok) != len(members) {
			b.Fatal(len(ok))
		}
	}
}

type handRolledUser struct {
	UID          string         `json:"uid"`
	Name         string         `json:"name"`
	Avatar       string         `json:"avatar,omitempty"`
	Link         string         `json:"link,omitempty"`
	Role         string         `json:"role,omitempty"`
	CreatedAt    int64          `json:"createdAt,omitempty"`
	LastActiveAt int64          `json:"lastActiveAt,omitempty"`
	Metadata     map[string]any `json:"metadata,omitempty"`
	Tags         []string       `json:"tags,omitempty"`
}

func BenchmarkHandRolledCometChatImportUsers50(b *testing.B) {
	users, answer := cometChatUsers50()
	hc := &http.Client{Transport: &replay{body: answer}}
	b.ReportAllocs()
	for b.Loop() {
		body := map[string]map[string]handRolledUser{"users": {}}
		for _, u := range users {
			body["users"][u.UID] = handRolledUser{UID: u.UID, Name: u.Name, Avatar: u.Avatar, Role: u.Role,
				CreatedAt: u.CreatedAt.Unix(), LastActiveAt: u.LastActiveAt.Unix(), Metadata: u.Metadata, Tags: u.Tags}
		}
		var got struct {
			Data map[string]struct {
				Success bool            `json:"success"`
				Data    json.RawMessage `json:"data"`
				Error   *struct{ Code string }
			} `json:"data"`
		}
		handRolledPost(b, hc, "https://fake-app.api-us.cometchat.io/v3/data_import/users", body, &got)
		if len(got.Data) != len(users) {
			b.Fatal(len(got.Data))
		}
	}
}

func handRolledPost(b *testing.B, hc *http.Client, url string, body, answer any) {
	data, err := json.Marshal(body)
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("apikey", "fake-api-key")
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(answer); err != nil {
		b.Fatal(fmt.Errorf("decode: %w", err))
	}
}

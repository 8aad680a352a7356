package chatimport

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// More client-cost pairs: each chatimport benchmark here has a HandRolled
// twin sending the same request with encoding/json structs and one
// http.Client (see handrolled_bench_test.go), against the same in-memory
// answer, so one run compares the two.

// benchGroups are 50 CometChat groups as a migration has them.
func benchGroups() []Group {
	created := time.Unix(1673421419, 0)
	groups := make([]Group, 50)
	for i := range groups {
		groups[i] = Group{
			GUID: fmt.Sprintf("group-%05d", i), Name: fmt.Sprintf("Group Number %d", i),
			Icon: fmt.Sprintf("https://cdn.example.com/groups/%d.png", i), Description: "Imported from the old chat",
			Type: GroupPublic, Owner: "user-00000", CreatedAt: created,
			Metadata: map[string]any{"region": "emea", "@private": map[string]any{"id": i}}, Tags: []string{"migrated"},
		}
	}
	return groups
}

// cometChatGroups50 is one groups import's worth and its echoing answer.
func cometChatGroups50() ([]Group, []byte) {
	groups := benchGroups()
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.GUID
	}
	return groups, cometChatEcho(ids, func(id string) string {
		return `{"guid":"` + id + `","name":"Group","type":"public","conversationId":"group_` + id + `","owner":"user-00000","createdAt":1673421419}`
	})
}

func BenchmarkCometChatImportGroups50(b *testing.B) {
	groups, answer := cometChatGroups50()
	c := benchClient(b, func(opts ...Option) (*Client, error) { return NewCometChat("fake-app", "us", "fake-api-key", opts...) }, answer)
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.ImportGroups(b.Context(), groups)
		if err != nil || res.Count(StatusImported) != len(groups) {
			b.Fatal(err)
		}
	}
}

type handRolledGroup struct {
	GUID        string         `json:"guid"`
	Name        string         `json:"name"`
	Icon        string         `json:"icon,omitempty"`
	Description string         `json:"description,omitempty"`
	Type        string         `json:"type"`
	Password    string         `json:"password,omitempty"`
	Owner       string         `json:"owner,omitempty"`
	CreatedAt   int64          `json:"createdAt,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
}

func handRolledGroupOf(g *Group) handRolledGroup {
	return handRolledGroup{GUID: g.GUID, Name: g.Name, Icon: g.Icon, Description: g.Description, Type: string(g.Type),
		Password: g.Password, Owner: g.Owner, CreatedAt: g.CreatedAt.Unix(), Metadata: g.Metadata, Tags: g.Tags}
}

// handRolledCometChatAnswer is CometChat's import answer, keyed by id.
type handRolledCometChatAnswer struct {
	Data map[string]struct {
		Success bool            `json:"success"`
		Data    json.RawMessage `json:"data"`
		Error   *struct{ Code string }
	} `json:"data"`
}

func BenchmarkHandRolledCometChatImportGroups50(b *testing.B) {
	groups, answer := cometChatGroups50()
	hc := &http.Client{Transport: &replay{body: answer}}
	b.ReportAllocs()
	for b.Loop() {
		body := map[string]map[string]handRolledGroup{"groups": {}}
		for i := range groups {
			body["groups"][groups[i].GUID] = handRolledGroupOf(&groups[i])
		}
		var got handRolledCometChatAnswer
		handRolledPost(b, hc, "https://fake-app.api-us.cometchat.io/v3/data_import/groups", body, &got)
		if len(got.Data) != len(groups) {
			b.Fatal(len(got.Data))
		}
	}
}

type handRolledMember struct {
	MemberID     string           `json:"memberId"`
	GUID         string           `json:"guid"`
	UID          string           `json:"uid"`
	Scope        string           `json:"scope"`
	IsBanned     bool             `json:"isBanned,omitempty"`
	JoinedAt     int64            `json:"joinedAt,omitempty"`
	GroupDetails *handRolledGroup `json:"groupDetails,omitempty"`
	UserDetails  *handRolledUser  `json:"userDetails,omitempty"`
}

func BenchmarkHandRolledCometChatImportMembers50(b *testing.B) {
	members, answer := cometChatMembers50()
	hc := &http.Client{Transport: &replay{body: answer}}
	b.ReportAllocs()
	for b.Loop() {
		body := map[string]map[string]handRolledMember{"members": {}}
		for i := range members {
			m := &members[i]
			id := m.GUID + "_member_" + m.UID
			w := handRolledMember{MemberID: id, GUID: m.GUID, UID: m.UID, Scope: string(m.Scope), IsBanned: m.Banned, JoinedAt: m.JoinedAt.Unix()}
			if m.Group != nil {
				g := handRolledGroupOf(m.Group)
				g.GUID = m.GUID
				w.GroupDetails = &g
			}
			if u := m.User; u != nil {
				w.UserDetails = &handRolledUser{UID: m.UID, Name: u.Name, Avatar: u.Avatar, Role: u.Role,
					CreatedAt: u.CreatedAt.Unix(), LastActiveAt: u.LastActiveAt.Unix(), Metadata: u.Metadata, Tags: u.Tags}
			}
			body["members"][id] = w
		}
		var got handRolledCometChatAnswer
		handRolledPost(b, hc, "https://fake-app.api-us.cometchat.io/v3/data_import/members", body, &got)
		if len(got.Data) != len(members) {
			b.Fatal(len(got.Data))
		}
	}
}

// tencentAccounts100 is one multiaccount_import request's worth: 100
// accounts with a nickname and a photo, and the answer of a request in
// which none failed.
func tencentAccounts100() ([]User, []byte) {
	users := make([]User, 100)
	for i := range users {
		users[i] = User{UID: fmt.Sprintf("account-%06d", i), Name: fmt.Sprintf("User Number %d", i),
			Avatar: fmt.Sprintf("https://cdn.example.com/avatars/%d.png", i)}
	}
	return users, []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"FailAccounts":[]}`)
}

func newBenchTencent(opts ...Option) (*Client, error) {
	return NewTencent(1400000000, "fake-secret-key", append(opts, WithRegion("singapore"))...)
}

func BenchmarkTencentImportAccounts100(b *testing.B) {
	users, answer := tencentAccounts100()
	c := benchClient(b, newBenchTencent, answer)
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.ImportUsers(b.Context(), users)
		if err != nil || res.Count(StatusImported) != len(users) {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandRolledTencentImportAccounts100(b *testing.B) {
	users, answer := tencentAccounts100()
	hc := &http.Client{Transport: &replay{body: answer}}
	type account struct {
		UserID  string `json:"UserID"`
		Nick    string `json:"Nick,omitempty"`
		FaceURL string `json:"FaceUrl,omitempty"`
	}
	b.ReportAllocs()
	for b.Loop() {
		var body struct {
			AccountList []account `json:"AccountList"`
		}
		for _, u := range users {
			body.AccountList = append(body.AccountList, account{UserID: u.UID, Nick: u.Name, FaceURL: u.Avatar})
		}
		var got struct {
			ActionStatus string
			ErrorCode    int
			FailAccounts []string
		}
		handRolledPost(b, hc, "https://adminapisgp.im.qcloud.com/v4/im_open_login_svc/multiaccount_import?sdkappid=1400000000&identifier=administrator&usersig=x&random=1&contenttype=json", body, &got)
		if got.ErrorCode != 0 || len(got.FailAccounts) != 0 {
			b.Fatal(got.ErrorCode)
		}
	}
}

// unpaced turns off the pacing of every budget, listings' included
// (WithRateLimit turns off only the imports'), so that a listing benchmark
// measures the client's cost and not its documented pace.
func unpaced() Option { return WithLimiterFunc(func(Budget) (Limiter, error) { return nil, nil }) }

// cometChatMembersPage is one full page of 1,000 members of group "big",
// shaped like chatimporttest's, as the only page of a memberPages
// transport: ListMembers reads it, then asks for page 2, which is empty,
// because a full page cannot tell it is the last.
func cometChatMembersPage() memberPages {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range 1000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"uid":"user-%06d","name":"User Number %d","avatar":"https://cdn.example.com/avatars/%d.png","role":"default","status":"offline","scope":"participant",`+
			`"joinedAt":1638360106,"createdAt":1629869270,"updatedAt":1630308676,"conversationId":"group_big"}`, i, i, i)
	}
	b.WriteString(`],"meta":{"pagination":{"total":1000,"count":1000,"per_page":1000,"current_page":1,"total_pages":1},"cursor":{"affix":"append","updatedAt":1630308676}}}`)
	return memberPages{[]byte(b.String())}
}

// BenchmarkCometChatListMembers1000 walks a group of 1,000 members with
// ListMembers: one full page, then the empty page 2 that ends the walk.
func BenchmarkCometChatListMembers1000(b *testing.B) {
	c, err := NewCometChat("fake-app", "us", "fake-api-key", WithHTTPClient(&http.Client{Transport: cometChatMembersPage()}), unpaced())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for m, err := range c.ListMembers(b.Context(), "big", nil) {
			if err != nil || m.User == nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 1000 {
			b.Fatal(n)
		}
	}
}

// BenchmarkHandRolledCometChatListMembers1000 walks the same pages the
// way a hand-rolled client does: until a page comes back short.
func BenchmarkHandRolledCometChatListMembers1000(b *testing.B) {
	hc := &http.Client{Transport: cometChatMembersPage()}
	type listed struct {
		UID            string         `json:"uid"`
		Name           string         `json:"name"`
		Avatar         string         `json:"avatar"`
		Link           string         `json:"link"`
		Role           string         `json:"role"`
		Status         string         `json:"status"`
		Scope          string         `json:"scope"`
		JoinedAt       int64          `json:"joinedAt"`
		CreatedAt      int64          `json:"createdAt"`
		UpdatedAt      int64          `json:"updatedAt"`
		Metadata       map[string]any `json:"metadata"`
		Tags           []string       `json:"tags"`
		ConversationID string         `json:"conversationId"`
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for page := 1; ; page++ {
			var got struct {
				Data []listed `json:"data"`
			}
			handRolledGet(b, hc, fmt.Sprintf("https://fake-app.api-us.cometchat.io/v3/groups/big/members?perPage=1000&page=%d", page), &got)
			n += len(got.Data)
			if len(got.Data) < 1000 {
				break
			}
		}
		if n != 1000 {
			b.Fatal(n)
		}
	}
}

// tencentMembersPage100 is one full get_group_member_info page: 100
// members of a group of 1,000. 100 is the largest page chatimport asks
// for (and chatimporttest serves): Tencent's documents say 200 at most
// with 100 recommended in one place, 6,000 or 10,000 in others, and an
// answer over 1 MB fails (10018).
func tencentMembersPage100() []byte {
	var b strings.Builder
	b.WriteString(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MemberNum":1000,"MemberList":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Member_Account":"account-%06d","Role":"Member ","JoinTime":%d,"MsgFlag":"AcceptAndNotify","ShutUpUntil":0}`, i, 1700000000+i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkTencentListMembersPage100 reads one page with a fresh pager's
// NextPage: one request, as the hand-rolled twin sends.
func BenchmarkTencentListMembersPage100(b *testing.B) {
	c := benchClient(b, func(opts ...Option) (*Client, error) { return newBenchTencent(append(opts, unpaced())...) }, tencentMembersPage100())
	b.ReportAllocs()
	for b.Loop() {
		members, err := c.MembersPager("@TGS#2J4SZEAEL", nil).NextPage(b.Context())
		if err != nil || len(members) != 100 {
			b.Fatal(err, len(members))
		}
	}
}

func BenchmarkHandRolledTencentListMembersPage100(b *testing.B) {
	hc := &http.Client{Transport: &replay{body: tencentMembersPage100()}}
	type request struct {
		GroupID          string   `json:"GroupId"`
		Limit            int      `json:"Limit"`
		Offset           int      `json:"Offset"`
		MemberInfoFilter []string `json:"MemberInfoFilter"`
	}
	b.ReportAllocs()
	for b.Loop() {
		var got struct {
			ActionStatus string
			ErrorCode    int
			MemberNum    int
			MemberList   []struct {
				Account  string `json:"Member_Account"`
				Role     string
				JoinTime int64
			}
		}
		handRolledPost(b, hc, "https://adminapisgp.im.qcloud.com/v4/group_open_http_svc/get_group_member_info?sdkappid=1400000000&identifier=administrator&usersig=x&random=1&contenttype=json",
			request{GroupID: "@TGS#2J4SZEAEL", Limit: 100, MemberInfoFilter: []string{"Role", "JoinTime"}}, &got)
		if got.ErrorCode != 0 || len(got.MemberList) != 100 {
			b.Fatal(got.ErrorCode, len(got.MemberList))
		}
	}
}

func handRolledGet(b *testing.B, hc *http.Client, url string, answer any) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
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

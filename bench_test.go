package chatimport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// replay answers every request with one prebuilt body, in memory, so a
// benchmark measures the client alone: no sockets, no server.
type replay struct {
	body []byte
}

func (r *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(r.body)), Request: req,
	}, nil
}

func benchClient(b *testing.B, newClient func(...Option) (*Client, error), answer []byte) *Client {
	b.Helper()
	c, err := newClient(WithHTTPClient(&http.Client{Transport: &replay{body: answer}}), WithRateLimit(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// tencent300 is one import_group_member request's worth: 300 members of
// one group, and the answer with 300 results.
func tencent300() ([]Member, []byte) {
	members := make([]Member, 300)
	var answer strings.Builder
	answer.WriteString(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MemberList":[`)
	for i := range members {
		members[i] = Member{GUID: "@TGS#2J4SZEAEL", UID: fmt.Sprintf("account-%06d", i), JoinedAt: time.Unix(1448357837, 0), UnreadCount: i % 7}
		if i%10 == 0 {
			members[i].Scope = ScopeAdmin
		}
		if i > 0 {
			answer.WriteByte(',')
		}
		fmt.Fprintf(&answer, `{"Member_Account":"account-%06d","Result":1}`, i)
	}
	answer.WriteString(`]}`)
	return members, []byte(answer.String())
}

// BenchmarkTencentImport300 is one import_group_member request of 300
// members of one group, answered with 300 results.
func BenchmarkTencentImport300(b *testing.B) {
	members, answer := tencent300()
	c := benchClient(b, func(opts ...Option) (*Client, error) {
		return NewTencent(1400000000, "fake-secret-key", append(opts, WithRegion("singapore"))...)
	}, answer)
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.ImportMembers(b.Context(), members)
		if err != nil || res.Count(StatusImported) != len(members) {
			b.Fatal(err)
		}
	}
}

// benchUsers are 50 users as a real migration has them: metadata and tags.
func benchUsers() []User {
	users := make([]User, 50)
	for i := range users {
		users[i] = User{
			UID: fmt.Sprintf("user-%05d", i), Name: fmt.Sprintf("User Number %d", i),
			Avatar:    fmt.Sprintf("https://cdn.example.com/avatars/%d.png", i),
			Role:      "default",
			Metadata:  map[string]any{"email": fmt.Sprintf("user%d@example.com", i), "plan": "pro", "@private": map[string]any{"id": i}},
			Tags:      []string{"migrated", "beta"},
			CreatedAt: time.Unix(1673421419, 0), LastActiveAt: time.Unix(1673421425, 0),
		}
	}
	return users
}

// cometChatEcho is an import answer echoing every entity, as CometChat does.
func cometChatEcho(ids []string, echo func(id string) string) []byte {
	var b strings.Builder
	b.WriteString(`{"data":{`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `%q:{"success":true,"data":%s}`, id, echo(id))
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// cometChatUsers50 is one users import's worth and its echoing answer.
func cometChatUsers50() ([]User, []byte) {
	users := benchUsers()
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.UID
	}
	return users, cometChatEcho(ids, func(id string) string {
		return `{"uid":"` + id + `","name":"User","avatar":"https://cdn.example.com/a.png","metadata":{"email":"u@example.com","plan":"pro","@private":{"id":1}},"status":"offline","role":"default","tags":["migrated","beta"],"lastActiveAt":1673421425,"createdAt":1673421419}`
	})
}

func BenchmarkCometChatImportUsers50(b *testing.B) {
	users, answer := cometChatUsers50()
	c := benchClient(b, func(opts ...Option) (*Client, error) { return NewCometChat("fake-app", "us", "fake-api-key", opts...) }, answer)
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.ImportUsers(b.Context(), users)
		if err != nil || res.Count(StatusImported) != len(users) {
			b.Fatal(err)
		}
	}
}

// cometChatMembers50 is one members import's worth, with group and user
// details, and its echoing answer.
func cometChatMembers50() ([]Member, []byte) {
	users := benchUsers()
	created := time.Unix(1673421419, 0)
	members := make([]Member, 50)
	ids := make([]string, 50)
	for i := range members {
		guid := fmt.Sprintf("group-%d", i%5)
		members[i] = Member{GUID: guid, UID: users[i].UID, Scope: ScopeParticipant, JoinedAt: created.Add(time.Hour),
			Group: &Group{Name: "Group " + guid, Type: GroupPublic, Owner: "user-00000", CreatedAt: created, Tags: []string{"t"}},
			User:  &users[i]}
		ids[i] = members[i].ID()
	}
	return members, cometChatEcho(ids, func(id string) string {
		return `{"guid":"group-1","uid":"user-00001","scope":"participant","joinedAt":1673425019}`
	})
}

func BenchmarkCometChatImportMembers50(b *testing.B) {
	members, answer := cometChatMembers50()
	c := benchClient(b, func(opts ...Option) (*Client, error) { return NewCometChat("fake-app", "us", "fake-api-key", opts...) }, answer)
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.ImportMembers(b.Context(), members)
		if err != nil || res.Count(StatusImported) != len(members) {
			b.Fatal(err)
		}
	}
}

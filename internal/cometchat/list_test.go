package cometchat

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMembersPath(t *testing.T) {
	assert.Equal(t, "/groups/team-1/members", MembersPath("team-1"))
	assert.Equal(t, "/groups/a%2Fb/members", MembersPath("a/b"))
}

// The documented example, with a string time, a null, a float and fields
// the decoder does not know.
const docPage = `{
  "data": [
    {"uid": "superhero2", "name": "Captain America", "avatar": "https://a/ca.png",
     "status": "offline", "role": "default", "scope": "participant",
     "joinedAt": 1638360106, "createdAt": 1629869270, "updatedAt": 1630308676,
     "conversationId": "superhero2_user_superhero4"},
    {"uid": "superhero3", "name": "Captain America", "link": "https://a/l",
     "metadata": {"contactNumber": "0123456789", "n": 2}, "tags": ["vip"],
     "status": "available", "role": "default", "scope": "moderator",
     "joinedAt": "1638360106", "createdAt": null, "lastActiveAt": 1.6383e9,
     "deactivatedAt": "", "unknown": {"nested": [1, 2, {"x": null}]}}
  ],
  "meta": {"pagination": {"total": 0, "count": 5, "per_page": "100", "current_page": 1, "total_pages": 1}},
  "cursor": {"updatedAt": 1638354799, "affix": "prepend"},
  "extra": true
}`

func TestMembersPageDecodes(t *testing.T) {
	var p MembersPage
	require.NoError(t, json.Unmarshal([]byte(docPage), &p))
	require.Len(t, p.Data, 2)
	assert.Equal(t, ListedMember{
		UID: "superhero2", Name: "Captain America", Avatar: "https://a/ca.png", Role: "default",
		Status: "offline", Scope: "participant", JoinedAt: 1638360106, CreatedAt: 1629869270,
	}, p.Data[0])
	assert.Equal(t, ListedMember{
		UID: "superhero3", Name: "Captain America", Link: "https://a/l", Role: "default",
		Status: "available", Scope: "moderator", JoinedAt: 1638360106, LastActiveAt: 1638300000,
		Metadata: map[string]any{"contactNumber": "0123456789", "n": float64(2)}, Tags: []string{"vip"},
	}, p.Data[1])
	assert.Equal(t, Pagination{Total: 0, Count: 5, PerPage: 100, CurrentPage: 1, TotalPages: 1}, p.Meta.Pagination)
	assert.Equal(t, Cursor{UpdatedAt: 1638354799, Affix: "prepend"}, p.Cursor)
}

func TestIntAcceptsNumbersAndNumericStrings(t *testing.T) {
	for in, want := range map[string]Int{
		`1638360106`: 1638360106, `"1638360106"`: 1638360106, `-5`: -5, `"-5"`: -5,
		`0`: 0, `null`: 0, `""`: 0, `1.6e9`: 1600000000, `"1638360106.0"`: 1638360106,
		`1234567890123456789`: 1234567890123456768, // 19 digits: read as a float
	} {
		var n Int
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		assert.Equal(t, want, n, in)
	}
	for _, in := range []string{`"abc"`, `true`, `"12x"`, `1.5`, `"-"`, `{}`, `[]`, `"1e400"`, `12345678901234567890`} {
		var n Int
		assert.Error(t, json.Unmarshal([]byte(in), &n), in)
	}
}

// A page of a thousand members, as the benchmark and the allocation test
// decode it.
func bigPage(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"uid":"user-%06d","name":"User %d","avatar":"https://data-us.cometchat.io/assets/images/avatars/u%d.png",`+
			`"status":"offline","role":"default","scope":"participant","joinedAt":1638360106,"createdAt":"1629869270",`+
			`"updatedAt":1630308676,"conversationId":"group_team"}`, i, i, i)
	}
	fmt.Fprintf(&b, `],"meta":{"pagination":{"total":0,"count":%d,"per_page":1000,"current_page":1,"total_pages":1}},`+
		`"cursor":{"updatedAt":1638354799,"affix":"prepend"}}`, n)
	return []byte(b.String())
}

// BenchmarkDecodeMembersPage reports the cost of decoding one member of a
// full page; see the ns/member metric.
func BenchmarkDecodeMembersPage(b *testing.B) {
	data := bigPage(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var p MembersPage
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/member")
}

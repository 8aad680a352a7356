package cometchat

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/internal/wirejson"
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
	p, err := ReadMembersPage([]byte(docPage))
	require.NoError(t, err)
	require.Len(t, p.Data, 2)
	assert.Equal(t, ListedMember{ListedUser: ListedUser{
		UID: "superhero2", Name: "Captain America", Avatar: "https://a/ca.png", Role: "default",
		Status: "offline", CreatedAt: 1629869270,
	}, Scope: "participant", JoinedAt: 1638360106}, p.Data[0])
	assert.Equal(t, ListedMember{ListedUser: ListedUser{
		UID: "superhero3", Name: "Captain America", Link: "https://a/l", Role: "default",
		Status: "available", LastActiveAt: 1638300000,
		Metadata: map[string]any{"contactNumber": "0123456789", "n": float64(2)}, Tags: []string{"vip"},
	}, Scope: "moderator", JoinedAt: 1638360106}, p.Data[1])
	assert.Equal(t, Pagination{Total: 0, Count: 5, PerPage: 100, CurrentPage: 1, TotalPages: 1}, p.Meta.Pagination)
	assert.Equal(t, Cursor{UpdatedAt: 1638354799, Affix: "prepend"}, p.Cursor)
}

// ReadMembersPage must read what encoding/json reads into the same struct,
// which is how pages were decoded before it and still the reference.
func TestReadMembersPageAgreesWithEncodingJSON(t *testing.T) {
	for name, doc := range map[string]string{
		"documented example": docPage,
		"a generated page":   string(bigPage(3)),
		"escapes": `{"data":[{"uid":"a\"b","name":"Caf\u00e9 \ud83d\ude80 \n\t\\ \/","avatar":"https:\/\/x\/a.png",
			"scope":"particip\u0061nt","tags":["x\u0022y",""],"metadata":{"k\u00e9y":"v\"w"}}],"cursor":{"affix":"pre\u0070end"}}`,
		"invalid UTF-8":   "{\"data\":[{\"uid\":\"a\xffb\",\"name\":\"\xc3\x28\",\"status\":\"off\xe2\x82line\"}]}",
		"non-ASCII":       `{"data":[{"uid":"ユーザー","name":"Zoë Ünlü","role":"管理者"}]}`,
		"numeric strings": `{"data":[{"uid":"a","joinedAt":"1638360106","createdAt":"-5","lastActiveAt":"1.6383e9","deactivatedAt":"1638360106.0"}],"meta":{"pagination":{"total":"7","count":"1","per_page":"100","current_page":"2","total_pages":"3"}},"cursor":{"updatedAt":"1638354799"}}`,
		"numbers":         `{"data":[{"uid":"a","joinedAt":1638360106,"createdAt":1.6383e9,"lastActiveAt":0,"deactivatedAt":-1}],"meta":{"pagination":{"per_page":1000,"current_page":1}}}`,
		"nulls": `{"data":[{"uid":null,"name":null,"avatar":null,"link":null,"role":null,"status":null,"scope":null,
			"metadata":null,"tags":null,"joinedAt":null,"createdAt":null,"lastActiveAt":null,"deactivatedAt":null},null,
			{"uid":"b","tags":[null,"t"],"joinedAt":""}],"meta":{"pagination":null},"cursor":null}`,
		"null sections":  `{"data":null,"meta":null,"cursor":{"updatedAt":null,"affix":null}}`,
		"null page":      `null`,
		"empty page":     `{"data":[],"meta":{"pagination":{"total":0,"count":0}}}`,
		"nothing":        `{}`,
		"unknown fields": `{"v":[{"a":{"b":[1,2,{"c":null,"d":"]}"}]}}],"data":[{"uid":"a","somethingNew":{"x":[[],{},"y",-1.5e-3,true,false,null]},"conversationId":"c","updatedAt":1630308676,"name":"n"}],"meta":{"pagination":{"links":{"next":"?page=2"},"current_page":1},"extra":[1]},"cursor":{"affix":"append","more":{}},"tail":"t"}`,
		"white space":    " \n{ \"data\" :\t[ { \"uid\" : \"a\" , \"joinedAt\" : 5 } ] ,\r\n\"cursor\" : { } } \n",
		"repeated key":   `{"data":[{"uid":"a","uid":"b","name":"x","name":null}],"cursor":{"affix":"p","affix":"q"}}`,
	} {
		got, err := ReadMembersPage([]byte(doc))
		require.NoError(t, err, name)
		var want MembersPage
		require.NoError(t, json.Unmarshal([]byte(doc), &want), name)
		assert.Equal(t, want, got, name)
	}
}

// Malformed JSON is refused wherever it is, except inside an unknown
// object or array, which wirejson skips checking only that its brackets
// and strings balance; a cut answer never balances.
func TestReadMembersPageRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, doc := range []string{
		``, `{`, `{"data":[`, `{"data":[{"uid":"a"}`, `{"data":[{"uid":"a"}]`, `{"data":[{"uid":"a"},]}`, `{"data":[{"uid":"a" "name":"b"}]}`,
		`{"data":[{"uid":"unterminated}]}`, `{"data":[{"uid":"a"}]}x`, `{"data":[{uid:"a"}]}`, "{\"data\":[{\"uid\":\"a\x01\"}]}",
		`{"data":[{"uid":"a\q"}]}`, `{"data":[{"uid":"\u12"}]}`, `{"data":[{"x":tru}]}`, `{"data":[{"x":01}]}`, `{"data":[{"x":[1}]}`,
		`{"data":[{"x":{"y":"]"}]}`, `{"meta":{"pagination":{"total":1}`, `{"cursor":{"updatedAt":1,}}`,
		`{"data":[{"uid":5}]}`, `{"data":[{"uid":true}]}`, `{"data":[{"uid":["a"]}]}`, `{"data":[{"name":{}}]}`,
		`{"data":[{"joinedAt":"yesterday"}]}`, `{"data":[{"joinedAt":true}]}`, `{"data":[{"joinedAt":1.5}]}`, `{"data":[{"joinedAt":{}}]}`,
		`{"data":[{"tags":"x"}]}`, `{"data":[{"tags":[1]}]}`, `{"data":[{"metadata":[1]}]}`, `{"data":[{"metadata":"m"}]}`,
		`{"data":{}}`, `{"data":"x"}`, `{"data":[1]}`, `{"data":["a"]}`, `{"meta":[]}`, `{"meta":{"pagination":"p"}}`, `{"cursor":1}`,
		`[]`, `"page"`, `1`,
	} {
		_, err := ReadMembersPage([]byte(doc))
		assert.Error(t, err, doc)
		var want MembersPage
		assert.Error(t, json.Unmarshal([]byte(doc), &want), "encoding/json accepts %s", doc)
	}
	_, err := ReadMembersPage([]byte(`{"data":[{"uid":"a"}`))
	assert.ErrorIs(t, err, wirejson.ErrSyntax)
}

// The page's strings must not share the bytes read, which the client
// recycles for the next answer.
func TestReadMembersPageKeepsNothingOfItsInput(t *testing.T) {
	data := bigPage(2)
	p, err := ReadMembersPage(data)
	require.NoError(t, err)
	for i := range data {
		data[i] = 'x'
	}
	assert.Equal(t, "user-000001", p.Data[1].UID)
	assert.Equal(t, "https://data-us.cometchat.io/assets/images/avatars/u1.png", p.Data[1].Avatar)
	assert.Equal(t, "participant", p.Data[1].Scope)
	assert.Equal(t, "prepend", p.Cursor.Affix)
}

// A member costs the strings it keeps that are not one of the common
// values (here its uid, name and avatar) and nothing else: the page's
// slice is made once, a few more when the pool of scratch slices is empty.
func TestReadMembersPageAllocations(t *testing.T) {
	data := bigPage(1000)
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := ReadMembersPage(data); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 3*1000+20.0)
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

// BenchmarkDecodeMembersPage reports the cost of reading one member of a
// full page; see the ns/member and allocs/member metrics.
func BenchmarkDecodeMembersPage(b *testing.B) {
	benchmarkDecode(b, func(data []byte) error {
		_, err := ReadMembersPage(data)
		return err
	})
}

// BenchmarkDecodeMembersPageEncodingJSON is the same page decoded by
// encoding/json, as pages were before ReadMembersPage: the reference.
func BenchmarkDecodeMembersPageEncodingJSON(b *testing.B) {
	benchmarkDecode(b, func(data []byte) error {
		var p MembersPage
		return json.Unmarshal(data, &p)
	})
}

func benchmarkDecode(b *testing.B, decode func([]byte) error) {
	const members = 1000
	data := bigPage(members)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if err := decode(data); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*members), "ns/member")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*members), "allocs/member")
}

package cometchat

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendUserMatchesTheStructEncoding(t *testing.T) {
	for _, u := range []User{
		{UID: "alice", Name: "Alice"},
		{UID: "bob", Name: `B "quoted" <b>`, Avatar: "https://a/b.png", Link: "https://l", Role: "default",
			CreatedAt: 1673421419, LastActiveAt: 1673421425, DeactivatedAt: 1700000000,
			Metadata: map[string]any{"email": "b@example.com", "n": 1.5, "nested": map[string]any{"k": []any{"v"}}},
			Tags:     []string{"t1", "t2"}},
	} {
		got, err := AppendUser(nil, &u, "")
		require.NoError(t, err)
		want, err := json.Marshal(&u)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got))
	}
}

func TestAppendMemberMatchesTheStructEncoding(t *testing.T) {
	m := Member{MemberID: "g_member_u", GUID: "g", UID: "u", Scope: "admin", IsBanned: true, JoinedAt: 1673421479,
		GroupDetails: &Group{GUID: "g", Name: "G", Type: "password", Password: "pw", Owner: "o", CreatedAt: 1673421419,
			Metadata: map[string]any{"x": true}, Tags: []string{"a"}, Icon: "https://i"},
		UserDetails: &User{UID: "u", Name: "U", Metadata: map[string]any{"y": nil}}}
	got, err := AppendMember([]byte("keep:"), &m)
	require.NoError(t, err)
	want, err := json.Marshal(&m)
	require.NoError(t, err)
	assert.Equal(t, "keep:", string(got[:5]), "appends to dst")
	assert.JSONEq(t, string(want), string(got[5:]))
}

func TestMetadataThatDoesNotEncodeIsNamed(t *testing.T) {
	_, err := AppendUser(nil, &User{UID: "u", Name: "U", Metadata: map[string]any{"nan": math.NaN()}}, "userDetails.")
	var me *MetadataError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "userDetails.metadata", me.Field)

	_, err = AppendMember(nil, &Member{GUID: "g", UID: "u", GroupDetails: &Group{GUID: "g", Name: "G", Type: "public",
		Metadata: map[string]any{"f": func() {}}}})
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "groupDetails.metadata", me.Field)
}

func TestAppendBody(t *testing.T) {
	keys := []string{"a", `we"ird`}
	ents := [][]byte{[]byte(`{"uid":"a"}`), []byte(`{"uid":"we\"ird"}`)}
	body := AppendBody(nil, "users", 2, func(i int) string { return keys[i] }, func(i int) []byte { return ents[i] })
	var got map[string]map[string]map[string]string
	require.NoError(t, json.Unmarshal(body, &got), string(body))
	assert.Equal(t, map[string]map[string]map[string]string{"users": {"a": {"uid": "a"}, `we"ird`: {"uid": `we"ird`}}}, got)
}

func TestReadImportAnswer(t *testing.T) {
	doc := `{"data":{
		"ok":{"success":true,"data":{"uid":"ok","metadata":{"success":false}}},
		"old":{"data":{"success":true,"data":{"uid":"old"}}},
		"bad":{"success":false,"error":{"code":"ERR_UID_ALREADY_EXISTS","message":"exists","details":{"uid":["taken"]}}},
		"plainfail":{"success":false},
		"unknown":{"data":"not an object"},
		"nullish":{"success":null,"error":null},
		"gone":null,
		"we\"ird":{"success":true}
	},"meta":{"ignored":[1,2]}}`
	got := map[string]Answer{}
	require.NoError(t, ReadImportAnswer([]byte(doc), func(key []byte, a Answer) { got[string(key)] = a }))
	assert.Equal(t, Answer{Known: true, Success: true}, got["ok"], "an echo's own fields are not the outcome")
	assert.Equal(t, Answer{Known: true, Success: true}, got["old"], "the older nesting")
	assert.Equal(t, Answer{Known: true, Error: &Error{Code: "ERR_UID_ALREADY_EXISTS", Message: "exists",
		Details: map[string][]string{"uid": {"taken"}}}}, got["bad"])
	assert.Equal(t, Answer{Known: true}, got["plainfail"])
	assert.Equal(t, Answer{}, got["unknown"])
	assert.Equal(t, Answer{}, got["nullish"])
	assert.Equal(t, Answer{}, got["gone"])
	assert.Equal(t, Answer{Known: true, Success: true}, got[`we"ird`], "keys come decoded")
	assert.Len(t, got, 8)

	for _, bad := range []string{`<html>`, `{"data":{"x":{}}`, `{"data":[]}`, `{"data":"x"}`, `[]`, `null`,
		`{"data":{"x":{"success":true,"data":{"uid":"x","metadata":{"a":tru}}}}}`, `{"data":{"x":{"success":true,"data":[1,]}}}`,
		`{"data":{"x":{"error":"\q"}}}`} {
		assert.Error(t, ReadImportAnswer([]byte(bad), func([]byte, Answer) {}), bad)
	}
}

// CometChat answers {"data":null} when it has nothing to say: the answer is
// read, and says nothing of any item.
func TestReadImportAnswerWithNullData(t *testing.T) {
	for _, doc := range []string{`{"data":null}`, `{"data":null,"meta":{}}`, `{"meta":1,"data":null}`} {
		n := 0
		require.NoError(t, ReadImportAnswer([]byte(doc), func([]byte, Answer) { n++ }), doc)
		assert.Zero(t, n, doc)
	}
}

// CometChat echoes a stored user back, metadata and all: however deep the
// metadata, the user is reported imported, not the answer unreadable.
func TestReadImportAnswerSkipsDeepEchoes(t *testing.T) {
	for _, depth := range []int{63, 64, 65, 1000, 50_000} {
		md := strings.Repeat(`{"k":[`, depth) + `"v"` + strings.Repeat("]}", depth)
		doc := `{"data":{"u1":{"success":true,"data":{"uid":"u1","metadata":` + md + `}},"u2":{"success":true,"data":{"uid":"u2"}}}}`
		got := map[string]Answer{}
		require.NoError(t, ReadImportAnswer([]byte(doc), func(key []byte, a Answer) { got[string(key)] = a }), "depth %d", depth)
		assert.Equal(t, map[string]Answer{"u1": {Known: true, Success: true}, "u2": {Known: true, Success: true}}, got, "depth %d", depth)
	}
}

// An item whose outcome is not in the documented form failed, with a
// message that says so and the JSON given; the rest of the answer reads.
func TestReadImportAnswerUnreadableItemFailsAlone(t *testing.T) {
	doc := `{"data":{
		"a":{"success":true},
		"s":{"success":false,"error":"boom"},
		"c":{"success":false,"error":{"code":1,"message":"typed wrong"}},
		"y":{"success":"yes"},
		"n":{"error":42,"success":true},
		"e":"exists",
		"b":{"success":true}
	}}`
	got := map[string]Answer{}
	require.NoError(t, ReadImportAnswer([]byte(doc), func(key []byte, a Answer) { got[string(key)] = a }))
	failed := func(raw string) Answer {
		return Answer{Known: true, Error: &Error{Message: Unreadable, DevMessage: raw}}
	}
	assert.Equal(t, map[string]Answer{
		"a": {Known: true, Success: true},
		"s": failed(`"boom"`),
		"c": failed(`{"code":1,"message":"typed wrong"}`),
		"y": failed(`"yes"`),
		"n": failed(`42`),
		"e": failed(`"exists"`),
		"b": {Known: true, Success: true},
	}, got)
}

func TestReadImportAnswerAllocatesOnlyForErrors(t *testing.T) {
	doc := []byte(`{"data":{"u1":{"success":true,"data":{"uid":"u1","name":"N","metadata":{"a":[1,2,{"b":"c"}]}}},"u2":{"success":true,"data":{"uid":"u2"}}}}`)
	n := 0
	allocs := testing.AllocsPerRun(50, func() {
		_ = ReadImportAnswer(doc, func([]byte, Answer) { n++ })
	})
	assert.Equal(t, 102, n)
	assert.LessOrEqual(t, allocs, 2.0)
}

// BenchmarkReadImportAnswer reads the answer to a 50-user import, which
// echoes each user with its metadata: skipping the echoes is most of it.
func BenchmarkReadImportAnswer(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`{"data":{`)
	for i := range 50 {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `"user-%03d":{"success":true,"data":{"uid":"user-%03d","name":"User %d","avatar":"https://example.com/a/%d.png",`+
			`"status":"offline","role":"default","createdAt":1673421419,"metadata":{"@private":{"email":"u%d@example.com","contactNumber":"0123456789"},`+
			`"plan":"pro","tags":["a","b"],"n":1.5},"tags":["vip","beta"],"conversationId":"user-%03d_user_x"}}`, i, i, i, i, i, i)
	}
	doc.WriteString(`}}`)
	data := []byte(doc.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := ReadImportAnswer(data, func([]byte, Answer) { n++ }); err != nil || n != 50 {
			b.Fatal(err, n)
		}
	}
}

func TestReadError(t *testing.T) {
	assert.Equal(t, &Error{Code: "ERR_TOO_MANY_REQUESTS", Message: "slow down", Details: map[string][]string{"uid": {"x"}}},
		ReadError([]byte(`{"error":{"code":"ERR_TOO_MANY_REQUESTS","message":"slow down","details":{"uid":["x"]}}}`)))
	assert.Equal(t, &Error{Code: "ERR_TOO_MANY_REQUESTS", Details: map[string][]string{"uid": nil}},
		ReadError([]byte(`{"error":{"code":"ERR_TOO_MANY_REQUESTS","details":{"uid":"not a list"}}}`)),
		"a mistyped detail does not lose the code")
	for _, body := range []string{`<html>502</html>`, `{"error":"boom"}`, `{"error":null}`, `{"error":{}}`, `{"error":{"code":""}}`,
		`{"error":{"code":"ERR_X"`, `null`} {
		assert.Nil(t, ReadError([]byte(body)), body)
	}
}

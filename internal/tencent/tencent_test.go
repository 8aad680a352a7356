package tencent

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuery(t *testing.T) {
	q, err := url.ParseQuery(Query(1400000000, "ad min", "a*b-c_", 4294967295))
	require.NoError(t, err)
	assert.Equal(t, url.Values{"sdkappid": {"1400000000"}, "identifier": {"ad min"}, "usersig": {"a*b-c_"},
		"random": {"4294967295"}, "contenttype": {"json"}}, q)
}

func TestAppendImportBody(t *testing.T) {
	members := [][]byte{
		AppendMember(nil, &Member{Account: "tommy", Role: "Admin", JoinTime: 1448357837, UnreadMsgNum: 5}),
		AppendMember(nil, &Member{Account: `"odd"`}),
	}
	body := AppendImportBody(nil, "@TGS#2J4SZEAEL", len(members), func(i int) []byte { return members[i] })
	var got struct {
		GroupId    string
		MemberList []map[string]any
	}
	require.NoError(t, json.Unmarshal(body, &got), string(body))
	assert.Equal(t, "@TGS#2J4SZEAEL", got.GroupId)
	assert.Equal(t, []map[string]any{
		{"Member_Account": "tommy", "Role": "Admin", "JoinTime": float64(1448357837), "UnreadMsgNum": float64(5)},
		{"Member_Account": `"odd"`},
	}, got.MemberList)
}

func TestReadImportAnswer(t *testing.T) {
	type result struct {
		account string
		result  int
	}
	var got []result
	env, err := ReadImportAnswer([]byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"Extra":{"x":[1]},
		"MemberList":[{"Member_Account":"tommy","Result":1},{"Result":2,"Member_Account":"jared"},{"Member_Account":"bad","Result":0},{"Member_Account":"noresult"}]}`),
		func(account []byte, r int) { got = append(got, result{string(account), r}) })
	require.NoError(t, err)
	assert.Equal(t, Envelope{ActionStatus: "OK"}, env)
	assert.Equal(t, []result{{"tommy", 1}, {"jared", 2}, {"bad", 0}}, got, "an entry without a Result is not reported")

	env, err = ReadImportAnswer([]byte(`{"ActionStatus":"FAIL","ErrorInfo":"too many","ErrorCode":10005}`), func([]byte, int) { t.Fatal("no members") })
	require.NoError(t, err)
	assert.Equal(t, Envelope{ActionStatus: "FAIL", ErrorCode: 10005, ErrorInfo: "too many"}, env)

	_, err = ReadImportAnswer([]byte(`<html>502</html>`), func([]byte, int) {})
	assert.Error(t, err)
	_, err = ReadImportAnswer([]byte(`{"ErrorCode":"0"}`), func([]byte, int) {})
	assert.Error(t, err, "a code that is not a number")
}

func TestRegionNames(t *testing.T) {
	assert.Equal(t, []string{"china", "frankfurt", "jakarta", "mumbai", "seoul", "singapore", "tokyo", "usa"}, RegionNames())
}

// Tencent sends null where a field has no value: the answer still reads,
// and a member without both an account and a Result is not reported.
func TestReadImportAnswerToleratesNulls(t *testing.T) {
	type result struct {
		account string
		result  int
	}
	var got []result
	env, err := ReadImportAnswer([]byte(`{"ActionStatus":null,"ErrorInfo":null,"ErrorCode":0,"Extra":null,
		"MemberList":[null,{"Member_Account":null,"Result":1},{"Member_Account":"a","Result":null},{"Member_Account":"b","Result":2,"Role":null},null]}`),
		func(account []byte, r int) { got = append(got, result{string(account), r}) })
	require.NoError(t, err)
	assert.Equal(t, Envelope{}, env)
	assert.Equal(t, []result{{"b", 2}}, got)

	for _, doc := range []string{`{"MemberList":null}`, `{"ErrorCode":null,"MemberList":[null]}`, `{"ActionStatus":"OK","ErrorCode":0}`} {
		_, err := ReadImportAnswer([]byte(doc), func([]byte, int) { t.Fatal("no members") })
		require.NoError(t, err, doc)
	}
}

// A deep echo is skipped, and what is not JSON refused, wherever it is.
func TestReadImportAnswerSkipsDeepValuesButNotMalformedOnes(t *testing.T) {
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	var accounts []string
	_, err := ReadImportAnswer([]byte(`{"Echo":`+deep+`,"MemberList":[{"Member_Account":"a","Extra":`+deep+`,"Result":1}]}`),
		func(account []byte, _ int) { accounts = append(accounts, string(account)) })
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, accounts)
	for _, doc := range []string{`{"Echo":[tru]}`, `{"MemberList":[{"Member_Account":"a","Result":1,"x":{"y":01}}]}`, `{"MemberList":["a"]}`,
		`{"MemberList":[{"Member_Account":"a","Result":1.5}]}`, `{"MemberList":[{"Member_Account":1,"Result":1}]}`, `{"ErrorInfo":5}`, `null`} {
		_, err := ReadImportAnswer([]byte(doc), func([]byte, int) {})
		assert.Error(t, err, doc)
	}
}

// BenchmarkReadImportAnswer reads the answer to a 300-member import.
func BenchmarkReadImportAnswer(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MemberList":[`)
	for i := range 300 {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"Member_Account":"member-%04d","Result":1}`, i)
	}
	doc.WriteString(`]}`)
	data := []byte(doc.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := ReadImportAnswer(data, func([]byte, int) { n++ }); err != nil || n != 300 {
			b.Fatal(err, n)
		}
	}
}

func TestReadError(t *testing.T) {
	env, ok := ReadError([]byte(`{"ActionStatus":"FAIL","ErrorInfo":"sig expired","ErrorCode":70001}`))
	assert.True(t, ok)
	assert.Equal(t, Envelope{ActionStatus: "FAIL", ErrorInfo: "sig expired", ErrorCode: 70001}, env)
	env, ok = ReadError([]byte(`{"ActionStatus":["FAIL"],"ErrorInfo":5,"ErrorCode":10006}`))
	assert.True(t, ok, "a mistyped message does not lose the code")
	assert.Equal(t, 10006, env.ErrorCode)
	for _, body := range []string{`<html>502</html>`, `{"ErrorCode":0}`, `{"ErrorCode":"70001"}`, `{"ErrorCode":1.5}`, `{"ErrorCode":null}`, `{}`, `null`, `{"ErrorCode":1`} {
		_, ok := ReadError([]byte(body))
		assert.False(t, ok, body)
	}
}

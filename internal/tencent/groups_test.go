package tencent

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendAccountsBody(t *testing.T) {
	accounts := [][]byte{AppendAccount(nil, "a", "Nick \"A\"", "https://x/a.png"), AppendAccount(nil, "b", "", "")}
	body := AppendAccountsBody(nil, len(accounts), func(i int) []byte { return accounts[i] })
	var got map[string]any
	require.NoError(t, json.Unmarshal(body, &got), string(body))
	assert.Equal(t, map[string]any{"AccountList": []any{
		map[string]any{"UserID": "a", "Nick": `Nick "A"`, "FaceUrl": "https://x/a.png"},
		map[string]any{"UserID": "b"},
	}}, got)
}

func TestAppendImportGroup(t *testing.T) {
	body := AppendImportGroup(nil, &ImportGroup{Type: "Public", GroupID: "g", Name: "n", MaxMemberCount: 5, CreateTime: 1600000000})
	assert.JSONEq(t, `{"Type":"Public","GroupId":"g","Name":"n","MaxMemberCount":5,"CreateTime":1600000000}`, string(body))
}

func TestGroupListNextIs64Bits(t *testing.T) {
	var a GroupListAnswer
	require.NoError(t, json.Unmarshal([]byte(`{"ActionStatus":"OK","ErrorCode":0,"GroupIdList":[{"GroupId":"@TGS#1"}],"Next":4454685361}`), &a))
	assert.Equal(t, uint64(4454685361), a.Next)
	assert.Equal(t, "@TGS#1", a.GroupIDList[0].GroupID)
	assert.Equal(t, "OK", a.Env().ActionStatus)
}

func TestIntTakesNumbersAndStrings(t *testing.T) {
	for in, want := range map[string]Int{`42`: 42, `"42"`: 42, `null`: 0, `""`: 0} {
		var n Int
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		assert.Equal(t, want, n, in)
	}
	var n Int
	assert.Error(t, json.Unmarshal([]byte(`"soon"`), &n))
}

func TestMemberInfoRequestShapes(t *testing.T) {
	off := int64(0)
	b, _ := json.Marshal(MemberInfoRequest{GroupID: "g", Limit: 100, Offset: &off, MemberInfoFilter: []string{"Role"}})
	assert.JSONEq(t, `{"GroupId":"g","Limit":100,"Offset":0,"MemberInfoFilter":["Role"]}`, string(b), "an offset of 0 is sent")
	next := ""
	b, _ = json.Marshal(MemberInfoRequest{GroupID: "@TGS#_c", Limit: 100, Next: &next, MemberInfoFilter: []string{"Role"}})
	assert.JSONEq(t, `{"GroupId":"@TGS#_c","Limit":100,"Next":"","MemberInfoFilter":["Role"]}`, string(b), "a first Community page sends an empty Next")
}

package cometchat

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendGroupMatchesTheStructEncoding(t *testing.T) {
	for _, g := range []Group{
		{GUID: "g", Name: "G", Type: "public"},
		{GUID: "h", Name: `H "q"`, Icon: "https://i", Description: "d", Type: "password", Password: "pw", Owner: "o",
			CreatedAt: 1673421419, Metadata: map[string]any{"k": []any{1.5}}, Tags: []string{"t"},
			OwnerDetails: &User{UID: "o", Name: "O", Avatar: "https://a"}},
	} {
		got, err := AppendGroup([]byte("keep:"), &g, "")
		require.NoError(t, err)
		want, err := json.Marshal(&g)
		require.NoError(t, err)
		assert.Equal(t, "keep:", string(got[:5]))
		assert.JSONEq(t, string(want), string(got[5:]))
	}
}

func TestAppendGroupNamesBadOwnerMetadata(t *testing.T) {
	g := Group{GUID: "g", Name: "G", Type: "public", Owner: "o", OwnerDetails: &User{UID: "o", Name: "O", Metadata: map[string]any{"f": func() {}}}}
	_, err := AppendGroup(nil, &g, "")
	var me *MetadataError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "groupOwnerDetails.metadata", me.Field)
}

func TestReadUsersPage(t *testing.T) {
	p, err := ReadUsersPage([]byte(`{"data":[{"uid":"a","name":"A","tags":["t"],"createdAt":"1600000000","deactivatedAt":1700000000,"conversationId":"x"}],
		"meta":{"pagination":{"total":0,"count":1,"per_page":100,"current_page":1,"total_pages":1}},"cursor":{"updatedAt":1,"affix":"prepend"}}`))
	require.NoError(t, err)
	assert.Equal(t, []ListedUser{{UID: "a", Name: "A", Tags: []string{"t"}, CreatedAt: 1600000000, DeactivatedAt: 1700000000}}, p.Data)
	assert.Equal(t, Pagination{Count: 1, PerPage: 100, CurrentPage: 1, TotalPages: 1}, p.Meta.Pagination)
	_, err = ReadUsersPage([]byte(`{"data":[{"uid":1}]}`))
	assert.Error(t, err)
}

func TestReadGroupsPageShapes(t *testing.T) {
	pg := Pagination{Count: 2, PerPage: 100, CurrentPage: 1, TotalPages: 1}
	want := []ListedGroup{{GUID: "a", Name: "A", Type: "public", CreatedAt: 1}, {GUID: "b", Name: "B", Type: "private", Owner: "o"}}
	meta := `"meta":{"pagination":{"count":2,"per_page":100,"current_page":1,"total_pages":1}}`
	for name, body := range map[string]string{
		"array":      `{"data":[{"guid":"a","name":"A","type":"public","createdAt":"1"},{"guid":"b","name":"B","type":"private","owner":"o"}],` + meta + `}`,
		"documented": `{"data":{"0":{"0":{"guid":"z"},"guid":"a","name":"A","type":"public","createdAt":1},"1":{"guid":"b","name":"B","type":"private","owner":"o"},` + meta + `}}`,
		"meta first": `{` + meta + `,"data":{"1":{"guid":"a","name":"A","type":"public","createdAt":1},"0":{"guid":"b","name":"B","type":"private","owner":"o"}}}`,
	} {
		p, err := ReadGroupsPage([]byte(body))
		require.NoError(t, err, name)
		assert.Equal(t, want, p.Data, name+": in the order sent")
		assert.Equal(t, pg, p.Pagination, name)
	}
	p, err := ReadGroupsPage([]byte(`{"data":null}`))
	require.NoError(t, err)
	assert.Empty(t, p.Data)
	for _, bad := range []string{`{"data":"x"}`, `{"data":{"0":[1]}}`, `{"data":[`, `[]`} {
		_, err := ReadGroupsPage([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// BenchmarkReadUsersPage reads a full page of a thousand users, the
// largest GET /users serves.
func BenchmarkReadUsersPage(b *testing.B) {
	users := make([]map[string]any, 1000)
	for i := range users {
		users[i] = map[string]any{"uid": fmt.Sprintf("user-%04d", i), "name": "User", "avatar": "https://a.example/a.png",
			"role": "default", "status": "offline", "metadata": map[string]any{"k": "v"}, "tags": []string{"t"},
			"createdAt": 1600000000 + i, "updatedAt": 1600000000 + i, "conversationId": "x"}
	}
	data, err := json.Marshal(map[string]any{"data": users, "meta": map[string]any{"pagination": map[string]any{"count": 1000}}})
	require.NoError(b, err)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadUsersPage(data); err != nil {
			b.Fatal(err)
		}
	}
}

package chatimporttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
)

func TestClientHelpersTalkToTheFake(t *testing.T) {
	s := NewServer(WithCometChatLimit(0, 0), WithTencentAutoCreate())
	defer s.Close()

	cc, err := s.CometChat()
	require.NoError(t, err)
	res, err := cc.ImportUsers(t.Context(), []chatimport.User{{UID: "Alice", Name: "Alice"}})
	require.NoError(t, err)
	assert.Equal(t, chatimport.StatusImported, res.Items[0].Status)
	require.Len(t, s.Users(), 1)
	assert.Equal(t, "alice", s.Users()[0].UID)

	tc, err := s.Tencent()
	require.NoError(t, err)
	res, err = tc.ImportMembers(t.Context(), []chatimport.Member{{GUID: "@TGS#1", UID: "bob", Scope: chatimport.ScopeAdmin, JoinedAt: time.Unix(1700000000, 0)}})
	require.NoError(t, err)
	assert.Equal(t, chatimport.StatusImported, res.Items[0].Status)
	assert.Equal(t, []Member{{GUID: "@TGS#1", UID: "bob", Scope: "admin", JoinedAt: 1700000000}}, s.TencentMembers("@TGS#1"))
}

func TestClientHelpersTakeOverrides(t *testing.T) {
	s := NewServer(WithAPIKey("another-fake-key"))
	defer s.Close()
	_, err := s.CometChat(chatimport.WithBatchSize(51))
	assert.Error(t, err, "options are validated as usual")
	c, err := s.CometChat(chatimport.WithRateLimit(0, 0))
	require.NoError(t, err)
	res, err := c.ImportUsers(t.Context(), []chatimport.User{{UID: "a", Name: "A"}})
	require.NoError(t, err, "the fake's own key is used")
	assert.Equal(t, chatimport.StatusImported, res.Items[0].Status)
}

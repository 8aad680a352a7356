package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

func TestImportBatch(t *testing.T) {
	s := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0), chatimporttest.WithSeed(2),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.2, FailAfterApply: 0.2}))
	defer s.Close()
	c := s.CometChat(chatimport.WithRetry(10, time.Millisecond, 5*time.Millisecond))

	users := []chatimport.User{{UID: "alice", Name: "Alice"}, {UID: "bob", Name: "Bob"}, {UID: "no name"}}
	team := &chatimport.Group{Name: "Team", Type: chatimport.GroupPublic}
	members := []chatimport.Member{{GUID: "team", UID: "alice", Scope: chatimport.ScopeAdmin, Group: team}, {GUID: "team", UID: "bob", Group: team}}
	var out strings.Builder
	err := importBatch(t.Context(), c, users, members, &out)
	assert.EqualError(t, err, "1 items did not arrive")
	assert.Contains(t, out.String(), "users no name: failed: ")
	assert.Contains(t, out.String(), "users: 2 on the server, 1 not\nmembers: 2 on the server, 0 not\n")

	var held []string
	for _, u := range s.Users() {
		held = append(held, u.UID)
	}
	assert.Equal(t, []string{"alice", "bob"}, held)
	assert.Len(t, s.Members("team"), 2)
}

func TestClientFromEnvRefusesWithoutCredentials(t *testing.T) {
	_, err := clientFromEnv(func(name string) string { return map[string]string{"COMETCHAT_APP_ID": "app"}[name] })
	assert.EqualError(t, err, "set COMETCHAT_APP_ID, COMETCHAT_REGION and COMETCHAT_API_KEY")
	c, err := clientFromEnv(func(name string) string {
		return map[string]string{"COMETCHAT_APP_ID": "app", "COMETCHAT_REGION": "eu", "COMETCHAT_API_KEY": "key"}[name]
	})
	require.NoError(t, err)
	assert.NotNil(t, c)
}

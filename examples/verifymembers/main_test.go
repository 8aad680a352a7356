package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

func TestVerify(t *testing.T) {
	s := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0))
	defer s.Close()
	var members []chatimporttest.Member
	for i := range 2500 { // three pages of 1,000
		members = append(members, chatimporttest.Member{UID: fmt.Sprintf("user-%04d", i)})
	}
	s.AddMembers("team", members...)
	c := s.CometChat()

	var out strings.Builder
	missing, err := verify(t.Context(), c, "team", []string{"user-0000", "User-2499", "user-2500", "carol"}, &out)
	require.NoError(t, err)
	assert.Equal(t, 2, missing)
	assert.Equal(t, "team: user-2500 is not a member\nteam: carol is not a member\n"+
		"team: 2500 members listed, 2 of 4 expected missing\n", out.String())
	assert.Equal(t, 3, s.Stats().ListRequests)

	_, err = verify(t.Context(), c, "nobody", []string{"x"}, &out)
	assert.ErrorIs(t, err, chatimport.ErrNotFound)
}

func TestClientFromEnvRefusesWithoutCredentials(t *testing.T) {
	_, err := clientFromEnv(func(string) string { return "" })
	assert.EqualError(t, err, "set COMETCHAT_APP_ID, COMETCHAT_REGION and COMETCHAT_API_KEY")
}

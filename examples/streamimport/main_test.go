package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

func TestImportStream(t *testing.T) {
	s := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0), chatimporttest.WithSeed(4),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.1, Unavailable: 0.1, DropAfterApply: 0.1}))
	defer s.Close()
	c := s.CometChat(chatimport.WithRetry(10, time.Millisecond, 5*time.Millisecond))

	var in strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&in, `{"uid":"user-%04d","name":"User %d"}`+"\n", i, i)
	}
	in.WriteString(`{"uid":"user-0001","name":"again"}` + "\n") // a repeat is skipped, not sent
	var out strings.Builder
	err := importStream(t.Context(), c, strings.NewReader(in.String()), &out)
	require.ErrorIs(t, err, chatimport.ErrDuplicate)
	assert.Regexp(t, `imported \d+, existed \d+, failed 0, skipped 1\n$`, out.String())
	assert.Contains(t, out.String(), "1000 user-0001: skipped: ")
	assert.Len(t, s.Users(), 1000, "each user arrived once")
	assert.Positive(t, s.Stats().Faults.DropAfterApply, "answers were lost and the batches sent again")

	err = importStream(t.Context(), c, strings.NewReader(`{"uid":"x","nick":"X"}`), &out)
	assert.ErrorContains(t, err, `unknown field "nick"`)
}

func TestClientFromEnvRefusesWithoutCredentials(t *testing.T) {
	_, err := clientFromEnv(func(string) string { return "" })
	assert.EqualError(t, err, "set COMETCHAT_APP_ID, COMETCHAT_REGION and COMETCHAT_API_KEY")
}

package chatimporttest

import (
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
)

func TestClientHelpersTalkToTheFake(t *testing.T) {
	s := NewServer(WithTencentAutoCreate())
	defer s.Close()

	cc := s.CometChat()
	res, err := cc.ImportUsers(t.Context(), []chatimport.User{{UID: "Alice", Name: "Alice"}})
	require.NoError(t, err)
	assert.Equal(t, chatimport.StatusImported, res.Items[0].Status)
	require.Len(t, s.Users(), 1)
	assert.Equal(t, "alice", s.Users()[0].UID)

	tc := s.Tencent()
	res, err = tc.ImportMembers(t.Context(), []chatimport.Member{{GUID: "@TGS#1", UID: "bob", Scope: chatimport.ScopeAdmin, JoinedAt: time.Unix(1700000000, 0)}})
	require.NoError(t, err)
	assert.Equal(t, chatimport.StatusImported, res.Items[0].Status)
	assert.Equal(t, []Member{{GUID: "@TGS#1", UID: "bob", Scope: "admin", JoinedAt: 1700000000}}, s.TencentMembers("@TGS#1"))
}

func TestClientHelpersTakeOverrides(t *testing.T) {
	s := NewServer(WithAPIKey("another-fake-key"))
	defer s.Close()
	assert.PanicsWithValue(t, "chatimporttest: chatimport: WithBatchSize: 51 is above cometchat's largest request of 50",
		func() { s.CometChat(chatimport.WithBatchSize(51)) }, "options are validated as usual, and a bad one is the test's bug")
	c := s.CometChat()
	res, err := c.ImportUsers(t.Context(), []chatimport.User{{UID: "a", Name: "A"}})
	require.NoError(t, err, "the fake's own key is used")
	assert.Equal(t, chatimport.StatusImported, res.Items[0].Status)
}

// The helpers pace at the limit the fake enforces and not at all without
// one. Each import runs in a synctest bubble, whose clock moves only while
// every goroutine in it waits on a timer or a channel, never while one
// waits on the network: the bubble time an import took is exactly the time
// the client spent pacing. The fake runs outside the bubble, on real time.
func TestClientHelpersPaceOnlyAtTheFakesLimit(t *testing.T) {
	const requests = 5 // one entity each
	for _, tc := range []struct {
		name     string
		opts     []Option
		tencent  bool
		interval time.Duration // per/n of the fake's limit; 0 for none
	}{
		{name: "cometchat/off"},
		{name: "cometchat/own", opts: []Option{WithCometChatLimit(100, 10*time.Minute)}, interval: 6 * time.Second},
		{name: "cometchat/documented", opts: []Option{WithDocumentedLimits()}, interval: time.Second},
		{name: "tencent/off", tencent: true},
		{name: "tencent/own", opts: []Option{WithTencentLimit(10, time.Second)}, tencent: true, interval: 100 * time.Millisecond},
		{name: "tencent/documented", opts: []Option{WithDocumentedLimits()}, tencent: true, interval: 5 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The fake stands still where the bubble's clock starts, so
			// that it accepts the UserSigs the client signs in there.
			bubbleStart := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
			s := NewServer(append(tc.opts, WithTencentAutoCreate(), WithClock(func() time.Time { return bubbleStart }))...)
			defer s.Close()
			synctest.Test(t, func(t *testing.T) {
				// Without keep-alives no connection goroutine is left
				// reading the network, which would stop the bubble's clock.
				hc := chatimport.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
				var res *chatimport.ImportResult
				start := time.Now()
				if tc.tencent {
					c := s.Tencent(hc)
					members := make([]chatimport.Member, requests)
					for i := range members { // a request per group
						members[i] = chatimport.Member{GUID: fmt.Sprintf("@TGS#%d", i), UID: "bob"}
					}
					var err error
					res, err = c.ImportMembers(t.Context(), members)
					require.NoError(t, err)
				} else {
					c := s.CometChat(hc, chatimport.WithBatchSize(1))
					users := make([]chatimport.User, requests)
					for i := range users {
						users[i] = chatimport.User{UID: fmt.Sprintf("u%d", i), Name: "U"}
					}
					var err error
					res, err = c.ImportUsers(t.Context(), users)
					require.NoError(t, err)
				}
				paced := time.Since(start)
				assert.Equal(t, requests, res.Count(chatimport.StatusImported))
				// The first request goes at once; the client keeps a margin
				// of at most 2% under the limit.
				least := (requests - 1) * tc.interval
				assert.GreaterOrEqual(t, paced, least)
				assert.LessOrEqual(t, paced, least+least/50)
			})
			assert.Equal(t, requests, s.Stats().ImportRequests)
			assert.Zero(t, s.Stats().RateLimited)
		})
	}
}

// Under the documented limits each Tencent command has its own, and the
// helper's client paces each budget at its command's: accounts at 100 a
// second, not at import_group_member's 200.
func TestTencentHelperPacesEachCommandAtItsOwnLimit(t *testing.T) {
	const requests = 5
	bubbleStart := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewServer(WithDocumentedLimits(), WithClock(func() time.Time { return bubbleStart }))
	defer s.Close()
	synctest.Test(t, func(t *testing.T) {
		hc := chatimport.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
		c := s.Tencent(hc, chatimport.WithBatchSize(1))
		accounts := make([]chatimport.User, requests)
		for i := range accounts {
			accounts[i] = chatimport.User{UID: fmt.Sprintf("acct%d", i), Name: "A"}
		}
		start := time.Now()
		res, err := c.ImportUsers(t.Context(), accounts)
		require.NoError(t, err)
		assert.Equal(t, requests, res.Count(chatimport.StatusImported))
		least := (requests - 1) * 10 * time.Millisecond
		assert.GreaterOrEqual(t, time.Since(start), least)
	})
	assert.Zero(t, s.Stats().RateLimited)
}

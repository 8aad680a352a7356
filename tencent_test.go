package chatimport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/internal/usersig"
)

const (
	testSDKAppID  uint64 = 1400000000
	testSecretKey        = "fake-secret-key-do-not-use"
)

// tencentCall is one import_group_member request as the server saw it.
type tencentCall struct {
	query   url.Values
	groupID string
	members []map[string]any
}

// tencentServer answers import_group_member through answer, after checking
// the path and the signature, and records every call.
type tencentServer struct {
	t      *testing.T
	mu     sync.Mutex
	calls  []tencentCall
	answer func(n int, call tencentCall) map[string]any
}

func (s *tencentServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v4/group_open_http_svc/import_group_member" || r.Method != http.MethodPost {
		s.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	claims, err := usersig.Verify(q.Get("usersig"), testSDKAppID, testSecretKey, time.Now())
	assert.NoError(s.t, err)
	assert.Equal(s.t, q.Get("identifier"), claims.Identifier)
	var body struct {
		GroupId    string
		MemberList []map[string]any
	}
	data, _ := io.ReadAll(r.Body)
	require.NoError(s.t, json.Unmarshal(data, &body), string(data))
	call := tencentCall{query: q, groupID: body.GroupId, members: body.MemberList}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	n := len(s.calls)
	s.mu.Unlock()
	writeJSON(w, 200, s.answer(n, call))
}

func (s *tencentServer) Calls() []tencentCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]tencentCall(nil), s.calls...)
}

// importedAll answers every member of a call with Result 1.
func importedAll(_ int, call tencentCall) map[string]any {
	return answerResults(call, func(string) int { return 1 })
}

func answerResults(call tencentCall, result func(account string) int) map[string]any {
	list := []map[string]any{}
	for _, m := range call.members {
		acc := m["Member_Account"].(string)
		list = append(list, map[string]any{"Member_Account": acc, "Result": result(acc)})
	}
	return map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "MemberList": list}
}

func failure(code int, info string) map[string]any {
	return map[string]any{"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info}
}

func setupTencent(t *testing.T, answer func(int, tencentCall) map[string]any, opts ...Option) (*Client, *tencentServer, *fakeClock) {
	t.Helper()
	s := &tencentServer{t: t, answer: answer}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	clock := newFakeClock()
	// Signatures are checked against the real time, so only sleeps are faked.
	base := []Option{WithBaseURL(srv.URL), WithRateLimit(0, 0), withClock(time.Now, clock.Sleep)}
	c, err := NewTencent(testSDKAppID, testSecretKey, append(base, opts...)...)
	require.NoError(t, err)
	return c, s, clock
}

func tencentMembers(guid string, n int) []Member {
	out := make([]Member, n)
	for i := range out {
		out[i] = Member{GUID: guid, UID: fmt.Sprintf("%s-user%d", guid, i)}
	}
	return out
}

func TestNewTencentChecksArguments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		appID  uint64
		secret string
		opts   []Option
		want   string
	}{
		{"zero app", 0, testSecretKey, []Option{WithRegion("singapore")}, "sdkAppID is zero"},
		{"empty secret", testSDKAppID, "", []Option{WithRegion("singapore")}, "secretKey is empty"},
		{"no region", testSDKAppID, testSecretKey, nil, "no region; give WithRegion with one of china, frankfurt, jakarta, mumbai, seoul, singapore, tokyo, usa, or WithBaseURL"},
		{"bad region", testSDKAppID, testSecretKey, []Option{WithRegion("mars")}, `"mars" is not one of`},
		{"empty admin", testSDKAppID, testSecretKey, []Option{WithRegion("usa"), WithAdmin(" ")}, "WithAdmin"},
		{"batch", testSDKAppID, testSecretKey, []Option{WithRegion("usa"), WithBatchSize(301)}, "above tencent's largest request of 300"},
		{"sig validity", testSDKAppID, testSecretKey, []Option{WithRegion("usa"), WithUserSigValidity(time.Second)}, "WithUserSigValidity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewTencent(tc.appID, tc.secret, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), testSecretKey)
		})
	}
	_, err := NewCometChat(testAppID, "us", testAPIKey, WithRegion("usa"))
	assert.ErrorContains(t, err, "Tencent only")
}

func TestNewTencentRegionsAndDefaults(t *testing.T) {
	for region, host := range map[string]string{
		"china": "console.tim.qq.com", "singapore": "adminapisgp.im.qcloud.com", "seoul": "adminapikr.im.qcloud.com",
		"frankfurt": "adminapiger.im.qcloud.com", "mumbai": "adminapiind.im.qcloud.com", "usa": "adminapiusa.im.qcloud.com",
		"tokyo": "adminapijpn.im.qcloud.com", "jakarta": "adminapiidn.im.qcloud.com",
	} {
		c, err := NewTencent(testSDKAppID, testSecretKey, WithRegion(region))
		require.NoError(t, err)
		assert.Equal(t, "https://"+host, c.base)
		assert.Equal(t, 300, c.ep.members.maxBatch)
		assert.Equal(t, defaultAdmin, c.provider.(*tencentChat).admin)
	}
	c, err := NewTencent(testSDKAppID, testSecretKey, WithRegion("usa"), WithBaseURL("https://proxy.example"), WithAdmin("ops"))
	require.NoError(t, err)
	assert.Equal(t, "https://proxy.example", c.base, "WithBaseURL overrides the region")
	assert.Equal(t, "ops", c.provider.(*tencentChat).admin)
}

func TestTencentImportOfTwoGroups(t *testing.T) {
	c, s, _ := setupTencent(t, importedAll)
	joined := time.Unix(1700000000, 0)
	in := append(tencentMembers("g1", 400), tencentMembers("g2", 300)...)
	in[0].Scope, in[0].JoinedAt, in[0].UnreadCount = ScopeAdmin, joined, 5
	in[1].Scope = ScopeParticipant
	res, err := c.ImportMembers(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, 700, res.Count(StatusImported))
	assert.Equal(t, "g1_member_g1-user0", res.Items[0].ID)

	calls := s.Calls()
	sizes := map[string][]int{}
	randoms := map[string]bool{}
	seen := map[string]int{}
	for _, call := range calls {
		sizes[call.groupID] = append(sizes[call.groupID], len(call.members))
		for _, m := range call.members {
			acc := m["Member_Account"].(string)
			assert.True(t, strings.HasPrefix(acc, call.groupID+"-"), "one group per request")
			seen[acc]++
		}
		q := call.query
		assert.Equal(t, strconv.FormatUint(testSDKAppID, 10), q.Get("sdkappid"))
		assert.Equal(t, "administrator", q.Get("identifier"))
		assert.Equal(t, "json", q.Get("contenttype"))
		r, err := strconv.ParseUint(q.Get("random"), 10, 32)
		assert.NoError(t, err, "random is a uint32")
		randoms[strconv.FormatUint(r, 10)] = true
	}
	assert.Len(t, calls, 3)
	assert.ElementsMatch(t, []int{300, 100}, sizes["g1"])
	assert.Equal(t, []int{300}, sizes["g2"])
	assert.Len(t, randoms, 3, "a new random on every request")
	assert.Len(t, seen, 700)
	for acc, n := range seen {
		assert.Equal(t, 1, n, acc)
	}
	for _, call := range calls {
		for _, m := range call.members {
			switch m["Member_Account"] {
			case "g1-user0":
				assert.Equal(t, map[string]any{"Member_Account": "g1-user0", "Role": "Admin", "JoinTime": float64(1700000000), "UnreadMsgNum": float64(5)}, m)
			case "g1-user1":
				assert.Equal(t, map[string]any{"Member_Account": "g1-user1"}, m, "an ordinary member has no Role")
			}
		}
	}
}

func TestTencentResultMapping(t *testing.T) {
	results := map[string]int{"a": 1, "b": 2, "c": 0}
	c, _, _ := setupTencent(t, func(_ int, call tencentCall) map[string]any {
		ans := answerResults(call, func(acc string) int { return results[acc] })
		list := ans["MemberList"].([]map[string]any)
		ans["MemberList"] = list[:len(list)-1] // no answer for "d"
		return ans
	}, WithRetry(1, time.Millisecond, time.Millisecond))
	res, err := c.ImportMembers(t.Context(), []Member{{GUID: "g", UID: "a"}, {GUID: "g", UID: "b"}, {GUID: "g", UID: "c"}, {GUID: "g", UID: "d"}})
	require.Error(t, err)
	assert.Equal(t, []Status{StatusImported, StatusExisted, StatusFailed, StatusFailed},
		[]Status{res.Items[0].Status, res.Items[1].Status, res.Items[2].Status, res.Items[3].Status})
	var apiErr *APIError
	require.ErrorAs(t, res.Items[2].Err, &apiErr)
	assert.Equal(t, ProviderTencent, apiErr.Provider)
	assert.Contains(t, apiErr.Message, "Result 0")
	assert.ErrorIs(t, res.Items[3].Err, ErrTemporary, "an unanswered member is resent, then failed")
}

func TestTencentTemporaryCodesAreRetried(t *testing.T) {
	for _, code := range []int{10002, 10006, 60007, 70500} {
		c, s, clock := setupTencent(t, func(n int, call tencentCall) map[string]any {
			if n == 1 {
				return failure(code, "busy")
			}
			return importedAll(n, call)
		}, WithRetry(2, 10*time.Millisecond, time.Second))
		res, err := c.ImportMembers(t.Context(), tencentMembers("g", 3))
		require.NoError(t, err, code)
		assert.Equal(t, 3, res.Count(StatusImported))
		calls := s.Calls()
		require.Len(t, calls, 2, "code %d", code)
		assert.NotEqual(t, calls[0].query.Get("random"), calls[1].query.Get("random"), "a retry gets a new random")
		assert.Len(t, clock.Slept(), 1)
	}
}

func TestTencentPermanentCodesAreNotRetried(t *testing.T) {
	for code, want := range map[int]error{10004: ErrInvalidRequest, 10010: ErrNotFound, 10007: ErrPermission, 70003: ErrUnauthorized} {
		c, s, _ := setupTencent(t, func(int, tencentCall) map[string]any { return failure(code, "no") },
			WithRetry(3, time.Millisecond, time.Second))
		res, err := c.ImportMembers(t.Context(), tencentMembers("g", 2))
		require.ErrorIs(t, err, want, code)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, strconv.Itoa(code), apiErr.Code)
		assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)
		calls := 1
		if code == 10004 { // one bad member can cause it: halved to find it
			calls = 3
		}
		assert.Len(t, s.Calls(), calls, "code %d", code)
		assert.Equal(t, 2, res.Count(StatusFailed))
	}
}

func TestTencentCodeTable(t *testing.T) {
	// Every code of the reference's tables, with the sentinel it must match.
	want := map[error][]int{
		ErrTemporary:      {10002, 40006, 60008, 60013, 60014, 70169, 70202, 70500},
		ErrRateLimited:    {10006, 10023, 60007, 60011, 60018, 60019, 70050},
		ErrInvalidRequest: {10003, 10004, 10011, 10014, 10015, 10016, 10036, 10037, 10038, 40005, 40601, 60002, 60003, 60009, 60012, 60015, 70399, 70402, 80001, 80002},
		ErrBatchTooLarge:  {10005, 10018, 70206},
		ErrPermission:     {10007, 10026, 60010, 60016, 60017, 60020, 60021, 70051, 70114, 70398, 70403},
		ErrNotFound:       {10010, 10019, 70107},
		ErrUnauthorized:   {10008, 10012, 60004, 60005, 60006, 70001, 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020, 70052},
		ErrAlreadyExists:  {10013, 10021, 10025},
	}
	for kind, codes := range want {
		for _, code := range codes {
			assertOnlyKind(t, &APIError{Provider: ProviderTencent, HTTPStatus: 200, Code: strconv.Itoa(code)}, kind, strconv.Itoa(code))
		}
	}
	assertOnlyKind(t, &APIError{Provider: ProviderTencent, HTTPStatus: 200, Code: "99999"}, nil, "unknown code")
	assertOnlyKind(t, &APIError{Provider: ProviderTencent, HTTPStatus: 502}, ErrTemporary, "502")
}

func TestTencentHalvesOn10005(t *testing.T) {
	const accepted = 70
	c, s, _ := setupTencent(t, func(n int, call tencentCall) map[string]any {
		if len(call.members) > accepted {
			return failure(10005, "too many accounts")
		}
		return importedAll(n, call)
	})
	res, err := c.ImportMembers(t.Context(), append(tencentMembers("g1", 300), tencentMembers("g2", 300)...))
	require.NoError(t, err)
	assert.Equal(t, 600, res.Count(StatusImported))
	var sizes []int
	rejected := 0
	for _, call := range s.Calls() {
		sizes = append(sizes, len(call.members))
		if len(call.members) > accepted {
			rejected++
		}
	}
	assert.LessOrEqual(t, rejected, 4+2, "the learned size sticks: only the first batches of each group see 10005: %v", sizes)
	assert.EqualValues(t, 37, c.provider.(*tencentChat).limit.Load(), "300 → 150 → 75 → 37")
}

func TestTencentCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	c, _, _ := setupTencent(t, func(n int, call tencentCall) map[string]any {
		cancel()
		return failure(10002, "busy")
	}, WithBatchSize(10), WithConcurrency(1))
	res, err := c.ImportMembers(ctx, tencentMembers("g", 50))
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 50, res.Count(StatusFailed)+res.Count(StatusSkipped))
	assert.GreaterOrEqual(t, res.Count(StatusSkipped), 40)
}

func TestTencentValidation(t *testing.T) {
	c, s, _ := setupTencent(t, importedAll)
	for _, tc := range []struct {
		m     Member
		field string
	}{
		{Member{GUID: "g", UID: "u", JoinedAt: time.Unix(999_999_999, 0)}, "joinedAt"},
		{Member{GUID: "", UID: "u"}, "guid"},
		{Member{GUID: "g", UID: " "}, "uid"},
		{Member{GUID: "g", UID: "u", Scope: ScopeModerator}, "scope"},
		{Member{GUID: "g", UID: "u", Scope: "owner"}, "scope"},
		{Member{GUID: "g", UID: "u", Banned: true}, "isBanned"},
		{Member{GUID: "g", UID: "u", UnreadCount: -1}, "unreadMsgNum"},
		{Member{GUID: "g", UID: "u", JoinedAt: time.Now().Add(time.Hour)}, "joinedAt"},
		{Member{GUID: "g", UID: "u", Group: &Group{GUID: "g"}}, "groupDetails"},
		{Member{GUID: "g", UID: "u", User: &User{UID: "u"}}, "userDetails"},
	} {
		res, err := c.ImportMembers(t.Context(), []Member{tc.m, {GUID: "g", UID: "ok"}})
		var v *ValidationError
		require.ErrorAs(t, err, &v, tc.field)
		assert.Equal(t, tc.field, v.Field, "%+v", tc.m)
		assert.Equal(t, StatusFailed, res.Items[0].Status)
		assert.Equal(t, StatusImported, res.Items[1].Status)
	}
	// Tencent ids are case-sensitive: these are two members, not a collision.
	res, err := c.ImportMembers(t.Context(), []Member{{GUID: "g", UID: "Bob"}, {GUID: "g", UID: "bob"}})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Count(StatusImported))
	for _, call := range s.Calls() {
		for _, m := range call.members {
			assert.NotEqual(t, "u", m["Member_Account"], "invalid members are never sent")
		}
	}
}

func TestTencentConcurrentImportsShareOneUserSig(t *testing.T) {
	c, s, _ := setupTencent(t, importedAll, WithBatchSize(5), WithConcurrency(8))
	var wg sync.WaitGroup
	var imported atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			res, err := c.ImportMembers(t.Context(), tencentMembers(fmt.Sprint("g", g), 40))
			assert.NoError(t, err)
			imported.Add(int64(res.Count(StatusImported)))
		})
	}
	wg.Wait()
	assert.EqualValues(t, 320, imported.Load())
	sigs := map[string]bool{}
	for _, call := range s.Calls() {
		sigs[call.query.Get("usersig")] = true
	}
	assert.Len(t, s.Calls(), 64)
	assert.Len(t, sigs, 1, "one cached UserSig for all requests")
}

func TestTencentSecretsNeverLeak(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var sig string
	c, _, _ := setupTencent(t, func(_ int, call tencentCall) map[string]any {
		sig = call.query.Get("usersig")
		// A server that echoes the signature and the key into its message.
		return failure(70003, "bad sig "+sig+" for usersig="+sig+" key "+testSecretKey)
	}, WithLogger(logger))
	_, err := c.ImportMembers(t.Context(), tencentMembers("g", 1))
	require.ErrorIs(t, err, ErrUnauthorized)
	require.NotEmpty(t, sig)
	for _, text := range []string{err.Error(), logs.String()} {
		assert.NotContains(t, text, sig)
		assert.NotContains(t, text, url.QueryEscape(sig))
		assert.NotContains(t, text, testSecretKey)
	}
	assert.Contains(t, logs.String(), "usersig=REDACTED")
}

func TestTencentBadGatewayThroughHTTPMock(t *testing.T) {
	mock := httpmock.NewMockTransport()
	var calls atomic.Int32
	mock.RegisterResponder(http.MethodPost, "=~^https://tencent\\.test/v4/group_open_http_svc/import_group_member\\?",
		func(r *http.Request) (*http.Response, error) {
			calls.Add(1)
			resp := httpmock.NewStringResponse(http.StatusBadGateway, "<html><body>502 Bad Gateway</body></html>")
			resp.Header.Set("Content-Type", "text/html")
			return resp, nil
		})
	clock := newFakeClock()
	c, err := NewTencent(testSDKAppID, testSecretKey, WithBaseURL("https://tencent.test"),
		WithHTTPClient(&http.Client{Transport: mock}), WithRetry(2, time.Millisecond, time.Second), withClock(time.Now, clock.Sleep))
	require.NoError(t, err)
	_, err = c.ImportMembers(t.Context(), tencentMembers("g", 2))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrTemporary)
	assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
	assert.Contains(t, apiErr.Message, "502 Bad Gateway")
	assert.EqualValues(t, 3, calls.Load())
}

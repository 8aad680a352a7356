package chatimporttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
	"github.com/chatimport/chatimport/internal/usersig"
)

// t0 is the fixed "now" of tests that need one.
var t0 = time.Unix(1700000000, 0)

func newServer(t *testing.T, opts ...chatimporttest.Option) *chatimporttest.Server {
	t.Helper()
	s := chatimporttest.NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct{ ns atomic.Int64 }

func newClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

type response struct {
	status int
	header http.Header
	body   []byte
}

func send(ctx context.Context, method, u string, header map[string]string, body string) (*response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func do(t *testing.T, method, u string, header map[string]string, body string) *response {
	t.Helper()
	r, err := send(context.Background(), method, u, header, body)
	require.NoError(t, err)
	return r
}

// post sends a CometChat import with the default key.
func post(t *testing.T, s *chatimporttest.Server, path, body string) *response {
	t.Helper()
	return do(t, http.MethodPost, s.URL+"/v3"+path, map[string]string{"apikey": chatimporttest.APIKey}, body)
}

// get sends a CometChat GET with the default key.
func get(t *testing.T, s *chatimporttest.Server, pathAndQuery string) *response {
	t.Helper()
	return do(t, http.MethodGet, s.URL+"/v3"+pathAndQuery, map[string]string{"apikey": chatimporttest.APIKey}, "")
}

func (r *response) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// errorCode returns error.code of a CometChat error body.
func (r *response) errorCode(t *testing.T) string {
	t.Helper()
	e, ok := r.obj(t)["error"].(map[string]any)
	require.True(t, ok, "no error object in %s", r.body)
	return e["code"].(string)
}

// entity returns data.<key> of an import answer.
func (r *response) entity(t *testing.T, key string) map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	data, ok := r.obj(t)["data"].(map[string]any)
	require.True(t, ok, "no data in %s", r.body)
	e, ok := data[key].(map[string]any)
	require.True(t, ok, "no entry %q in %s", key, r.body)
	return e
}

// entityError returns the code and details of a failed entity.
func (r *response) entityError(t *testing.T, key string) (string, map[string]any) {
	t.Helper()
	e := r.entity(t, key)
	require.Equal(t, false, e["success"], "entity %q: %v", key, e)
	errObj := e["error"].(map[string]any)
	details, _ := errObj["details"].(map[string]any)
	return errObj["code"].(string), details
}

func (r *response) entityData(t *testing.T, key string) map[string]any {
	t.Helper()
	e := r.entity(t, key)
	require.Equal(t, true, e["success"], "entity %q: %v", key, e)
	return e["data"].(map[string]any)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// usersBody wraps user objects keyed by their uid.
func usersBody(t *testing.T, users ...map[string]any) string {
	t.Helper()
	m := map[string]any{}
	for _, u := range users {
		m[u["uid"].(string)] = u
	}
	return mustJSON(t, map[string]any{"users": m})
}

func user(uid string) map[string]any { return map[string]any{"uid": uid, "name": "Name " + uid} }

// membersBody wraps members keyed by their memberId.
func membersBody(t *testing.T, members ...map[string]any) string {
	t.Helper()
	m := map[string]any{}
	for _, mem := range members {
		m[mem["memberId"].(string)] = mem
	}
	return mustJSON(t, map[string]any{"members": m})
}

func member(guid, uid string) map[string]any {
	return map[string]any{"memberId": guid + "_member_" + uid, "guid": guid, "uid": uid}
}

func groupDetails(guid string, createdAt int64) map[string]any {
	return map[string]any{"guid": guid, "name": "Group " + guid, "type": "public", "createdAt": createdAt}
}

// tencentAnswer is Tencent's answer envelope.
type tencentAnswer struct {
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
	MemberList   []struct {
		Member_Account string
		Result         int
	}
}

func sign(t *testing.T, app uint64, key, identifier string, issued time.Time, expire time.Duration) string {
	t.Helper()
	sig, err := usersig.Sign(app, key, identifier, issued, expire)
	require.NoError(t, err)
	return sig
}

// tencentQuery is a valid query string for the default credentials.
func tencentQuery(t *testing.T, now time.Time) url.Values {
	return url.Values{
		"sdkappid":    {fmt.Sprint(chatimporttest.SDKAppID)},
		"identifier":  {chatimporttest.Admin},
		"usersig":     {sign(t, chatimporttest.SDKAppID, chatimporttest.SecretKey, chatimporttest.Admin, now.Add(-time.Minute), time.Hour)},
		"random":      {"12345"},
		"contenttype": {"json"},
	}
}

func tencentURL(s *chatimporttest.Server, q url.Values) string {
	return s.URL + "/v4/group_open_http_svc/import_group_member?" + q.Encode()
}

func decodeTencent(t *testing.T, r *response) tencentAnswer {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "Tencent answers 200: %s", r.body)
	var a tencentAnswer
	require.NoError(t, json.Unmarshal(r.body, &a), "body: %s", r.body)
	if a.ErrorCode == 0 {
		require.Equal(t, "OK", a.ActionStatus)
	} else {
		require.Equal(t, "FAIL", a.ActionStatus)
	}
	return a
}

// tencentImport posts body with a valid query signed for now.
func tencentImport(t *testing.T, s *chatimporttest.Server, now time.Time, body string) tencentAnswer {
	t.Helper()
	return decodeTencent(t, do(t, http.MethodPost, tencentURL(s, tencentQuery(t, now)), nil, body))
}

func tencentBody(t *testing.T, group string, members ...map[string]any) string {
	t.Helper()
	if members == nil {
		members = []map[string]any{}
	}
	return mustJSON(t, map[string]any{"GroupId": group, "MemberList": members})
}

func results(a tencentAnswer) map[string]int {
	out := map[string]int{}
	for _, m := range a.MemberList {
		out[m.Member_Account] = m.Result
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

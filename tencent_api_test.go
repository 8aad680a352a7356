package chatimport

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/internal/usersig"
)

// apiCall is one request to any Tencent command, as the server saw it.
type apiCall struct {
	command string // the last path element, e.g. "import_group"
	query   url.Values
	body    map[string]any
}

// apiServer answers every Tencent command through answer, after checking
// the signature against the client's clock, and records every call.
type apiServer struct {
	t      *testing.T
	clock  *fakeClock
	mu     sync.Mutex
	calls  []apiCall
	answer func(n int, call apiCall) any
}

func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/v4/") {
		s.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	_, err := usersig.Verify(q.Get("usersig"), testSDKAppID, testSecretKey, s.clock.Now())
	assert.NoError(s.t, err)
	data, _ := io.ReadAll(r.Body)
	var body map[string]any
	require.NoError(s.t, json.Unmarshal(data, &body), string(data))
	call := apiCall{command: r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], query: q, body: body}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	n := len(s.calls)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.answer(n, call))
}

func (s *apiServer) Calls() []apiCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]apiCall(nil), s.calls...)
}

// setupTencentAPI is setupTencent for every command, with the client's
// clock and sleeps both fake.
func setupTencentAPI(t *testing.T, answer func(int, apiCall) any, opts ...Option) (*Client, *apiServer, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	s := &apiServer{t: t, clock: clock, answer: answer}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	base := []Option{WithBaseURL(srv.URL), WithRateLimit(0, 0), withClock(clock.Now, clock.Sleep)}
	c, err := NewTencent(testSDKAppID, testSecretKey, append(base, opts...)...)
	require.NoError(t, err)
	return c, s, clock
}

func ok(fields map[string]any) map[string]any {
	out := map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// list reads a JSON array of the body as strings.
func (c apiCall) list(key string) []string {
	var out []string
	for _, v := range c.body[key].([]any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			out = append(out, v["UserID"].(string))
		}
	}
	return out
}

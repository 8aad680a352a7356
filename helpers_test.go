package chatimport

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testAppID  = "fake-app"
	testAPIKey = "fake-api-key-do-not-use"
)

// fakeClock stands in for time: sleeping advances it at once and is
// recorded, so tests assert waits without waiting.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if d > 0 {
		f.t = f.t.Add(d)
		f.slept = append(f.slept, d)
	}
	return nil
}

func (f *fakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// setup starts a server that serves mux under /v3, as CometChat does, so a
// request to any other path fails the test, and a client pointed at it with
// a fake clock and pacing off unless opts say otherwise.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *fakeClock) {
	t.Helper()
	mux := http.NewServeMux()
	outer := http.NewServeMux()
	outer.Handle("/v3/", http.StripPrefix("/v3", mux))
	outer.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request to unexpected path %s", r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(outer)
	t.Cleanup(srv.Close)
	clock := newFakeClock()
	base := []Option{WithBaseURL(srv.URL + "/v3"), WithRateLimit(0, 0), withClock(clock.Now, clock.Sleep)}
	c, err := NewCometChat(testAppID, "us", testAPIKey, append(base, opts...)...)
	require.NoError(t, err)
	return c, mux, clock
}

// importBody is a decoded CometChat import body.
type importBody struct {
	Users   map[string]map[string]any `json:"users"`
	Members map[string]map[string]any `json:"members"`
}

func decodeImport(t *testing.T, r *http.Request) importBody {
	t.Helper()
	var b importBody
	data, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &b), string(data))
	return b
}

// answerAll answers every entity of an import body with success.
func answerAll(w http.ResponseWriter, keys map[string]map[string]any) {
	data := map[string]any{}
	for k, v := range keys {
		data[k] = map[string]any{"success": true, "data": v}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func cometError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": msg, "devMessage": msg, "source": "chat-api", "code": code,
	}})
}

func users(uids ...string) []User {
	out := make([]User, len(uids))
	for i, uid := range uids {
		out[i] = User{UID: uid, Name: "User " + uid}
	}
	return out
}

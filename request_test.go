package chatimport

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failThen answers the first n requests with fail, then imports everything.
func failThen(t *testing.T, n int32, fail func(w http.ResponseWriter)) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		b := decodeImport(t, r)
		if calls.Add(1) <= n {
			fail(w)
			return
		}
		answerAll(w, b.Users)
	}, &calls
}

func TestRetriesTransientStatuses(t *testing.T) {
	for _, status := range []int{429, 500, 502, 503, 504} {
		c, mux, clock := setup(t, WithRetry(3, 100*time.Millisecond, time.Second))
		h, calls := failThen(t, 2, func(w http.ResponseWriter) { cometError(w, status, "ERR_X", "try later") })
		mux.HandleFunc("POST /data_import/users", h)
		res, err := c.ImportUsers(t.Context(), users("a"))
		require.NoError(t, err, status)
		assert.Equal(t, StatusImported, res.Items[0].Status)
		assert.EqualValues(t, 3, calls.Load(), status)
		assert.Len(t, clock.Slept(), 2, "one backoff before each retry, status %d", status)
	}
}

func TestNoRetryOnOtherClientErrors(t *testing.T) {
	for status, code := range map[int]string{400: "ERR_BAD_REQUEST", 401: "AUTH_ERR_APIKEY_NOT_FOUND", 403: "AUTH_ERR_NO_ACCESS", 404: "ERR_GUID_NOT_FOUND", 409: "ERR_CONFLICT"} {
		c, mux, clock := setup(t, WithRetry(3, time.Millisecond, time.Second))
		h, calls := failThen(t, 100, func(w http.ResponseWriter) { cometError(w, status, code, "no") })
		mux.HandleFunc("POST /data_import/users", h)
		_, err := c.ImportUsers(t.Context(), users("a"))
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, status)
		assert.Equal(t, status, apiErr.HTTPStatus)
		assert.Equal(t, code, apiErr.Code)
		assert.EqualValues(t, 1, calls.Load(), "status %d is not retried", status)
		assert.Empty(t, clock.Slept())
	}
}

func TestRetryAfterSecondsDateAndCap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header func(now time.Time) string
		want   time.Duration
	}{
		{"seconds", func(time.Time) string { return "7" }, 7 * time.Second},
		{"date", func(now time.Time) string { return now.Add(20 * time.Second).Format(http.TimeFormat) }, 20 * time.Second},
		{"capped", func(time.Time) string { return "3600" }, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux, clock := setup(t, WithRetry(2, time.Millisecond, 30*time.Second))
			h, _ := failThen(t, 1, func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", tc.header(clock.Now()))
				cometError(w, 429, "ERR_TOO_MANY_REQUESTS", "slow down")
			})
			mux.HandleFunc("POST /data_import/users", h)
			_, err := c.ImportUsers(t.Context(), users("a"))
			require.NoError(t, err)
			require.Len(t, clock.Slept(), 1)
			assert.Equal(t, tc.want, clock.Slept()[0])
		})
	}
}

func TestRetriesExhaustedGiveTypedLastAnswer(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(2, time.Millisecond, time.Second))
	h, calls := failThen(t, 100, func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "1")
		cometError(w, 429, "ERR_TOO_MANY_REQUESTS", "slow down")
	})
	mux.HandleFunc("POST /data_import/users", h)
	res, err := c.ImportUsers(t.Context(), users("a", "b"))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 429, apiErr.HTTPStatus)
	assert.Equal(t, "ERR_TOO_MANY_REQUESTS", apiErr.Code)
	assert.Equal(t, "slow down", apiErr.Message)
	assert.Equal(t, 3, apiErr.Attempts)
	assert.Equal(t, time.Second, apiErr.RetryAfter)
	assert.Equal(t, "POST /v3/data_import/users", apiErr.Op)
	assert.NotContains(t, err.Error(), "giving up")
	assert.EqualValues(t, 3, calls.Load())
	for _, it := range res.Items {
		assert.Equal(t, StatusFailed, it.Status)
		assert.ErrorIs(t, it.Err, ErrRateLimited)
	}
}

func TestHTMLBadGatewayIsTypedWithExcerpt(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(1, time.Millisecond, time.Second))
	page := "<html><body><h1>502 Bad Gateway</h1>" + strings.Repeat("x", 5000) + "</body></html>"
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(page))
	})
	_, err := c.ImportUsers(t.Context(), users("a"))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrTemporary)
	assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
	assert.True(t, strings.HasPrefix(apiErr.Message, "<html><body><h1>502 Bad Gateway"), apiErr.Message)
	assert.LessOrEqual(t, len([]rune(apiErr.Message)), excerptLen+1)
}

func TestCancelledContextEndsRetryWaitAtOnce(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(5, time.Hour, time.Hour))
	ctx, cancel := context.WithCancel(t.Context())
	// A real sleep: the point is that cancelling ends it at once.
	c.sleep = sleepContext
	var calls atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		cancel()
		cometError(w, 503, "ERR_X", "down")
	})
	done := make(chan error, 1)
	go func() {
		_, err := c.ImportUsers(ctx, users("a"))
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled context did not end the retry wait")
	}
	assert.EqualValues(t, 1, calls.Load())
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(3, time.Millisecond, time.Second))
	var calls atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		b := decodeImport(t, r)
		if calls.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			require.NoError(t, err)
			conn.Close()
			return
		}
		answerAll(w, b.Users)
	})
	res, err := c.ImportUsers(t.Context(), users("a"))
	require.NoError(t, err)
	assert.Equal(t, StatusImported, res.Items[0].Status)
	assert.EqualValues(t, 2, calls.Load())
}

func TestTransportErrorIsRedacted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every attempt fails to connect
	clock := newFakeClock()
	c, err := NewCometChat(testAppID, "us", testAPIKey, WithBaseURL("http://"+addr+"/v3"),
		WithRetry(1, time.Millisecond, time.Millisecond), withClock(clock.Now, clock.Sleep))
	require.NoError(t, err)
	_, err = c.ImportUsers(t.Context(), users("a"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testAPIKey)
	assert.Contains(t, err.Error(), "connect")
}

func TestLogsAndErrorsNeverContainTheKey(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux, _ := setup(t, WithLogger(logger), WithRetry(1, time.Millisecond, time.Second))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		// A server that echoes the key back, in the message and the details.
		writeJSON(w, 401, map[string]any{"error": map[string]any{
			"code": "AUTH_ERR_APIKEY_NOT_FOUND", "message": "key " + r.Header.Get("apikey") + " unknown",
			"details": map[string]any{"apikey": []string{r.Header.Get("apikey")}},
		}})
	})
	_, err := c.ImportUsers(t.Context(), users("a"))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, err.Error(), testAPIKey)
	assert.Contains(t, apiErr.Message, "REDACTED")
	assert.Equal(t, []string{"REDACTED"}, apiErr.Details["apikey"])
	assert.Contains(t, logs.String(), "chatimport: request")
	assert.Contains(t, logs.String(), "status=401")
	assert.NotContains(t, logs.String(), testAPIKey)
}

func TestNothingLoggedWithoutLogger(t *testing.T) {
	// Both global loggers point at a buffer while a call retries and fails:
	// neither this library nor retryablehttp may write a line.
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer log.SetOutput(log.Writer())
	log.SetOutput(&logs)

	c, mux, _ := setup(t, WithRetry(1, time.Millisecond, time.Millisecond))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		cometError(w, 503, "ERR_X", "down")
	})
	_, err := c.ImportUsers(t.Context(), users("a"))
	require.ErrorIs(t, err, ErrTemporary)
	assert.Nil(t, c.http.Logger)
	assert.Empty(t, logs.String())
}

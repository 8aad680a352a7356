package chatimport

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewCometChatChecksArguments(t *testing.T) {
	for _, tc := range []struct {
		name, appID, region, key string
		opts                     []Option
		want                     string
	}{
		{"empty app", "", "us", testAPIKey, nil, "appID is empty"},
		{"bad app", "a/b", "us", testAPIKey, nil, "appID"},
		{"bad region", testAppID, "mars", testAPIKey, nil, `region "mars" is not one of us, eu, in`},
		{"empty key", testAppID, "eu", "", nil, "apiKey is empty"},
		{"http remote", testAppID, "us", testAPIKey, []Option{WithBaseURL("http://example.com/v3")}, "must use https"},
		{"relative", testAppID, "us", testAPIKey, []Option{WithBaseURL("/v3")}, "not an absolute URL"},
		{"batch", testAppID, "us", testAPIKey, []Option{WithBatchSize(51)}, "above cometchat's largest request of 50"},
		{"batch zero", testAppID, "us", testAPIKey, []Option{WithBatchSize(0)}, "WithBatchSize"},
		{"concurrency", testAppID, "us", testAPIKey, []Option{WithConcurrency(0)}, "WithConcurrency"},
		{"retry", testAppID, "us", testAPIKey, []Option{WithRetry(-1, 0, 0)}, "WithRetry"},
		{"retry order", testAppID, "us", testAPIKey, []Option{WithRetry(1, time.Second, time.Millisecond)}, "WithRetry"},
		{"rate", testAppID, "us", testAPIKey, []Option{WithRateLimit(5, 0)}, "WithRateLimit"},
		{"limiter", testAppID, "us", testAPIKey, []Option{WithLimiter(nil)}, "WithLimiter"},
		{"logger", testAppID, "us", testAPIKey, []Option{WithLogger(nil)}, "WithLogger"},
		{"client", testAppID, "us", testAPIKey, []Option{WithHTTPClient(nil)}, "WithHTTPClient"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCometChat(tc.appID, tc.region, tc.key, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), testAPIKey)
		})
	}
}

func TestNewCometChatDefaults(t *testing.T) {
	c, err := NewCometChat("AbC123", "eu", testAPIKey)
	require.NoError(t, err)
	assert.Equal(t, "https://abc123.api-eu.cometchat.io/v3", c.base)
	assert.Equal(t, 50, c.ep.users.maxBatch)
	assert.Equal(t, 50, c.ep.members.maxBatch)
	assert.Equal(t, 4, c.concurrencyOf(cometChatImports))
	assert.NotNil(t, c.budgets[cometChatImports].limiter, "imports are paced by default")
	assert.NotNil(t, c.budgets[cometChatLists].limiter, "listing is paced at its own documented rate")

	c, err = NewCometChat(testAppID, "in", testAPIKey, WithBaseURL("http://127.0.0.1:8080/v3/"), WithBatchSize(10), WithRateLimit(0, 0))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/v3", c.base)
	assert.Equal(t, 10, c.batchSize)
	assert.Nil(t, c.budgets[cometChatImports].limiter, "n <= 0 turns pacing off")
	assert.NotNil(t, c.budgets[cometChatLists].limiter, "WithRateLimit leaves listing alone")
}

func TestEveryRequestCarriesKeyAndUserAgent(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, testAPIKey, r.Header.Get("apikey"))
		assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "chatimport-go/"+Version))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		answerAll(w, decodeImport(t, r).Users)
	})
	res, err := c.ImportUsers(t.Context(), users("a"))
	require.NoError(t, err)
	assert.Equal(t, StatusImported, res.Items[0].Status)
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(0, 0, 0))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.invalid/steal", http.StatusTemporaryRedirect)
	})
	res, err := c.ImportUsers(t.Context(), users("a"))
	require.Error(t, err)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.HTTPStatus)
	assert.Equal(t, StatusFailed, res.Items[0].Status)
}

package chatimport

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func deep(levels int) map[string]any {
	m := map[string]any{"leaf": true}
	for range levels {
		m = map[string]any{"n": m}
	}
	return m
}

// A poison item is refused on its own before any request; its neighbours go.
func TestPoisonItemsAreRefusedAlone(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	for name, tc := range map[string]struct {
		md    map[string]any
		field string
	}{
		"a cycle":           {cyclic, "metadata"},
		"10,000 levels":     {deep(10_000), "metadata"},
		"17 MiB":            {map[string]any{"blob": strings.Repeat("x", 17<<20)}, "metadata"},
		"over 5 KB":         {map[string]any{"blob": strings.Repeat("x", 5000)}, "metadata"},
		"entity over 10 KB": {nil, "user"},
	} {
		c, mux, _ := setup(t)
		var sent atomic.Int32
		mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
			body := decodeImport(t, r)
			sent.Add(int32(len(body.Users)))
			answerAll(w, body.Users)
		})
		bad := User{UID: "bad", Name: "Bad", Metadata: tc.md}
		if tc.md == nil {
			bad.Tags = []string{strings.Repeat("t", 3000), strings.Repeat("t", 3000), strings.Repeat("t", 3000), strings.Repeat("t", 3000)}
		}
		in := append(users("a", "b"), bad)
		in = append(in, users("c")...)
		res, err := c.ImportUsers(t.Context(), in)
		require.Error(t, err, name)
		var v *ValidationError
		require.ErrorAs(t, res.Items[2].Err, &v, name)
		assert.Equal(t, tc.field, v.Field, name)
		assert.Equal(t, 2, v.Index, name)
		for _, i := range []int{0, 1, 3} {
			assert.Equal(t, StatusImported, res.Items[i].Status, "%s: item %d", name, i)
		}
		assert.EqualValues(t, 3, sent.Load(), name)
	}
}

// A server that refuses a whole batch for one bad item: the batch is halved
// until the bad item stands alone, and the others are imported.
func TestBatchRefusedWholeIsSplitToFindTheBadItem(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(8))
	var requests atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		body := decodeImport(t, r)
		if _, poisoned := body.Users["u5"]; poisoned {
			cometError(w, http.StatusBadRequest, "ERR_BAD_REQUEST", "the request is invalid")
			return
		}
		answerAll(w, body.Users)
	})
	res, err := c.ImportUsers(t.Context(), users("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"))
	require.ErrorIs(t, err, ErrInvalidRequest)
	for i, r := range res.Items {
		if i == 5 {
			assert.Equal(t, StatusFailed, r.Status)
			continue
		}
		assert.Equal(t, StatusImported, r.Status, "item %d", i)
	}
	assert.EqualValues(t, 7, requests.Load(), "8 → 4+4 → 2+2 → 1+1: seven requests")
}

// Members of 1,000 groups in random order still go in full requests: a
// slice is grouped by group up front, and only each group's last request
// is short.
func TestInterleavedGroupsGoInFullRequests(t *testing.T) {
	c, s, _ := setupTencent(t, importedAll, WithBatchSize(10))
	const groups, perGroup = 1000, 25
	var in []Member
	for g := range groups {
		in = append(in, tencentMembers(fmt.Sprintf("g%04d", g), perGroup)...)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	res, err := c.ImportMembers(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, len(in), res.Count(StatusImported))
	for i, r := range res.Items {
		require.Equal(t, i, r.Index)
		require.Equal(t, in[i].ID(), r.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	short := map[string]int{}
	for _, call := range s.calls {
		if len(call.members) < 10 {
			short[call.groupID]++
		}
	}
	assert.Len(t, s.calls, groups*3, "25 members a group: 10, 10 and 5")
	for g, n := range short {
		assert.Equal(t, 1, n, "group %s has one short request, its last", g)
	}
}

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestEndlessAnswerFailsTheRequestWithoutFillingTheHeap(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(0, 0, 0))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":{`))
		_, _ = io.Copy(w, io.LimitReader(endless{}, 64<<20)) // ends when the client hangs up
	})
	res, err := c.ImportUsers(t.Context(), users("a", "b"))
	require.ErrorIs(t, err, ErrAnswerTooLarge)
	assert.Equal(t, StatusFailed, res.Items[0].Status)
	assert.ErrorIs(t, res.Items[0].Err, ErrAnswerTooLarge)
}

// A server that echoes the key in every field and every encoding: nothing
// the error shows, in any form, carries it.
func TestEchoedSecretsAreMaskedEverywhere(t *testing.T) {
	const key = "fake*key/do+not=use-0123456789"
	escaped := url.QueryEscape(key)
	jsonEscaped := strings.NewReplacer("*", `\u002a`, "/", `\/`, "+", `\u002B`).Replace(key)
	for name, answer := range map[string]func(w http.ResponseWriter){
		"in the code, message, details and their keys": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":{"code":"ERR_%s","message":"bad key %s","devMessage":"url %s","details":{"%s":["%s"]}}}`,
				jsonEscaped, jsonEscaped, escaped, jsonEscaped, escaped)
		},
		"straddling an HTML excerpt's cut": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html>%s%s and %s</html>", strings.Repeat("x", excerptLen-15), key, escaped)
		},
	} {
		c, mux, _ := setup(t, WithRetry(0, 0, 0))
		c.redact.Add(key)
		mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) { answer(w) })
		_, err := c.ImportUsers(t.Context(), users("a"))
		require.Error(t, err, name)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, name)
		for _, shown := range []string{err.Error(), fmt.Sprintf("%#v", apiErr), fmt.Sprintf("%+v", *apiErr)} {
			for _, form := range []string{key, escaped, jsonEscaped, key[:12], escaped[:12]} {
				assert.NotContains(t, shown, form, "%s: %s", name, shown)
			}
		}
	}
}

// A Retry-After too large to be a duration waits the longest the caller
// allowed, never less and never more.
func TestOverflowingRetryAfterWaitsTheCap(t *testing.T) {
	for _, header := range []string{"1e300", "9223372037", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		c, mux, clock := setup(t, WithRetry(1, 10*time.Millisecond, 3*time.Second))
		var calls atomic.Int32
		mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set("Retry-After", header)
				cometError(w, http.StatusTooManyRequests, "ERR_TOO_MANY_REQUESTS", "slow down")
				return
			}
			answerAll(w, decodeImport(t, r).Users)
		})
		_, err := c.ImportUsers(t.Context(), users("a"))
		require.NoError(t, err, header)
		assert.Equal(t, []time.Duration{3 * time.Second}, clock.Slept(), header)
	}
}

// Tencent refuses a request whole (10004) for one bad member: halved until
// it stands alone, the other members are imported.
func TestTencentRequestRefusedWholeIsSplit(t *testing.T) {
	c, s, _ := setupTencent(t, func(n int, call tencentCall) map[string]any {
		for _, m := range call.members {
			if m["Member_Account"] == "g-user5" {
				return failure(10004, "invalid parameter")
			}
		}
		return importedAll(n, call)
	}, WithBatchSize(8))
	res, err := c.ImportMembers(t.Context(), tencentMembers("g", 8))
	require.ErrorIs(t, err, ErrInvalidRequest)
	for i, r := range res.Items {
		want := StatusImported
		if i == 5 {
			want = StatusFailed
		}
		assert.Equal(t, want, r.Status, "member %d", i)
	}
	assert.Len(t, s.Calls(), 7, "8 → 4+4 → 2+2 → 1+1")
}

// A server that trickles its answer for ever is cut off by the client's
// timeout; the items end failed, each accounted for, in bounded time.
func TestSlowBodyIsBoundedByTheClientTimeout(t *testing.T) {
	done := make(chan struct{})
	defer close(done)
	c, mux, _ := setup(t, WithRetry(1, 0, 0), WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":{`))
		for {
			select {
			case <-done:
				return
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
				_, _ = w.Write([]byte(" "))
				w.(http.Flusher).Flush()
			}
		}
	})
	start := time.Now()
	res, err := c.ImportUsers(t.Context(), users("a", "b", "c"))
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	for _, r := range res.Items {
		assert.Equal(t, StatusFailed, r.Status)
		assert.Error(t, r.Err)
	}
}

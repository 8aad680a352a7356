package chatimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every key collides in the table: only the byte comparison tells them apart.
func TestSeenSetComparesKeysNotHashes(t *testing.T) {
	for _, fold := range []bool{false, true} {
		s := newSeenSet(fold, 0)
		s.hashOf = func([]byte) uint64 { return 42 }
		for i, k := range []string{"alice", "bob", "carol", "dave"} {
			_, _, found, err := s.add([]byte(k), i, 7)
			require.NoError(t, err)
			assert.False(t, found, "%q is new although its hash equals every other's", k)
		}
		prior, exact, found, err := s.add([]byte("carol"), 9, 7)
		require.NoError(t, err)
		assert.True(t, found)
		assert.True(t, exact)
		assert.Equal(t, 2, prior.index)
		prior, exact, found, _ = s.add([]byte("Bob"), 10, 7)
		assert.Equal(t, fold, found, "fold=%v: Bob against bob", fold)
		if fold {
			assert.False(t, exact, "a case collision is not an exact repeat")
			assert.Equal(t, 1, prior.index)
		}
	}
}

func TestSeenSetGrowsAndKeepsEveryKey(t *testing.T) {
	s := newSeenSet(false, 0)
	const n = 5000
	// A grouped slice admits items out of input order: indexes fall as
	// well as rise.
	index := func(i int) int { return i * 7919 % n }
	for i := range n {
		_, _, found, err := s.add(fmt.Appendf(nil, "user-%d", i), index(i), uint64(i))
		require.NoError(t, err)
		require.False(t, found)
	}
	for i := range n {
		prior, exact, found, _ := s.add(fmt.Appendf(nil, "user-%d", i), n+i, 0)
		require.True(t, found && exact, i)
		require.Equal(t, index(i), prior.index)
		require.Equal(t, uint64(i), prior.wireHash)
	}
	assert.LessOrEqual(t, s.n*4, len(s.table)*3, "the load stays at most 3/4")
}

// With every hash forced equal, repeats are still told apart exactly: a
// different user is admitted, a case collision refused, an identical repeat
// and a differing one skipped, each said so rightly.
func TestDuplicateDetectionIsExactUnderHashCollisions(t *testing.T) {
	c, _, _ := setup(t)
	in := []User{{UID: "ann", Name: "Ann"}, {UID: "bob", Name: "Bob"}, {UID: "ANN", Name: "Ann"}, {UID: "bob", Name: "Bob"}, {UID: "bob", Name: "Robert"}}
	for _, slice := range []bool{true, false} {
		var first func(int) *User
		if slice {
			first = func(i int) *User { return &in[i] }
		}
		intake := newIntake(c.ep.users, c.now, first, 0)
		intake.seen.hashOf = func([]byte) uint64 { return 1 }
		var results []*ItemResult
		for i := range in {
			_, r := intake.admit(i, &in[i])
			results = append(results, r)
		}
		assert.Nil(t, results[0], "ann is admitted")
		assert.Nil(t, results[1], "bob is admitted although its hash equals ann's")
		var v *ValidationError
		require.ErrorAs(t, results[2].Err, &v)
		assert.Equal(t, "uid", v.Field)
		assert.Equal(t, StatusFailed, results[2].Status)
		var d *DuplicateError
		require.ErrorAs(t, results[3].Err, &d)
		assert.Equal(t, StatusSkipped, results[3].Status)
		assert.False(t, d.Differs, "an identical repeat")
		require.ErrorAs(t, results[4].Err, &d)
		assert.Equal(t, 1, d.First)
		// A stream's first item is gone: there equal hashes read as identical,
		// as documented; a slice's is compared itself.
		assert.Equal(t, slice, d.Differs, "slice=%v: equal hashes, different fields", slice)
	}
}

func TestCancelledStreamStopsPullingAnEndlessSource(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(10), WithConcurrency(2))
	ctx, cancel := context.WithCancel(t.Context())
	var requests atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 3 {
			cancel()
		}
		answerAll(w, decodeImport(t, r).Users)
	})
	pulled := 0
	endless := func(yield func(User, error) bool) {
		for i := 0; ; i++ {
			pulled++
			if !yield(User{UID: fmt.Sprint("u", i), Name: "n"}, nil) {
				return
			}
		}
	}
	reported := 0
	done := make(chan error, 1)
	go func() {
		done <- c.ImportUsersSeq(ctx, endless, func(ItemResult) { reported++ })
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Second):
		t.Fatal("a cancelled import of an endless source did not return within 1 s")
	}
	require.ErrorIs(t, err, context.Canceled)
	var ie *ImportError
	require.ErrorAs(t, err, &ie)
	assert.True(t, ie.Unread)
	assert.Equal(t, pulled, ie.Read)
	assert.Equal(t, pulled, reported, "every item read is reported")
	assert.Contains(t, err.Error(), "the rest not read")
}

func TestSourceErrorEndsTheImport(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(10))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		answerAll(w, decodeImport(t, r).Users)
	})
	broken := errors.New("disk on fire")
	src := func(yield func(User, error) bool) {
		for i := range 25 {
			if !yield(User{UID: fmt.Sprint("u", i), Name: "n"}, nil) {
				return
			}
		}
		if yield(User{}, broken) {
			t.Error("the import asked for more after the source's error")
		}
	}
	got := map[int]Status{}
	err := c.ImportUsersSeq(t.Context(), src, func(r ItemResult) { got[r.Index] = r.Status })
	require.ErrorIs(t, err, broken)
	assert.Contains(t, err.Error(), "reading item 25")
	var ie *ImportError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 25, ie.Read)
	assert.Len(t, got, 25, "the items read before the error are all reported")
}

func TestSliceImportReportsUnreadItemsSkipped(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(10), WithConcurrency(1))
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		cometError(w, 401, "AUTH_ERR_APIKEY_NOT_FOUND", "no")
	})
	in := make([]User, 500)
	for i := range in {
		in[i] = User{UID: fmt.Sprint("u", i), Name: "n"}
	}
	res, err := c.ImportUsers(t.Context(), in)
	require.ErrorIs(t, err, ErrUnauthorized)
	for i, r := range res.Items {
		require.Equal(t, i, r.Index)
		require.NotZero(t, r.Status, "item %d has a result", i)
		require.Error(t, r.Err)
	}
	var ie *ImportError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 500, ie.Failed+ie.Skipped)
}

func TestTimesAreTenDigits(t *testing.T) {
	c, _, _ := setup(t)
	res, err := c.ImportUsers(t.Context(), []User{{UID: "a", Name: "A", CreatedAt: time.Unix(999_999_999, 0)}})
	require.Error(t, err)
	var v *ValidationError
	require.ErrorAs(t, res.Items[0].Err, &v)
	assert.Equal(t, "createdAt", v.Field)
	assert.Contains(t, v.Reason, "10-digit")
}

func TestSwappedCometChatCredentialsAreRefusedWithoutTheKey(t *testing.T) {
	const realShapedKey = "0123456789abcdef0123456789abcdef01234567" // 40 hex digits, fake
	for _, tc := range []struct{ appID, key string }{
		{realShapedKey, "1a2b3c4d5e6f7a8b"},
		{testAPIKey, testAppID},
	} {
		_, err := NewCometChat(tc.appID, "us", tc.key)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "swapped")
		assert.NotContains(t, err.Error(), tc.appID)
		assert.NotContains(t, err.Error(), tc.key)
	}
}

func TestAPIErrorKindUsesItsOwnProvidersTable(t *testing.T) {
	assert.ErrorIs(t, &APIError{Provider: ProviderCometChat, Code: "ERR_UID_NOT_FOUND"}, ErrNotFound)
	assert.NotErrorIs(t, &APIError{Provider: ProviderTencent, Code: "ERR_UID_NOT_FOUND"}, ErrNotFound)
	assert.ErrorIs(t, &APIError{Provider: ProviderTencent, Code: "10010"}, ErrNotFound)
	assert.Nil(t, (&APIError{Provider: "other", Code: "ERR_UID_NOT_FOUND", HTTPStatus: 200}).Kind(), "an unknown provider has no table")
	e := &APIError{Provider: ProviderCometChat, HTTPStatus: 422, Message: `{"x":1}`}
	assert.ErrorIs(t, e, ErrInvalidRequest)
	assert.Equal(t, `cometchat: 422: {"x":1}`, e.Error(), "no stray space before the colon")
}

func TestRetryReasonIsLogged(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux, _ := setup(t, WithLogger(logger))
	var calls atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			cometError(w, 503, "ERR_EXCEPTION", "busy")
			return
		}
		answerAll(w, decodeImport(t, r).Users)
	})
	_, err := c.ImportUsers(t.Context(), users("a"))
	require.NoError(t, err)
	line := ""
	for l := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(l, "retrying") {
			line = l
		}
	}
	assert.Contains(t, line, "reason=")
	assert.Contains(t, line, "ERR_EXCEPTION")
	assert.NotContains(t, logs.String(), testAPIKey)
}

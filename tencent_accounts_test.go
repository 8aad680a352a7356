package chatimport

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func accounts(n int) []User {
	out := make([]User, n)
	for i := range out {
		out[i] = User{UID: fmt.Sprintf("u%03d", i)}
	}
	return out
}

func TestTencentAccountsMapping(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any { return ok(nil) })
	in := []User{{UID: "Bob", Name: "Bob B.", Avatar: "https://img.example/bob.png"}, {UID: "bob"}}
	res, err := c.ImportUsers(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Count(StatusImported), "ids are case-sensitive: two accounts")
	calls := s.Calls()
	require.Len(t, calls, 1)
	assert.Equal(t, "multiaccount_import", calls[0].command)
	assert.Equal(t, map[string]any{"AccountList": []any{
		map[string]any{"UserID": "Bob", "Nick": "Bob B.", "FaceUrl": "https://img.example/bob.png"},
		map[string]any{"UserID": "bob"},
	}}, calls[0].body)
}

func TestTencentAccountsBatchesOf100(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any { return ok(nil) }, WithConcurrency(1))
	res, err := c.ImportUsers(t.Context(), accounts(250))
	require.NoError(t, err)
	assert.Equal(t, 250, res.Count(StatusImported))
	var sizes []int
	seen := map[string]int{}
	for _, call := range s.Calls() {
		ids := call.list("AccountList")
		sizes = append(sizes, len(ids))
		for _, id := range ids {
			seen[id]++
		}
	}
	assert.Equal(t, []int{100, 100, 50}, sizes)
	assert.Len(t, seen, 250)
}

func TestTencentFailAccounts(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any {
		return ok(map[string]any{"FailAccounts": []string{"u001", "u003"}})
	}, WithRetry(3, time.Millisecond, time.Millisecond))
	res, err := c.ImportUsers(t.Context(), accounts(4))
	require.Error(t, err)
	assert.Equal(t, []Status{StatusImported, StatusFailed, StatusImported, StatusFailed},
		[]Status{res.Items[0].Status, res.Items[1].Status, res.Items[2].Status, res.Items[3].Status})
	var apiErr *APIError
	require.ErrorAs(t, res.Items[1].Err, &apiErr)
	assert.Contains(t, apiErr.Message, "FailAccounts")
	assert.Len(t, s.Calls(), 1, "a failed account is not sent again")
	assert.Zero(t, res.Count(StatusExisted), "the answer never says an account existed")
}

func TestTencentAccountsRefuseWhatTheyCannotHold(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any { return ok(nil) })
	when := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		u     User
		field string
	}{
		{User{UID: ""}, "uid"},
		{User{UID: strings.Repeat("x", 33)}, "uid"},
		{User{UID: "a\xff"}, "uid"},
		{User{UID: "a", Name: strings.Repeat("n", 501)}, "name"},
		{User{UID: "a", Avatar: strings.Repeat("p", 501)}, "avatar"},
		{User{UID: "a", Link: "https://x"}, "link"},
		{User{UID: "a", Role: "default"}, "role"},
		{User{UID: "a", Metadata: map[string]any{"k": 1}}, "metadata"},
		{User{UID: "a", Tags: []string{"t"}}, "tags"},
		{User{UID: "a", CreatedAt: when}, "createdAt"},
		{User{UID: "a", LastActiveAt: when}, "lastActiveAt"},
		{User{UID: "a", DeactivatedAt: when}, "deactivatedAt"},
	} {
		res, err := c.ImportUsers(t.Context(), []User{tc.u, {UID: "fine"}})
		var v *ValidationError
		require.ErrorAs(t, err, &v, tc.field)
		assert.Equal(t, tc.field, v.Field)
		assert.Equal(t, StatusFailed, res.Items[0].Status)
		assert.Equal(t, StatusImported, res.Items[1].Status, "the valid account still goes")
	}
	for _, call := range s.Calls() {
		assert.Equal(t, []string{"fine"}, call.list("AccountList"))
	}
	// 32 bytes is the limit, not above it.
	_, err := c.ImportUsers(t.Context(), []User{{UID: strings.Repeat("x", 32), Name: strings.Repeat("n", 500)}})
	require.NoError(t, err)
}

func TestTencentUserSigExpiredSignsAnew(t *testing.T) {
	for _, code := range []int{70001, 70052} {
		var clock *fakeClock
		c, s, clock := setupTencentAPI(t, func(n int, call apiCall) any {
			if n == 1 {
				_ = clock.Sleep(t.Context(), time.Hour) // so that a new sig differs
				return failure(code, "usersig expired")
			}
			return ok(nil)
		}, WithRetry(3, time.Millisecond, time.Millisecond))
		first := c.provider.(*tencentChat).sigs.Load()
		res, err := c.ImportUsers(t.Context(), accounts(1))
		require.NoError(t, err, code)
		assert.Equal(t, 1, res.Count(StatusImported))
		calls := s.Calls()
		require.Len(t, calls, 2)
		assert.NotSame(t, first, c.provider.(*tencentChat).sigs.Load(), "a new signer")
		assert.NotEqual(t, calls[0].query.Get("usersig"), calls[1].query.Get("usersig"), "signed anew")
	}
	// A fresh sig refused again is final: two requests, no more.
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any { return failure(70001, "usersig expired") }, WithRetry(3, time.Millisecond, time.Millisecond))
	_, err := c.ImportUsers(t.Context(), accounts(3))
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Len(t, s.Calls(), 2)
}

func TestTencentLockoutWaitsAMinute(t *testing.T) {
	c, s, clock := setupTencentAPI(t, func(n int, call apiCall) any {
		if n == 1 {
			return failure(70050, "too many failed attempts, retry after 1 minute")
		}
		return ok(nil)
	}, WithRetry(3, time.Millisecond, 2*time.Minute))
	_, err := c.ImportUsers(t.Context(), accounts(1))
	require.NoError(t, err)
	assert.Len(t, s.Calls(), 2)
	assert.Equal(t, []time.Duration{time.Minute}, clock.Slept())
}

func TestTencentAccountTemporaryCodesRetried(t *testing.T) {
	for _, code := range []int{10002, 70169, 70500, 10006, 60007, 60011, 60018, 60019} {
		c, s, clock := setupTencentAPI(t, func(n int, call apiCall) any {
			if n == 1 {
				return failure(code, "busy")
			}
			return ok(nil)
		}, WithRetry(2, 10*time.Millisecond, time.Second))
		_, err := c.ImportUsers(t.Context(), accounts(2))
		require.NoError(t, err, code)
		assert.Len(t, s.Calls(), 2, code)
		assert.Len(t, clock.Slept(), 1, code)
	}
}

func TestTencentListUsersUnsupported(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any { return ok(nil) })
	var errs []error
	for _, err := range c.ListUsers(t.Context(), nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrUnsupported)
	assert.ErrorContains(t, errs[0], "ListMembers")
	assert.Empty(t, s.Calls())
}

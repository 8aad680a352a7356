package chatimport

import (
	"context"
	"fmt"
	"iter"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// store is a minimal stateful CometChat import endpoint: it remembers what
// it imported (lower-cased, as CometChat does) and answers repeats with
// already-exists, so lost answers and resends can be tested.
type store struct {
	mu       sync.Mutex
	seen     map[string]int // times each key arrived
	requests int
	largest  int
	// fault, when set, decides per request: "" answers normally, "lost"
	// applies the batch then answers 500, anything else is a status code.
	fault func(n int) string
}

func newStore() *store { return &store{seen: map[string]int{}} }

func (s *store) handler(t *testing.T, existsCode string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := decodeImport(t, r)
		entities := b.Users
		if entities == nil {
			entities = b.Members
		}
		s.mu.Lock()
		s.requests++
		n := s.requests
		s.largest = max(s.largest, len(entities))
		fault := ""
		if s.fault != nil {
			fault = s.fault(n)
		}
		if fault != "" && fault != "lost" {
			s.mu.Unlock()
			code := 0
			fmt.Sscan(fault, &code)
			w.Header().Set("Retry-After", "1")
			cometError(w, code, "ERR_INJECTED", "injected")
			return
		}
		data := map[string]any{}
		for k := range entities {
			lk := strings.ToLower(k)
			s.seen[lk]++
			if s.seen[lk] > 1 {
				data[lk] = map[string]any{"success": false, "error": map[string]any{"code": existsCode, "message": "exists"}}
			} else {
				data[lk] = map[string]any{"success": true, "data": map[string]any{"uid": lk}}
			}
		}
		s.mu.Unlock()
		if fault == "lost" {
			cometError(w, 500, "ERR_MISSION_FAILED", "lost")
			return
		}
		writeJSON(w, 200, map[string]any{"data": data})
	}
}

func TestImportUsersWireFormat(t *testing.T) {
	c, mux, _ := setup(t)
	created := time.Unix(1673421419, 0)
	var body map[string]any
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		b := decodeImport(t, r)
		body = b.Users["alice"]
		answerAll(w, b.Users)
	})
	_, err := c.ImportUsers(t.Context(), []User{{UID: "alice", Name: "Alice", Avatar: "https://a/x.png", Role: "default",
		Metadata: map[string]any{"k": "v"}, Tags: []string{"t1"}, CreatedAt: created, LastActiveAt: created.Add(time.Hour)}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"uid": "alice", "name": "Alice", "avatar": "https://a/x.png", "role": "default",
		"metadata": map[string]any{"k": "v"}, "tags": []any{"t1"},
		"createdAt": float64(1673421419), "lastActiveAt": float64(1673425019),
	}, body, "times go as integers; zero times and empty fields are left out")
}

func TestImportMembersWireFormat(t *testing.T) {
	c, mux, _ := setup(t)
	var body importBody
	mux.HandleFunc("POST /data_import/members", func(w http.ResponseWriter, r *http.Request) {
		body = decodeImport(t, r)
		answerAll(w, body.Members)
	})
	created := time.Unix(1673421419, 0)
	res, err := c.ImportMembers(t.Context(), []Member{
		{GUID: "guid1", UID: "uid2", Scope: ScopeAdmin, JoinedAt: created.Add(time.Minute),
			Group: &Group{Name: "G", Type: GroupPublic, Owner: "uid1", CreatedAt: created},
			User:  &User{Name: "U2"}},
		{GUID: "guid1", UID: "uid3", Banned: true},
	})
	require.NoError(t, err)
	assert.Equal(t, "guid1_member_uid2", res.Items[0].ID)
	assert.Equal(t, map[string]any{
		"memberId": "guid1_member_uid2", "guid": "guid1", "uid": "uid2", "scope": "admin", "joinedAt": float64(1673421479),
		"groupDetails": map[string]any{"guid": "guid1", "name": "G", "type": "public", "owner": "uid1", "createdAt": float64(1673421419)},
		"userDetails":  map[string]any{"uid": "uid2", "name": "U2"},
	}, body.Members["guid1_member_uid2"])
	assert.Equal(t, map[string]any{"memberId": "guid1_member_uid3", "guid": "guid1", "uid": "uid3", "scope": "participant", "isBanned": true},
		body.Members["guid1_member_uid3"])
}

func TestValidationRules(t *testing.T) {
	c, mux, _ := setup(t)
	var sent atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		b := decodeImport(t, r)
		sent.Add(int32(len(b.Users)))
		answerAll(w, b.Users)
	})
	long := strings.Repeat("a", 101)
	tags := make([]string, 26)
	for _, tc := range []struct {
		user  User
		field string
	}{
		{User{UID: "", Name: "n"}, "uid"},
		{User{UID: long, Name: "n"}, "uid"},
		{User{UID: "has space", Name: "n"}, "uid"},
		{User{UID: "dot.ted", Name: "n"}, "uid"},
		{User{UID: "ünï", Name: "n"}, "uid"},
		{User{UID: "a", Name: ""}, "name"},
		{User{UID: "a", Name: "   "}, "name"},
		{User{UID: "a", Name: long}, "name"},
		{User{UID: "a", Name: "n", Avatar: strings.Repeat("x", 3001)}, "avatar"},
		{User{UID: "a", Name: "n", Link: strings.Repeat("x", 3001)}, "link"},
		{User{UID: "a", Name: "n", Tags: tags}, "tags"},
		{User{UID: "a", Name: "n", Metadata: map[string]any{"f": func() {}}}, "metadata"},
		{User{UID: "a", Name: "n", Metadata: map[string]any{"nan": math.NaN()}}, "metadata"},
		{User{UID: "a", Name: "n", CreatedAt: time.Unix(-5, 0)}, "createdAt"},
		{User{UID: "a", Name: "n", LastActiveAt: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)}, "lastActiveAt"},
		{User{UID: "a", Name: "n", DeactivatedAt: time.Unix(0, 1)}, "deactivatedAt"},
	} {
		// The invalid user sits between two valid ones, which still go.
		res, err := c.ImportUsers(t.Context(), []User{{UID: "ok1", Name: "x"}, tc.user, {UID: "ok2", Name: "y"}})
		require.Error(t, err)
		var v *ValidationError
		require.ErrorAs(t, err, &v, tc.field)
		assert.Equal(t, tc.field, v.Field, "%+v", tc.user)
		assert.Equal(t, 1, v.Index)
		assert.Equal(t, tc.user.UID, v.ID)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		assert.Equal(t, []Status{StatusImported, StatusFailed, StatusImported},
			[]Status{res.Items[0].Status, res.Items[1].Status, res.Items[2].Status})
	}
	assert.EqualValues(t, 32, sent.Load(), "only valid users are sent")
}

func TestMemberValidationRules(t *testing.T) {
	c, mux, clock := setup(t)
	mux.HandleFunc("POST /data_import/members", func(w http.ResponseWriter, r *http.Request) {
		answerAll(w, decodeImport(t, r).Members)
	})
	created := clock.Now().Add(-time.Hour)
	for _, tc := range []struct {
		m     Member
		field string
	}{
		{Member{GUID: "", UID: "u"}, "guid"},
		{Member{GUID: "g!", UID: "u"}, "guid"},
		{Member{GUID: "g", UID: ""}, "uid"},
		{Member{GUID: "g", UID: "u", Scope: "owner"}, "scope"},
		{Member{GUID: "g", UID: "u", UnreadCount: 3}, "unreadMsgNum"},
		{Member{GUID: "g", UID: "u", Group: &Group{Name: "G", Type: "secret"}}, "groupDetails.type"},
		{Member{GUID: "g", UID: "u", Group: &Group{Name: "G"}}, "groupDetails.type"},
		{Member{GUID: "g", UID: "u", Group: &Group{Name: "", Type: GroupPublic}}, "groupDetails.name"},
		{Member{GUID: "g", UID: "u", Group: &Group{Name: "G", Type: GroupPassword}}, "groupDetails.password"},
		{Member{GUID: "g", UID: "u", Group: &Group{GUID: "other", Name: "G", Type: GroupPublic}}, "groupDetails.guid"},
		{Member{GUID: "g", UID: "u", Group: &Group{Name: "G", Type: GroupPublic, Owner: "bad owner"}}, "groupDetails.owner"},
		{Member{GUID: "g", UID: "u", Group: &Group{Name: "G", Type: GroupPublic, Metadata: map[string]any{"c": make(chan int)}}}, "groupDetails.metadata"},
		{Member{GUID: "g", UID: "u", User: &User{Name: ""}}, "userDetails.name"},
		{Member{GUID: "g", UID: "u", User: &User{UID: "v", Name: "V"}}, "userDetails.uid"},
		{Member{GUID: "g", UID: "u", User: &User{Name: "U", Metadata: map[string]any{"c": make(chan int)}}}, "userDetails.metadata"},
		{Member{GUID: "g", UID: "u", JoinedAt: clock.Now().Add(time.Minute)}, "joinedAt"},
		{Member{GUID: "g", UID: "u", JoinedAt: created.Add(-time.Second), Group: &Group{Name: "G", Type: GroupPublic, CreatedAt: created}}, "joinedAt"},
	} {
		res, err := c.ImportMembers(t.Context(), []Member{tc.m, {GUID: "g", UID: "fine"}})
		var v *ValidationError
		require.ErrorAs(t, err, &v, tc.field)
		assert.Equal(t, tc.field, v.Field, "%+v", tc.m)
		assert.Equal(t, StatusFailed, res.Items[0].Status)
		assert.Equal(t, StatusImported, res.Items[1].Status)
	}
	res, err := c.ImportMembers(t.Context(), []Member{{GUID: "g", UID: "u", JoinedAt: created.Add(time.Second),
		Group: &Group{Name: "G", Type: GroupPassword, Password: "pw", CreatedAt: created}}})
	require.NoError(t, err, "a join after creation and before now is fine")
	assert.Equal(t, StatusImported, res.Items[0].Status)
}

func TestCaseCollisionIsRefusedAndDuplicatesSkipped(t *testing.T) {
	c, mux, _ := setup(t)
	var got []string
	var mu sync.Mutex
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		b := decodeImport(t, r)
		mu.Lock()
		for k := range b.Users {
			got = append(got, k)
		}
		mu.Unlock()
		answerAll(w, b.Users)
	})
	in := []User{
		{UID: "Alice", Name: "A"},
		{UID: "alice", Name: "A"},       // collides with 0
		{UID: "Alice", Name: "A"},       // identical repeat of 0
		{UID: "Alice", Name: "Another"}, // conflicting repeat of 0
		{UID: "bob", Name: "B"},
	}
	res, err := c.ImportUsers(t.Context(), in)
	require.Error(t, err)
	assert.ElementsMatch(t, []string{"Alice", "bob"}, got, "one request, each user once")

	assert.Equal(t, StatusImported, res.Items[0].Status)
	var v *ValidationError
	require.ErrorAs(t, res.Items[1].Err, &v)
	assert.Equal(t, StatusFailed, res.Items[1].Status)
	assert.Equal(t, "uid", v.Field)
	assert.Contains(t, v.Reason, "item 0")
	assert.Contains(t, v.Reason, "letter case")

	for i, differs := range map[int]bool{2: false, 3: true} {
		var d *DuplicateError
		require.ErrorAs(t, res.Items[i].Err, &d)
		assert.Equal(t, StatusSkipped, res.Items[i].Status)
		assert.Equal(t, 0, d.First)
		assert.Equal(t, differs, d.Differs, "item %d", i)
	}
	assert.Equal(t, StatusImported, res.Items[4].Status)
	assert.ErrorIs(t, err, ErrDuplicate)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	var ie *ImportError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 1, ie.Failed)
	assert.Equal(t, 2, ie.Skipped)
}

func TestMemberCaseCollision(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /data_import/members", func(w http.ResponseWriter, r *http.Request) {
		answerAll(w, decodeImport(t, r).Members)
	})
	res, err := c.ImportMembers(t.Context(), []Member{{GUID: "G1", UID: "u"}, {GUID: "g1", UID: "U"}})
	require.Error(t, err)
	assert.Equal(t, StatusImported, res.Items[0].Status)
	assert.Equal(t, StatusFailed, res.Items[1].Status)
	var v *ValidationError
	require.ErrorAs(t, res.Items[1].Err, &v)
	assert.Equal(t, "memberId", v.Field)
}

func TestPerItemAnswers(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(2, time.Millisecond, time.Second))
	var flaky atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		b := decodeImport(t, r)
		data := map[string]any{}
		for k := range b.Users {
			switch k {
			case "old":
				data[k] = map[string]any{"success": false, "error": map[string]any{"code": "ERR_UID_ALREADY_EXISTS", "message": "exists"}}
			case "bad":
				data[k] = map[string]any{"success": false, "error": map[string]any{"code": "ERR_IMPORT_INVALID_USER_FORMAT",
					"message": "bad", "details": map[string]any{"name": []string{"too fancy"}}}}
			case "flaky": // fails once, temporarily
				if flaky.Add(1) == 1 {
					data[k] = map[string]any{"success": false, "error": map[string]any{"code": "ERR_MISSION_FAILED", "message": "db timeout"}}
				} else {
					data[k] = map[string]any{"success": true}
				}
			case "never": // always fails temporarily
				data[k] = map[string]any{"success": false, "error": map[string]any{"code": "ERR_MISSION_FAILED", "message": "db timeout"}}
			case "nested": // the older nesting
				data[k] = map[string]any{"data": map[string]any{"success": true, "data": map[string]any{"uid": k}}}
			case "missing":
			default:
				data[k] = map[string]any{"success": true}
			}
		}
		writeJSON(w, 200, map[string]any{"data": data})
	})
	res, err := c.ImportUsers(t.Context(), users("new", "old", "bad", "flaky", "never", "nested", "missing"))
	require.Error(t, err)
	want := []Status{StatusImported, StatusExisted, StatusFailed, StatusImported, StatusFailed, StatusImported, StatusFailed}
	for i, w := range want {
		assert.Equal(t, w, res.Items[i].Status, res.Items[i].ID)
	}
	assert.NoError(t, res.Items[1].Err, "existing is a success")
	var apiErr *APIError
	require.ErrorAs(t, res.Items[2].Err, &apiErr)
	assert.Equal(t, "ERR_IMPORT_INVALID_USER_FORMAT", apiErr.Code)
	assert.Equal(t, []string{"too fancy"}, apiErr.Details["name"])
	assert.ErrorIs(t, res.Items[4].Err, ErrTemporary)
	assert.ErrorIs(t, res.Items[6].Err, ErrTemporary)
	assert.EqualValues(t, 2, flaky.Load(), "a temporary item failure is sent again")
}

func TestLostResponseEndsExistedNotTwice(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(3, time.Millisecond, time.Second))
	s := newStore()
	s.fault = func(n int) string {
		if n == 1 {
			return "lost"
		}
		return ""
	}
	mux.HandleFunc("POST /data_import/users", s.handler(t, "ERR_UID_ALREADY_EXISTS"))
	res, err := c.ImportUsers(t.Context(), users("a", "b", "c"))
	require.NoError(t, err)
	for _, it := range res.Items {
		assert.Equal(t, StatusExisted, it.Status, it.ID)
	}
	assert.Equal(t, 2, s.requests)
}

func TestFatalErrorSkipsTheRest(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(2), WithConcurrency(1))
	var calls atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		cometError(w, 401, "AUTH_ERR_APIKEY_NOT_FOUND", "who are you")
	})
	var uids []string
	for i := range 20 {
		uids = append(uids, fmt.Sprint("u", i))
	}
	res, err := c.ImportUsers(t.Context(), users(uids...))
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.LessOrEqual(t, calls.Load(), int32(2), "no more requests after the credentials are refused")
	assert.Equal(t, StatusFailed, res.Items[0].Status)
	skipped := res.Count(StatusSkipped)
	assert.GreaterOrEqual(t, skipped, 16)
	assert.Equal(t, 20, skipped+res.Count(StatusFailed))
	for _, it := range res.Items {
		assert.ErrorIs(t, it.Err, ErrUnauthorized, it.ID)
	}
}

func TestCancelledImportAccountsForEveryItem(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(1), WithConcurrency(1))
	ctx, cancel := context.WithCancel(t.Context())
	var calls atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 2 {
			cancel()
		}
		answerAll(w, decodeImport(t, r).Users)
	})
	res, err := c.ImportUsers(ctx, users("a", "b", "c", "d", "e"))
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, res.Items, 5)
	assert.Equal(t, StatusImported, res.Items[0].Status)
	for i, it := range res.Items {
		assert.Equal(t, i, it.Index)
		assert.NotZero(t, it.Status)
		if !it.Status.OK() {
			assert.ErrorIs(t, it.Err, context.Canceled)
		}
	}
	assert.GreaterOrEqual(t, res.Count(StatusSkipped), 2)
}

func TestConcurrencyIsBounded(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(1), WithConcurrency(3))
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	var once sync.Once
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n == 3 { // three in flight again later must not close it twice
			once.Do(func() { close(release) })
		}
		<-release
		answerAll(w, decodeImport(t, r).Users)
	})
	var uids []string
	for i := range 12 {
		uids = append(uids, fmt.Sprint("u", i))
	}
	_, err := c.ImportUsers(t.Context(), users(uids...))
	require.NoError(t, err)
	assert.EqualValues(t, 3, peak.Load())
}

func TestStreamingPullsLazilyAndReportsEveryItem(t *testing.T) {
	const n, size, conc = 2000, 50, 2
	c, mux, _ := setup(t, WithBatchSize(size), WithConcurrency(conc))
	s := newStore()
	var pulled, reported atomic.Int64
	var maxAhead atomic.Int64
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		ahead := pulled.Load() - reported.Load()
		for m := maxAhead.Load(); ahead > m && !maxAhead.CompareAndSwap(m, ahead); m = maxAhead.Load() {
		}
		s.handler(t, "ERR_UID_ALREADY_EXISTS")(w, r)
	})
	seq := func(yield func(User, error) bool) {
		for i := range n {
			pulled.Add(1)
			if !yield(User{UID: fmt.Sprint("u", i), Name: "n"}, nil) {
				return
			}
		}
	}
	seen := make([]bool, n)
	err := c.ImportUsersSeq(t.Context(), seq, func(r ItemResult) {
		reported.Add(1)
		assert.False(t, seen[r.Index], "reported once")
		seen[r.Index] = true
		assert.Equal(t, StatusImported, r.Status)
	})
	require.NoError(t, err)
	assert.EqualValues(t, n, reported.Load())
	assert.LessOrEqual(t, maxAhead.Load(), int64(size*(conc+3)), "items pulled but not reported stay bounded by batch size × concurrency")
	assert.Equal(t, size, s.largest)
}

func TestStreamingNeedsAFunc(t *testing.T) {
	c, _, _ := setup(t)
	var seq iter.Seq2[User, error] = func(func(User, error) bool) {}
	assert.Error(t, c.ImportUsersSeq(t.Context(), seq, nil))
	assert.Error(t, c.ImportUsersSeq(t.Context(), nil, func(ItemResult) {}))
	assert.Error(t, c.ImportMembersSeq(t.Context(), func(func(Member, error) bool) {}, nil))
}

func TestUnknownBodyIsNotRetried(t *testing.T) {
	c, mux, _ := setup(t, WithRetry(3, time.Millisecond, time.Second))
	var calls atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(200)
		_, _ = w.Write([]byte("{not json"))
	})
	res, err := c.ImportUsers(t.Context(), users("a"))
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrTemporary)
	assert.EqualValues(t, 1, calls.Load())
	assert.Equal(t, StatusFailed, res.Items[0].Status)
	assert.Contains(t, err.Error(), "unreadable answer")
}

func TestStreamingAccountsForEveryItemAfterAFatalError(t *testing.T) {
	c, mux, _ := setup(t, WithBatchSize(10), WithConcurrency(1))
	var requests atomic.Int32
	mux.HandleFunc("POST /data_import/users", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		cometError(w, 403, "AUTH_ERR_NO_ACCESS", "no")
	})
	const n = 5000
	pulled := 0
	seq := func(yield func(User, error) bool) {
		for i := range n {
			pulled++
			if !yield(User{UID: fmt.Sprint("u", i), Name: "n"}, nil) {
				return
			}
		}
	}
	reported := map[int]Status{}
	err := c.ImportUsersSeq(t.Context(), seq, func(r ItemResult) { reported[r.Index] = r.Status })
	require.ErrorIs(t, err, ErrPermission)
	var ie *ImportError
	require.ErrorAs(t, err, &ie)
	assert.True(t, ie.Unread, "the error says the rest was not read")
	assert.Equal(t, pulled, ie.Read)
	assert.Len(t, reported, pulled, "every item read has its result")
	for i := range pulled {
		assert.Contains(t, reported, i)
	}
	assert.Less(t, pulled, 100, "the source is not read to its end")
	assert.LessOrEqual(t, requests.Load(), int32(2), "and no more requests are sent")
}

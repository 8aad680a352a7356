package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/internal/tencent"
)

// The fake sees groups created while accounts are still being imported, and
// a group whose owner is one of those accounts lands all the same: it waits
// for its owner, where the fake would refuse it (10019) if it came first.
func TestTencentImportsAccountsBesideGroups(t *testing.T) {
	s := newFake(t)
	s.AddTencentAccounts("already")
	// The proxy holds every account request until a group has arrived, so
	// a tool importing accounts first would never send one: the order of
	// arrival is the proof, not a clock.
	var (
		mu      sync.Mutex
		order   []string
		grouped = make(chan struct{})
		once    sync.Once
	)
	target, err := url.Parse(s.URL)
	require.NoError(t, err)
	fwd := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case tencent.PathImportGroup:
			once.Do(func() { close(grouped) })
		case tencent.PathMultiAccountImport:
			select {
			case <-grouped:
			case <-time.After(10 * time.Second): // only a failing tool waits this long
				t.Error("accounts were imported with no group beside them")
				once.Do(func() { close(grouped) })
			}
		}
		fwd.ServeHTTP(w, r)
		mu.Lock()
		order = append(order, path.Base(r.URL.Path))
		mu.Unlock()
	}))
	t.Cleanup(proxy.Close)

	var users []string
	for i := range 6 {
		users = append(users, fmt.Sprintf(`{"uid":"u%d","name":"User %d"}`, i, i))
	}
	groups := writeFile(t, "groups.jsonl",
		`{"guid":"owned","name":"Owned","type":"private","owner":"u5"}`, // u5 is the last account sent
		`{"guid":"free","name":"Free","type":"public"}`,
		`{"guid":"outside","name":"Outside","type":"public","owner":"already"}`,
		`{"guid":"owned","name":"Owned","type":"private","owner":"u5"}`, // waits behind its first, then a duplicate
		`{"guid":"owned-too","name":"Owned too","type":"public","owner":"u0"}`)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r := runImport(t.Context(), tencentEnv(), append([]string{"-provider", "tencent", "-base-url", proxy.URL, "-batch", "1",
		"-users", writeFile(t, "users.jsonl", users...), "-groups", groups, "-report", report}, fastFlags...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)

	lines := byLine(t, readReport(t, report))
	require.Len(t, lines["users"], 6)
	require.Len(t, lines["groups"], 5)
	for n, want := range map[int]string{1: "imported", 2: "imported", 3: "imported", 4: "skipped", 5: "imported"} {
		assert.Equal(t, want, lines["groups"][n].Status, "groups line %d", n)
	}
	assert.Contains(t, lines["groups"][4].Error, "duplicate of line 1, identical")
	owners := map[string]string{}
	for _, g := range s.TencentGroups() {
		owners[g.GroupID] = g.Owner
	}
	assert.Equal(t, map[string]string{"owned": "u5", "free": "", "outside": "already", "owned-too": "u0"}, owners)

	mu.Lock()
	defer mu.Unlock()
	firstGroup, lastAccount := -1, -1
	for i, cmd := range order {
		switch cmd {
		case "import_group":
			if firstGroup < 0 {
				firstGroup = i
			}
		case "multiaccount_import":
			lastAccount = i
		}
	}
	assert.Less(t, firstGroup, lastAccount, "a group answered before the last account: %v", order)
}

// A group waits behind an earlier held one of its guid, and goes in input
// order once its owner lands; what is still held when the import stops ends
// as not sent.
func TestOwnerHoldKeepsInputOrderWithinAGuid(t *testing.T) {
	gate := &ownerGate{owners: map[string]bool{"x": true, "y": true, "z": true}, landed: map[string]bool{},
		pending: map[string]bool{"x": true, "y": true}, scanned: true, changed: make(chan struct{})}
	var ended []*outcome
	hold := newOwnerHold(gate, func(o *outcome) { ended = append(ended, o) })
	var fed []int
	feed := func(h held[chatimport.Group]) bool { fed = append(fed, h.at.index); return true }
	add := func(index int, guid, owner string) {
		require.True(t, hold.add(t.Context(), held[chatimport.Group]{item: chatimport.Group{GUID: guid, Owner: owner},
			at: position{index, index + 1}}, feed))
	}
	add(0, "a", "x")
	add(1, "b", "")
	add(2, "a", "") // ready by its owner, but behind record 0
	add(3, "c", "y")
	add(4, "d", "z") // an owner the accounts file does not hold
	assert.Equal(t, []int{1, 4}, fed)

	gate.land("x")
	add(5, "e", "")
	assert.Equal(t, []int{1, 4, 0, 2, 5}, fed, "once x lands, its group and the repeat behind it go first")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	stop := func(h held[chatimport.Group]) bool { return false } // the library stops pulling
	hold.drain(ctx, stop)
	require.Len(t, ended, 0, "the one fed when the import stopped is the library's to report")

	hold = newOwnerHold(gate, func(o *outcome) { ended = append(ended, o) })
	fed = nil
	add(6, "f", "y")
	add(7, "g", "y")
	hold.drain(ctx, stop)
	require.Len(t, ended, 1)
	assert.Equal(t, outcome{kind: "groups", index: 7, line: 8, id: "g", status: "skipped", class: classNotSent,
		msg: "not sent: the import stopped first", quiet: true}, *ended[0])
}

// Until the read of the accounts file is done, every owner counts as one
// of its accounts: a group goes once its owner lands or the read clears it.
func TestOwnerGateWaitsForTheAccountsRead(t *testing.T) {
	users := writeFile(t, "users.jsonl", `{"uid":"mine"}`, `{"uid":"done-before"}`, `not json`, `{"uid":"old"}`)
	m := &migration{mapper: &mapper{target: chatimport.ProviderTencent, ids: map[string]string{"old": "renamed"}},
		refused: map[string]map[int]outcome{}}
	var err error
	m.users, err = fileInput(t.Context(), "users", users)
	require.NoError(t, err)
	gate := &ownerGate{owners: map[string]bool{"mine": true, "done-before": true, "elsewhere": true, "renamed": true}, landed: map[string]bool{},
		pending: map[string]bool{}, changed: make(chan struct{})}
	for _, owner := range []string{"mine", "done-before", "elsewhere"} {
		assert.False(t, gate.ready(owner), "%s before the read", owner)
	}
	assert.True(t, gate.ready("not-an-owner"))

	changed := gate.next()
	m.scanAccounts(t.Context(), gate, ranges{{1, 1}})
	select {
	case <-changed:
	default:
		t.Fatal("the read's end is no change to the waiting groups")
	}
	assert.False(t, gate.ready("mine"), "an account of this run")
	assert.False(t, gate.ready("renamed"), "an account of this run, by its -id-map name")
	assert.True(t, gate.ready("done-before"), "finished by an earlier run")
	assert.True(t, gate.ready("elsewhere"), "not in the accounts file")

	gate.land("mine")
	assert.True(t, gate.ready("mine"))
}

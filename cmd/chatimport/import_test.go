package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// Credentials in the environment select a real run; -base-url points it at
// a fake of the test's own, with faults on. The report has one line per
// record, and every record arrived exactly once.
func TestFilesAndCredentialsImportIntoTheGivenEndpoint(t *testing.T) {
	s := newFake(t)
	users := writeFile(t, "users.jsonl",
		`{"uid":"alice","name":"Alice","createdAt":"1673421419","metadata":{"@private":{"email":"alice@example.com"}}}`,
		`{"uid":"Bob","name":"Боб","tags":["beta"],"lastActiveAt":1673421500}`,
		`{"uid":"carol","name":"キャロル","avatar":"https://example.com/c.png"}`)
	members := writeFile(t, "members.jsonl",
		`{"guid":"team","uid":"alice","scope":"admin","joinedAt":"1673421479","groupDetails":{"name":"Team","type":"public","createdAt":"1673421419"}}`,
		`{"memberId":"team_member_Bob","guid":"team","uid":"Bob","groupDetails":{"name":"Team","type":"public","createdAt":"1673421419"}}`,
		`{"guid":"club","uid":"dave","isBanned":true,"groupDetails":{"name":"Club","type":"private"},"userDetails":{"name":"Dave"}}`)
	report := filepath.Join(t.TempDir(), "report.jsonl")

	args := append([]string{"-users", users, "-members", members, "-base-url", s.URL + "/v3", "-report", report}, fastFlags...)
	r := runImport(t.Context(), cometEnv(), args...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "Importing into cometchat app fake-app region us at "+s.URL+"/v3.")
	assert.NotContains(t, r.stdout+r.stderr, chatimporttest.APIKey, "the key is never printed")
	assert.Contains(t, r.stdout, "verify: 1 banned member not checked")
	assert.Contains(t, r.stdout, "verified  1 group, 2 members, 0 differences")

	assert.Equal(t, []string{"alice", "bob", "carol", "dave"}, heldUsers(s))
	assert.Equal(t, map[string][]string{"team": {"alice", "bob"}, "club": {"dave"}}, heldMembers(s, []string{"team", "club"}, false))
	assert.True(t, s.Members("club")[0].Banned)

	lines := byLine(t, readReport(t, report))
	require.Len(t, lines["users"], 3)
	require.Len(t, lines["members"], 3)
	for _, kind := range lines {
		for _, l := range kind {
			assert.Contains(t, []string{"imported", "existed"}, l.Status, "%+v", l)
			assert.Equal(t, l.Line-1, l.Index)
		}
	}
	assert.Equal(t, "team_member_Bob", lines["members"][2].ID)
}

// A malformed line is reported with its line number and does not stop the
// lines after it; a blank line is no record at all.
func TestMalformedLineIsReportedAndTheRestImported(t *testing.T) {
	s := newFake(t)
	users := writeFile(t, "users.jsonl",
		`{"uid":"u1","name":"One"}`,
		`{"uid":"u2","name":"Two"}`,
		`{"uid":"u3","name":"Three"`,
		``,
		`{"uid":"u5","name":"Five"}`,
		`{"uid":"u6","name":"Six","name":"Sechs"}`,
		"{\"uid\":\"u7\",\"name\":\"Sev\xe9n\"}")
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r := runImport(t.Context(), cometEnv(), append([]string{"-users", users, "-base-url", s.URL + "/v3", "-report", report}, fastFlags...)...)
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, users+":3: malformed line: not valid JSON")
	assert.Contains(t, r.stdout, users+`:6: malformed line: key "name" appears twice on the line`)
	assert.Contains(t, r.stdout, users+`:7: malformed line: invalid UTF-8 in name at byte 23`)
	assert.Contains(t, r.stdout, "users     6 records: 3 imported, 0 existed, 0 skipped, 3 failed (3 malformed)")
	assert.Equal(t, []string{"u1", "u2", "u5"}, heldUsers(s))

	lines := byLine(t, readReport(t, report))["users"]
	require.Len(t, lines, 6, "one report line per record")
	assert.Equal(t, reportLine{Kind: "users", Index: 2, Line: 3, Status: "failed", Error: lines[3].Error}, lines[3])
	assert.Contains(t, lines[3].Error, "malformed line")
	assert.Equal(t, reportLine{Kind: "users", Index: 3, Line: 5, ID: "u5", Status: "imported"}, lines[5])
}

// The shipped bad samples, imported for real: each bad record is reported
// on its line with its reason, the good ones arrive, exit 1.
func TestBadSamplesAreReportedAndTheGoodOnesImported(t *testing.T) {
	s := newFake(t)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r := runImport(t.Context(), cometEnv(), append([]string{"-users", "samples/bad_users.jsonl", "-members", "samples/bad_members.jsonl",
		"-base-url", s.URL + "/v3", "-report", report}, fastFlags...)...)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)

	lines := byLine(t, readReport(t, report))
	wantUsers := map[int]string{1: "imported", 2: "failed", 3: "failed", 4: "imported", 5: "failed", 6: "skipped", 7: "skipped",
		8: "failed", 9: "failed", 10: "failed", 11: "failed", 12: "failed", 13: "failed", 14: "imported"}
	wantMembers := map[int]string{1: "imported", 2: "failed", 3: "failed", 4: "failed", 5: "skipped", 6: "failed", 7: "failed",
		8: "failed", 9: "failed", 10: "imported"}
	for kind, want := range map[string]map[int]string{"users": wantUsers, "members": wantMembers} {
		require.Len(t, lines[kind], len(want), "one report line per %s line", kind)
		for line, status := range want {
			assert.Equal(t, status, lines[kind][line].Status, "%s line %d: %+v", kind, line, lines[kind][line])
		}
	}
	assert.Contains(t, lines["users"][5].Error, "letter case")
	assert.Equal(t, "duplicate of line 1, with different fields; not sent", lines["users"][7].Error)
	assert.Contains(t, lines["members"][3].Error, "is not after the group was created")

	assert.Equal(t, []string{"ada-lovelace", "alice", "linus"}, heldUsers(s))
	assert.Zero(t, s.Received("alice"), "the case variant of Alice was never sent")
	assert.Equal(t, map[string][]string{"team": {"ada-lovelace", "linus"}}, heldMembers(s, []string{"team"}, false))
}

// A dry run validates with the library's own rules and sends nothing: the
// fake behind -base-url sees no request at all.
func TestDryRunListsProblemsAndSendsNothing(t *testing.T) {
	s := newFake(t)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r := runImport(t.Context(), cometEnv(), "-dry-run", "-users", "samples/bad_users.jsonl", "-members", "samples/bad_members.jsonl",
		"-base-url", s.URL+"/v3", "-report", report, "-checkpoint", filepath.Join(t.TempDir(), "unused.json"))
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Zero(t, s.Stats().Requests, "nothing was sent")
	for _, want := range []string{
		`bad_users.jsonl:2: "anna maria": invalid uid`,
		`bad_users.jsonl:3: "no-name": invalid name: is empty`,
		`bad_users.jsonl:5: "alice": invalid uid: differs from item 3 only in letter case`,
		`bad_users.jsonl:6: "ada-lovelace": duplicate of line 1, identical; not sent`,
		`bad_users.jsonl:8: malformed line`,
		`bad_users.jsonl:11: malformed line: unknown field "avatarUrl"`,
		`bad_members.jsonl:2: "team_member_linus": invalid scope`,
		`bad_members.jsonl:3: "team_member_Alice": invalid joinedAt`,
		`bad_members.jsonl:6: malformed line`,
		"users     14 records: 3 valid, 2 skipped (1 duplicate, 1 differing duplicate), 9 failed (6 invalid, 3 malformed)",
		"members   10 records: 2 valid, 1 skipped (1 duplicate), 7 failed (5 invalid, 2 malformed)",
		"requests  none: dry run",
	} {
		assert.Contains(t, r.stdout, want)
	}
	assert.Len(t, readReport(t, report), 24)

	// The embedded sample is valid throughout; a dry run needs no credentials.
	r = runImport(t.Context(), envOf(nil), "-dry-run", "-users", "samples/users.jsonl", "-members", "samples/members.jsonl")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "users     1,500 records: 1,500 valid, 0 skipped, 0 failed")
	assert.Contains(t, r.stdout, "members   2,500 records: 2,500 valid, 0 skipped, 0 failed")
}

func TestUsageAndInputErrorsExit2(t *testing.T) {
	s := newFake(t)
	good := writeFile(t, "users.jsonl", `{"uid":"a","name":"A"}`)
	base := []string{"-base-url", s.URL + "/v3"}
	for _, tc := range []struct {
		name string
		env  func(string) string
		args []string
		want string
	}{
		{"unknown flag", envOf(nil), []string{"-frobnicate"}, "flag provided but not defined"},
		{"argument", envOf(nil), []string{"users.jsonl"}, `unexpected argument "users.jsonl"`},
		{"provider", envOf(nil), []string{"-provider", "slack"}, `-provider "slack"`},
		{"per without rate", envOf(nil), []string{"-per", "1s"}, "-per needs -rate"},
		{"nothing to import", cometEnv(), base, "nothing to import"},
		{"missing file", cometEnv(), append([]string{"-users", "no-such.jsonl"}, base...), "no-such.jsonl"},
		{"bad region", envOf(map[string]string{"COMETCHAT_APP_ID": "x", "COMETCHAT_REGION": "mars", "COMETCHAT_API_KEY": "k"}),
			[]string{"-users", good}, `region "mars"`},
		{"bad SDKAppID", envOf(map[string]string{"TENCENT_SDKAPPID": "abc", "TENCENT_SECRET_KEY": "k", "TENCENT_REGION": "usa"}),
			[]string{"-provider", "tencent", "-members", good}, "numeric SDKAppID"},
		{"concurrency", cometEnv(), append([]string{"-users", good, "-concurrency", "0"}, base...), "WithConcurrency"},
		{"batch", cometEnv(), append([]string{"-users", good, "-batch", "51"}, base...), "WithBatchSize"},
		{"plain http elsewhere", cometEnv(), []string{"-users", good, "-base-url", "http://example.com/v3"}, "must use https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runImport(t.Context(), tc.env, tc.args...)
			assert.Equal(t, exitUsage, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
	assert.Zero(t, s.Stats().Requests)
}

// Without credentials an import refuses to run, names every variable that
// is missing, and sends nothing, -base-url or not: only the demo uses a fake.
func TestImportWithoutCredentialsExits2HavingSentNothing(t *testing.T) {
	s := newFake(t)
	users := writeFile(t, "users.jsonl", `{"uid":"a","name":"A"}`)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"cometchat", nil, []string{"-users", users}, "missing credentials: COMETCHAT_APP_ID, COMETCHAT_REGION, COMETCHAT_API_KEY not set"},
		{"cometchat with -base-url", nil, []string{"-users", users, "-base-url", s.URL + "/v3"}, "COMETCHAT_APP_ID, COMETCHAT_REGION, COMETCHAT_API_KEY not set"},
		{"cometchat partly", map[string]string{"COMETCHAT_APP_ID": "x"}, []string{"-users", users}, "missing credentials: COMETCHAT_REGION, COMETCHAT_API_KEY not set"},
		{"tencent", nil, []string{"-provider", "tencent", "-members", users},
			"missing credentials: TENCENT_SDKAPPID, TENCENT_SECRET_KEY, TENCENT_REGION not set (a run against tencent needs TENCENT_SDKAPPID, TENCENT_SECRET_KEY, TENCENT_REGION; TENCENT_ADMIN optional"},
		{"tencent with -base-url", map[string]string{"TENCENT_SDKAPPID": "1400000000"}, []string{"-provider", "tencent", "-members", users, "-base-url", s.URL},
			"missing credentials: TENCENT_SECRET_KEY not set"},
		{"tencent without region", map[string]string{"TENCENT_SDKAPPID": "1400000000", "TENCENT_SECRET_KEY": "k"}, []string{"-provider", "tencent", "-members", users},
			"missing credentials: TENCENT_REGION not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runImport(t.Context(), envOf(tc.env), append(tc.args, "-report", report)...)
			assert.Equal(t, exitUsage, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.Contains(t, r.stderr, "chatimport demo needs none")
			assert.Empty(t, r.stdout)
			assert.NoFileExists(t, report, "nothing was written either")
		})
	}
	assert.Zero(t, s.Stats().Requests)
}

func TestCommandsAndHelp(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{nil, exitUsage, "", "Usage: chatimport <command>"},
		{[]string{"migrate"}, exitUsage, "", `unknown command "migrate"`},
		{[]string{"-h"}, exitOK, "Usage: chatimport <command>", ""},
		{[]string{"import", "-h"}, exitOK, "", "Usage: chatimport import"},
		{[]string{"demo", "-h"}, exitOK, "", "Usage: chatimport demo"},
		{[]string{"demo", "now"}, exitUsage, "", `unexpected argument "now"`},
	} {
		r := runTool(t.Context(), envOf(nil), tc.args...)
		assert.Equal(t, tc.code, r.code, "%v", tc.args)
		if tc.out != "" {
			assert.Contains(t, r.stdout, tc.out, "%v", tc.args)
		}
		if tc.inErr != "" {
			assert.Contains(t, r.stderr, tc.inErr, "%v", tc.args)
		}
	}
}

// A key the provider refuses stops the migration at the first answer:
// every record read is reported, the rest counted as not read, and nothing
// more is sent.
func TestRefusedCredentialsStopTheMigration(t *testing.T) {
	s := newFake(t, chatimporttest.WithFaults(chatimporttest.Faults{}))
	report := filepath.Join(t.TempDir(), "report.jsonl")
	env := envOf(map[string]string{"COMETCHAT_APP_ID": "fake-app", "COMETCHAT_REGION": "us", "COMETCHAT_API_KEY": "not-the-key"})
	r := runImport(t.Context(), env, append([]string{"-users", "samples/users.jsonl", "-members", "samples/members.jsonl",
		"-base-url", s.URL + "/v3", "-report", report, "-concurrency", "1"}, fastFlags...)...)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "chatimport: stopped: ")
	assert.Contains(t, r.stderr, "AUTH_ERR_APIKEY_NOT_FOUND")
	assert.NotContains(t, r.stdout+r.stderr, "not-the-key")
	assert.LessOrEqual(t, s.Stats().Requests, 2, "no request after the refusal is known")
	lines := readReport(t, report)
	assert.Equal(t, 4000, len(lines)+notRead(t, r.stdout), "every record is accounted for")
	assert.Contains(t, r.stdout, "members   2,500 records: 0 imported, 0 existed, 0 skipped, 0 failed, 2,500 not read (the import stopped first)")
}

// A run interrupted halfway leaves a checkpoint; the rerun with it sends no
// item of a finished batch again, and in the end every record is on the
// server exactly once.
func TestInterruptedRunResumesFromItsCheckpoint(t *testing.T) {
	s := newFake(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "checkpoint.json")
	args := append([]string{"-users", "samples/users.jsonl", "-members", "samples/members.jsonl",
		"-base-url", s.URL + "/v3", "-checkpoint", ckpt, "-concurrency", "2"}, fastFlags...)
	want := decodeSample(t, sampleUsers, sampleMembers)

	first := filepath.Join(dir, "first.jsonl")
	r := runImport(cancelAfter(t, s, 50), cometEnv(), append(args, "-report", first)...)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "Interrupted. Progress is saved in "+ckpt)
	assert.Equal(t, 4000, len(byLine(t, readReport(t, first))["users"])+len(byLine(t, readReport(t, first))["members"])+notRead(t, r.stdout),
		"an interrupted run reports every record it read and counts the others")

	data, err := os.ReadFile(ckpt)
	require.NoError(t, err)
	var saved checkpointFile
	require.NoError(t, json.Unmarshal(data, &saved), "the checkpoint is valid JSON")
	doneUsers, doneMembers := saved.Inputs["users"].Done, saved.Inputs["members"].Done
	require.Positive(t, doneUsers.count()+doneMembers.count(), "some batches finished before the interruption")
	require.Less(t, doneUsers.count()+doneMembers.count(), 4000, "the run was interrupted halfway")

	ids := func(fn func(i int, id string)) {
		for i, u := range want.users {
			fn(i, u.UID)
		}
		for i, m := range want.members {
			fn(sampleUserCount+i, m.ID())
		}
	}
	before := map[string]int{}
	ids(func(_ int, id string) { before[id] = s.Received(id) })

	second := filepath.Join(dir, "second.jsonl")
	r = runImport(t.Context(), cometEnv(), append(args, "-report", second)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "finished by an earlier run")

	ids(func(i int, id string) {
		done := doneUsers.has(i)
		if i >= sampleUserCount {
			done = doneMembers.has(i - sampleUserCount)
		}
		if done {
			assert.Equal(t, before[id], s.Received(id), "%s was finished and must not be sent again", id)
		} else {
			assert.Positive(t, s.Received(id), "%s was sent", id)
		}
	})
	assert.ElementsMatch(t, want.wantUsers(), heldUsers(s), "each user stored exactly once")
	wantMembers := want.wantMembers()
	assert.Equal(t, wantMembers, heldMembers(s, keys(wantMembers), false), "each membership stored exactly once")

	statuses := map[string]int{}
	for _, l := range readReport(t, second) {
		statuses[l.Status]++
	}
	assert.Equal(t, doneUsers.count()+doneMembers.count(), statuses["done"])
	assert.Equal(t, 4000, statuses["done"]+statuses["imported"]+statuses["existed"])

	// A third run finds everything done and sends nothing.
	requests := s.Stats().ImportRequests
	r = runImport(t.Context(), cometEnv(), args...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Equal(t, requests, s.Stats().ImportRequests)
	assert.Contains(t, r.stdout, "1,500 records: 0 imported, 0 existed, 1,500 done earlier")
}

// On resume the input is checked again, so a record that only differs in
// letter case from one finished earlier is still refused, not sent on its
// own to be merged into it.
func TestResumeStillRefusesCaseVariantsOfFinishedRecords(t *testing.T) {
	s := newFake(t, chatimporttest.WithFaults(chatimporttest.Faults{}))
	users := writeFile(t, "users.jsonl", `{"uid":"Alice","name":"Alice"}`, `{"uid":"bob","name":"Bob"}`,
		`{"uid":"alice","name":"alice"}`, `{"uid":"bob","name":"Bob"}`)
	in, err := fileInput(t.Context(), "users", users)
	require.NoError(t, err)
	ckpt := filepath.Join(t.TempDir(), "checkpoint.json")
	c, err := loadCheckpoint(ckpt, "cometchat", "cometchat app fake-app region us at "+s.URL+"/v3")
	require.NoError(t, err)
	_, err = c.begin(in)
	require.NoError(t, err)
	require.NoError(t, c.markDone("users", 0)) // as if Alice had arrived before an interruption
	require.NoError(t, c.save())

	r := runImport(t.Context(), cometEnv(), append([]string{"-users", users, "-base-url", s.URL + "/v3", "-checkpoint", ckpt}, fastFlags...)...)
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, `users.jsonl:3: "alice": invalid uid: differs from item 0 only in letter case`)
	assert.Contains(t, r.stdout, `users.jsonl:4: "bob": duplicate of line 2, identical`)
	assert.Zero(t, s.Received("alice"))
	assert.Zero(t, s.Received("Alice"), "done: not sent again")
	assert.Equal(t, []string{"bob"}, heldUsers(s))
}

func TestCheckpointRefusesAnotherInputOrTarget(t *testing.T) {
	s := newFake(t, chatimporttest.WithFaults(chatimporttest.Faults{}))
	users := writeFile(t, "users.jsonl", `{"uid":"a","name":"A"}`)
	ckpt := filepath.Join(t.TempDir(), "checkpoint.json")
	args := append([]string{"-users", users, "-base-url", s.URL + "/v3", "-checkpoint", ckpt}, fastFlags...)
	require.Equal(t, exitOK, runImport(t.Context(), cometEnv(), args...).code)

	// Other members, with the same users: refused before the users go.
	members := writeFile(t, "members.jsonl", `{"guid":"g","uid":"a","groupDetails":{"name":"G","type":"public"}}`)
	r := runImport(t.Context(), cometEnv(), append(args, "-members", members)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	require.NoError(t, os.WriteFile(members, []byte(`{"guid":"g","uid":"b","groupDetails":{"name":"G","type":"public"}}`+"\n"), 0o644))
	requests := s.Stats().Requests
	r = runImport(t.Context(), cometEnv(), append(args, "-members", members)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "was made for other members")
	assert.Equal(t, requests, s.Stats().Requests, "nothing is sent")

	require.NoError(t, os.WriteFile(users, []byte(`{"uid":"b","name":"B"}`+"\n"), 0o644))
	r = runImport(t.Context(), cometEnv(), args...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "was made for other users")

	other := envOf(map[string]string{"COMETCHAT_APP_ID": "other-app", "COMETCHAT_REGION": "us", "COMETCHAT_API_KEY": chatimporttest.APIKey})
	r = runImport(t.Context(), other, args...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "was made for cometchat (cometchat app fake-app")
	assert.Equal(t, []string{"a"}, heldUsers(s))
}

// Tencent credentials in the environment and -base-url import into a
// Tencent fake that has the groups and accounts, as real Tencent requires.
func TestTencentWithCredentials(t *testing.T) {
	s := newFake(t)
	var lines []string
	for g := range 3 {
		guid := fmt.Sprintf("@TGS#group%d", g)
		s.AddTencentGroup(guid, time.Unix(1600000000, 0))
		for u := range 400 {
			uid := fmt.Sprintf("user%03d", u)
			s.AddTencentAccounts(uid)
			scope := "participant"
			if u == 0 {
				scope = "admin"
			}
			lines = append(lines, fmt.Sprintf(`{"guid":%q,"uid":%q,"scope":%q,"joinedAt":"1673421479","unreadMsgNum":%d}`, guid, uid, scope, u%7))
		}
	}
	members := writeFile(t, "members.jsonl", lines...)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r := runImport(t.Context(), tencentEnv(), append([]string{"-provider", "tencent", "-members", members, "-base-url", s.URL,
		"-report", report}, fastFlags...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout+r.stderr, chatimporttest.SecretKey)
	assert.Len(t, readReport(t, report), 1200)
	for g := range 3 {
		held := s.TencentMembers(fmt.Sprintf("@TGS#group%d", g))
		require.Len(t, held, 400, "each member stored exactly once")
		assert.Equal(t, "admin", held[slices.IndexFunc(held, func(m chatimporttest.Member) bool { return m.UID == "user000" })].Scope)
	}
	assert.True(t, strings.Contains(r.stdout, "members   1,200 records: "), r.stdout)
}

func TestVerifyCanBeTurnedOff(t *testing.T) {
	s := newFake(t)
	members := writeFile(t, "members.jsonl",
		`{"guid":"team","uid":"alice","groupDetails":{"name":"Team","type":"public"},"userDetails":{"name":"Alice"}}`)
	r := runImport(t.Context(), cometEnv(), append([]string{"-members", members, "-base-url", s.URL + "/v3", "-verify=false"}, fastFlags...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.NotContains(t, r.stdout, "verified")
	assert.Zero(t, s.Stats().ListRequests)
	assert.Equal(t, map[string][]string{"team": {"alice"}}, heldMembers(s, []string{"team"}, false))
}

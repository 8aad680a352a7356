package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// reportOf runs an import with a report and returns the report by kind and
// id, checking that it has one line per record read.
func reportOf(t *testing.T, r ran, path string, records int) map[string]reportLine {
	t.Helper()
	rep := readReport(t, path)
	require.Len(t, rep, records, "one report line per record: stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	out := map[string]reportLine{}
	for _, l := range rep {
		out[l.Kind+" "+l.ID] = l
	}
	return out
}

// Records as CometChat exports them, imported into Tencent: what Tencent
// cannot hold is left behind and named in the note, what cannot land at all
// is reported with its reason, and everything else arrives exactly once.
func TestCometChatRecordsIntoTencentAreFittedAndReported(t *testing.T) {
	long := strings.Repeat("x", 40) // a CometChat uid, too long for Tencent
	users := writeFile(t, "users.jsonl",
		`{"uid":"ann","name":"Ann","createdAt":1600000000,"metadata":{"team":"a"},"role":"default"}`,
		`{"uid":"ben","name":"Ben","avatar":"https://example.com/ben.png"}`,
		`{"uid":"`+long+`","name":"Long"}`)
	groups := writeFile(t, "groups.jsonl",
		`{"guid":"vault","name":"Vault","type":"password","createdAt":1600000000}`,
		`{"guid":"sea","name":"Φίλοι της θάλασσας","type":"public","owner":"ann","createdAt":1600000000}`)
	members := writeFile(t, "members.jsonl",
		`{"guid":"vault","uid":"ann","scope":"moderator","joinedAt":1600000100}`,
		`{"guid":"vault","uid":"ben","isBanned":true,"joinedAt":1600000100}`,
		`{"guid":"sea","uid":"ben","scope":"admin","joinedAt":1600000100}`,
		`{"guid":"sea","uid":"`+long+`","joinedAt":1600000100}`)
	s := newFake(t)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r := runImport(t.Context(), tencentEnv(), append([]string{"-provider", "tencent", "-users", users, "-groups", groups,
		"-members", members, "-base-url", s.URL, "-report", report}, fastFlags...)...)
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	rep := reportOf(t, r, report, 9)

	ann := rep["users ann"]
	assert.Equal(t, "imported", ann.Status)
	for _, field := range []string{"createdAt left behind", "metadata left behind", "role left behind"} {
		assert.Contains(t, ann.Note, field)
	}
	assert.Empty(t, rep["users ben"].Note, "a record Tencent holds whole has no note")
	assert.Equal(t, "failed", rep["users "+long].Status)
	assert.Contains(t, rep["users "+long].Error, "-id-map")
	assert.Contains(t, rep["groups vault"].Note, "type password → private")
	assert.Contains(t, rep["groups sea"].Note, "name cut to 30 bytes")
	assert.Contains(t, rep["members vault_member_ann"].Note, "scope moderator → participant")
	banned := rep["members vault_member_ben"]
	assert.Equal(t, "skipped", banned.Status)
	assert.Contains(t, banned.Error, "cannot ban")
	assert.Equal(t, "failed", rep["members sea_member_"+long].Status)
	assert.Contains(t, r.stdout, "1 the target cannot hold")
	assert.Contains(t, r.stdout, "users     3 records: 2 imported, 0 existed, 0 skipped, 1 failed (1 invalid); 1 with fields changed or left behind by the mapping")

	var accounts []string
	for _, a := range s.TencentAccounts() {
		accounts = append(accounts, a.UserID)
	}
	assert.ElementsMatch(t, []string{"ann", "ben"}, accounts)
	groupsHeld := s.TencentGroups()
	require.Len(t, groupsHeld, 2)
	assert.Equal(t, "Φίλοι της θάλασσ", groupsHeld[slices.IndexFunc(groupsHeld, func(g chatimporttest.TencentGroup) bool { return g.GroupID == "sea" })].Name)
	assert.Equal(t, map[string][]string{"vault": {"ann"}, "sea": {"ann", "ben"}}, heldMembers(s, []string{"vault", "sea"}, true),
		"the banned member is not there; the owner is a member")

	// -id-map renames the id that did not fit, wherever it appears.
	idMap := writeFile(t, "ids.csv", long+",long-one")
	r = runImport(t.Context(), tencentEnv(), append([]string{"-provider", "tencent", "-users", users, "-members", members,
		"-base-url", s.URL, "-id-map", idMap, "-report", report}, fastFlags...)...)
	rep = reportOf(t, r, report, 7)
	assert.Equal(t, "imported", rep["users long-one"].Status, r.stdout)
	assert.Contains(t, rep["users long-one"].Note, "uid renamed")
	assert.True(t, rep["members sea_member_long-one"].Status == "imported" || rep["members sea_member_long-one"].Status == "existed")
	assert.Contains(t, heldMembers(s, []string{"sea"}, true)["sea"], "long-one")
}

// An export of Tencent imports into CometChat: accounts known only by id
// get it as their name, meeting and community groups become public, Tencent's
// profile fields are left behind and said so, and a Tencent id CometChat
// cannot hold, or two that differ only in case, are reported with the
// reason until -id-map renames them.
func TestTencentExportImportsIntoCometChat(t *testing.T) {
	src := newFake(t)
	users := writeFile(t, "users.jsonl", `{"uid":"Alice","name":"A"}`, `{"uid":"alice","name":"a"}`, `{"uid":"bob","name":"Bob"}`)
	groups := writeFile(t, "groups.jsonl",
		`{"guid":"@TGS#_town","name":"Town","type":"community","createdAt":1600000000}`,
		`{"guid":"standup","name":"Standup","type":"meeting","owner":"bob","notification":"9:30 sharp","createdAt":1600000000}`)
	members := writeFile(t, "members.jsonl",
		`{"guid":"@TGS#_town","uid":"Alice","joinedAt":1600000100}`,
		`{"guid":"@TGS#_town","uid":"bob","joinedAt":1600000100}`,
		`{"guid":"standup","uid":"Alice","scope":"admin","joinedAt":1600000100}`,
		`{"guid":"standup","uid":"alice","joinedAt":1600000100,"unreadMsgNum":4}`)
	r := runImport(t.Context(), tencentEnv(), append([]string{"-provider", "tencent", "-users", users, "-groups", groups,
		"-members", members, "-base-url", src.URL}, fastFlags...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)

	dir := t.TempDir()
	r = runExport(t.Context(), tencentEnv(), "-provider", "tencent", "-out", dir, "-base-url", src.URL)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "accounts found in the groups' member lists")
	assert.ElementsMatch(t, []string{`{"uid":"Alice"}`, `{"uid":"bob"}`, `{"uid":"alice"}`}, lines(t, filepath.Join(dir, usersFile)),
		"each account of the member lists once, the owner included")
	assert.Len(t, lines(t, filepath.Join(dir, groupsFile)), 2)
	assert.Len(t, lines(t, filepath.Join(dir, membersFile)), 5, "four members and the owner")

	dst := newFake(t)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	args := append([]string{"-users", filepath.Join(dir, usersFile), "-groups", filepath.Join(dir, groupsFile),
		"-members", filepath.Join(dir, membersFile), "-base-url", dst.URL + "/v3", "-report", report}, fastFlags...)
	r = runImport(t.Context(), cometEnv(), args...)
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	rep := reportOf(t, r, report, 3+2+5)
	assert.Contains(t, rep["users bob"].Note, "name set to the uid")
	assert.Contains(t, rep["groups standup"].Note, "type meeting → public")
	assert.Contains(t, rep["groups standup"].Note, "notification left behind")
	town := rep["groups @TGS#_town"]
	assert.Equal(t, "failed", town.Status)
	assert.Contains(t, town.Error, "rename it with -id-map")
	failedCase := 0
	for _, id := range []string{"users Alice", "users alice"} {
		if rep[id].Status == "failed" {
			failedCase++
			assert.Contains(t, rep[id].Error, "letter case")
		}
	}
	assert.Equal(t, 1, failedCase, "of two ids differing only in case, the later is refused")
	assert.ElementsMatch(t, []string{"alice", "bob"}, heldUsers(dst))

	idMap := writeFile(t, "ids.csv", "@TGS#_town,town", "alice,alice-2")
	r = runImport(t.Context(), cometEnv(), append(args, "-id-map", idMap)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.ElementsMatch(t, []string{"alice", "alice-2", "bob"}, heldUsers(dst), "each user once, the renamed one too")
	assert.Equal(t, map[string][]string{"town": {"alice", "bob"}, "standup": {"alice", "alice-2", "bob"}},
		heldMembers(dst, []string{"town", "standup"}, false))
}

func TestReadIDMapRefusesAmbiguousPairs(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"a,b\na,c\n", `"a" is mapped twice`},
		{"a,c\nb,c\n", `both mapped to "c"`},
		{"a\n", "want old,new"},
		{"a,b,c\n", "want old,new"},
	} {
		path := filepath.Join(t.TempDir(), "ids.csv")
		require.NoError(t, os.WriteFile(path, []byte(tc.text), 0o644))
		_, _, err := readIDMap(path)
		assert.ErrorContains(t, err, tc.want)
	}
	path := filepath.Join(t.TempDir(), "ids.csv")
	require.NoError(t, os.WriteFile(path, []byte("# old,new\n\nA , a-1\n"), 0o644))
	ids, fingerprint, err := readIDMap(path)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"A": "a-1"}, ids)
	assert.NotEmpty(t, fingerprint)

	// A checkpoint made with one map is refused with another, or none.
	ckpt := filepath.Join(t.TempDir(), "checkpoint.json")
	s := newFake(t)
	users := writeFile(t, "users.jsonl", `{"uid":"A","name":"A"}`)
	args := append([]string{"-users", users, "-base-url", s.URL + "/v3", "-checkpoint", ckpt}, fastFlags...)
	r := runImport(t.Context(), cometEnv(), append(args, "-id-map", path)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, []string{"a-1"}, heldUsers(s))
	r = runImport(t.Context(), cometEnv(), args...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "another -id-map")
}

// Into Tencent, a run interrupted halfway resumes from its checkpoint: no
// member finished in the first run is sent again, and every account, group
// and membership is held exactly once at the end. The sample's guests exist
// only as members' userDetails, which Tencent's member import cannot
// create: each fails with the reason, its note saying what was left behind.
func TestInterruptedTencentImportResumes(t *testing.T) {
	s := newFake(t)
	users, groups, members := sampleFiles(t)
	ckpt := filepath.Join(t.TempDir(), "checkpoint.json")
	args := append([]string{"-provider", "tencent", "-users", users, "-groups", groups, "-members", members,
		"-base-url", s.URL, "-checkpoint", ckpt, "-concurrency", "2"}, fastFlags...)
	r := runImport(cancelAfter(t, s, 60), tencentEnv(), args...)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	require.Contains(t, r.stdout, "Interrupted. Progress is saved in "+ckpt)

	want := decodeSample(t, sampleUsers, sampleMembers)
	ckptData, err := os.ReadFile(ckpt)
	require.NoError(t, err)
	var saved checkpointFile
	require.NoError(t, json.Unmarshal(ckptData, &saved))
	before := map[int]int{}
	var done ranges
	if p := saved.Inputs["members"]; p != nil {
		done = p.Done
	}
	for i, m := range want.members {
		before[i] = s.Received(m.GUID + "/" + m.UID)
	}

	report := filepath.Join(t.TempDir(), "report.jsonl")
	r = runImport(t.Context(), tencentEnv(), append(args, "-report", report)...)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	guests := 0
	for _, l := range readReport(t, report) {
		if l.Status == "failed" {
			guests++
			assert.Contains(t, l.ID, "_member_guest-")
			assert.Contains(t, l.Error, "the account may not exist")
			assert.Contains(t, l.Note, "userDetails left behind")
		}
	}
	assert.Equal(t, len(sampleGroups), guests, "the guests, and only they, failed")
	for i, m := range want.members {
		if done.has(i) {
			assert.Equal(t, before[i], s.Received(m.GUID+"/"+m.UID), "member %d was finished and must not be sent again", i)
		}
	}
	var accounts []string
	for _, a := range s.TencentAccounts() {
		accounts = append(accounts, a.UserID)
	}
	assert.ElementsMatch(t, want.wantUsers()[:sampleUserCount], accounts, "the users file's accounts, each once")
	assert.Len(t, s.TencentGroups(), len(sampleGroups))
	wantMembers := want.wantMembers()
	for guid, uids := range wantMembers {
		wantMembers[guid] = slices.DeleteFunc(uids, func(uid string) bool { return strings.HasPrefix(uid, "guest-") })
	}
	assert.Equal(t, wantMembers, heldMembers(s, keys(wantMembers), true), "each membership exactly once")
}

// A dry run into Tencent needs no credentials, sends nothing, and shows
// what the mapping would change and what Tencent would refuse.
func TestTencentDryRunSendsNothing(t *testing.T) {
	s := newFake(t)
	users, groups, members := sampleFiles(t)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r := runImport(t.Context(), envOf(nil), "-provider", "tencent", "-dry-run", "-users", users, "-groups", groups,
		"-members", members, "-base-url", s.URL, "-report", report)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Zero(t, s.Stats().Requests)
	assert.Len(t, readReport(t, report), sampleUserCount+len(sampleGroups)+sampleMemberCount)
	assert.Contains(t, r.stdout, "groups    30 records: 30 valid, 0 skipped, 0 failed; 6 with fields changed or left behind by the mapping")
	assert.Contains(t, r.stdout, "requests  none: dry run")
}

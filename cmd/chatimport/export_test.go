package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// sampleFiles writes the embedded sample to a test directory.
func sampleFiles(t *testing.T) (users, groups, members string) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string][]byte{"users.jsonl": sampleUsers, "groups.jsonl": sampleGroupsData, "members.jsonl": sampleMembers} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return filepath.Join(dir, "users.jsonl"), filepath.Join(dir, "groups.jsonl"), filepath.Join(dir, "members.jsonl")
}

// loadedCometChat is a CometChat fake holding the sample, imported through
// the tool.
func loadedCometChat(t *testing.T) *chatimporttest.Server {
	t.Helper()
	s := newFake(t)
	users, groups, members := sampleFiles(t)
	r := runImport(t.Context(), cometEnv(), append([]string{"-users", users, "-groups", groups, "-members", members,
		"-base-url", s.URL + "/v3"}, fastFlags...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	return s
}

// runExport runs chatimport export with args, retrying a few milliseconds
// apart.
func runExport(ctx context.Context, getenv func(string) string, args ...string) ran {
	return runTool(ctx, getenv, append([]string{"export", "-retries", "10", "-max-wait", "10ms"}, args...)...)
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// An export of CometChat writes every user, group and member once, in the
// format import reads: a fresh fake imports it, all but the password groups
// (CometChat never lists a password), each of which is reported with the
// reason, as are its members.
func TestExportFromCometChatImportsIntoCometChat(t *testing.T) {
	src := loadedCometChat(t)
	dir := t.TempDir()
	r := runExport(t.Context(), cometEnv(), "-out", dir, "-base-url", src.URL+"/v3")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	want := decodeSample(t, sampleUsers, sampleMembers)
	assert.Len(t, lines(t, filepath.Join(dir, usersFile)), len(want.wantUsers()))
	assert.Len(t, lines(t, filepath.Join(dir, groupsFile)), len(sampleGroups))
	assert.Len(t, lines(t, filepath.Join(dir, membersFile)), len(want.members))
	assert.Contains(t, r.stdout, "members   2,500 records written to ")
	exported := map[string]chatimport.User{}
	data, err := os.ReadFile(filepath.Join(dir, usersFile))
	require.NoError(t, err)
	require.NoError(t, scanLines(t.Context(), bytes.NewReader(data), nil, func(l inputLine) bool {
		u, err := decodeUser(l)
		require.NoError(t, err, "line %d", l.num)
		exported[u.UID] = u
		return true
	}))
	for _, u := range want.users {
		got := exported[u.UID]
		assert.Equal(t, "default", got.Role, "CometChat gives every user its default role")
		got.Role = ""
		assert.Equal(t, u, got, "user %s exported with every field", u.UID)
	}

	dst := newFake(t)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r = runImport(t.Context(), cometEnv(), append([]string{"-users", filepath.Join(dir, usersFile), "-groups", filepath.Join(dir, groupsFile),
		"-members", filepath.Join(dir, membersFile), "-base-url", dst.URL + "/v3", "-report", report}, fastFlags...)...)
	assert.Equal(t, exitFailed, r.code, "the password groups cannot be carried: stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.ElementsMatch(t, want.wantUsers(), heldUsers(dst), "each user exactly once")
	rep := readReport(t, report)
	assert.Len(t, rep, len(want.wantUsers())+len(sampleGroups)+len(want.members), "one report line per record")
	failedGroups := map[string]bool{}
	for _, l := range rep {
		if l.Kind == "groups" && l.Status != "imported" {
			assert.Contains(t, l.Error, "password", "group %s", l.ID)
			failedGroups[l.ID] = true
		}
	}
	assert.Len(t, failedGroups, 3, "the sample's three password groups")
	wantMembers := want.wantMembers()
	for guid := range failedGroups {
		delete(wantMembers, guid)
	}
	assert.Equal(t, wantMembers, heldMembers(dst, keys(wantMembers), false), "every other membership exactly once")
}

// An export interrupted halfway resumes from its checkpoint and ends with
// the same files as one that ran through, having fetched no finished page
// again.
func TestInterruptedExportResumes(t *testing.T) {
	src := loadedCometChat(t)
	whole := t.TempDir()
	before := src.Stats().ListRequests
	r := runExport(t.Context(), cometEnv(), "-out", whole, "-base-url", src.URL+"/v3")
	require.Equal(t, exitOK, r.code, r.stderr)
	full := src.Stats().ListRequests - before

	dir := t.TempDir()
	start := src.Stats().ListRequests
	ctx := cancelAtListRequest(t, src, start+full/2)
	r = runExport(ctx, cometEnv(), "-out", dir, "-base-url", src.URL+"/v3")
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "run the same command to resume")
	first := src.Stats().ListRequests - start

	r = runExport(t.Context(), cometEnv(), "-out", dir, "-base-url", src.URL+"/v3")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	second := src.Stats().ListRequests - start - first
	assert.Less(t, second, full, "the resumed run fetched only what was left")
	for _, name := range []string{usersFile, groupsFile, membersFile} {
		assert.Equal(t, lines(t, filepath.Join(whole, name)), lines(t, filepath.Join(dir, name)), name)
	}
}

// Without credentials an export refuses, naming the variables, having sent
// nothing and written nothing.
func TestExportWithoutCredentialsExits2(t *testing.T) {
	s := newFake(t)
	dir := filepath.Join(t.TempDir(), "out")
	for _, tc := range []struct{ provider, want string }{
		{"cometchat", "COMETCHAT_APP_ID, COMETCHAT_REGION, COMETCHAT_API_KEY not set"},
		{"tencent", "TENCENT_SDKAPPID, TENCENT_SECRET_KEY not set"},
	} {
		r := runExport(t.Context(), envOf(nil), "-provider", tc.provider, "-out", dir, "-base-url", s.URL)
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, tc.want)
	}
	assert.NoDirExists(t, dir)
	assert.Zero(t, s.Stats().Requests)
	r := runExport(t.Context(), cometEnv(), "-base-url", s.URL)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-out")
}

// -groups exports only the groups named and their members; a guid that is
// not there stops the export and is named.
func TestExportOfSomeGroups(t *testing.T) {
	src := loadedCometChat(t)
	dir := t.TempDir()
	r := runExport(t.Context(), cometEnv(), "-out", dir, "-base-url", src.URL+"/v3", "-groups", "g02-books, g01-hiking")
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	groups := lines(t, filepath.Join(dir, groupsFile))
	require.Len(t, groups, 2)
	want := decodeSample(t, sampleUsers, sampleMembers).wantMembers()
	members := lines(t, filepath.Join(dir, membersFile))
	assert.Len(t, members, len(want["g01-hiking"])+len(want["g02-books"]))
	for _, m := range members {
		assert.True(t, strings.HasPrefix(m, `{"guid":"g01-hiking"`) || strings.HasPrefix(m, `{"guid":"g02-books"`), m)
	}

	r = runExport(t.Context(), cometEnv(), "-out", t.TempDir(), "-base-url", src.URL+"/v3", "-groups", "g01-hiking,no-such")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "no-such not found")
}

// An interrupted export of Tencent resumes: the accounts written before the
// interruption are read back, so each account is written once however many
// groups it is in.
func TestInterruptedTencentExportResumes(t *testing.T) {
	src := newFake(t)
	users, groups, members := sampleFiles(t)
	r := runImport(t.Context(), tencentEnv(), append([]string{"-provider", "tencent", "-users", users, "-groups", groups,
		"-members", members, "-base-url", src.URL}, fastFlags...)...)
	require.Equal(t, exitFailed, r.code, "the guests fail, see TestInterruptedTencentImportResumes")

	whole := t.TempDir()
	before := src.Stats().ListRequests
	r = runExport(t.Context(), tencentEnv(), "-provider", "tencent", "-out", whole, "-base-url", src.URL)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	full := src.Stats().ListRequests - before
	accounts := lines(t, filepath.Join(whole, usersFile))
	assert.Len(t, accounts, sampleUserCount-countMissing(t, src), "every account in a member list, once")

	dir := t.TempDir()
	ctx := cancelAtListRequest(t, src, src.Stats().ListRequests+full/2)
	r = runExport(ctx, tencentEnv(), "-provider", "tencent", "-out", dir, "-base-url", src.URL)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	r = runExport(t.Context(), tencentEnv(), "-provider", "tencent", "-out", dir, "-base-url", src.URL)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	for _, name := range []string{usersFile, groupsFile, membersFile} {
		assert.Equal(t, lines(t, filepath.Join(whole, name)), lines(t, filepath.Join(dir, name)), name)
	}
}

// countMissing counts the sample's users that are in no group on the fake:
// an export of Tencent cannot find them.
func countMissing(t *testing.T, s *chatimporttest.Server) int {
	t.Helper()
	in := map[string]bool{}
	for _, g := range s.TencentGroups() {
		for _, m := range s.TencentMembers(g.GroupID) {
			in[m.UID] = true
		}
	}
	missing := 0
	for _, u := range decodeSample(t, sampleUsers, sampleMembers).users {
		if !in[u.UID] {
			missing++
		}
	}
	return missing
}

// cancelAtListRequest returns a context cancelled once src has answered n
// listing requests in all: an export interrupted partway through its walk.
func cancelAtListRequest(t *testing.T, src *chatimporttest.Server, n int) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for src.Stats().ListRequests < n && ctx.Err() == nil {
			time.Sleep(100 * time.Microsecond)
		}
		cancel()
	}()
	return ctx
}

package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chatimport demo imports the embedded sample into a fake CometChat,
// exports it, and imports the export into a fake Tencent despite their
// faults: every record exactly once on each side, the mapping's changes
// shown, both verifications clean, exit 0, and no credentials read.
func TestDemoRoundTripsTheSampleThroughBothFakes(t *testing.T) {
	r, fakes := runDemo(t)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	require.Len(t, fakes, 2)
	assert.Empty(t, r.stderr)
	for _, want := range []string{
		"== 1/3 CometChat", "== 2/3 CometChat → files", "== 3/3 files → Tencent Cloud Chat",
		"users     1,500 records: ", "groups    30 records: ", "members   2,500 records: ",
		"users     1,530 records written to ", "users     1,530 records: ",
		"mapped    members: unreadMsgNum left behind", "mapped    users: createdAt left behind ×1,530",
		"type password → private ×3", "name cut to 30 bytes ×3",
		"verified  30 groups, 2,500 members, 0 differences", "absorbed by retries", "fake      injected ",
	} {
		assert.Contains(t, r.stdout, want)
	}
	assert.Equal(t, 2, strings.Count(r.stdout, "verified  30 groups, 2,500 members, 0 differences"), "both sides verified")
	assert.Equal(t, 2, strings.Count(r.stdout, "listed    30 of 30 groups imported, 0 missing"), "both sides list the groups")
	assert.Contains(t, r.stdout, "listed    1,500 of 1,500 users imported, 0 missing")

	comet, tencent := fakes[0], fakes[1]
	want := decodeSample(t, sampleUsers, sampleMembers)
	assert.ElementsMatch(t, want.wantUsers(), heldUsers(comet), "each user stored exactly once")
	assert.Len(t, comet.Groups(), len(sampleGroups))
	wantMembers := want.wantMembers()
	assert.Equal(t, wantMembers, heldMembers(comet, keys(wantMembers), false), "each membership stored exactly once")

	var accounts []string
	for _, a := range tencent.TencentAccounts() {
		accounts = append(accounts, a.UserID)
	}
	assert.ElementsMatch(t, want.wantUsers(), accounts, "every CometChat user is a Tencent account, once")
	groups := tencent.TencentGroups()
	require.Len(t, groups, len(sampleGroups))
	for _, g := range groups {
		assert.LessOrEqual(t, len(g.Name), tencentGroupName, g.GroupID)
		assert.NotEmpty(t, g.Name, g.GroupID)
	}
	assert.Equal(t, wantMembers, heldMembers(tencent, keys(wantMembers), true))
	for _, fake := range fakes {
		f := fake.Stats().Faults
		assert.Positive(t, f.RateLimit+f.Unavailable+f.FailAfterApply+f.DropAfterApply, "faults were injected")
	}
}

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chatimport demo imports the embedded sample into a fake CometChat and a
// fake Tencent despite their faults: every record exactly once, the
// verification clean, exit 0, and no credentials read.
func TestDemoMigratesTheSampleIntoBothFakes(t *testing.T) {
	r, fakes := runDemo(t)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	require.Len(t, fakes, 2)
	assert.Empty(t, r.stderr)
	for _, want := range []string{
		"== 1/2 CometChat", "== 2/2 Tencent Cloud Chat",
		"users     1,500 records: ", "members   2,500 records: ",
		"verified  30 groups, 2,500 members, 0 differences", "absorbed by retries", "fake      injected ",
	} {
		assert.Contains(t, r.stdout, want)
	}

	comet, tencent := fakes[0], fakes[1]
	want := decodeSample(t, sampleUsers, sampleMembers)
	assert.ElementsMatch(t, want.wantUsers(), heldUsers(comet), "each user stored exactly once")
	wantMembers := want.wantMembers()
	assert.Equal(t, wantMembers, heldMembers(comet, keys(wantMembers), false), "each membership stored exactly once")
	assert.Equal(t, wantMembers, heldMembers(tencent, keys(wantMembers), true))
	assert.Empty(t, tencent.Users(), "no CometChat users on the Tencent fake")
	for _, fake := range fakes {
		f := fake.Stats().Faults
		assert.Positive(t, f.RateLimit+f.Unavailable+f.FailAfterApply+f.DropAfterApply, "faults were injected")
	}
}

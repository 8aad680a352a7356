package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ranges must hold exactly what was added, in canonical form, whatever the
// order of additions.
func TestRangesMatchASet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var r ranges
		set := map[int]bool{}
		for range rng.IntN(60) {
			i := rng.IntN(40)
			r.add(i)
			set[i] = true
		}
		require.True(t, r.valid(), "round %d: %v", round, r)
		assert.Equal(t, len(set), r.count())
		for i := -1; i <= 41; i++ {
			require.Equal(t, set[i], r.has(i), "round %d: %d in %v", round, i, r)
		}
	}
	var r ranges
	for i := range 1000 {
		r.add(999 - i)
	}
	assert.Equal(t, ranges{{0, 999}}, r, "a finished input is one interval")
}

func TestRangesValid(t *testing.T) {
	assert.True(t, ranges{}.valid())
	assert.True(t, ranges{{0, 3}, {5, 5}}.valid())
	for _, r := range []ranges{{{-1, 2}}, {{3, 2}}, {{0, 3}, {4, 5}}, {{0, 3}, {2, 5}}, {{5, 6}, {0, 1}}} {
		assert.False(t, r.valid(), "%v", r)
	}
}

func TestCheckpointSavesAndLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	in := &input{kind: "users", name: "users.jsonl", fingerprint: "sha256:x size:1", records: 8}
	c, err := loadCheckpoint(path, "cometchat", "app")
	require.NoError(t, err)
	done, err := c.begin(in)
	require.NoError(t, err)
	for _, i := range []int{0, 1, 2, 7} {
		require.NoError(t, c.markDone("users", i))
	}
	assert.True(t, done.has(7), "begin's set is the one marked")
	require.NoError(t, c.save())

	c, err = loadCheckpoint(path, "cometchat", "app")
	require.NoError(t, err)
	done, err = c.begin(in)
	require.NoError(t, err)
	assert.Equal(t, ranges{{0, 2}, {7, 7}}, *done)

	_, err = c.begin(&input{kind: "users", name: "users.jsonl", fingerprint: "sha256:y size:1"})
	assert.ErrorContains(t, err, "was made for other users")
	_, err = loadCheckpoint(path, "tencent", "app")
	assert.ErrorContains(t, err, "was made for cometchat (app), not tencent (app)")
	_, err = loadCheckpoint(path, "cometchat", "another app")
	assert.ErrorContains(t, err, "was made for cometchat (app)")

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestCheckpointRefusesWhatItCannotTrust(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage":  "not json",
		"version":  `{"version":99,"provider":"cometchat","target":"app","inputs":{}}`,
		"corrupt":  `{"version":1,"provider":"cometchat","target":"app","inputs":{"users":{"done":[[5,1]]}}}`,
		"overlaps": `{"version":1,"provider":"cometchat","target":"app","inputs":{"users":{"done":[[0,5],[3,9]]}}}`,
		"null":     `{"version":1,"provider":"cometchat","target":"app","inputs":{"users":null}}`,
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		_, err := loadCheckpoint(path, "cometchat", "app")
		assert.Error(t, err, name)
	}
}

func TestCheckpointFileIsCompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	c, err := loadCheckpoint(path, "cometchat", "app")
	require.NoError(t, err)
	_, err = c.begin(&input{kind: "members", name: "m.jsonl", fingerprint: "p", records: 100000})
	require.NoError(t, err)
	for i := range 100000 {
		c.file.Inputs["members"].Done.add(i)
	}
	c.dirty = true
	require.NoError(t, c.save())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var f checkpointFile
	require.NoError(t, json.Unmarshal(data, &f))
	assert.Equal(t, ranges{{0, 99999}}, f.Inputs["members"].Done)
	assert.Less(t, len(data), 200)
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"
)

// checkpointVersion changes when the file's meaning does; an old file is
// refused rather than misread.
const checkpointVersion = 1

// saveEvery bounds how much finished work a crash can lose: batches that
// finished after the last save are sent again on resume (and come back as
// existed). Ctrl-C loses nothing, because the file is saved on the way out.
const saveEvery = time.Second

// checkpoint records which input items are on the server, so that a rerun
// skips them. Only imported and existed items count as done: a failure is
// tried again, and refusals are found again by checking the input.
type checkpoint struct {
	path  string
	file  checkpointFile
	dirty bool
	saved time.Time
}

type checkpointFile struct {
	Version  int                       `json:"version"`
	Provider string                    `json:"provider"`
	Target   string                    `json:"target"` // the app, never a secret
	Inputs   map[string]*inputProgress `json:"inputs"` // by kind: "users", "groups", "members"
	// IDMap fingerprints the -id-map the records were renamed by: a record
	// done under one name is not done under another.
	IDMap string `json:"idMap,omitempty"`
}

type inputProgress struct {
	Source      string `json:"source"`
	Fingerprint string `json:"fingerprint"`
	Done        ranges `json:"done"` // record indexes, from 0
}

// loadCheckpoint reads path, or starts afresh when it does not exist. A file
// made for another provider or app is refused: its done items are not done
// here.
func loadCheckpoint(path, provider, target string) (*checkpoint, error) {
	c := &checkpoint{path: path, file: checkpointFile{Version: checkpointVersion, Provider: provider, Target: target,
		Inputs: map[string]*inputProgress{}}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	var f checkpointFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("checkpoint %s is not a checkpoint: %v", path, err)
	}
	switch {
	case f.Version != checkpointVersion:
		return nil, fmt.Errorf("checkpoint %s has version %d; this tool writes version %d", path, f.Version, checkpointVersion)
	case f.Inputs == nil:
		// The tool always writes the object, empty or not.
		return nil, fmt.Errorf("checkpoint %s has no inputs: it was not written by this tool; use another -checkpoint file", path)
	case f.Provider != provider || f.Target != target:
		return nil, fmt.Errorf("checkpoint %s was made for %s (%s), not %s (%s); use another -checkpoint file",
			path, f.Provider, f.Target, provider, target)
	}
	for kind, p := range f.Inputs {
		if p == nil || !p.Done.valid() {
			return nil, fmt.Errorf("checkpoint %s: the %s entry is corrupt", path, kind)
		}
	}
	c.file = f
	return c, nil
}

// renamedBy refuses a checkpoint made with another -id-map (or none), and
// records the map of a checkpoint that has no input yet.
func (c *checkpoint) renamedBy(idMap string) error {
	switch {
	case len(c.file.Inputs) == 0:
		c.file.IDMap = idMap
	case c.file.IDMap != idMap:
		return fmt.Errorf("checkpoint %s was made with another -id-map: its finished records may be on the server under other ids; use another -checkpoint file", c.path)
	}
	return nil
}

// begin returns the done set of an input, refusing a checkpoint made for
// another file, or one that marks records the input does not have: its
// indexes would point at other records.
func (c *checkpoint) begin(in *input) (*ranges, error) {
	p := c.file.Inputs[in.kind]
	if p == nil {
		p = &inputProgress{Source: in.name, Fingerprint: in.fingerprint, Done: ranges{}}
		c.file.Inputs[in.kind] = p
		c.dirty = true
		return &p.Done, nil
	}
	if p.Fingerprint != in.fingerprint {
		return nil, fmt.Errorf("checkpoint %s was made for other %s (%s, %s), not %s (%s); use another -checkpoint file",
			c.path, in.kind, p.Source, p.Fingerprint, in.name, in.fingerprint)
	}
	if n := len(p.Done); n > 0 && p.Done[n-1][1] >= in.records {
		return nil, fmt.Errorf("checkpoint %s marks %s record %d done, but %s has %s; use another -checkpoint file",
			c.path, in.kind, p.Done[n-1][1], in.name, plural(in.records, "record"))
	}
	return &p.Done, nil
}

// markDone records one finished item and saves now and then.
func (c *checkpoint) markDone(kind string, index int) error {
	c.file.Inputs[kind].Done.add(index)
	c.dirty = true
	if time.Since(c.saved) < saveEvery {
		return nil
	}
	return c.save()
}

// save writes the file atomically.
func (c *checkpoint) save() error {
	if !c.dirty {
		return nil
	}
	data, err := json.Marshal(&c.file)
	if err != nil {
		return err
	}
	if err := writeAtomic(c.path, data); err != nil {
		return err
	}
	c.dirty, c.saved = false, time.Now()
	return nil
}

// ranges is a set of record indexes as sorted, disjoint, non-adjacent
// inclusive intervals: a finished import of a million items is one pair.
type ranges [][2]int

func (r ranges) has(i int) bool {
	k := sort.Search(len(r), func(j int) bool { return r[j][1] >= i })
	return k < len(r) && r[k][0] <= i
}

func (r *ranges) add(i int) {
	s := *r
	// The first interval that ends at i-1 or later is the only one that can
	// hold i or touch it.
	k := sort.Search(len(s), func(j int) bool { return s[j][1] >= i-1 })
	switch {
	case k == len(s) || s[k][0] > i+1:
		*r = slices.Insert(s, k, [2]int{i, i})
	case i == s[k][1]+1:
		s[k][1] = i
		if k+1 < len(s) && s[k+1][0] == i+1 {
			s[k][1] = s[k+1][1]
			*r = slices.Delete(s, k+1, k+2)
		}
	case i == s[k][0]-1:
		s[k][0] = i
	}
}

func (r ranges) count() int {
	n := 0
	for _, iv := range r {
		n += iv[1] - iv[0] + 1
	}
	return n
}

// valid reports whether r is as add leaves it, so that a hand-edited file
// cannot make has lie.
func (r ranges) valid() bool {
	for i, iv := range r {
		if iv[0] < 0 || iv[1] < iv[0] || (i > 0 && iv[0] <= r[i-1][1]+1) {
			return false
		}
	}
	return true
}

// writeAtomic writes data and a newline to path: a crash leaves the old file
// or the new one, never half of one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing checkpoint: %w", err)
	}
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing checkpoint: %w", err)
	}
	return nil
}

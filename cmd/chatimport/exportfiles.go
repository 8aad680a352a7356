package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/chatimport/chatimport"
)

// The files an export writes, in the format import reads.
const (
	usersFile   = "users.jsonl"
	groupsFile  = "groups.jsonl"
	membersFile = "members.jsonl"
	exportCkpt  = "export-checkpoint.json"
)

// exporter is one export into a directory.
type exporter struct {
	cfg    *exportConfig
	client *chatimport.Client
	out    *progress
	stdout io.Writer
	state  exportState
	files  map[string]*jsonlFile
	// accounts, on Tencent, are the uids written to users.jsonl so far: each
	// account once, however many groups it is a member of.
	accounts map[string]bool
}

// exportState is the checkpoint: where each walk stands and how long each
// file was when it was saved. A resumed export cuts the files back to those
// lengths, so what was written after the last save is written once again,
// not twice.
type exportState struct {
	Version   int                  `json:"version"`
	Provider  string               `json:"provider"`
	Target    string               `json:"target"` // the app, never a secret
	Only      []string             `json:"only,omitempty"`
	Sizes     map[string]int64     `json:"sizes"`
	Counts    map[string]int       `json:"counts"`
	Users     *chatimport.Position `json:"users,omitempty"`
	UsersDone bool                 `json:"usersDone,omitempty"`
	GroupList *chatimport.Position `json:"groupList,omitempty"`
	// Guids are the groups exported, whose members are walked in turn; Group
	// is the one being walked.
	Guids      []string             `json:"guids,omitempty"`
	GroupsDone bool                 `json:"groupsDone,omitempty"`
	Group      int                  `json:"group,omitempty"`
	Members    *chatimport.Position `json:"members,omitempty"`
	Done       bool                 `json:"done,omitempty"`
}

func (x *exporter) ckptPath() string { return filepath.Join(x.cfg.out, exportCkpt) }

// open creates the directory and the files, or takes up an unfinished
// export of the same provider, app and groups where it was saved.
func (x *exporter) open(target string) error {
	if err := os.MkdirAll(x.cfg.out, 0o755); err != nil {
		return err
	}
	fresh := exportState{Version: checkpointVersion, Provider: x.cfg.provider, Target: target, Only: x.cfg.groups,
		Sizes: map[string]int64{}, Counts: map[string]int{}}
	x.state = fresh
	data, err := os.ReadFile(x.ckptPath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		var saved exportState
		if err := json.Unmarshal(data, &saved); err != nil {
			return fmt.Errorf("%s is not an export checkpoint: %v", x.ckptPath(), err)
		}
		switch {
		case saved.Version != checkpointVersion || saved.Sizes == nil || saved.Counts == nil:
			return fmt.Errorf("%s was not written by this tool; remove it or use another -out", x.ckptPath())
		case saved.Provider != fresh.Provider || saved.Target != fresh.Target || !slices.Equal(saved.Only, fresh.Only):
			return fmt.Errorf("%s is an export of %s (%s, groups %v), not of %s (%s, groups %v); remove it or use another -out",
				x.ckptPath(), saved.Provider, saved.Target, saved.Only, fresh.Provider, fresh.Target, fresh.Only)
		case !saved.Done:
			x.state = saved
		}
	}
	x.files = map[string]*jsonlFile{}
	for _, name := range []string{usersFile, groupsFile, membersFile} {
		f, err := openJSONL(filepath.Join(x.cfg.out, name), x.state.Sizes[name], x.state.Counts[name])
		if err != nil {
			x.close()
			return err
		}
		x.files[name] = f
	}
	if x.cfg.provider == chatimport.ProviderTencent {
		return x.readAccounts()
	}
	return nil
}

// readAccounts reads back the accounts a resumed Tencent export has
// written, so that none is written twice.
func (x *exporter) readAccounts() error {
	x.accounts = map[string]bool{}
	f, err := os.Open(filepath.Join(x.cfg.out, usersFile))
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(io.LimitReader(f, x.state.Sizes[usersFile]))
	for {
		var u userOut
		if err := dec.Decode(&u); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading back %s: %w", usersFile, err)
		}
		x.accounts[u.UID] = true
	}
}

// save flushes the files, then writes the checkpoint atomically: the
// checkpoint never claims more than the files hold.
func (x *exporter) save() error {
	for name, f := range x.files {
		if err := f.flush(); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		x.state.Sizes[name], x.state.Counts[name] = f.size, f.count
	}
	data, err := json.Marshal(&x.state)
	if err != nil {
		return err
	}
	return writeAtomic(x.ckptPath(), data)
}

func (x *exporter) close() error {
	var errs []error
	for _, f := range x.files {
		errs = append(errs, f.close())
	}
	return errors.Join(errs...)
}

// jsonlFile appends JSON lines to a file and counts what it holds.
type jsonlFile struct {
	f     *os.File
	w     *bufio.Writer
	enc   *json.Encoder
	size  int64
	count int
}

// openJSONL opens path cut to size bytes (0: a new, empty file).
func openJSONL(path string, size int64, count int) (*jsonlFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Size() < size {
		f.Close()
		return nil, fmt.Errorf("%s is shorter than the checkpoint says it was; remove the checkpoint to start afresh", path)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	j := &jsonlFile{f: f, w: bufio.NewWriter(f), size: size, count: count}
	j.enc = json.NewEncoder(countWriter{j})
	j.enc.SetEscapeHTML(false)
	return j, nil
}

type countWriter struct{ j *jsonlFile }

// Write writes p through the buffer and counts it.
func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.j.w.Write(p)
	c.j.size += int64(n)
	return n, err
}

func (j *jsonlFile) write(v any) error {
	if err := j.enc.Encode(v); err != nil {
		return err
	}
	j.count++
	return nil
}

func (j *jsonlFile) flush() error {
	if err := j.w.Flush(); err != nil {
		return err
	}
	return j.f.Sync()
}

func (j *jsonlFile) close() error {
	err := j.w.Flush()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// The lines an export writes: the import documents' field names, fields
// not set left out.
type userOut struct {
	UID           string         `json:"uid"`
	Name          string         `json:"name,omitempty"`
	Avatar        string         `json:"avatar,omitempty"`
	Link          string         `json:"link,omitempty"`
	Role          string         `json:"role,omitempty"`
	CreatedAt     int64          `json:"createdAt,omitempty"`
	LastActiveAt  int64          `json:"lastActiveAt,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	DeactivatedAt int64          `json:"deactivatedAt,omitempty"`
}

type groupOut struct {
	GUID        string         `json:"guid"`
	Name        string         `json:"name,omitempty"`
	Type        string         `json:"type,omitempty"`
	Icon        string         `json:"icon,omitempty"`
	Password    string         `json:"password,omitempty"`
	Owner       string         `json:"owner,omitempty"`
	CreatedAt   int64          `json:"createdAt,omitempty"`
	Metadata    map[string]any `json:"metadata,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
	Description string         `json:"description,omitempty"`
	// Tencent's group profile.
	Notification string `json:"notification,omitempty"`
	MaxMembers   int    `json:"maxMembers,omitempty"`
	JoinOption   string `json:"joinOption,omitempty"`
}

type memberOut struct {
	GUID         string `json:"guid"`
	UID          string `json:"uid"`
	Scope        string `json:"scope,omitempty"`
	IsBanned     bool   `json:"isBanned,omitempty"`
	JoinedAt     int64  `json:"joinedAt,omitempty"`
	UnreadMsgNum int    `json:"unreadMsgNum,omitempty"`
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// userLine is u as a line; Status is read-only and no import takes it.
func userLine(u *chatimport.User) userOut {
	return userOut{UID: u.UID, Name: u.Name, Avatar: u.Avatar, Link: u.Link, Role: u.Role, CreatedAt: unixOrZero(u.CreatedAt),
		LastActiveAt: unixOrZero(u.LastActiveAt), Metadata: u.Metadata, Tags: u.Tags, DeactivatedAt: unixOrZero(u.DeactivatedAt)}
}

func groupLine(g *chatimport.Group) groupOut {
	return groupOut{GUID: g.GUID, Name: g.Name, Type: string(g.Type), Icon: g.Icon, Password: g.Password, Owner: g.Owner,
		CreatedAt: unixOrZero(g.CreatedAt), Metadata: g.Metadata, Tags: g.Tags, Description: g.Description,
		Notification: g.Notification, MaxMembers: g.MaxMembers, JoinOption: g.JoinOption}
}

func memberLine(m *chatimport.Member) memberOut {
	return memberOut{GUID: m.GUID, UID: m.UID, Scope: string(m.Scope), IsBanned: m.Banned, JoinedAt: unixOrZero(m.JoinedAt),
		UnreadMsgNum: m.UnreadCount}
}

package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatimport/chatimport"
)

// The mapping between providers. The library refuses, with a
// *ValidationError, every field its target cannot store; the tool fits each
// record to the target first, so that an export of one provider imports into
// the other, and says on the record's report line what it changed or left
// behind. A record that cannot land at all is skipped with the reason. The
// README's mapping table is this file in prose.

// Tencent's limits that the mapping meets rather than leaves to a refusal.
const (
	tencentGroupName = 30  // bytes of a group's name
	tencentGroupIcon = 100 // bytes of a group's FaceUrl
	// tencentIntroduction is the bytes of a group's Introduction, which
	// holds the portable Description.
	tencentIntroduction = 240
)

// change is one thing the mapping did to a record.
type change struct {
	field string // as in the input, e.g. "createdAt"
	what  string // "left behind", "password → private"
	why   string
}

// changes is what the mapping did to one record.
type changes []change

// String renders the changes for the report's note and the problem lines.
func (cs changes) String() string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s %s: %s", c.field, c.what, c.why)
	}
	return strings.Join(parts, "; ")
}

// mapper fits records to one target provider, renaming ids by -id-map.
type mapper struct {
	target string
	ids    map[string]string // old id -> new id
	// fingerprint is the -id-map's, for the checkpoint; "" without one.
	fingerprint string
}

func (m *mapper) rename(cs *changes, field string, id *string) {
	if to, ok := m.ids[*id]; ok && to != *id {
		*cs = append(*cs, change{field, "renamed", fmt.Sprintf("%q is %q by -id-map", *id, to)})
		*id = to
	}
}

func (m *mapper) tencent() bool { return m.target == chatimport.ProviderTencent }

// user fits a user: a Tencent account holds a uid, a nickname and a photo,
// and CometChat needs a name, which an account found in a Tencent member list
// does not have.
func (m *mapper) user(u *chatimport.User) (changes, error) {
	var cs changes
	m.rename(&cs, "uid", &u.UID)
	if !m.tencent() {
		// An account known only by its id, as an export from Tencent lists
		// it, gets its id as a name; a record with more is left to the rules.
		if reflect.DeepEqual(*u, chatimport.User{UID: u.UID}) {
			u.Name = u.UID
			cs = append(cs, change{"name", "set to the uid", "CometChat needs a name; the record has only a uid (a Tencent export's account)"})
		}
		return cs, nil
	}
	const why = "a Tencent account holds only uid, name and avatar"
	leave(&cs, "link", why, &u.Link)
	leave(&cs, "role", why, &u.Role)
	leaveAll(&cs, "metadata", why, &u.Metadata)
	leaveAll(&cs, "tags", why, &u.Tags)
	leaveTime(&cs, "createdAt", why, &u.CreatedAt)
	leaveTime(&cs, "lastActiveAt", why, &u.LastActiveAt)
	leaveTime(&cs, "deactivatedAt", why+" (the account is active there)", &u.DeactivatedAt)
	return cs, nil
}

// group fits a group's type, name and fields to the target.
func (m *mapper) group(g *chatimport.Group) (changes, error) {
	var cs changes
	m.rename(&cs, "guid", &g.GUID)
	if g.Owner != "" {
		m.rename(&cs, "owner", &g.Owner)
	}
	if !m.tencent() {
		switch g.Type {
		case chatimport.GroupMeeting, chatimport.GroupCommunity:
			cs = append(cs, change{"type", string(g.Type) + " → public", "CometChat has no " + string(g.Type) + " groups; anyone may join a public one"})
			g.Type = chatimport.GroupPublic
		}
		const why = "a Tencent group's profile field; a CometChat group cannot hold it"
		leave(&cs, "notification", why, &g.Notification)
		leave(&cs, "joinOption", why, &g.JoinOption)
		leave(&cs, "maxMembers", why, &g.MaxMembers)
		return cs, nil
	}
	if g.Type == chatimport.GroupPassword {
		cs = append(cs, change{"type", "password → private", "Tencent has no password groups; the password is left behind"})
		g.Type, g.Password = chatimport.GroupPrivate, ""
	}
	if len(g.Name) > tencentGroupName {
		cut := cutUTF8(g.Name, tencentGroupName)
		cs = append(cs, change{"name", fmt.Sprintf("cut to %d bytes", tencentGroupName),
			fmt.Sprintf("%q has %d bytes, Tencent allows %d; it is %q there", g.Name, len(g.Name), tencentGroupName, cut)})
		g.Name = cut
	}
	for _, f := range []struct {
		name  string
		value *string
		most  int
	}{{"icon", &g.Icon, tencentGroupIcon}, {"description", &g.Description, tencentIntroduction}} {
		if len(*f.value) > f.most {
			leave(&cs, f.name, fmt.Sprintf("it has %d bytes, Tencent allows %d", len(*f.value), f.most), f.value)
		}
	}
	const why = "a Tencent group cannot hold it"
	leaveAll(&cs, "metadata", why, &g.Metadata)
	leaveAll(&cs, "tags", why, &g.Tags)
	return cs, nil
}

// errBanned is a banned member bound for Tencent: imported, it would be a
// member in good standing, so it is not imported at all.
var errBanned = errors.New("banned: Tencent's member import cannot ban, and the member would arrive unbanned; add and ban it in Tencent by hand")

// member fits a membership: Tencent has no moderators, cannot ban on import
// and creates neither groups nor accounts with a member; CometChat keeps no
// unread count.
func (m *mapper) member(mb *chatimport.Member) (changes, error) {
	var cs changes
	m.rename(&cs, "guid", &mb.GUID)
	m.rename(&cs, "uid", &mb.UID)
	if !m.tencent() {
		if mb.UnreadCount != 0 {
			cs = append(cs, change{"unreadMsgNum", "left behind", "CometChat keeps no unread count"})
			mb.UnreadCount = 0
		}
		if g := mb.Group; g != nil {
			g.GUID = mb.GUID
			gcs, _ := m.group(g)
			cs = append(cs, within("groupDetails.", gcs)...)
		}
		if u := mb.User; u != nil {
			u.UID = mb.UID
			ucs, _ := m.user(u)
			cs = append(cs, within("userDetails.", ucs)...)
		}
		return cs, nil
	}
	if mb.Banned {
		return cs, errBanned
	}
	if mb.Scope == chatimport.ScopeModerator {
		cs = append(cs, change{"scope", "moderator → participant", "Tencent has no moderators; only admin and ordinary members"})
		mb.Scope = chatimport.ScopeParticipant
	}
	if mb.Group != nil {
		cs = append(cs, change{"groupDetails", "left behind", "Tencent's member import creates no group; import groups with -groups"})
		mb.Group = nil
	}
	if mb.User != nil {
		cs = append(cs, change{"userDetails", "left behind", "Tencent's member import creates no account; import accounts with -users"})
		mb.User = nil
	}
	return cs, nil
}

// within names the changes of a member's details by their place in it.
// The details' ids are the member's, renamed with it, so their renames are
// not told twice.
func within(prefix string, cs changes) changes {
	var out changes
	for _, c := range cs {
		if c.what != "renamed" {
			c.field = prefix + c.field
			out = append(out, c)
		}
	}
	return out
}

func leave[T string | int](cs *changes, field, why string, v *T) {
	var zero T
	if *v != zero {
		*cs = append(*cs, change{field, "left behind", why})
		*v = zero
	}
}

func leaveAll[S []string | map[string]any](cs *changes, field, why string, v *S) {
	if len(*v) > 0 {
		*cs = append(*cs, change{field, "left behind", why})
		var zero S
		*v = zero
	}
}

func leaveTime(cs *changes, field, why string, t *time.Time) {
	if !t.IsZero() {
		*cs = append(*cs, change{field, "left behind", why})
		*t = time.Time{}
	}
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n])
}

// renameable says whether a refused field is an id that -id-map can rename.
func renameable(field string) bool {
	return slices.Contains([]string{"uid", "guid", "owner", "groupDetails.guid", "userDetails.uid"}, field)
}

// readIDMap reads -id-map: one old,new pair a line, ids as the input has
// them. An id mapped twice, or two ids mapped to one, is refused: either
// would merge records or lose one.
func readIDMap(path string) (ids map[string]string, fingerprint string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	ids, taken := map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		old, to, ok := strings.Cut(line, ",")
		old, to = strings.TrimSpace(old), strings.TrimSpace(to)
		switch {
		case !ok || old == "" || to == "" || strings.Contains(to, ","):
			return nil, "", fmt.Errorf("%s:%d: want old,new", path, n)
		case ids[old] != "":
			return nil, "", fmt.Errorf("%s:%d: %q is mapped twice", path, n, old)
		case taken[to] != "":
			return nil, "", fmt.Errorf("%s:%d: %q and %q are both mapped to %q", path, n, taken[to], old, to)
		}
		ids[old], taken[to] = to, old
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("reading %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return ids, "sha256:" + hex.EncodeToString(sum[:]), nil
}

package chatimporttest

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// User is a CometChat user as the fake holds it. It is the fake's own type so
// that this package never depends on the client under test.
type User struct {
	UID, Name, Avatar, Link, Role string
	// Status is "available" or "offline"; imports always create offline
	// users, so only AddUsers can make the list's status filter bite.
	Status                                 string
	Metadata                               map[string]any
	Tags                                   []string
	CreatedAt, LastActiveAt, DeactivatedAt int64
}

// Group is a CometChat group, created by AddGroups, AddMembers, a groups
// import or a member import's groupDetails.
type Group struct {
	GUID, Name, Icon, Type, Password, Owner string
	Description                             string
	CreatedAt                               int64
	Metadata                                map[string]any
	Tags                                    []string
}

// Member is a group membership on either provider. Tencent members use the
// GroupId as GUID, the Member_Account as UID and Scope "admin" or
// "participant", so both providers can be asserted the same way.
type Member struct {
	GUID, UID, Scope string
	Banned           bool
	JoinedAt         int64
	UnreadMsgNum     int
}

// Stats are counters for assertions about what a client did. Every request
// counts, including rejected ones, unless a field says otherwise.
type Stats struct {
	// Requests counts every request, including unknown paths.
	Requests int
	// ImportRequests counts requests to the three import endpoints.
	ImportRequests int
	// ListRequests counts requests to the list endpoints.
	ListRequests int
	// RateLimited counts 429s and 10006s actually answered, real or injected.
	RateLimited int
	// Faults counts injected faults by kind.
	Faults FaultCounts
	// LargestBatch is the most entities seen in one import body, including
	// bodies rejected for exceeding the batch limit.
	LargestBatch int
	// Entities counts entities in import bodies the fake read, resends
	// included. Bodies of requests turned away before reading (auth, rate
	// limit, injected 429/503/502/10002) are not read, so do not count.
	Entities int
}

// groupState is a group with its members in import order.
type groupState struct {
	Group
	members []Member
	index   map[string]int // member uid (lower-cased on CometChat) -> position
}

func newGroupState(g Group) *groupState {
	return &groupState{Group: g, index: map[string]int{}}
}

// put adds m, or replaces it in place so the import order stays stable.
func (g *groupState) put(m Member) {
	if i, ok := g.index[m.UID]; ok {
		g.members[i] = m
		return
	}
	g.index[m.UID] = len(g.members)
	g.members = append(g.members, m)
}

func (g *groupState) has(uid string) bool {
	_, ok := g.index[uid]
	return ok
}

// store is everything a Server holds; Server.mu guards it. Stored values are
// never mutated after insertion (only replaced), so they can be encoded
// outside the lock.
type store struct {
	users  map[string]*User // by lower-cased uid
	groups map[string]*groupState
	// userOrder, groupOrder and tgroupOrder are the keys of users, groups
	// and tgroups in order, as the listings last sorted them; see sortedKeys.
	userOrder, groupOrder, tgroupOrder []string
	tgroups                            map[string]*groupState
	accounts                           map[string]bool
	received                           map[string]int
	stats                              Stats
}

func newStore() store {
	return store{
		users:    map[string]*User{},
		groups:   map[string]*groupState{},
		tgroups:  map[string]*groupState{},
		accounts: map[string]bool{},
		received: map[string]int{},
	}
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.st.stats)
	s.mu.Unlock()
}

// noteBatch records a body the fake read: its n entities and, unless
// counting only, which ids it carried (each at most once per request).
func (s *Server) noteBatch(n int, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.stats.Entities += n
	s.st.stats.LargestBatch = max(s.st.stats.LargestBatch, n)
	if s.cfg.countOnly {
		return
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			s.st.received[id]++
		}
	}
}

// Stats returns a copy of the counters, so a test can compare it whole
// while requests keep changing the live ones.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.stats
}

// Received reports how many import requests the fake read that carried the
// entity id: a CometChat uid or memberId exactly as the client keyed it, or
// "<GroupId>/<Member_Account>" for Tencent. It lets a test prove a client
// resent only what it had to. It is always 0 with WithCountOnly.
func (s *Server) Received(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.received[id]
}

// Users returns the CometChat users sorted by uid, so assertions are
// deterministic; they are deep copies a test may modify freely.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.st.users))
	for _, u := range s.st.users {
		out = append(out, copyUser(*u))
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.UID, b.UID) })
	return out
}

// Groups returns the CometChat groups sorted by guid, so assertions are
// deterministic; they are deep copies a test may modify freely.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, 0, len(s.st.groups))
	for _, g := range s.st.groups {
		out = append(out, copyGroup(g.Group))
	}
	slices.SortFunc(out, func(a, b Group) int { return strings.Compare(a.GUID, b.GUID) })
	return out
}

// Members returns a CometChat group's members in import order, the order
// the list endpoint pages through, banned ones included; nil if the group
// does not exist.
func (s *Server) Members(guid string) []Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.st.groups[strings.ToLower(guid)]; g != nil {
		return slices.Clone(g.members)
	}
	return nil
}

// TencentMembers returns a Tencent group's members in import order, so a
// test can check both what was imported and how; nil if the group does not
// exist.
func (s *Server) TencentMembers(groupID string) []Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.st.tgroups[groupID]; g != nil {
		return slices.Clone(g.members)
	}
	return nil
}

// AddUsers seeds CometChat users, replacing any with the same uid (compared
// case-insensitively, as CometChat does). A zero CreatedAt becomes now.
func (s *Server) AddUsers(users ...User) {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range users {
		u = copyUser(u)
		u.UID = strings.ToLower(u.UID)
		if u.Role == "" {
			u.Role = "default"
		}
		if u.CreatedAt == 0 {
			u.CreatedAt = now
		}
		s.st.users[u.UID] = &u
	}
}

// AddGroups seeds CometChat groups, replacing the details of any with the
// same guid (compared case-insensitively, as CometChat does) but keeping
// their members. A zero CreatedAt becomes now.
func (s *Server) AddGroups(groups ...Group) {
	now := s.now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range groups {
		g = copyGroup(g)
		g.GUID = strings.ToLower(g.GUID)
		if g.CreatedAt == 0 {
			g.CreatedAt = now
		}
		if old := s.st.groups[g.GUID]; old != nil {
			old.Group = g
			continue
		}
		s.st.groups[g.GUID] = newGroupState(g)
	}
}

// AddMembers seeds members of a CometChat group for list tests. It creates
// the group (public, named after its guid, created at the Unix epoch so any
// joinedAt fits) and any missing user (named after its uid) as needed.
// Member.GUID is ignored; an empty Scope means participant.
func (s *Server) AddMembers(guid string, members ...Member) {
	now := s.now().Unix()
	guid = strings.ToLower(guid)
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.groups[guid]
	if g == nil {
		g = newGroupState(Group{GUID: guid, Name: guid, Type: "public"})
		s.st.groups[guid] = g
	}
	for _, m := range members {
		m.GUID, m.UID = guid, strings.ToLower(m.UID)
		if m.Scope == "" {
			m.Scope = scopeParticipant
		}
		if s.st.users[m.UID] == nil {
			s.st.users[m.UID] = &User{UID: m.UID, Name: m.UID, Role: "default", CreatedAt: now}
		}
		g.put(m)
	}
}

// AddTencentGroup creates a Tencent group, as real Tencent requires before
// members can be imported. Adding an existing group updates its creation
// time and keeps its members.
func (s *Server) AddTencentGroup(groupID string, createdAt time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.st.tgroups[groupID]; g != nil {
		g.CreatedAt = createdAt.Unix()
		return
	}
	s.st.tgroups[groupID] = newGroupState(Group{GUID: groupID, Name: groupID, CreatedAt: createdAt.Unix()})
}

// AddTencentAccounts creates Tencent accounts, which must exist before they
// can be imported as members.
func (s *Server) AddTencentAccounts(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.st.accounts[id] = true
	}
}

func copyUser(u User) User {
	u.Metadata = copyMap(u.Metadata)
	u.Tags = slices.Clone(u.Tags)
	return u
}

func copyGroup(g Group) Group {
	g.Metadata = copyMap(g.Metadata)
	g.Tags = slices.Clone(g.Tags)
	return g
}

// copyMap copies JSON-shaped metadata deeply so snapshots never alias state.
func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = copyAny(v)
	}
	return out
}

func copyAny(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyMap(v)
	case []any:
		out := slices.Clone(v)
		for i := range out {
			out[i] = copyAny(out[i])
		}
		return out
	default:
		return v
	}
}

package chatimporttest

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
)

// listedUser is one entry of GET /users, shaped like the documented
// example; tags only when asked for.
type listedUser struct {
	UID           string         `json:"uid"`
	Name          string         `json:"name"`
	Avatar        string         `json:"avatar,omitempty"`
	Link          string         `json:"link,omitempty"`
	Role          string         `json:"role"`
	Status        string         `json:"status"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	CreatedAt     int64          `json:"createdAt"`
	UpdatedAt     int64          `json:"updatedAt"`
	LastActiveAt  int64          `json:"lastActiveAt,omitempty"`
	DeactivatedAt int64          `json:"deactivatedAt,omitempty"`
}

// listedGroup is one entry of GET /groups. CometChat never lists a
// group's password, so neither does the fake.
type listedGroup struct {
	GUID           string         `json:"guid"`
	Name           string         `json:"name"`
	Description    string         `json:"description,omitempty"`
	Icon           string         `json:"icon,omitempty"`
	Type           string         `json:"type"`
	Owner          string         `json:"owner,omitempty"`
	Metadata       map[string]any `json:"metadata,omitempty"`
	Tags           []string       `json:"tags,omitempty"`
	MembersCount   int            `json:"membersCount"`
	CreatedAt      int64          `json:"createdAt"`
	ConversationID string         `json:"conversationId"`
}

// flag reads a boolean query parameter as CometChat's examples write
// them; anything but true, 1, false, 0 or nothing is refused.
func flag(fe *fieldErrors, q url.Values, name string) bool {
	switch q.Get(name) {
	case "true", "1":
		return true
	case "", "false", "0":
		return false
	}
	fe.add(name, "The %s must be true or false.", name)
	return false
}

// listPage answers a list request: auth, an injected fault, the query,
// then the page build gives. It pages by number in a stable order (by id),
// as CometChat's listings do.
//
// build reads the endpoint's own parameters into fe and, when they are
// valid, returns the page, its length and how many match in all.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, build func(q url.Values, lq listQuery, fe *fieldErrors) (page any, n, total int)) {
	s.count(func(st *Stats) { st.ListRequests++ })
	if e := s.cometAuth(r); e != nil {
		writeCometError(w, http.StatusUnauthorized, e)
		return
	}
	if s.listFault(w) {
		return
	}
	q := r.URL.Query()
	lq, fe := parseListQuery(q)
	var page any
	var n, total int
	if len(fe) == 0 {
		page, n, total = build(q, lq, &fe)
	}
	if len(fe) > 0 {
		writeCometError(w, http.StatusBadRequest, newCometError("ERR_BAD_REQUEST", "The query parameters are not valid.", fe))
		return
	}
	s.writePage(w, lq, page, n, total)
}

// writePage answers a list request with page, n entries of total, in
// CometChat's envelope.
func (s *Server) writePage(w http.ResponseWriter, lq listQuery, page any, n, total int) {
	writeJSON(w, http.StatusOK, map[string]any{
		"data": page,
		"meta": map[string]any{"pagination": pagination{
			Total: total, Count: n, PerPage: lq.perPage, CurrentPage: lq.page,
			TotalPages: (total + lq.perPage - 1) / lq.perPage,
		}},
		"cursor": map[string]any{"updatedAt": s.now().Unix(), "affix": "append"},
	})
}

// listFault injects the faults a GET can meet, the same draw as an
// import's: a 429, a 503, a 500 or a dropped connection. It reports
// whether it answered.
func (s *Server) listFault(w http.ResponseWriter) bool {
	f := s.faults.draw(false)
	switch f {
	case noFault:
		return false
	case faultRateLimit:
		s.count(func(st *Stats) { st.RateLimited++; st.Faults.add(f) })
		w.Header().Set("Retry-After", s.faults.retryAfter())
		writeCometError(w, http.StatusTooManyRequests, tooManyRequests())
		return true
	}
	s.count(func(st *Stats) { st.Faults.add(f) })
	switch f {
	case faultUnavailable:
		writeHTML(w, http.StatusServiceUnavailable, unavailableHTML)
	case faultFailAfterApply:
		writeCometError(w, http.StatusInternalServerError, newCometError("ERR_MISSION_FAILED",
			"The operation failed because of an internal error; please retry.", nil))
	default:
		dropConnection(w)
	}
	return true
}

// listUsers serves GET /v3/users in uid order. Deactivated users are left
// out unless withDeactivated or onlyDeactivated asks for them, and tags
// unless withTags does, as CometChat documents.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	s.listPage(w, r, func(q url.Values, lq listQuery, fe *fieldErrors) (any, int, int) {
		withTags := flag(fe, q, "withTags")
		withDeactivated := flag(fe, q, "withDeactivated")
		onlyDeactivated := flag(fe, q, "onlyDeactivated")
		if len(*fe) > 0 {
			return nil, 0, 0
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var users []*User
		for _, uid := range sortedKeys(s.st.users, &s.st.userOrder) {
			u := s.st.users[uid]
			deactivated := u.DeactivatedAt != 0
			if onlyDeactivated && !deactivated || !onlyDeactivated && !withDeactivated && deactivated {
				continue
			}
			users = append(users, u)
		}
		page := []listedUser{}
		for _, u := range pageOf(users, lq) {
			lu := listedUser{UID: u.UID, Name: u.Name, Avatar: u.Avatar, Link: u.Link, Role: u.Role,
				Status: u.Status, Metadata: u.Metadata, CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt,
				LastActiveAt: u.LastActiveAt, DeactivatedAt: u.DeactivatedAt}
			if lu.Status == "" {
				lu.Status = "offline"
			}
			if withTags {
				lu.Tags = u.Tags
			}
			page = append(page, lu)
		}
		return page, len(page), len(users)
	})
}

// listGroups serves GET /v3/groups in guid order, tags only with withTags.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	s.listPage(w, r, func(q url.Values, lq listQuery, fe *fieldErrors) (any, int, int) {
		withTags := flag(fe, q, "withTags")
		if len(*fe) > 0 {
			return nil, 0, 0
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		groups := make([]*groupState, 0, len(s.st.groups))
		for _, guid := range sortedKeys(s.st.groups, &s.st.groupOrder) {
			groups = append(groups, s.st.groups[guid])
		}
		page := []listedGroup{}
		for _, g := range pageOf(groups, lq) {
			lg := listedGroup{GUID: g.GUID, Name: g.Name, Description: g.Description, Icon: g.Icon, Type: g.Type,
				Owner: g.Owner, Metadata: g.Metadata, MembersCount: len(g.members), CreatedAt: g.CreatedAt,
				ConversationID: "group_" + g.GUID}
			if withTags {
				lg.Tags = g.Tags
			}
			page = append(page, lg)
		}
		return page, len(page), len(groups)
	})
}

// sortedKeys returns m's keys in order, sorting again only when m has
// grown since: the fake never deletes, so its length tells whether it
// changed, and a walk of many pages sorts once rather than once a page.
func sortedKeys[V any](m map[string]V, cache *[]string) []string {
	if len(*cache) != len(m) {
		*cache = slices.Sorted(maps.Keys(m))
	}
	return *cache
}

// pageOf is the page lq asks for of all.
func pageOf[T any](all []T, lq listQuery) []T {
	start := min((lq.page-1)*lq.perPage, len(all))
	return all[start:min(start+lq.perPage, len(all))]
}

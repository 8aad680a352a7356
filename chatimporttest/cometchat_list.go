package chatimporttest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	defaultPerPage = 100
	maxPerPage     = 1000
)

// listedMember is one entry of the list answer, shaped like the
// documented example.
type listedMember struct {
	UID            string         `json:"uid"`
	Name           string         `json:"name"`
	Avatar         string         `json:"avatar,omitempty"`
	Link           string         `json:"link,omitempty"`
	Role           string         `json:"role"`
	Status         string         `json:"status"`
	Scope          string         `json:"scope"`
	JoinedAt       int64          `json:"joinedAt"`
	CreatedAt      int64          `json:"createdAt"`
	UpdatedAt      int64          `json:"updatedAt"`
	Metadata       map[string]any `json:"metadata,omitempty"`
	ConversationID string         `json:"conversationId"`
}

type pagination struct {
	Total       int `json:"total"`
	Count       int `json:"count"`
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
	TotalPages  int `json:"total_pages"`
}

type listQuery struct {
	perPage, page int
	status        string
	scopes        map[string]bool // empty: all scopes
}

// parseListQuery rejects what CometChat documents as invalid, so a client
// that sends perPage=5000 finds out in tests.
func parseListQuery(q url.Values) (listQuery, fieldErrors) {
	var fe fieldErrors
	lq := listQuery{perPage: defaultPerPage, page: 1, status: q.Get("status")}
	if v := q.Get("perPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPerPage {
			fe.add("perPage", "The perPage must be an integer between 1 and %d.", maxPerPage)
		}
		lq.perPage = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe.add("page", "The page must be an integer of at least 1.")
		}
		lq.page = n
	}
	if lq.status != "" && lq.status != "available" && lq.status != "offline" {
		fe.add("status", "The status must be one of available, offline.")
	}
	// Accept scopes=a,b (documented) as well as repeated or bracketed keys.
	for _, v := range append(q["scopes"], q["scopes[]"]...) {
		for _, sc := range strings.Split(v, ",") {
			if sc = strings.TrimSpace(sc); sc == "" {
				continue
			}
			if !validScope(sc) {
				fe.add("scopes", "The scopes must be among admin, moderator, participant.")
				continue
			}
			if lq.scopes == nil {
				lq.scopes = map[string]bool{}
			}
			lq.scopes[sc] = true
		}
	}
	return lq, fe
}

// listMembers serves GET /v3/groups/{guid}/members with page-number
// pagination in import order. Banned members are left out, as CometChat
// lists them separately.
func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, guid string) {
	s.count(func(st *Stats) { st.ListRequests++ })
	if e := s.cometAuth(r); e != nil {
		writeCometError(w, http.StatusUnauthorized, e)
		return
	}
	lq, fe := parseListQuery(r.URL.Query())
	if len(fe) > 0 {
		writeCometError(w, http.StatusBadRequest, newCometError("ERR_BAD_REQUEST", "The query parameters are not valid.", fe))
		return
	}
	page, total, ok := s.listed(guid, lq)
	if !ok {
		writeCometError(w, http.StatusNotFound, newCometError("ERR_GUID_NOT_FOUND", "The group "+guid+" does not exist.", nil))
		return
	}
	s.writePage(w, lq, page, len(page), total)
}

// listed returns the requested page of the group's visible members
// matching the filters and how many match in all, or false if the group
// does not exist. Only the page's entries are built, so walking a large
// group costs the fake a pass over its members per page, not a copy.
func (s *Server) listed(guid string, lq listQuery) ([]listedMember, int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.groups[strings.ToLower(guid)]
	if g == nil {
		return nil, 0, false
	}
	start := (lq.page - 1) * lq.perPage
	page := []listedMember{}
	total := 0
	for _, m := range g.members {
		if m.Banned || (lq.scopes != nil && !lq.scopes[m.Scope]) {
			continue
		}
		u := s.st.users[m.UID]
		status := "offline"
		if u != nil && u.Status != "" {
			status = u.Status
		}
		if lq.status != "" && status != lq.status {
			continue
		}
		if total >= start && len(page) < lq.perPage {
			page = append(page, listEntry(guid, m, u, status))
		}
		total++
	}
	return page, total, true
}

func listEntry(guid string, m Member, u *User, status string) listedMember {
	lm := listedMember{UID: m.UID, Name: m.UID, Role: "default", Status: status, Scope: m.Scope,
		JoinedAt: m.JoinedAt, UpdatedAt: m.JoinedAt, ConversationID: "group_" + guid}
	if u != nil {
		lm.Name, lm.Avatar, lm.Link, lm.Role, lm.Metadata = u.Name, u.Avatar, u.Link, u.Role, u.Metadata
		lm.CreatedAt, lm.UpdatedAt = u.CreatedAt, max(u.CreatedAt, m.JoinedAt)
	}
	return lm
}

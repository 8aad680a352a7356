package cometchat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Listing endpoint paths, relative to the ".../v3" root.
const (
	PathUsers  = "/users"
	PathGroups = "/groups"
)

// ListedUser is one entry of a users page: every field an import takes,
// and the status.
type ListedUser struct {
	UID           string         `json:"uid"`
	Name          string         `json:"name"`
	Avatar        string         `json:"avatar"`
	Link          string         `json:"link"`
	Role          string         `json:"role"`
	Status        string         `json:"status"`
	Metadata      map[string]any `json:"metadata"`
	Tags          []string       `json:"tags"`
	CreatedAt     Int            `json:"createdAt"`
	LastActiveAt  Int            `json:"lastActiveAt"`
	DeactivatedAt Int            `json:"deactivatedAt"`
}

// UsersPage is one answer of GET /users.
type UsersPage struct {
	Data []ListedUser `json:"data"`
	Meta struct {
		Pagination Pagination `json:"pagination"`
	} `json:"meta"`
}

// ReadUsersPage reads a users page. A page is read once per thousand
// users, so encoding/json is fast enough here.
func ReadUsersPage(data []byte) (UsersPage, error) {
	var p UsersPage
	if err := json.Unmarshal(data, &p); err != nil {
		return UsersPage{}, fmt.Errorf("cometchat: users page: %w", err)
	}
	return p, nil
}

// ListedGroup is one entry of a groups page: every field an import takes
// that CometChat lists. It never lists a group's password.
type ListedGroup struct {
	GUID        string         `json:"guid"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Icon        string         `json:"icon"`
	Type        string         `json:"type"`
	Owner       string         `json:"owner"`
	Metadata    map[string]any `json:"metadata"`
	Tags        []string       `json:"tags"`
	CreatedAt   Int            `json:"createdAt"`
}

// GroupsPage is one answer of GET /groups.
type GroupsPage struct {
	Data       []ListedGroup
	Pagination Pagination
}

type meta struct {
	Pagination *Pagination `json:"pagination"`
}

var errGroupsData = errors.New("data is neither an array nor an object")

// ReadGroupsPage reads a groups page. The documented example differs from
// the other listings: data is an object whose members are the groups, in
// order, with meta among them. Both that and the others' shape, data an
// array beside meta, are read.
func ReadGroupsPage(data []byte) (GroupsPage, error) {
	var top struct {
		Data json.RawMessage `json:"data"`
		Meta meta            `json:"meta"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return GroupsPage{}, fmt.Errorf("cometchat: groups page: %w", err)
	}
	var p GroupsPage
	if top.Meta.Pagination != nil {
		p.Pagination = *top.Meta.Pagination
	}
	d := bytes.TrimSpace(top.Data)
	var err error
	switch {
	case len(d) == 0 || string(d) == "null":
	case d[0] == '[':
		err = json.Unmarshal(d, &p.Data)
	case d[0] == '{':
		err = readGroupsObject(d, &p)
	default:
		err = errGroupsData
	}
	if err != nil {
		return GroupsPage{}, fmt.Errorf("cometchat: groups page: %w", err)
	}
	return p, nil
}

// readGroupsObject reads data as an object, keeping the groups' order.
func readGroupsObject(d []byte, p *GroupsPage) error {
	dec := json.NewDecoder(bytes.NewReader(d))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if tok == "meta" {
			var m meta
			if err := dec.Decode(&m); err != nil {
				return err
			}
			if m.Pagination != nil && p.Pagination == (Pagination{}) {
				p.Pagination = *m.Pagination
			}
			continue
		}
		var g ListedGroup
		if err := dec.Decode(&g); err != nil {
			return err
		}
		p.Data = append(p.Data, g)
	}
	return nil
}

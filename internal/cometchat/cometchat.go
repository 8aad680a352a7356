// Package cometchat is the wire format of CometChat's REST API v3: what the
// import endpoints take and answer, and its error body.
package cometchat

import (
	"encoding/json"
)

// Import endpoint paths, relative to the ".../v3" root.
const (
	PathImportUsers   = "/data_import/users"
	PathImportMembers = "/data_import/members"
)

// User is one entry of an import-users body, and the userDetails of a member.
type User struct {
	UID           string         `json:"uid"`
	Name          string         `json:"name"`
	Avatar        string         `json:"avatar,omitempty"`
	Link          string         `json:"link,omitempty"`
	Role          string         `json:"role,omitempty"`
	CreatedAt     int64          `json:"createdAt,omitempty"`
	LastActiveAt  int64          `json:"lastActiveAt,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	DeactivatedAt int64          `json:"deactivatedAt,omitempty"`
}

// Group is the groupDetails of a member.
type Group struct {
	GUID      string         `json:"guid"`
	Name      string         `json:"name"`
	Icon      string         `json:"icon,omitempty"`
	Type      string         `json:"type"`
	Password  string         `json:"password,omitempty"`
	Owner     string         `json:"owner,omitempty"`
	CreatedAt int64          `json:"createdAt,omitempty"`
	Metadata  map[string]any `json:"metadata,omitempty"`
	Tags      []string       `json:"tags,omitempty"`
}

// Member is one entry of an import-members body.
type Member struct {
	MemberID     string `json:"memberId"`
	GUID         string `json:"guid"`
	UID          string `json:"uid"`
	Scope        string `json:"scope,omitempty"`
	IsBanned     bool   `json:"isBanned,omitempty"`
	JoinedAt     int64  `json:"joinedAt,omitempty"`
	GroupDetails *Group `json:"groupDetails,omitempty"`
	UserDetails  *User  `json:"userDetails,omitempty"`
}

// MemberID is the key CometChat files a membership under.
func MemberID(guid, uid string) string { return guid + "_member_" + uid }

// AppendBody appends an import body, {"<wrapper>":{"<key>":<entity>,…}}, to
// dst. The entities are already-encoded JSON objects, so that each is encoded
// once, when it is validated, however often its batch is sent.
func AppendBody(dst []byte, wrapper string, keys []string, entities [][]byte) []byte {
	dst = append(dst, `{"`...)
	dst = append(dst, wrapper...)
	dst = append(dst, `":{`...)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, k)
		dst = append(dst, ':')
		dst = append(dst, entities[i]...)
	}
	return append(dst, "}}"...)
}

func appendKey(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			quoted, _ := json.Marshal(k) // a string always marshals
			return append(dst, quoted...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, k...)
	return append(dst, '"')
}

// Error is CometChat's error object, alone in an error body or inside the
// answer for one imported entity.
type Error struct {
	Message    string              `json:"message"`
	DevMessage string              `json:"devMessage"`
	Source     string              `json:"source"`
	Code       string              `json:"code"`
	Details    map[string][]string `json:"details"`
}

// ErrorBody is the body of a failed request.
type ErrorBody struct {
	Error *Error `json:"error"`
}

// ImportResponse is the answer to an import: one entry per key sent.
type ImportResponse struct {
	Data map[string]ItemAnswer `json:"data"`
}

// ItemAnswer is the answer for one entity. The echoed entity is not decoded:
// an import only needs to know whether it succeeded.
type ItemAnswer struct {
	Success *bool  `json:"success"`
	Error   *Error `json:"error"`
	// Data catches the older nesting, where the outcome sits one level down.
	Data *struct {
		Success *bool  `json:"success"`
		Error   *Error `json:"error"`
	} `json:"data"`
}

// Outcome reports whether the entity was imported, and the error when not.
// known is false when the answer says neither.
func (a ItemAnswer) Outcome() (ok bool, err *Error, known bool) {
	success, e := a.Success, a.Error
	if success == nil && e == nil && a.Data != nil {
		success, e = a.Data.Success, a.Data.Error
	}
	switch {
	case e != nil:
		return false, e, true
	case success != nil:
		return *success, nil, true
	}
	return false, nil, false
}

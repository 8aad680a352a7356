// Package cometchat is the wire format of CometChat's REST API v3: what the
// import endpoints take and answer, and its error body.
package cometchat

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/chatimport/chatimport/internal/wirejson"
)

// Import endpoint paths, relative to the ".../v3" root.
const (
	PathImportUsers   = "/data_import/users"
	PathImportGroups  = "/data_import/groups"
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

// Group is one entry of an import-groups body, and the groupDetails of a
// member.
type Group struct {
	GUID         string         `json:"guid"`
	Name         string         `json:"name"`
	Icon         string         `json:"icon,omitempty"`
	Description  string         `json:"description,omitempty"`
	Type         string         `json:"type"`
	Password     string         `json:"password,omitempty"`
	Owner        string         `json:"owner,omitempty"`
	CreatedAt    int64          `json:"createdAt,omitempty"`
	Metadata     map[string]any `json:"metadata,omitempty"`
	Tags         []string       `json:"tags,omitempty"`
	OwnerDetails *User          `json:"groupOwnerDetails,omitempty"`
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

// AppendBody appends an import body, {"<wrapper>":{"<key>":<entity>,…}},
// to dst, with n entities; key(i) and entity(i) give each one's key and its
// already-encoded JSON, so that each is encoded once, when it is validated,
// however often its batch is sent.
func AppendBody(dst []byte, wrapper string, n int, key func(i int) string, entity func(i int) []byte) []byte {
	dst = append(dst, `{"`...)
	dst = append(dst, wrapper...)
	dst = append(dst, `":{`...)
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = wirejson.AppendString(dst, key(i))
		dst = append(dst, ':')
		dst = append(dst, entity(i)...)
	}
	return append(dst, "}}"...)
}

// MetadataError is metadata that does not encode as JSON; Field names it as
// on the wire.
type MetadataError struct {
	Field string
	Err   error
}

// Error names the metadata field and the encoding error.
func (e *MetadataError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the encoding error.
func (e *MetadataError) Unwrap() error { return e.Err }

// AppendUser appends u's JSON to dst, leaving out what is not set.
func AppendUser(dst []byte, u *User, prefix string) ([]byte, error) {
	o := wirejson.Begin(dst)
	o.Required("uid", u.UID)
	o.Required("name", u.Name)
	o.String("avatar", u.Avatar)
	o.String("link", u.Link)
	o.String("role", u.Role)
	o.Int("createdAt", u.CreatedAt)
	o.Int("lastActiveAt", u.LastActiveAt)
	o.Int("deactivatedAt", u.DeactivatedAt)
	if err := appendMetadata(&o, u.Metadata, prefix); err != nil {
		return dst, err
	}
	o.Strings("tags", u.Tags)
	return o.End(), nil
}

// AppendMember appends m's JSON to dst, leaving out what is not set.
func AppendMember(dst []byte, m *Member) ([]byte, error) {
	o := wirejson.Begin(dst)
	o.String("memberId", m.MemberID)
	o.String("guid", m.GUID)
	o.String("uid", m.UID)
	o.String("scope", m.Scope)
	o.Bool("isBanned", m.IsBanned)
	o.Int("joinedAt", m.JoinedAt)
	if g := m.GroupDetails; g != nil {
		o.Key("groupDetails")
		var err error
		if o.Buf, err = AppendGroup(o.Buf, g, "groupDetails."); err != nil {
			return dst, err
		}
	}
	if u := m.UserDetails; u != nil {
		o.Key("userDetails")
		var err error
		if o.Buf, err = AppendUser(o.Buf, u, "userDetails."); err != nil {
			return dst, err
		}
	}
	return o.End(), nil
}

// MaxMetadata is the most bytes an entity's encoded metadata may take.
// CometChat documents "5 KB"; 5,000 is the safe reading of it.
const MaxMetadata = 5000

func appendMetadata(o *wirejson.Object, md map[string]any, prefix string) error {
	if len(md) == 0 {
		return nil
	}
	o.Key("metadata")
	start := len(o.Buf)
	var err error
	if o.Buf, err = wirejson.AppendAny(o.Buf, md); err != nil {
		return &MetadataError{Field: prefix + "metadata", Err: err}
	}
	if n := len(o.Buf) - start; n > MaxMetadata {
		return &MetadataError{Field: prefix + "metadata", Err: fmt.Errorf("encodes to %d bytes, more than CometChat's %d", n, MaxMetadata)}
	}
	return nil
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

// ReadError reads an error body, {"error":{…}}, and returns its error, or
// nil when body is not one (an HTML page from a proxy) or names neither a
// code nor a message. A field of the wrong type (details as a string) is
// left empty rather than losing the code, which decides what the client
// does next.
func ReadError(body []byte) *Error {
	var b ErrorBody
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(body, &b); err != nil && !errors.As(err, &typeErr) {
		return nil
	}
	if b.Error == nil || b.Error.Code == "" && b.Error.Message == "" {
		return nil
	}
	return b.Error
}

// Answer is the outcome for one imported entity.
type Answer struct {
	Known   bool   // the answer said whether it succeeded
	Success bool   // it was imported
	Error   *Error // why not, when the answer says
}

// Unreadable is the Message of an Error standing for a per-item outcome
// that the answer gives but not as documented (an "error" that is a string,
// a "success" that is not true or false); its DevMessage is the JSON given.
// Such an item failed: its neighbours still read normally.
const Unreadable = "the answer's outcome for this item is not in the documented form"

// ReadImportAnswer reads an import answer, {"data":{"<key>":{…}}}, in one
// pass, calling each for every entity with its key (aliasing data unless
// it has escapes) and outcome. The echoed entities are skipped, not
// decoded, however deep. Both documented nestings are read: the outcome
// beside the echo, or one level down. A null data or entity says nothing.
func ReadImportAnswer(data []byte, each func(key []byte, a Answer)) error {
	r := wirejson.NewReader(data)
	err := r.Object(func(key []byte) error {
		if string(key) != "data" {
			return r.Skip()
		}
		if r.Null() {
			return nil
		}
		return r.Object(func(id []byte) error {
			a, err := readAnswer(r, true)
			if err == nil {
				each(id, a)
			}
			return err
		})
	})
	if err == nil {
		err = r.End()
	}
	if err != nil {
		return fmt.Errorf("import answer: %w", err)
	}
	return nil
}

// readAnswer reads one entity's answer; nested says whether an outcome one
// level down, in "data", counts (the older nesting). An outcome not in the
// documented form makes the entity failed, whatever else its answer says.
func readAnswer(r *wirejson.Reader, nested bool) (Answer, error) {
	var a, inner Answer
	broken := false
	bad := func(raw []byte) {
		a = Answer{Known: true, Error: &Error{Message: Unreadable, DevMessage: string(raw)}}
		broken = true
	}
	if r.Null() {
		return a, nil
	}
	if r.Next() != '{' {
		raw, err := r.Raw()
		bad(raw)
		return a, err
	}
	err := r.Object(func(key []byte) error {
		if string(key) == "data" && nested && r.Next() == '{' {
			var err error
			inner, err = readAnswer(r, false)
			return err
		}
		if string(key) != "success" && string(key) != "error" {
			return r.Skip()
		}
		raw, err := r.Raw()
		switch {
		case err != nil || raw[0] == 'n': // null says nothing
		case broken:
		case string(key) == "success" && raw[0] == 't':
			a.Known, a.Success = true, true
		case string(key) == "success" && raw[0] == 'f':
			a.Known, a.Success = true, false
		case string(key) == "error" && raw[0] == '{':
			e := &Error{}
			if json.Unmarshal(raw, e) != nil {
				bad(raw)
				break
			}
			a.Known, a.Error = true, e
		default:
			bad(raw)
		}
		return err
	})
	if !a.Known {
		a = inner
	}
	return a, err
}

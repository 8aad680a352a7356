package chatimport

import "time"

// GroupType is who may join a group.
type GroupType string

// The group types both providers' import documents name.
const (
	GroupPublic   GroupType = "public"
	GroupPassword GroupType = "password" // joining needs Group.Password
	GroupPrivate  GroupType = "private"
)

// Group describes a group. CometChat creates it from these details when a
// member import names a group that does not exist yet.
type Group struct {
	GUID, Name, Icon, Password, Owner string
	Type                              GroupType
	CreatedAt                         time.Time // zero = not sent
	Metadata                          map[string]any
	Tags                              []string
}

package chatimporttest

import (
	"strings"
	"time"
)

// groupEcho is what CometChat's documented example returns for a group.
type groupEcho struct {
	GUID           string `json:"guid"`
	Name           string `json:"name"`
	Type           string `json:"type"`
	ConversationID string `json:"conversationId"`
	CreatedAt      int64  `json:"createdAt"`
	Owner          string `json:"owner,omitempty"`
}

// importGroup validates everything before changing anything, so a failed
// group never leaves its owner's user behind.
func (s *Server) importGroup(e entry, now time.Time) *entityResult {
	g, w, fe := parseGroup(e.raw, "", now)
	if g.GUID != e.key && len(fe["guid"]) == 0 {
		fe.add("guid", "The guid must be the same as the key wrapping the group.")
	}
	if len(fe) > 0 {
		return failed("ERR_IMPORT_INVALID_GROUP_FORMAT", "The group is not in the expected format.", fe)
	}
	g.GUID = strings.ToLower(g.GUID) // CometChat stores guids lower-cased
	g.Owner = strings.ToLower(g.Owner)
	var owner *User
	switch {
	case !isNull(w.OwnerDetails) && g.Owner == "":
		var ofe fieldErrors
		ofe.add("groupOwnerDetails", "The groupOwnerDetails are given but the owner is not.")
		return failed("ERR_IMPORT_INVALID_GROUP_FORMAT", "The group is not in the expected format.", ofe)
	case g.Owner == "" || s.st.users[g.Owner] != nil:
	case !isNull(w.OwnerDetails):
		u, ufe := parseUser(w.OwnerDetails, "groupOwnerDetails.", now)
		if strings.ToLower(u.UID) != g.Owner && len(ufe["groupOwnerDetails.uid"]) == 0 {
			ufe.add("groupOwnerDetails.uid", "The groupOwnerDetails.uid must be the same as the group's owner.")
		}
		if len(ufe) > 0 {
			return failed("ERR_IMPORT_INVALID_USER_FORMAT", "The groupOwnerDetails are not in the expected format.", ufe)
		}
		u.UID = g.Owner
		owner = &u
	case !s.cfg.countOnly:
		return failed("ERR_UID_NOT_FOUND", "The owner "+g.Owner+" does not exist and no groupOwnerDetails were given.", nil)
	}
	if s.st.groups[g.GUID] != nil {
		return failed("ERR_GUID_ALREADY_EXISTS", "A group with the GUID "+g.GUID+" already exists.", nil)
	}
	// Groups are kept even when counting only: see WithCountOnly.
	s.st.groups[g.GUID] = newGroupState(g)
	if owner != nil && !s.cfg.countOnly {
		s.st.users[owner.UID] = owner
	}
	return &entityResult{Success: true, Data: groupEcho{GUID: g.GUID, Name: g.Name, Type: g.Type,
		ConversationID: "group_" + g.GUID, CreatedAt: g.CreatedAt, Owner: g.Owner}}
}

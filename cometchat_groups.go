package chatimport

import (
	"time"

	"github.com/chatimport/chatimport/internal/cometchat"
)

// cometChatGroups is POST /data_import/groups
// (https://www.cometchat.com/docs/rest-api/data-import): a body keyed by
// guid, on the budget the other import endpoints share.
func cometChatGroups() *importEndpoint[Group] {
	return &importEndpoint[Group]{
		what: "group", idField: "guid", maxBatch: cometChatBatch, maxWire: cometChatEntity, budget: cometChatImports,
		id:    func(g *Group, _ *arena) string { return g.GUID },
		key:   appendID[Group],
		fold:  true,
		check: checkCometChatGroup,
		encode: func(dst []byte, g *Group, _ string) ([]byte, error) {
			w := wireGroup(g)
			return metadataError(cometchat.AppendGroup(dst, &w, ""))
		},
		send: cometChatImport(cometchat.PathImportGroups, "groups"),
	}
}

// checkCometChatGroup applies CometChat's rules for a group imported on
// its own, owner details included.
func checkCometChatGroup(g *Group, now time.Time) *ValidationError {
	if v := checkGroup(g, g.GUID, "", now); v != nil {
		return v
	}
	u := g.OwnerUser
	switch {
	case u == nil:
		return nil
	case g.Owner == "":
		return fieldError("groupOwnerDetails", "is set but the group has no owner")
	case u.UID != "" && u.UID != g.Owner:
		return fieldError("groupOwnerDetails.uid", "is %q but the group's owner is %q", u.UID, g.Owner)
	}
	return checkUser(u, g.Owner, "groupOwnerDetails.", now)
}

// checkMemberGroup refuses what a member's groupDetails cannot carry: the
// documented schema has neither a description nor owner details, so a
// group that needs them is imported with ImportGroups first.
func checkMemberGroup(g *Group) *ValidationError {
	switch {
	case g.Description != "":
		return fieldError("groupDetails.description", "is not taken by a members import; import the group with ImportGroups first")
	case g.OwnerUser != nil:
		return fieldError("groupDetails.groupOwnerDetails", "is not taken by a members import; import the group with ImportGroups first")
	}
	return nil
}

func wireGroup(g *Group) cometchat.Group {
	w := cometchat.Group{
		GUID: g.GUID, Name: g.Name, Icon: g.Icon, Description: g.Description, Type: string(g.Type),
		Password: g.Password, Owner: g.Owner, CreatedAt: unix(g.CreatedAt), Metadata: g.Metadata, Tags: g.Tags,
	}
	if g.OwnerUser != nil {
		u := wireUser(g.OwnerUser)
		u.UID = g.Owner
		w.OwnerDetails = &u
	}
	return w
}

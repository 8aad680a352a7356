package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
)

// Each rule of the README's mapping table, on one record: what the mapper
// leaves the record holding, and the changes it says it made.
func TestMappingRules(t *testing.T) {
	tencent, comet := &mapper{target: chatimport.ProviderTencent}, &mapper{target: chatimport.ProviderCometChat}
	keys := func(cs changes) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.field+" "+c.what)
		}
		return out
	}

	g := chatimport.Group{GUID: "g", Name: "Group", Type: chatimport.GroupPublic, Icon: "https://x/" + strings.Repeat("i", 100),
		Description: strings.Repeat("d", 241), Tags: []string{"a"}}
	cs, err := tencent.group(&g)
	require.NoError(t, err)
	assert.Equal(t, []string{"icon left behind", "description left behind", "tags left behind"}, keys(cs))
	assert.Equal(t, chatimport.Group{GUID: "g", Name: "Group", Type: chatimport.GroupPublic}, g)

	g = chatimport.Group{GUID: "g", Name: "Group", Type: chatimport.GroupCommunity, Notification: "n", MaxMembers: 10, JoinOption: "FreeAccess",
		Description: "kept"}
	cs, err = comet.group(&g)
	require.NoError(t, err)
	assert.Equal(t, []string{"type community → public", "notification left behind", "joinOption left behind", "maxMembers left behind"}, keys(cs))
	assert.Equal(t, chatimport.Group{GUID: "g", Name: "Group", Type: chatimport.GroupPublic, Description: "kept"}, g)

	u := chatimport.User{UID: "u", Name: "U", Avatar: "a", DeactivatedAt: time.Unix(1700000000, 0)}
	cs, err = tencent.user(&u)
	require.NoError(t, err)
	assert.Equal(t, []string{"deactivatedAt left behind"}, keys(cs))
	assert.Contains(t, cs.String(), "the account is active there")
	assert.Equal(t, chatimport.User{UID: "u", Name: "U", Avatar: "a"}, u)

	m := chatimport.Member{GUID: "g", UID: "u", UnreadCount: 3, Group: &chatimport.Group{Name: "G", Type: chatimport.GroupMeeting},
		User: &chatimport.User{}}
	cs, err = comet.member(&m)
	require.NoError(t, err)
	assert.Equal(t, []string{"unreadMsgNum left behind", "groupDetails.type meeting → public", "userDetails.name set to the uid"}, keys(cs))
	assert.Equal(t, "g", m.Group.GUID)
	assert.Equal(t, "u", m.User.Name)

	m = chatimport.Member{GUID: "g", UID: "u", Scope: chatimport.ScopeModerator, Group: &chatimport.Group{Name: "G"}}
	cs, err = tencent.member(&m)
	require.NoError(t, err)
	assert.Equal(t, []string{"scope moderator → participant", "groupDetails left behind"}, keys(cs))
	assert.Nil(t, m.Group)

	m = chatimport.Member{GUID: "g", UID: "u", Banned: true}
	_, err = tencent.member(&m)
	assert.ErrorIs(t, err, errBanned)

	renaming := &mapper{target: chatimport.ProviderCometChat, ids: map[string]string{"@TGS#_x": "x", "Bob": "bob-2"}}
	m = chatimport.Member{GUID: "@TGS#_x", UID: "Bob", User: &chatimport.User{Name: "Bob"}}
	cs, err = renaming.member(&m)
	require.NoError(t, err)
	assert.Equal(t, []string{"guid renamed", "uid renamed"}, keys(cs), "the details' ids follow the member's, told once")
	assert.Equal(t, "bob-2", m.User.UID)

	assert.Equal(t, "Φίλοι της θάλασσ", cutUTF8("Φίλοι της θάλασσας", 30), "cut at a character boundary")
}

package chatimport

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTencentGroupMapping(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(_ int, call apiCall) any { return ok(map[string]any{"GroupId": call.body["GroupId"]}) })
	created := time.Unix(1_600_000_000, 0)
	in := []Group{
		{GUID: "g-public", Name: "Public one", Type: GroupPublic, Owner: "alice", Icon: "https://img.example/g.png",
			CreatedAt: created, Description: "about", Notification: "notice", MaxMembers: 500, JoinOption: "NeedPermission"},
		{GUID: "g-private", Name: "Work", Type: GroupPrivate},
		{GUID: "g-meeting", Name: "Meet", Type: GroupMeeting},
		{GUID: "@TGS#_g-community", Name: "Comm", Type: GroupCommunity},
	}
	res, err := c.ImportGroups(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, 4, res.Count(StatusImported))
	bodies := map[string]map[string]any{}
	for _, call := range s.Calls() {
		assert.Equal(t, "import_group", call.command)
		bodies[call.body["GroupId"].(string)] = call.body
	}
	require.Len(t, bodies, 4, "one group a request")
	assert.Equal(t, map[string]any{
		"GroupId": "g-public", "Name": "Public one", "Type": "Public", "Owner_Account": "alice",
		"FaceUrl": "https://img.example/g.png", "CreateTime": float64(1_600_000_000), "Introduction": "about",
		"Notification": "notice", "MaxMemberCount": float64(500), "ApplyJoinOption": "NeedPermission",
	}, bodies["g-public"])
	assert.Equal(t, map[string]any{"GroupId": "g-private", "Name": "Work", "Type": "Private"}, bodies["g-private"])
	assert.Equal(t, "ChatRoom", bodies["g-meeting"]["Type"])
	assert.Equal(t, "Community", bodies["@TGS#_g-community"]["Type"])
}

func TestTencentGroupInUseIsExisted(t *testing.T) {
	codes := map[string]int{"a": 10021, "b": 10025, "c": 10007}
	c, _, _ := setupTencentAPI(t, func(_ int, call apiCall) any {
		if code := codes[call.body["GroupId"].(string)]; code != 0 {
			return failure(code, "no")
		}
		return ok(nil)
	}, WithConcurrency(1)) // in order: the fatal 10007 stops what follows
	var in []Group
	for _, id := range []string{"a", "b", "c", "d"} {
		in = append(in, Group{GUID: id, Name: id, Type: GroupPublic})
	}
	res, err := c.ImportGroups(t.Context(), in)
	require.ErrorIs(t, err, ErrPermission)
	assert.Equal(t, StatusExisted, res.Items[0].Status, "10021: the id is in use")
	assert.Equal(t, StatusExisted, res.Items[1].Status, "10025: in use, owned by the admin")
	assert.Equal(t, StatusFailed, res.Items[2].Status)
	assert.Equal(t, StatusSkipped, res.Items[3].Status, "no permission stops the import")
}

func TestTencentGroupRetriedAfterLostAnswer(t *testing.T) {
	// A 10002 after the group was made: the resend answers 10021, so the
	// group ends existed, once.
	c, s, _ := setupTencentAPI(t, func(n int, _ apiCall) any {
		if n == 1 {
			return failure(10002, "internal error")
		}
		return failure(10021, "group id used")
	}, WithRetry(2, time.Millisecond, time.Millisecond))
	res, err := c.ImportGroups(t.Context(), []Group{{GUID: "g", Name: "g", Type: GroupPublic}})
	require.NoError(t, err)
	assert.Equal(t, StatusExisted, res.Items[0].Status)
	assert.Len(t, s.Calls(), 2)
}

func TestTencentGroupValidation(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any { return ok(nil) })
	g := func(mod func(*Group)) Group {
		x := Group{GUID: "g", Name: "n", Type: GroupPublic}
		mod(&x)
		return x
	}
	for _, tc := range []struct {
		g     Group
		field string
	}{
		{g(func(x *Group) { x.GUID = "" }), "guid"},
		{g(func(x *Group) { x.Name = " " }), "name"},
		{g(func(x *Group) { x.Name = strings.Repeat("名", 11) }), "name"}, // 33 bytes
		{g(func(x *Group) { x.Type = "" }), "type"},
		{g(func(x *Group) { x.Type = GroupPassword; x.Password = "pw" }), "type"},
		{g(func(x *Group) { x.Type = "AVChatRoom" }), "type"},
		{g(func(x *Group) { x.Type = GroupCommunity }), "guid"},
		{g(func(x *Group) { x.Password = "pw" }), "password"},
		{g(func(x *Group) { x.Owner = strings.Repeat("o", 33) }), "owner"},
		{g(func(x *Group) { x.Icon = strings.Repeat("i", 101) }), "icon"},
		{g(func(x *Group) { x.Description = strings.Repeat("i", 241) }), "description"},
		{g(func(x *Group) { x.Owner, x.OwnerUser = "o", &User{Name: "O"} }), "groupOwnerDetails"},
		{g(func(x *Group) { x.Notification = strings.Repeat("i", 301) }), "notification"},
		{g(func(x *Group) { x.MaxMembers = -1 }), "maxMembers"},
		{g(func(x *Group) { x.JoinOption = "Anyone" }), "joinOption"},
		{g(func(x *Group) { x.Metadata = map[string]any{"k": "v"} }), "metadata"},
		{g(func(x *Group) { x.Tags = []string{"t"} }), "tags"},
		{g(func(x *Group) { x.CreatedAt = time.Now().Add(48 * time.Hour * 365) }), "createdAt"},
	} {
		res, err := c.ImportGroups(t.Context(), []Group{tc.g, {GUID: "fine", Name: "fine", Type: GroupPrivate}})
		var v *ValidationError
		require.ErrorAs(t, err, &v, tc.field)
		assert.Equal(t, tc.field, v.Field, "%+v", tc.g)
		assert.Equal(t, StatusFailed, res.Items[0].Status)
		assert.Equal(t, StatusImported, res.Items[1].Status)
	}
	for _, call := range s.Calls() {
		assert.Equal(t, "fine", call.body["GroupId"], "invalid groups are never sent")
	}
	// At the limits, and case-sensitive ids.
	res, err := c.ImportGroups(t.Context(), []Group{
		{GUID: "G", Name: strings.Repeat("n", 30), Type: GroupPublic, Description: strings.Repeat("i", 240), Notification: strings.Repeat("i", 300)},
		{GUID: "g", Name: "n", Type: GroupPublic},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Count(StatusImported))
}

func TestTencentGroupsShareNoBatch(t *testing.T) {
	c, s, _ := setupTencentAPI(t, func(int, apiCall) any { return ok(nil) }, WithBatchSize(50))
	var in []Group
	for i := range 12 {
		in = append(in, Group{GUID: fmt.Sprint("g", i), Name: "n", Type: GroupPublic})
	}
	res, err := c.ImportGroups(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, 12, res.Count(StatusImported))
	assert.Len(t, s.Calls(), 12, "import_group takes one group a request")
}

func TestCometChatRefusesTencentGroupFields(t *testing.T) {
	c, _, _ := setup(t)
	for field, g := range map[string]Group{
		"groupDetails.notification": {Notification: "n"},
		"groupDetails.maxMembers":   {MaxMembers: 10},
		"groupDetails.joinOption":   {JoinOption: "FreeAccess"},
	} {
		g.Name, g.Type = "n", GroupPublic
		_, err := c.ImportMembers(t.Context(), []Member{{GUID: "g", UID: "u", Group: &g}})
		var v *ValidationError
		require.ErrorAs(t, err, &v, field)
		assert.Equal(t, field, v.Field, "refused, not dropped")
	}
}

func TestTencentGroupCreatedUnderAnotherID(t *testing.T) {
	c, _, _ := setupTencentAPI(t, func(int, apiCall) any { return ok(map[string]any{"GroupId": "@TGS#2J4SZEAEL"}) })
	res, err := c.ImportGroups(t.Context(), []Group{{GUID: "wanted", Name: "n", Type: GroupPublic}})
	require.Error(t, err)
	assert.Equal(t, StatusFailed, res.Items[0].Status)
	assert.ErrorContains(t, res.Items[0].Err, `created as "@TGS#2J4SZEAEL"`)
}

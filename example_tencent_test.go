package chatimport_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// A move into Tencent imports accounts first, then groups (whose owners
// must be accounts), then members.
func ExampleClient_ImportUsers_tencent() {
	fake := chatimporttest.NewServer()
	defer fake.Close()
	// In production: chatimport.NewTencent(sdkAppID, secretKey, chatimport.WithRegion("singapore"))
	client := fake.Tencent()

	res, err := client.ImportUsers(context.Background(), []chatimport.User{
		{UID: "tommy", Name: "Tommy", Avatar: "https://img.example/tommy.png"},
		{UID: "Tommy", Name: "Another Tommy"},         // ids are case-sensitive: another account
		{UID: "jared", Link: "https://example/jared"}, // an account cannot hold a link: refused
	})
	for _, it := range res.Items {
		fmt.Println(it.ID, it.Status)
	}
	var invalid *chatimport.ValidationError
	fmt.Println(errors.As(err, &invalid), invalid.Field)
	// Output:
	// tommy imported
	// Tommy imported
	// jared failed
	// true link
}

func ExampleClient_ImportGroups_tencent() {
	fake := chatimporttest.NewServer()
	defer fake.Close()
	client := fake.Tencent()
	ctx := context.Background()
	_, _ = client.ImportUsers(ctx, []chatimport.User{{UID: "tommy"}})

	res, err := client.ImportGroups(ctx, []chatimport.Group{
		{GUID: "engineering", Name: "Engineering", Type: chatimport.GroupPrivate, Owner: "tommy",
			CreatedAt: time.Unix(1600000000, 0), Description: "Builders", JoinOption: "NeedPermission"},
		{GUID: "@TGS#_town-square", Name: "Town square", Type: chatimport.GroupCommunity, MaxMembers: 100000},
		{GUID: "vault", Name: "Vault", Type: chatimport.GroupPassword, Password: "s3cret"}, // no password groups on Tencent
	})
	for _, it := range res.Items {
		fmt.Println(it.ID, it.Status)
	}
	fmt.Println(errors.Is(err, chatimport.ErrInvalidRequest))

	// Imported again, the groups exist already.
	res, _ = client.ImportGroups(ctx, []chatimport.Group{{GUID: "engineering", Name: "Engineering", Type: chatimport.GroupPrivate}})
	fmt.Println(res.Items[0].Status)
	// Output:
	// engineering imported
	// @TGS#_town-square imported
	// vault failed
	// true
	// existed
}

func ExampleClient_ListMembers_tencent() {
	fake := chatimporttest.NewServer()
	defer fake.Close()
	client := fake.Tencent()
	ctx := context.Background()
	_, _ = client.ImportUsers(ctx, []chatimport.User{{UID: "tommy"}, {UID: "jared"}, {UID: "moe"}})
	_, _ = client.ImportGroups(ctx, []chatimport.Group{
		{GUID: "@TGS#_town-square", Name: "Town square", Type: chatimport.GroupCommunity, Owner: "tommy", CreatedAt: time.Unix(1600000000, 0)},
	})
	_, _ = client.ImportMembers(ctx, []chatimport.Member{
		{GUID: "@TGS#_town-square", UID: "jared", Scope: chatimport.ScopeAdmin, JoinedAt: time.Unix(1600000100, 0)},
		{GUID: "@TGS#_town-square", UID: "moe", JoinedAt: time.Unix(1600000200, 0)},
	})

	// A Community group pages by cursor, an ordinary one by offset; the
	// owner is listed as an admin (the group's Owner names it).
	for m, err := range client.ListMembers(ctx, "@TGS#_town-square", nil) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(m.UID, m.Scope, m.JoinedAt.Unix())
	}
	// Options Tencent cannot honour are refused before any request.
	for _, err := range client.ListMembers(ctx, "@TGS#_town-square", &chatimport.ListMembersOptions{Status: "available"}) {
		fmt.Println(err)
	}
	// Output:
	// tommy admin 1600000000
	// jared admin 1600000100
	// moe participant 1600000200
	// chatimport: "@TGS#_town-square": invalid status: is "available", but Tencent cannot list members by online status
}

func ExampleClient_ListGroups_tencent() {
	fake := chatimporttest.NewServer()
	defer fake.Close()
	client := fake.Tencent()
	ctx := context.Background()
	_, _ = client.ImportUsers(ctx, []chatimport.User{{UID: "tommy"}})
	_, _ = client.ImportGroups(ctx, []chatimport.Group{
		{GUID: "engineering", Name: "Engineering", Type: chatimport.GroupPrivate, Owner: "tommy"},
		{GUID: "lobby", Name: "Lobby", Type: chatimport.GroupMeeting},
	})

	// get_appid_group_list (one call a second) names the groups;
	// get_group_info reads their details, 50 a request.
	for g, err := range client.ListGroups(ctx, nil) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Printf("%s %s %q owner %q\n", g.GUID, g.Type, g.Name, g.Owner)
	}
	// Tencent has no call that lists accounts.
	for _, err := range client.ListUsers(ctx, nil) {
		fmt.Println(errors.Is(err, chatimport.ErrUnsupported))
	}
	// Output:
	// engineering private "Engineering" owner "tommy"
	// lobby meeting "Lobby" owner ""
	// true
}

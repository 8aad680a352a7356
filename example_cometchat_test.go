package chatimport_test

import (
	"context"
	"fmt"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// Groups import on their own, empty, with every field of their own; an
// owner who is not a user yet is created from OwnerUser.
func ExampleClient_ImportGroups() {
	fake := chatimporttest.NewServer() // stands in for CometChat
	defer fake.Close()
	fake.AddGroups(chatimporttest.Group{GUID: "board", Name: "Board", Type: "private"})
	client := fake.CometChat() // or chatimport.NewCometChat(appID, "us", apiKey)

	res, err := client.ImportGroups(context.Background(), []chatimport.Group{
		{GUID: "Hikers", Name: "Hikers", Type: chatimport.GroupPublic, Description: "Up hills",
			Owner: "alice", OwnerUser: &chatimport.User{Name: "Alice"}, Tags: []string{"outdoor"}},
		{GUID: "vault", Name: "Vault", Type: chatimport.GroupPassword, Password: "open sesame"},
		{GUID: "board", Name: "Board", Type: chatimport.GroupPrivate},
		{GUID: "standup", Name: "Standup", Type: "meeting"},
	})
	for _, it := range res.Items {
		fmt.Println(it.ID, it.Status, it.Err)
	}
	fmt.Println(err != nil, len(fake.Groups()), fake.Users()[0].UID)
	// Output:
	// Hikers imported <nil>
	// vault imported <nil>
	// board existed <nil>
	// standup failed chatimport: item 3 ("standup"): invalid type: is "meeting"; want public, password or private
	// true 3 alice
}

// An export lists every user, deactivated ones included, with every field
// an import takes: the users re-import unchanged.
func ExampleClient_ListUsers() {
	fake := chatimporttest.NewServer()
	defer fake.Close()
	fake.AddUsers(
		chatimporttest.User{UID: "alice", Name: "Alice", Tags: []string{"beta"}, CreatedAt: 1673421419},
		chatimporttest.User{UID: "bob", Name: "Bob", CreatedAt: 1673421420, DeactivatedAt: 1700000000},
	)
	client := fake.CometChat()

	for u, err := range client.ListUsers(context.Background(), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(u.UID, u.Name, u.Tags, u.CreatedAt.Unix(), !u.DeactivatedAt.IsZero())
	}
	// Output:
	// alice Alice [beta] 1673421419 false
	// bob Bob [] 1673421420 true
}

// Listing groups returns each with its owner, type, times, icon, metadata
// and tags; CometChat never lists a password, so a password group needs
// its Password set again before it is imported elsewhere.
func ExampleClient_ListGroups() {
	fake := chatimporttest.NewServer(chatimporttest.WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
	defer fake.Close()
	fake.AddGroups(
		chatimporttest.Group{GUID: "hikers", Name: "Hikers", Type: "public", Owner: "alice", Tags: []string{"outdoor"}},
		chatimporttest.Group{GUID: "vault", Name: "Vault", Type: "password", Password: "open sesame"},
	)
	client := fake.CometChat()

	for g, err := range client.ListGroups(context.Background(), nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s owner=%q tags=%v created=%d password=%q\n", g.GUID, g.Type, g.Owner, g.Tags, g.CreatedAt.Unix(), g.Password)
	}
	// Output:
	// hikers public owner="alice" tags=[outdoor] created=1700000000 password=""
	// vault password owner="" tags=[] created=1700000000 password=""
}

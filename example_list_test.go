package chatimport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// Listing a group's members is one loop however large the group: pages are
// fetched as the loop needs them, a thousand members at a time.
func ExampleClient_ListMembers() {
	fake := chatimporttest.NewServer() // stands in for CometChat
	defer fake.Close()
	fake.AddMembers("team",
		chatimporttest.Member{UID: "alice", Scope: "admin", JoinedAt: 1673421479},
		chatimporttest.Member{UID: "bob", JoinedAt: 1673421480},
	)
	client := fake.CometChat() // or chatimport.NewCometChat(appID, "us", apiKey)

	for m, err := range client.ListMembers(context.Background(), "team", nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.UID, m.Scope, m.JoinedAt.Unix(), m.User.Status)
	}
	// Output:
	// alice admin 1673421479 offline
	// bob participant 1673421480 offline
}

// A long walk saves its position as it goes and, after a stop, resumes
// with exactly the members it had not yet handed over.
func ExampleClient_MembersPager() {
	fake := chatimporttest.NewServer(chatimporttest.WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
	defer fake.Close()
	for _, uid := range []string{"ann", "ben", "cat", "dan", "eve"} {
		fake.AddMembers("team", chatimporttest.Member{UID: uid, JoinedAt: 1673421479})
	}
	client := fake.CometChat()
	ctx := context.Background()
	opts := &chatimport.ListMembersOptions{PerPage: 2}

	// The first run handles one page, saves where it stands, and stops.
	pager := client.MembersPager("team", opts)
	page, err := pager.NextPage(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range page {
		fmt.Println("first run:", m.UID)
	}
	saved, _ := json.Marshal(pager.Position()) // to a file, say
	fmt.Println(string(saved))

	// A later run picks up from the saved position.
	var pos chatimport.Position
	if err := json.Unmarshal(saved, &pos); err != nil {
		fmt.Println(err)
		return
	}
	pager = client.MembersPager("team", opts)
	if err := pager.Resume(pos); err != nil {
		fmt.Println(err)
		return
	}
	for m, err := range pager.All(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("second run:", m.UID)
	}
	// Output:
	// first run: ann
	// first run: ben
	// {"provider":"cometchat","list":"members","of":"team","query":"perPage=2","token":"2"}
	// second run: cat
	// second run: dan
	// second run: eve
}

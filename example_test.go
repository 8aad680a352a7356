package chatimport_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// The examples run against chatimporttest, the in-process fake, with its
// rate limit (and so the client's pacing) off so they finish at once;
// against a real app only the constructor changes.

func ExampleNewCometChat() {
	client, err := chatimport.NewCometChat("fake-app", "eu", "fake-api-key",
		chatimport.WithConcurrency(2),
		chatimport.WithRetry(5, time.Second, 30*time.Second))
	fmt.Println(client != nil, err)

	_, err = chatimport.NewCometChat("fake-app", "mars", "fake-api-key")
	fmt.Println(err)
	// Output:
	// true <nil>
	// chatimport: NewCometChat: region "mars" is not one of us, eu, in
}

func ExampleClient_ImportUsers() {
	fake := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0))
	defer fake.Close()
	client := fake.CometChat() // in production: chatimport.NewCometChat(appID, region, apiKey)

	res, err := client.ImportUsers(context.Background(), []chatimport.User{
		{UID: "alice", Name: "Alice", CreatedAt: time.Unix(1673421419, 0)},
		{UID: "bob", Name: ""},          // invalid: refused before any request
		{UID: "Alice", Name: "Alice B"}, // CometChat lower-cases uids: a collision
		{UID: "carol", Name: "Carol", Tags: []string{"beta"}},
	})
	for _, it := range res.Items {
		fmt.Println(it.Index, it.ID, it.Status)
	}
	var invalid *chatimport.ValidationError
	if errors.As(err, &invalid) {
		fmt.Println("first invalid field:", invalid.Field)
	}
	// Output:
	// 0 alice imported
	// 1 bob failed
	// 2 Alice failed
	// 3 carol imported
	// first invalid field: name
}

func ExampleClient_ImportMembers() {
	fake := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0))
	defer fake.Close()
	client := fake.CometChat()

	created := time.Unix(1673421419, 0)
	team := &chatimport.Group{Name: "Team", Type: chatimport.GroupPublic, CreatedAt: created}
	res, err := client.ImportMembers(context.Background(), []chatimport.Member{
		// The group and the users are created by the import when missing.
		{GUID: "team", UID: "alice", Scope: chatimport.ScopeAdmin, JoinedAt: created.Add(time.Minute),
			Group: team, User: &chatimport.User{Name: "Alice"}},
		{GUID: "team", UID: "bob", Group: team, User: &chatimport.User{Name: "Bob"}},
	})
	fmt.Println(err)
	for _, it := range res.Items {
		fmt.Println(it.ID, it.Status)
	}
	// Importing again is harmless: the members exist already.
	res, _ = client.ImportMembers(context.Background(), []chatimport.Member{{GUID: "team", UID: "bob"}})
	fmt.Println(res.Items[0].ID, res.Items[0].Status)
	// Output:
	// <nil>
	// team_member_alice imported
	// team_member_bob imported
	// team_member_bob existed
}

func ExampleClient_ImportUsersSeq() {
	fake := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0))
	defer fake.Close()
	client := fake.CometChat()

	// A generated stream: only a few batches are held in memory at a time,
	// however long it runs.
	// A source that can fail (a file, a database cursor) yields its error
	// as the second value; the import then stops and returns it.
	users := func(yield func(chatimport.User, error) bool) {
		for i := range 1000 {
			if !yield(chatimport.User{UID: fmt.Sprintf("user-%d", i), Name: fmt.Sprintf("User %d", i)}, nil) {
				return
			}
		}
	}
	counts := map[chatimport.Status]int{}
	err := client.ImportUsersSeq(context.Background(), users, func(r chatimport.ItemResult) {
		counts[r.Status]++ // results arrive as they are known, from one goroutine
	})
	fmt.Println(err, counts[chatimport.StatusImported], fake.Stats().LargestBatch)
	// Output:
	// <nil> 1000 50
}

func ExampleNewTencent() {
	fake := chatimporttest.NewServer(chatimporttest.WithTencentAutoCreate())
	defer fake.Close()
	// In production: chatimport.NewTencent(sdkAppID, secretKey, chatimport.WithRegion("singapore"))
	client := fake.Tencent()

	members := []chatimport.Member{
		{GUID: "@TGS#2J4SZEAEL", UID: "tommy", Scope: chatimport.ScopeAdmin, JoinedAt: time.Unix(1448357837, 0)},
		{GUID: "@TGS#2J4SZEAEL", UID: "jared", UnreadCount: 2},
		{GUID: "@TGS#2J4SZEAEL", UID: "moe", Scope: chatimport.ScopeModerator}, // Tencent cannot import moderators
	}
	res, err := client.ImportMembers(context.Background(), members)
	for _, it := range res.Items {
		fmt.Println(it.ID, it.Status)
	}
	fmt.Println(errors.Is(err, chatimport.ErrInvalidRequest))
	// Output:
	// @TGS#2J4SZEAEL_member_tommy imported
	// @TGS#2J4SZEAEL_member_jared imported
	// @TGS#2J4SZEAEL_member_moe failed
	// true
}

func ExampleAPIError() {
	fake := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0))
	defer fake.Close()
	client := fake.CometChat(chatimport.WithRetry(0, 0, 0))

	// A member of a group that does not exist, with no details to create it.
	_, err := client.ImportMembers(context.Background(), []chatimport.Member{{GUID: "nowhere", UID: "alice"}})
	var apiErr *chatimport.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Provider, apiErr.Code, errors.Is(err, chatimport.ErrNotFound))
	}
	// Output:
	// cometchat ERR_GUID_NOT_FOUND true
}

func ExampleImportResult_Count() {
	res := &chatimport.ImportResult{Items: []chatimport.ItemResult{
		{Index: 0, ID: "a", Status: chatimport.StatusImported},
		{Index: 1, ID: "b", Status: chatimport.StatusExisted},
		{Index: 2, ID: "c", Status: chatimport.StatusImported},
	}}
	ok := slices.IndexFunc(res.Items, func(it chatimport.ItemResult) bool { return !it.Status.OK() }) < 0
	fmt.Println(res.Count(chatimport.StatusImported), res.Count(chatimport.StatusExisted), ok)
	// Output:
	// 2 1 true
}

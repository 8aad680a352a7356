package chatimporttest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// ExampleServer_CometChat imports 500 users through a client the fake
// hands out, pointed at it and holding its key. The fake enforces no limit
// by default and the client does not pace, so ten requests of 50 take
// milliseconds. The snapshot shows what a migration must expect: CometChat
// lower-cases uids.
func ExampleServer_CometChat() {
	s := chatimporttest.NewServer()
	defer s.Close()
	client := s.CometChat() // in production: chatimport.NewCometChat(appID, region, apiKey)

	users := []chatimport.User{{UID: "Alice", Name: "Alice Liddell"}}
	for i := range 499 {
		users = append(users, chatimport.User{UID: fmt.Sprintf("user-%03d", i), Name: fmt.Sprintf("User %d", i)})
	}
	res, err := client.ImportUsers(context.Background(), users)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Count(chatimport.StatusImported), "imported in", s.Stats().ImportRequests, "requests")
	fmt.Println(s.Users()[0].UID, s.Users()[0].Name)
	// Output:
	// 500 imported in 10 requests
	// alice Alice Liddell
}

// ExampleServer_Tencent imports members into a Tencent group through a
// client that signs with the fake's credentials. Real Tencent needs the
// group and the accounts to exist; WithTencentAutoCreate skips that setup.
func ExampleServer_Tencent() {
	s := chatimporttest.NewServer(chatimporttest.WithTencentAutoCreate())
	defer s.Close()
	client := s.Tencent() // in production: chatimport.NewTencent(sdkAppID, secretKey, chatimport.WithRegion(region))

	res, err := client.ImportMembers(context.Background(), []chatimport.Member{
		{GUID: "@TGS#2J4SZEAEL", UID: "tommy", Scope: chatimport.ScopeAdmin, JoinedAt: time.Unix(1448357837, 0)},
		{GUID: "@TGS#2J4SZEAEL", UID: "jared", JoinedAt: time.Unix(1448357900, 0), UnreadCount: 5},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Count(chatimport.StatusImported), "imported")
	for _, m := range s.TencentMembers("@TGS#2J4SZEAEL") {
		fmt.Println(m.UID, m.Scope, m.JoinedAt, m.UnreadMsgNum)
	}
	// Output:
	// 2 imported
	// tommy admin 1448357837 0
	// jared participant 1448357900 5
}

// ExampleWithDocumentedLimits turns on CometChat's documented 60 import
// requests a minute, for a test of how a client keeps to it; every answer
// then reports the budget left, in both header spellings CometChat uses.
func ExampleWithDocumentedLimits() {
	s := chatimporttest.NewServer(chatimporttest.WithDocumentedLimits())
	defer s.Close()

	body := `{"users":{"alice":{"uid":"alice","name":"Alice"}}}`
	req, err := http.NewRequest(http.MethodPost, s.URL+"/v3/data_import/users", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("apikey", chatimporttest.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("X-RateLimit-Limit"), resp.Header.Get("X-RateLimit-Remaining"))
	// Output:
	// 200 60 59
}

package redislimit_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
	"github.com/chatimport/chatimport/redislimit"
)

// Example is one replica of a fleet of three importing into one CometChat
// app (here the fake stands in for it): every replica built with the same
// Redis and prefix spends the app's single budget of 60 import requests a
// minute together. Should Redis be unreachable, each replica paces itself
// at a third of the limit, so the example runs without Redis too.
func Example() {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		addr = "localhost:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()

	fake := chatimporttest.NewServer(chatimporttest.WithDocumentedLimits())
	defer fake.Close()
	client := fake.CometChat( // a replica would call chatimport.NewCometChat
		chatimport.WithLimiterFunc(redislimit.Budgets(rdb, "chatimport-example:", redislimit.WithFallback(1.0/3))),
	)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := client.ImportUsers(ctx, []chatimport.User{
		{UID: "alice", Name: "Alice Liddell"},
		{UID: "bob", Name: "Bob Builder"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range res.Items {
		fmt.Println(it.ID, it.Status == chatimport.StatusImported)
	}
	// Output:
	// alice true
	// bob true
}

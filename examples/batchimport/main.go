// Command batchimport is chatimport in a backend service: one batch of
// users and their group memberships imported into CometChat, each item's
// result acted on. It needs COMETCHAT_APP_ID, COMETCHAT_REGION and
// COMETCHAT_API_KEY; its test runs it against chatimporttest.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/chatimport/chatimport"
)

func main() {
	client, err := clientFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "batchimport:", err)
		os.Exit(2)
	}
	users := []chatimport.User{
		{UID: "alice", Name: "Alice", CreatedAt: time.Unix(1673421419, 0)},
		{UID: "bob", Name: "Bob", Tags: []string{"beta"}},
	}
	members := []chatimport.Member{
		{GUID: "team", UID: "alice", Scope: chatimport.ScopeAdmin, Group: &chatimport.Group{Name: "Team", Type: chatimport.GroupPublic}},
		{GUID: "team", UID: "bob", Group: &chatimport.Group{Name: "Team", Type: chatimport.GroupPublic}},
	}
	if err := importBatch(context.Background(), client, users, members, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "batchimport:", err)
		os.Exit(1)
	}
}

// clientFromEnv builds the client from the environment, and refuses when a
// variable is missing rather than guess where to import.
func clientFromEnv(getenv func(string) string) (*chatimport.Client, error) {
	appID, region, key := getenv("COMETCHAT_APP_ID"), getenv("COMETCHAT_REGION"), getenv("COMETCHAT_API_KEY")
	if appID == "" || region == "" || key == "" {
		return nil, errors.New("set COMETCHAT_APP_ID, COMETCHAT_REGION and COMETCHAT_API_KEY")
	}
	return chatimport.NewCometChat(appID, region, key)
}

// importBatch imports users, then the memberships that need them, and
// prints every item that did not arrive. Existing items count as arrived, so
// a batch sent again after a crash is harmless.
func importBatch(ctx context.Context, c *chatimport.Client, users []chatimport.User, members []chatimport.Member, w io.Writer) error {
	res, err := c.ImportUsers(ctx, users)
	if res == nil { // the call was refused as a whole
		return err
	}
	failed := report(w, "users", res)
	if res, err = c.ImportMembers(ctx, members); res == nil {
		return err
	}
	if failed += report(w, "members", res); failed > 0 {
		return fmt.Errorf("%d items did not arrive", failed)
	}
	return nil
}

// report prints the items that are not on the server and a count, and
// returns how many did not arrive.
func report(w io.Writer, kind string, res *chatimport.ImportResult) int {
	n := 0
	for _, it := range res.Items {
		if !it.Status.OK() { // it.Err says why: a *chatimport.ValidationError, an *APIError, ...
			fmt.Fprintf(w, "%s %s: %s: %v\n", kind, it.ID, it.Status, it.Err)
			n++
		}
	}
	fmt.Fprintf(w, "%s: %d on the server, %d not\n", kind, len(res.Items)-n, n)
	return n
}

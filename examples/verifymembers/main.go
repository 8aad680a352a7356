// Command verifymembers is chatimport as a verifier: it lists a CometChat
// group's members and says which of the expected ones are missing.
//
//	verifymembers GUID UID...
//
// It needs COMETCHAT_APP_ID, COMETCHAT_REGION and COMETCHAT_API_KEY; its
// test runs it against chatimporttest.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chatimport/chatimport"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: verifymembers GUID UID...")
		os.Exit(2)
	}
	client, err := clientFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verifymembers:", err)
		os.Exit(2)
	}
	missing, err := verify(context.Background(), client, os.Args[1], os.Args[2:], os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verifymembers:", err)
		os.Exit(1)
	}
	if missing > 0 {
		os.Exit(1)
	}
}

// clientFromEnv builds the client from the environment, and refuses when a
// variable is missing rather than guess which app to read.
func clientFromEnv(getenv func(string) string) (*chatimport.Client, error) {
	appID, region, key := getenv("COMETCHAT_APP_ID"), getenv("COMETCHAT_REGION"), getenv("COMETCHAT_API_KEY")
	if appID == "" || region == "" || key == "" {
		return nil, errors.New("set COMETCHAT_APP_ID, COMETCHAT_REGION and COMETCHAT_API_KEY")
	}
	return chatimport.NewCometChat(appID, region, key)
}

// verify walks every member of guid, page by page, prints each expected uid
// that is not listed, and returns how many are missing.
func verify(ctx context.Context, c *chatimport.Client, guid string, want []string, w io.Writer) (int, error) {
	listed := map[string]bool{}
	for m, err := range c.ListMembers(ctx, guid, nil) {
		if err != nil {
			return 0, fmt.Errorf("listing %s: %w", guid, err)
		}
		listed[m.UID] = true
	}
	missing := 0
	for _, uid := range want {
		if !listed[strings.ToLower(uid)] { // CometChat lower-cases uids
			fmt.Fprintf(w, "%s: %s is not a member\n", guid, uid)
			missing++
		}
	}
	fmt.Fprintf(w, "%s: %d members listed, %d of %d expected missing\n", guid, len(listed), missing, len(want))
	return missing, nil
}

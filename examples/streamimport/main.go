// Command streamimport is chatimport inside a migration tool: users read
// from JSON Lines on standard input, one {"uid","name"} object a line,
// streamed into CometChat however many there are, each result handled as it
// is known. It needs COMETCHAT_APP_ID, COMETCHAT_REGION and
// COMETCHAT_API_KEY; its test runs it against chatimporttest.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/chatimport/chatimport"
)

func main() {
	client, err := clientFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "streamimport:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := importStream(ctx, client, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "streamimport:", err)
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

// importStream imports every user r holds. Memory stays bounded by the
// library's batches in flight, however long r is.
func importStream(ctx context.Context, c *chatimport.Client, r io.Reader, w io.Writer) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	// A read error, yielded, ends the import; the error returned wraps it.
	users := func(yield func(chatimport.User, error) bool) {
		for {
			var u struct{ UID, Name string }
			err := dec.Decode(&u)
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(chatimport.User{UID: u.UID, Name: u.Name}, err) || err != nil {
				return
			}
		}
	}
	counts := map[chatimport.Status]int{}
	err := c.ImportUsersSeq(ctx, users, func(it chatimport.ItemResult) {
		counts[it.Status]++
		if !it.Status.OK() {
			fmt.Fprintf(w, "%d %s: %s: %v\n", it.Index, it.ID, it.Status, it.Err)
		}
	})
	fmt.Fprintf(w, "imported %d, existed %d, failed %d, skipped %d\n", counts[chatimport.StatusImported],
		counts[chatimport.StatusExisted], counts[chatimport.StatusFailed], counts[chatimport.StatusSkipped])
	return err
}

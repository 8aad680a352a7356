package chatimport_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// membersFrom reads one member a line. A line that does not decode ends the
// sequence with its error, which ends the import.
func membersFrom(lines *bufio.Scanner) iter.Seq2[chatimport.Member, error] {
	return func(yield func(chatimport.Member, error) bool) {
		for n := 1; lines.Scan(); n++ {
			var m struct{ GUID, UID string }
			if err := json.Unmarshal(lines.Bytes(), &m); err != nil {
				yield(chatimport.Member{}, fmt.Errorf("line %d: %w", n, err))
				return
			}
			// CometChat creates the group and the user when the member
			// carries their details.
			member := chatimport.Member{GUID: m.GUID, UID: m.UID,
				Group: &chatimport.Group{Name: m.GUID, Type: chatimport.GroupPublic}, User: &chatimport.User{Name: m.UID}}
			if !yield(member, nil) {
				return
			}
		}
		if err := lines.Err(); err != nil {
			yield(chatimport.Member{}, err)
		}
	}
}

func ExampleClient_ImportMembersSeq() {
	fake := chatimporttest.NewServer(chatimporttest.WithCometChatLimit(0, 0))
	defer fake.Close()
	client := fake.CometChat()

	input := strings.NewReader(`{"GUID":"team","UID":"alice"}
{"GUID":"team","UID":"bob"}
{"GUID":"team","UID":`)
	err := client.ImportMembersSeq(context.Background(), membersFrom(bufio.NewScanner(input)), func(r chatimport.ItemResult) {
		fmt.Println(r.ID, r.Status)
	})
	var ie *chatimport.ImportError
	if errors.As(err, &ie) {
		fmt.Printf("stopped after %d members; the rest was not read: %v\n", ie.Read, ie.Unread)
	}
	// The source's error ends the import at once, like an error fatal to
	// it: the two members read were still waiting for a full batch, so they
	// are skipped, not sent. Every member read is reported.

	// Output:
	// team_member_alice skipped
	// team_member_bob skipped
	// stopped after 2 members; the rest was not read: true
}

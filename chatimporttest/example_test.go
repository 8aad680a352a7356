package chatimporttest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/chatimport/chatimport/chatimporttest"
)

// Example imports one user the way a client would. The answer shows that
// CometChat lower-cases uids, which a migration must expect.
func Example() {
	s := chatimporttest.NewServer()
	defer s.Close()

	body := `{"users":{"Alice":{"uid":"Alice","name":"Alice Liddell","createdAt":"1673421419"}}}`
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
	defer resp.Body.Close()

	var answer struct {
		Data map[string]struct {
			Success bool
			Data    struct {
				UID, Name, Role, Status string
				CreatedAt               int64
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		panic(err)
	}
	alice := answer.Data["Alice"]
	fmt.Println(resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	fmt.Println(alice.Success, alice.Data.UID, alice.Data.Name, alice.Data.Role, alice.Data.Status, alice.Data.CreatedAt)
	fmt.Println(len(s.Users()), s.Users()[0].UID)
	// Output:
	// 200 59
	// true alice Alice Liddell default offline 1673421419
	// 1 alice
}

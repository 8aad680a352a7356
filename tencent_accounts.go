package chatimport

import (
	"context"
	"net/http"
	"time"

	"github.com/chatimport/chatimport/internal/tencent"
)

// Tencent's documented account limits: 100 accounts a request; a UserID of
// at most 32 bytes; a profile value (the nickname, the photo's URL) of at
// most 500 bytes (error 40601).
const (
	tencentAccountsBatch = 100
	maxTencentUserID     = 32
	maxTencentProfile    = 500
)

// accountsEndpoint is multiaccount_import
// (https://www.tencentcloud.com/document/product/1047/34954). It re-imports
// an existing account harmlessly, updating its nickname and photo, and its
// answer names only the accounts that failed: it never says which existed,
// so every account not failed is StatusImported. Telling them apart would
// take an account_check request per 100 accounts before each import.
func (p *tencentChat) accountsEndpoint() *importEndpoint[User] {
	return &importEndpoint[User]{
		what: "account", idField: "uid", maxBatch: tencentAccountsBatch, budget: tencentImportAccounts,
		id: func(u *User, _ *arena) string { return u.UID },
		// UserIDs are case-sensitive: "Bob" and "bob" are two accounts.
		key:   appendID[User],
		check: checkTencentUser,
		encode: func(dst []byte, u *User, _ string) ([]byte, error) {
			return tencent.AppendAccount(dst, u.UID, u.Name, u.Avatar), nil
		},
		send: p.sendAccounts,
	}
}

// checkTencentUser refuses what an account cannot hold: it has a UserID, a
// nickname and a photo, nothing else. Status is read-only (filled by
// listings) and so never sent by any import.
func checkTencentUser(u *User, _ time.Time) *ValidationError {
	if v := checkTencentID("uid", u.UID, maxTencentUserID); v != nil {
		return v
	}
	if v := checkBytes("name", u.Name, maxTencentProfile); v != nil {
		return v
	}
	if v := checkBytes("avatar", u.Avatar, maxTencentProfile); v != nil {
		return v
	}
	const cannot = "a Tencent account cannot hold it"
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"link", u.Link != ""},
		{"role", u.Role != ""},
		{"metadata", len(u.Metadata) > 0},
		{"tags", len(u.Tags) > 0},
		{"createdAt", !u.CreatedAt.IsZero()},
		{"lastActiveAt", !u.LastActiveAt.IsZero()},
		{"deactivatedAt", !u.DeactivatedAt.IsZero()},
	} {
		if f.set {
			return fieldError(f.name, "is set, but %s; leave it out", cannot)
		}
	}
	return nil
}

// sendAccounts sends one request of at most 100 accounts.
func (p *tencentChat) sendAccounts(ctx context.Context, c *Client, jobs []job) ([]outcome, error) {
	size := 32
	for _, j := range jobs {
		size += len(j.wire) + 1
	}
	body := tencent.AppendAccountsBody(make([]byte, 0, size), len(jobs), func(i int) []byte { return jobs[i].wire })
	answer, err := tencentPost[tencent.AccountsAnswer](ctx, c, p, tencent.PathMultiAccountImport, tencentImportAccounts, body)
	if err != nil {
		return nil, err
	}
	failed := make(map[string]bool, len(answer.FailAccounts))
	for _, id := range answer.FailAccounts {
		failed[id] = true
	}
	op := http.MethodPost + " " + c.basePath + tencent.PathMultiAccountImport
	outcomes := make([]outcome, len(jobs))
	for i, j := range jobs {
		if !failed[j.id] {
			outcomes[i] = outcome{status: StatusImported}
			continue
		}
		// No reason is given, so none is guessed, and the account is not
		// sent again: a resend would most likely fail the same way.
		outcomes[i] = outcome{status: StatusFailed, err: c.finish(&APIError{HTTPStatus: http.StatusOK,
			Message: "the answer lists the account in FailAccounts, without a reason"}, op)}
	}
	return outcomes, nil
}

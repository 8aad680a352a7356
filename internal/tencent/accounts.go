package tencent

import "github.com/chatimport/chatimport/internal/wirejson"

// PathMultiAccountImport is the multiaccount_import command
// (https://www.tencentcloud.com/document/product/1047/34954).
const PathMultiAccountImport = "/v4/im_open_login_svc/multiaccount_import"

// AppendAccount appends one AccountList entry, leaving out what is not set.
func AppendAccount(dst []byte, userID, nick, faceURL string) []byte {
	o := wirejson.Begin(dst)
	o.Required("UserID", userID)
	o.String("Nick", nick)
	o.String("FaceUrl", faceURL)
	return o.End()
}

// AppendAccountsBody appends {"AccountList":[…]} to dst, with n accounts,
// each already-encoded JSON returned by account(i).
//
// The documents disagree on the body: older pages take
// {"Accounts":["id",…]}, which cannot carry a nickname or a photo, newer
// ones (2024-07 and later) {"AccountList":[{"UserID","Nick","FaceUrl"}]}.
// The newer form is the safe reading: the older would drop Nick and FaceUrl
// without a word, while a server that knew only it would refuse the body
// outright.
func AppendAccountsBody(dst []byte, n int, account func(i int) []byte) []byte {
	dst = append(dst, `{"AccountList":[`...)
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, account(i)...)
	}
	return append(dst, "]}"...)
}

// AccountsAnswer is multiaccount_import's answer: the request may succeed
// while some accounts fail, and FailAccounts names those, without a reason.
type AccountsAnswer struct {
	Envelope
	FailAccounts []string `json:"FailAccounts"`
}

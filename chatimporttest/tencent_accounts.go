package chatimporttest

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Tencent's documented account limits.
const (
	tencentAccountsBatch = 100
	maxTencentUserID     = 32
	maxTencentProfile    = 500
)

type tencentAccountsBody struct {
	AccountList []struct {
		UserID  string `json:"UserID"`
		Nick    string `json:"Nick"`
		FaceURL string `json:"FaceUrl"`
	} `json:"AccountList"`
	Accounts []string `json:"Accounts"` // the older form, ids only
}

// TencentAccount is a Tencent account as the fake holds it.
type TencentAccount struct {
	UserID, Nick, FaceURL string
}

// tencentAccounts serves multiaccount_import: either body form, at most
// 100 accounts. An account it cannot take (an empty or too long UserID, a
// nickname or photo over 500 bytes) is listed in FailAccounts; the others
// are imported, or updated if they existed, which the answer does not tell.
func (s *Server) tencentAccounts(body []byte, _ time.Time) (map[string]any, int, string) {
	var req tencentAccountsBody
	if json.Unmarshal(body, &req) != nil {
		return nil, tcJSONParse, "request body is not valid JSON"
	}
	accounts := make([]TencentAccount, 0, len(req.AccountList)+len(req.Accounts))
	for _, a := range req.AccountList {
		accounts = append(accounts, TencentAccount{UserID: a.UserID, Nick: a.Nick, FaceURL: a.FaceURL})
	}
	for _, id := range req.Accounts {
		accounts = append(accounts, TencentAccount{UserID: id})
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.UserID
	}
	s.noteBatch(len(ids), ids)
	switch {
	case len(accounts) == 0:
		return nil, tcBadParamAccount, "AccountList is missing or empty"
	case len(accounts) > tencentAccountsBatch:
		return nil, tcBatchCount, "more than " + itoa(tencentAccountsBatch) + " accounts in one request"
	}
	failed := []string{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range accounts {
		if strings.TrimSpace(a.UserID) == "" || len(a.UserID) > maxTencentUserID || len(a.Nick) > maxTencentProfile || len(a.FaceURL) > maxTencentProfile {
			failed = append(failed, a.UserID)
			continue
		}
		if s.cfg.countOnly {
			continue
		}
		s.st.accounts[a.UserID] = true
		if old := s.tc.accounts[a.UserID]; old != nil && req.AccountList == nil {
			continue // the older form carries no profile to update
		}
		acc := a
		s.tc.accounts[a.UserID] = &acc
	}
	return map[string]any{"FailAccounts": failed}, tcOK, ""
}

// TencentAccounts returns the imported Tencent accounts sorted by UserID,
// with the profile each was last imported with. Accounts seeded with
// AddTencentAccounts have an empty profile.
func (s *Server) TencentAccounts() []TencentAccount {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TencentAccount, 0, len(s.st.accounts))
	for id := range s.st.accounts {
		a := TencentAccount{UserID: id}
		if p := s.tc.accounts[id]; p != nil {
			a = *p
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b TencentAccount) int { return strings.Compare(a.UserID, b.UserID) })
	return out
}

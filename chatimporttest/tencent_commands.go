package chatimporttest

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Tencent commands beyond import_group_member, each with its
// documented rate (https://www.tencentcloud.com/document/product/1047/34350).
const (
	pathTencentAccounts    = "/v4/im_open_login_svc/multiaccount_import"
	pathTencentGroup       = "/v4/group_open_http_svc/import_group"
	pathTencentMemberInfo  = "/v4/group_open_http_svc/get_group_member_info"
	pathTencentGroupList   = "/v4/group_open_http_svc/get_appid_group_list"
	pathTencentGroupDetail = "/v4/group_open_http_svc/get_group_info"
)

// More Tencent codes the new commands answer.
const (
	tcNoPermission    = 10007 // also: AVChatRoom cannot be imported
	tcNoAccount       = 10019 // the owner was never imported
	tcGroupIDUsed     = 10021
	tcGroupIDOwned    = 10025 // in use, and the App admin owns it
	tcRESTRate        = 60007 // the account service's frequency code
	tcBatchCount      = 70206
	tcBadParamAccount = 70402
	tcAccountError    = 70500 // the account service's retryable internal error
)

// tencentCommand is a Tencent command as tencentRun serves it: its
// documented rate, how it answers when busy, and what it does with a body
// that passed.
// serve returns the answer's fields beside the envelope, or a code.
type tencentCommand struct {
	list     bool // a read: counted in ListRequests
	limit    limitSpec
	rateCode int
	internal int
	serve    func(s *Server, body []byte, now time.Time) (map[string]any, int, string)
}

// tencentOptions are the Tencent rules a test may vary.
type tencentOptions struct {
	// looseAccounts accepts members and owners whose accounts were never
	// imported; see WithTencentLooseAccounts.
	looseAccounts bool
	documented    bool                 // WithDocumentedLimits: each command at its documented rate
	limits        map[string]limitSpec // by command, replacing that
}

// WithTencentLooseAccounts makes the fake accept members and group owners
// whose accounts were never imported, as if they had been. By default, as
// on real Tencent, such a member fails (Result 0) and such an owner fails
// the group (10019): import accounts first.
func WithTencentLooseAccounts() Option {
	return func(c *config) { c.tencent.looseAccounts = true }
}

// WithTencentCommandLimit enforces n calls per period on one Tencent
// command, named by its last path element ("multiaccount_import",
// "import_group", "get_group_member_info", "get_appid_group_list",
// "get_group_info"); n <= 0 turns its limit off. Without it a command has
// no limit, or under WithDocumentedLimits its documented one:
// multiaccount_import 100 a second, get_appid_group_list 1, the others
// 200. import_group_member's limit is WithTencentLimit's.
func WithTencentCommandLimit(command string, n int, per time.Duration) Option {
	return func(c *config) {
		if c.tencent.limits == nil {
			c.tencent.limits = map[string]limitSpec{}
		}
		c.tencent.limits[command] = limitSpec{n: n, per: per}
	}
}

// tencentFake is the fake's Tencent state beyond members and accounts
// (which live in the store): each command's window and the groups'
// profiles. Server.mu guards groups, accounts and nextID.
type tencentFake struct {
	commands map[string]*tencentCommand
	windows  map[string]*window
	groups   map[string]*TencentGroup
	accounts map[string]*TencentAccount
	nextID   int
}

func newTencentFake(cfg config) *tencentFake {
	perSecond := func(n int) limitSpec { return limitSpec{n: n, per: time.Second} }
	commands := map[string]*tencentCommand{
		pathTencentAccounts:    {limit: perSecond(100), rateCode: tcRESTRate, internal: tcAccountError, serve: (*Server).tencentAccounts},
		pathTencentGroup:       {limit: perSecond(200), rateCode: tcRateLimited, internal: tcInternal, serve: (*Server).tencentGroup},
		pathTencentMemberInfo:  {list: true, limit: perSecond(200), rateCode: tcRateLimited, internal: tcInternal, serve: (*Server).tencentMemberInfo},
		pathTencentGroupList:   {list: true, limit: perSecond(1), rateCode: tcRateLimited, internal: tcInternal, serve: (*Server).tencentGroupList},
		pathTencentGroupDetail: {list: true, limit: perSecond(200), rateCode: tcRateLimited, internal: tcInternal, serve: (*Server).tencentGroupInfo},
	}
	names := map[string]bool{}
	for path := range commands {
		names[commandName(path)] = true
	}
	for name, spec := range cfg.tencent.limits {
		// Like a bad fault probability, these are bugs in the test.
		if !names[name] {
			panic("chatimporttest: WithTencentCommandLimit: no command " + strconv.Quote(name))
		}
		if spec.n > 0 && spec.per <= 0 {
			panic("chatimporttest: WithTencentCommandLimit: " + name + " needs a positive period")
		}
	}
	f := &tencentFake{commands: commands, windows: map[string]*window{}, groups: map[string]*TencentGroup{}, accounts: map[string]*TencentAccount{}}
	for path, cmd := range commands {
		var spec limitSpec
		if cfg.tencent.documented {
			spec = cmd.limit
		}
		if o, ok := cfg.tencent.limits[commandName(path)]; ok {
			spec = o
		}
		f.windows[path] = newWindow(spec)
	}
	return f
}

// commandName is a command's name in options: its path's last element.
func commandName(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// limit is what the fake enforces on command, named by its last path
// element; the zero limitSpec when it enforces nothing.
func (f *tencentFake) limit(command string) limitSpec {
	for path, w := range f.windows {
		if commandName(path) == command {
			return w.spec
		}
	}
	return limitSpec{}
}

// tencentServe serves one of the commands, reporting false for a path
// that is none of them: auth, its own rate limit and one fault draw, as for
// import_group_member, then the command. A fault after the command answers
// its retryable internal error, or drops the connection, after it acted.
func (s *Server) tencentServe(w http.ResponseWriter, r *http.Request) bool {
	cmd := s.tc.commands[r.URL.Path]
	if cmd == nil {
		return false
	}
	s.tencentRun(w, r, cmd, s.tc.windows[r.URL.Path])
	return true
}

// tencentRun serves cmd, spending from win.
func (s *Server) tencentRun(w http.ResponseWriter, r *http.Request, cmd *tencentCommand, win *window) {
	s.count(func(st *Stats) {
		if cmd.list {
			st.ListRequests++
		} else {
			st.ImportRequests++
		}
	})
	if !s.pause(r) {
		panic(http.ErrAbortHandler)
	}
	now := s.now()
	if r.Method != http.MethodPost {
		writeTencentFields(w, tcHTTPParse, "use POST", nil)
		return
	}
	if code, info := s.tencentAuth(r.URL.Query(), now); code != tcOK {
		writeTencentFields(w, code, info, nil)
		return
	}
	if !win.take(now).allowed {
		s.count(func(st *Stats) { st.RateLimited++ })
		writeTencentFields(w, cmd.rateCode, "request frequency limit reached", nil)
		return
	}
	f := s.faults.draw(true)
	switch f {
	case faultRateLimit:
		s.count(func(st *Stats) { st.RateLimited++; st.Faults.add(f) })
		writeTencentFields(w, cmd.rateCode, "request frequency limit reached", nil)
		return
	case faultUnavailable:
		s.count(func(st *Stats) { st.Faults.add(f) })
		writeHTML(w, http.StatusBadGateway, badGatewayHTML)
		return
	case faultTencentInternal:
		s.count(func(st *Stats) { st.Faults.add(f) })
		writeTencentFields(w, cmd.internal, "internal server error, try again", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeTencentFields(w, tcJSONParse, "request body is not valid JSON", nil)
		return
	}
	fields, code, info := cmd.serve(s, body, now)
	switch {
	case code != tcOK:
		writeTencentFields(w, code, info, nil)
	case f == faultFailAfterApply:
		s.count(func(st *Stats) { st.Faults.add(f) })
		writeTencentFields(w, cmd.internal, "internal server error, try again", nil)
	case f == faultDropAfterApply:
		s.count(func(st *Stats) { st.Faults.add(f) })
		dropConnection(w)
	default:
		writeTencentFields(w, tcOK, "", fields)
	}
}

// writeTencentFields answers HTTP 200 with the envelope and fields.
func writeTencentFields(w http.ResponseWriter, code int, info string, fields map[string]any) {
	a := map[string]any{"ActionStatus": "OK", "ErrorCode": code, "ErrorInfo": info}
	if code != tcOK {
		a["ActionStatus"] = "FAIL"
	}
	for k, v := range fields {
		a[k] = v
	}
	writeJSON(w, http.StatusOK, a)
}

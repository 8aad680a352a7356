// Package chatimporttest runs an in-process fake of the CometChat and Tencent
// Cloud Chat import APIs, in the spirit of net/http/httptest.
//
// Tests of a migration client need a provider that rejects what the real
// one rejects and fails the way the real one fails, without network access,
// real credentials or sleeping. Like an httptest server it is instant by
// default: it enforces no rate limit, and its client helpers do not pace,
// until [WithDocumentedLimits] or a limit of the test's own
// ([WithCometChatLimit], [WithTencentLimit]) turns one on. The fake
// implements only the calls a migration needs:
//
//   - CometChat, under s.URL+"/v3": POST /data_import/users,
//     POST /data_import/groups, POST /data_import/members, GET /users,
//     GET /groups and GET /groups/{guid}/members.
//   - Tencent, under s.URL: POST /v4/im_open_login_svc/multiaccount_import
//     and, under /v4/group_open_http_svc/, import_group, import_group_member,
//     get_group_member_info, get_appid_group_list and get_group_info.
//
// Each import request is judged in a fixed order so that a failure never
// hides behind another: authentication, then the rate limit, then an
// injected fault (see [Faults]), then validation and apply. A seeded server
// ([WithSeed]) injects the same faults for the same sequence of requests.
//
// Snapshots ([Server.Users], [Server.Members], [Server.TencentMembers],
// [Server.TencentAccounts], [Server.TencentGroups]) and
// counters ([Server.Stats], [Server.Received]) let a test assert what the
// provider ended up holding and what the client actually sent.
package chatimporttest

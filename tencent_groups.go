package chatimport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatimport/chatimport/internal/tencent"
)

// Tencent's documented group limits (import_group's page and the SDKs'
// field comments; all in bytes).
const (
	maxTencentGroupName    = 30
	maxTencentIntroduction = 240
	maxTencentNotification = 300
	maxTencentFaceURL      = 100
	// tencentCommunityPrefix starts every Community group id, custom or not.
	tencentCommunityPrefix = "@TGS#_"
)

// tencentTypes maps the portable group types onto Tencent's. Password groups
// have no counterpart, and AVChatRoom cannot be imported (10007).
var tencentTypes = map[GroupType]string{
	GroupPublic:    "Public",
	GroupPrivate:   "Private", // shown as Work in the console
	GroupMeeting:   "ChatRoom",
	GroupCommunity: "Community",
}

// groupsEndpoint is import_group
// (https://www.tencentcloud.com/document/product/1047/34967): one group a
// request, created without callbacks or notifications. A group id already
// in use (10021; 10025 when the App admin owns it) is StatusExisted.
func (p *tencentChat) groupsEndpoint() *importEndpoint[Group] {
	return &importEndpoint[Group]{
		what: "group", idField: "guid", maxBatch: 1, budget: tencentImportGroups,
		id: func(g *Group, _ *arena) string { return g.GUID },
		// Group ids are case-sensitive.
		key:   appendID[Group],
		check: checkTencentGroup,
		encode: func(dst []byte, g *Group, _ string) ([]byte, error) {
			return tencent.AppendImportGroup(dst, &tencent.ImportGroup{
				Owner: g.Owner, Type: tencentTypes[g.Type], GroupID: g.GUID, Name: g.Name,
				Introduction: g.Description, Notification: g.Notification, FaceURL: g.Icon,
				MaxMemberCount: int64(g.MaxMembers), ApplyJoinOption: g.JoinOption, CreateTime: unix(g.CreatedAt),
			}), nil
		},
		send: p.sendGroup,
	}
}

// checkTencentGroup refuses what import_group cannot hold. The id is
// required (Tencent could make one up, but then nothing would name the
// group for its members). Only the documented id rule is applied, the
// Community prefix: the often-quoted 48 printable ASCII bytes are not on a
// primary page, and an id Tencent refuses fails that group alone, with
// Tencent's reason.
func checkTencentGroup(g *Group, now time.Time) *ValidationError {
	if v := checkTencentID("guid", g.GUID, 0); v != nil {
		return v
	}
	if strings.TrimSpace(g.Name) == "" {
		return fieldError("name", "is empty")
	}
	if v := checkBytes("name", g.Name, maxTencentGroupName); v != nil {
		return v
	}
	switch _, ok := tencentTypes[g.Type]; {
	case g.Type == "":
		return fieldError("type", "is empty; want public, private, meeting or community")
	case g.Type == GroupPassword:
		return fieldError("type", "password groups do not exist on Tencent Cloud Chat; import it as private or public")
	case !ok:
		return fieldError("type", "is %q; want public, private, meeting or community (AVChatRoom groups cannot be imported)", string(g.Type))
	}
	if g.Type == GroupCommunity && !strings.HasPrefix(g.GUID, tencentCommunityPrefix) {
		return fieldError("guid", "a Community group's id must start with %q", tencentCommunityPrefix)
	}
	if g.Password != "" {
		return fieldError("password", "is set, but a Tencent group cannot hold one")
	}
	if g.Owner != "" {
		if v := checkTencentID("owner", g.Owner, maxTencentUserID); v != nil {
			return v
		}
	}
	for _, f := range []struct {
		name, value string
		most        int
	}{
		{"icon", g.Icon, maxTencentFaceURL},
		{"description", g.Description, maxTencentIntroduction}, // Tencent's Introduction
		{"notification", g.Notification, maxTencentNotification},
	} {
		if v := checkBytes(f.name, f.value, f.most); v != nil {
			return v
		}
	}
	if g.MaxMembers < 0 {
		return fieldError("maxMembers", "is %d, below zero", g.MaxMembers)
	}
	switch g.JoinOption {
	case "", "FreeAccess", "NeedPermission", "DisableApply":
	default:
		return fieldError("joinOption", "is %q; want FreeAccess, NeedPermission or DisableApply", g.JoinOption)
	}
	if g.OwnerUser != nil {
		return fieldError("groupOwnerDetails", "Tencent's group import cannot create the owner; import the account with ImportUsers first")
	}
	if len(g.Metadata) > 0 {
		return fieldError("metadata", "is set, but Tencent keeps custom group data only under keys configured in its console; leave it out")
	}
	if len(g.Tags) > 0 {
		return fieldError("tags", "is set, but a Tencent group cannot hold tags; leave them out")
	}
	return checkTime("", "createdAt", g.CreatedAt, now)
}

func (p *tencentChat) sendGroup(ctx context.Context, c *Client, jobs []job) ([]outcome, error) {
	answer, err := tencentPost[tencent.GroupAnswer](ctx, c, p, tencent.PathImportGroup, tencentImportGroups, jobs[0].wire)
	switch {
	case err == nil && answer.GroupID != "" && answer.GroupID != jobs[0].id:
		// Members imported under the id asked for would miss the group.
		return []outcome{{status: StatusFailed, err: c.finish(&APIError{HTTPStatus: http.StatusOK,
			Message: fmt.Sprintf("the group was created as %q, not under the id asked for", answer.GroupID)},
			http.MethodPost+" "+c.basePath+tencent.PathImportGroup)}}, nil
	case err == nil:
		return []outcome{{status: StatusImported}}, nil
	case errors.Is(err, ErrAlreadyExists):
		return []outcome{{status: StatusExisted}}, nil
	}
	return nil, err
}

// Tencent's listing limits: get_appid_group_list serves at most 10,000 ids
// a page, get_group_info details 50 groups a request (the SDKs' constant).
const (
	maxTencentGroupPage = 10_000
	tencentInfoBatch    = 50
)

// listGroups walks get_appid_group_list, one call a second, and fetches
// each page's details with get_group_info. Its token is the list's Next in
// decimal: 0 at first, and 0 again after the last page.
func (p *tencentChat) listGroups(c *Client, opts *ListGroupsOptions) *Pager[Group] {
	var o ListGroupsOptions
	if opts != nil {
		o = *opts
	}
	invalid := func(v *ValidationError) *Pager[Group] {
		v.Index = -1
		return failedPager[Group](v)
	}
	switch {
	case o.PerPage == 0:
		o.PerPage = maxTencentGroupPage
	case o.PerPage < 1 || o.PerPage > maxTencentGroupPage:
		return invalid(fieldError("perPage", "is %d; want 1 to %d, or 0 for %d", o.PerPage, maxTencentGroupPage, maxTencentGroupPage))
	}
	if o.Page > 1 || o.Page < 0 {
		return invalid(fieldError("page", "is %d; Tencent pages groups by cursor, so a walk starts at the first page (resume one with Pager.Resume)", o.Page))
	}
	q := url.Values{"perPage": {strconv.Itoa(o.PerPage)}}.Encode()
	pos := Position{Provider: ProviderTencent, List: "groups", Query: q, Token: "0"}
	return newPager(pos, func(g *Group) string { return g.GUID }, func(ctx context.Context, token string) (page[Group], error) {
		next, err := strconv.ParseUint(token, 10, 64)
		if err != nil {
			return page[Group]{}, fmt.Errorf("%w: group list token %q is not a cursor", ErrInvalidRequest, token)
		}
		// A page whose groups were all dissolved before their details
		// were read is empty, which would end the walk: read on instead.
		for {
			body, _ := json.Marshal(tencent.GroupListRequest{Limit: o.PerPage, Next: next})
			list, err := tencentPost[tencent.GroupListAnswer](ctx, c, p, tencent.PathGroupList, tencentListGroups, body)
			if err != nil {
				return page[Group]{}, err
			}
			ids := make([]string, len(list.GroupIDList))
			for i, g := range list.GroupIDList {
				ids[i] = g.GroupID
			}
			groups, err := p.groupDetails(ctx, c, ids)
			if err != nil {
				return page[Group]{}, err
			}
			switch {
			case list.Next == 0 || len(groups) > 0:
				return page[Group]{items: groups, next: strconv.FormatUint(list.Next, 10), last: list.Next == 0}, nil
			case list.Next == next:
				return page[Group]{}, fmt.Errorf("%w: listing groups: the server sent cursor %d back unchanged", ErrPageRepeated, next)
			}
			next = list.Next
		}
	})
}

// groupDetails reads the groups ids names, in their order, 50 a request,
// as many requests at once as get_group_info's pace needs with 100 ms
// round trips: one after another, a page of 10,000 ids would take 200
// round trips. The first error cancels the rest. A group dissolved since
// it was listed (10010) is left out: it is no longer there to list.
func (p *tencentChat) groupDetails(ctx context.Context, c *Client, ids []string) ([]Group, error) {
	chunks := slices.Collect(slices.Chunk(ids, tencentInfoBatch))
	found := make([][]Group, len(chunks))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next  atomic.Int64
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	for range min(len(chunks), c.budgets[tencentGroupInfo].concurrency) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(chunks) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				var err error
				if found[i], err = p.groupBatch(ctx, c, chunks[i]); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}

// groupBatch reads the details of at most 50 groups, in their order.
func (p *tencentChat) groupBatch(ctx context.Context, c *Client, chunk []string) ([]Group, error) {
	body, _ := json.Marshal(tencent.GroupInfoRequest{GroupIDList: chunk})
	answer, err := tencentPost[tencent.GroupInfoAnswer](ctx, c, p, tencent.PathGroupInfo, tencentGroupInfo, body)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*tencent.GroupInfo, len(answer.GroupInfo))
	for i := range answer.GroupInfo {
		byID[answer.GroupInfo[i].GroupID] = &answer.GroupInfo[i]
	}
	groups := make([]Group, 0, len(chunk))
	for _, id := range chunk {
		info := byID[id]
		switch {
		case info == nil:
			return nil, fmt.Errorf("%w: listing groups: get_group_info left group %q out of its answer", ErrTemporary, id)
		case info.ErrorCode == 10010:
			continue
		case info.ErrorCode != 0:
			return nil, c.finish(tencentError(tencent.Envelope{ErrorCode: info.ErrorCode, ErrorInfo: info.ErrorInfo}), "")
		}
		groups = append(groups, listedGroup(info))
	}
	return groups, nil
}

// listedGroup converts one group's details. A type with no portable
// counterpart (AVChatRoom, BChatRoom) keeps Tencent's name, lower-cased, so
// that it is listed rather than lost and an import elsewhere refuses it by
// name.
func listedGroup(w *tencent.GroupInfo) Group {
	var t GroupType
	switch w.Type {
	case "Public":
		t = GroupPublic
	case "Private", "Work":
		t = GroupPrivate
	case "ChatRoom", "Meeting":
		t = GroupMeeting
	case "Community":
		t = GroupCommunity
	default:
		t = GroupType(strings.ToLower(w.Type))
	}
	return Group{
		GUID: w.GroupID, Name: w.Name, Icon: w.FaceURL, Owner: w.Owner, Type: t,
		CreatedAt:   tencentTime(int64(w.CreateTime)),
		Description: w.Introduction, Notification: w.Notification,
		MaxMembers: int(w.MaxMemberNum), JoinOption: w.ApplyJoinOption,
	}
}

// tencentOnlyGroupField names the first Tencent-only field g sets, or "",
// so that CometChat refuses rather than drops it.
func tencentOnlyGroupField(g *Group) string {
	switch {
	case g.Notification != "":
		return "notification"
	case g.MaxMembers != 0:
		return "maxMembers"
	case g.JoinOption != "":
		return "joinOption"
	}
	return ""
}

// tencentTime reads a wire time: 0 is "not set", the zero time.
func tencentTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}

package chatimport

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatimport/chatimport/internal/tencent"
)

const tencentMembersBatch = 300

// membersEndpoint is import_group_member
// (https://www.tencentcloud.com/document/product/1047/34947).
func (p *tencentChat) membersEndpoint() *importEndpoint[Member] {
	return &importEndpoint[Member]{
		what: "member", idField: "uid", maxBatch: tencentMembersBatch, budget: tencentImportMembers,
		id: memberID,
		// Tencent ids are case-sensitive: only an exact repeat of the
		// group and the account is the same member.
		key:   appendParts[Member],
		part:  func(m *Member) string { return m.GUID },
		check: checkTencentMember,
		encode: func(dst []byte, m *Member, _ string) ([]byte, error) {
			w := tencent.Member{Account: m.UID, JoinTime: unix(m.JoinedAt), UnreadMsgNum: m.UnreadCount}
			if m.Scope == ScopeAdmin {
				w.Role = "Admin"
			}
			return tencent.AppendMember(dst, &w), nil
		},
		send: p.sendMembers,
	}
}

// appendParts keys a member by its group and account, the group's length
// first so that no two pairs run together into one key.
func appendParts[T any](dst []byte, m *Member, _ string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(m.GUID)))
	return append(append(dst, m.GUID...), m.UID...)
}

func checkTencentMember(m *Member, now time.Time) *ValidationError {
	for _, f := range []struct{ name, value string }{{"guid", m.GUID}, {"uid", m.UID}} {
		switch {
		case strings.TrimSpace(f.value) == "":
			return fieldError(f.name, "is empty")
		case !utf8.ValidString(f.value):
			return fieldError(f.name, "is not valid UTF-8")
		}
	}
	switch m.Scope {
	case "", ScopeParticipant, ScopeAdmin:
	case ScopeModerator:
		return fieldError("scope", "moderator cannot be imported into Tencent Cloud Chat (only admin or an ordinary member)")
	default:
		return fieldError("scope", "is %q; want admin or participant", m.Scope)
	}
	if m.Banned {
		return fieldError("isBanned", "Tencent's member import cannot ban; import the member and ban it afterwards")
	}
	if m.UnreadCount < 0 {
		return fieldError("unreadMsgNum", "is %d, below zero", m.UnreadCount)
	}
	// Tencent's member import creates neither groups nor accounts: import
	// them first (ImportGroups, ImportUsers) rather than lose the details.
	if m.Group != nil {
		return fieldError("groupDetails", "Tencent's member import cannot create or change a group; import it with ImportGroups first")
	}
	if m.User != nil {
		return fieldError("userDetails", "Tencent's member import cannot create or change an account; import it with ImportUsers first")
	}
	return checkJoinedAt("joinedAt", m.JoinedAt, nil, now)
}

// sendMembers sends jobs, all of one group, filling their outcomes.
func (p *tencentChat) sendMembers(ctx context.Context, c *Client, jobs []job) ([]outcome, error) {
	outcomes := make([]outcome, len(jobs))
	p.sendChunks(ctx, c, jobs, outcomes)
	return outcomes, nil
}

// sendChunks sends jobs in requests of at most the learned limit. When the
// server answers 10005 (too many accounts) the limit is halved, kept for
// later requests, and the rest sent at it; when it refuses a request whole
// for a bad member, that request is halved until the bad members stand
// alone.
func (p *tencentChat) sendChunks(ctx context.Context, c *Client, jobs []job, out []outcome) {
	for start := 0; start < len(jobs); {
		n := min(int(p.limit.Load()), len(jobs)-start)
		chunk, o := jobs[start:start+n], out[start:start+n]
		err := p.importChunk(ctx, c, chunk, o)
		switch {
		case errors.Is(err, ErrBatchTooLarge) && n > 1:
			p.lowerLimit(n / 2)
			continue
		case n > 1 && refusedWhole(c, err):
			p.sendChunks(ctx, c, chunk[:n/2], o[:n/2])
			p.sendChunks(ctx, c, chunk[n/2:], o[n/2:])
		case err != nil:
			for i := range o {
				o[i] = outcome{status: StatusFailed, err: err}
			}
		}
		start += n
	}
}

func (p *tencentChat) lowerLimit(n int) {
	for {
		cur := p.limit.Load()
		if int64(n) >= cur || p.limit.CompareAndSwap(cur, int64(n)) {
			return
		}
	}
}

func (p *tencentChat) importChunk(ctx context.Context, c *Client, jobs []job, out []outcome) error {
	size := 64 + len(jobs[0].part)
	for _, j := range jobs {
		size += len(j.wire) + 1
	}
	body := tencent.AppendImportBody(make([]byte, 0, size), jobs[0].part, len(jobs), func(i int) []byte { return jobs[i].wire })
	op := http.MethodPost + " " + c.basePath + tencent.PathImportGroupMember
	return p.call(ctx, c, &request{
		method: http.MethodPost, path: tencent.PathImportGroupMember, body: body, budget: tencentImportMembers,
		// One result a member: its account (at most 32 bytes) and Result.
		limit: int64(4<<10 + len(jobs)*128),
		decode: func(r io.Reader) error {
			clear(out) // a retried attempt starts afresh
			return readAll(r, func(data []byte) error {
				m := matcher{jobs: jobs, name: uidOf}
				env, err := tencent.ReadImportAnswer(data, func(account []byte, result int) {
					if i := m.find(account); i >= 0 {
						out[i] = memberOutcome(c, result, op)
					}
				})
				if err != nil {
					return err
				}
				if env.ErrorCode != 0 || env.ActionStatus == "FAIL" {
					return tencentError(env)
				}
				unanswered(out)
				return nil
			})
		},
	})
}

func memberOutcome(c *Client, result int, op string) outcome {
	switch result {
	case tencent.ResultImported:
		return outcome{status: StatusImported}
	case tencent.ResultExisted:
		return outcome{status: StatusExisted}
	}
	return outcome{status: StatusFailed, err: c.finish(&APIError{HTTPStatus: http.StatusOK,
		Message: fmt.Sprintf("member not imported (Result %d): the account may not exist, or JoinTime is outside the group's lifetime", result)}, op)}
}

// uidOf recovers the member account from a job's id, "<guid>_member_<uid>".
func uidOf(j job) string { return j.id[len(j.part)+len(memberSep):] }

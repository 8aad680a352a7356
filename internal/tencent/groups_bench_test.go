package tencent

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecodeMemberInfoPage measures a full 100-member page of
// get_group_member_info read with encoding/json, the decoder the listing
// uses: the figure to weigh against a request's round trip.
func BenchmarkDecodeMemberInfoPage(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MemberNum":1000,"MemberList":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"Member_Account":"member-%04d","Role":"Member ","JoinTime":%d,"MsgFlag":"AcceptAndNotify","ShutUpUntil":0}`, i, 1700000000+i)
	}
	sb.WriteString(`]}`)
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var a MemberInfoAnswer
		if err := json.Unmarshal(data, &a); err != nil || len(a.MemberList) != 100 {
			b.Fatal(err, len(a.MemberList))
		}
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite samples/users.jsonl, groups.jsonl and members.jsonl from the generator")

// TestSamplesAreGenerated keeps the embedded sample equal to what the
// generator below makes, so the data never drifts from its description.
// go generate (see fake.go) rewrites the files.
func TestSamplesAreGenerated(t *testing.T) {
	users, groups, members := generateSamples()
	if *update {
		for path, data := range map[string][]byte{"samples/users.jsonl": users, "samples/groups.jsonl": groups, "samples/members.jsonl": members} {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if !bytes.Equal(users, sampleUsers) || !bytes.Equal(groups, sampleGroupsData) || !bytes.Equal(members, sampleMembers) {
		t.Fatal("samples/*.jsonl differ from the generator; run go generate ./cmd/chatimport")
	}
	if size := len(users) + len(groups) + len(members); size > 1<<20 {
		t.Errorf("the sample is %d bytes; keep it under 1 MiB", size)
	}
}

// Sizes of the sample: a few thousand records, enough groups over 100
// members that verification pages through the list.
const (
	sampleUserCount   = 1500
	sampleMemberCount = 2500
)

// script is a writing system with an ISO 15924 code (used in uids) and
// names written in it.
type script struct {
	code  string
	names []string
}

var scripts = []script{
	{"latn", []string{"Émilie Durand", "José García", "Jürgen Müller", "Siobhán O'Brien", "Łukasz Kowalski", "Zoë Novak", "Søren Jensen", "Ana Silva", "Tomás Ruiz", "Ngọc Anh Trần"}},
	{"cyrl", []string{"Анна Иванова", "Дмитрий Смирнов", "Ольга Кузнецова", "Сергей Попов", "Наталья Соколова", "Игорь Лебедев", "Мирослав Петровић", "Олена Шевченко"}},
	{"hani", []string{"王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强"}},
	{"jpan", []string{"佐藤 花子", "鈴木 一郎", "高橋 さくら", "田中 健太", "渡辺 ゆい", "伊藤 蓮"}},
	{"hang", []string{"김민준", "이서연", "박지훈", "최수아", "정우진", "강하은"}},
	{"arab", []string{"فاطمة الزهراء", "محمد علي", "ليلى حسن", "عمر خالد", "نور الهدى", "يوسف إبراهيم"}},
	{"deva", []string{"अनन्या शर्मा", "राहुल वर्मा", "प्रिया पटेल", "अर्जुन सिंह", "कविता जोशी", "विक्रम राव"}},
	{"grek", []string{"Γιώργος Παπαδόπουλος", "Ελένη Νικολάου", "Νίκος Γεωργίου", "Μαρία Κωνσταντίνου", "Δημήτρης Ιωάννου"}},
	{"hebr", []string{"נועה כהן", "איתי לוי", "מאיה מזרחי", "יונתן פרץ"}},
	{"thai", []string{"สมชาย ใจดี", "สุดา แก้วมณี", "ธนพล ศรีสุข", "พิมพ์ชนก บุญมา"}},
}

// sampleGroups are the groups members join: a slug for the guid and a name
// in one of the scripts.
var sampleGroups = []struct{ slug, name string }{
	{"hiking", "Hiking Club"}, {"books", "Книжный клуб"}, {"photo", "摄影爱好者"}, {"marketing", "فريق التسويق"},
	{"math", "गणित समूह"}, {"chess", "Ομάδα σκακιού"}, {"design", "Équipe Design"}, {"dev", "開発チーム"},
	{"reading", "독서 모임"}, {"product", "צוות מוצר"}, {"music", "ชมรมดนตรี"}, {"jazz", "Jazz Lovers"},
	{"support", "Команда поддержки"}, {"prod-talk", "产品讨论"}, {"readers", "مجموعة القراءة"}, {"yoga", "योग समूह"},
	{"sea", "Φίλοι της θάλασσας"}, {"runners", "Runners"}, {"cinema", "Ciné-club"}, {"weekend-hike", "週末ハイキング"},
	{"coding", "코딩 스터디"}, {"gamers", "Gamers"}, {"fishing", "Рыбалка"}, {"food", "美食分享"},
	{"travellers", "الرحالة"}, {"cricket", "क्रिकेट प्रेमी"}, {"history", "Ιστορία"}, {"garden", "Garden Friends"},
	{"volunteers", "Volunteers"}, {"board-games", "Board Games"},
}

// The sample's time span: accounts from 2021, activity up to mid-2024, so
// every joinedAt is in the past whenever the tool runs.
var (
	sampleStart = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	sampleEnd   = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).Unix()
)

type sampleUser struct {
	UID           string         `json:"uid"`
	Name          string         `json:"name"`
	Avatar        string         `json:"avatar,omitempty"`
	Link          string         `json:"link,omitempty"`
	CreatedAt     any            `json:"createdAt"`
	LastActiveAt  any            `json:"lastActiveAt,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
	Tags          []string       `json:"tags,omitempty"`
	DeactivatedAt any            `json:"deactivatedAt,omitempty"`
}

// sampleGroupLine is a line of groups.jsonl: a group's details and its guid.
type sampleGroupLine struct {
	GUID string `json:"guid"`
	sampleGroup
}

type sampleGroup struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Password  string `json:"password,omitempty"`
	CreatedAt int64  `json:"createdAt"`
}

type sampleMember struct {
	GUID         string      `json:"guid"`
	UID          string      `json:"uid"`
	Scope        string      `json:"scope"`
	JoinedAt     any         `json:"joinedAt"`
	UnreadMsgNum int         `json:"unreadMsgNum,omitempty"`
	GroupDetails sampleGroup `json:"groupDetails"`
	UserDetails  *sampleUser `json:"userDetails,omitempty"`
}

// generateSamples makes the embedded sample deterministically. Times are
// numbers or numeric strings in turn, as both appear in the providers'
// documents; only admin and participant scopes are used and nobody is
// banned, so the same sample imports into Tencent as well.
func generateSamples() (users, groups, members []byte) {
	rng := rand.New(rand.NewPCG(2026, 11))
	between := func(lo, hi int64) int64 { return lo + rng.Int64N(hi-lo) }
	var ub, gb, mb bytes.Buffer
	write := func(b *bytes.Buffer, v any) {
		line, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	person := func(i int) (uid, name string) {
		s := scripts[i%len(scripts)]
		return fmt.Sprintf("%s-%04d", s.code, i+1), s.names[rng.IntN(len(s.names))]
	}
	uids := make([]string, sampleUserCount)
	joinedFrom := make([]int64, sampleUserCount)
	for i := range sampleUserCount {
		uid, name := person(i)
		created := between(sampleStart, sampleEnd-90*86400)
		u := sampleUser{UID: uid, Name: name, CreatedAt: created, LastActiveAt: between(created, sampleEnd)}
		if i%2 == 0 {
			u.CreatedAt = fmt.Sprint(created)
		}
		if rng.IntN(10) < 4 {
			u.Avatar = "https://example.com/avatars/" + uid + ".png"
		}
		if rng.IntN(10) < 2 {
			u.Link = "https://example.com/people/" + uid
		}
		if rng.IntN(10) < 3 {
			u.Metadata = map[string]any{"@private": map[string]any{"email": uid + "@example.com"}, "employeeId": 100000 + i}
		}
		if rng.IntN(4) == 0 {
			tags := []string{"beta", "staff", "emea", "apac", "amer", "vip"}
			u.Tags = []string{tags[rng.IntN(3)], tags[3+rng.IntN(3)]}
		}
		if rng.IntN(100) == 0 {
			u.DeactivatedAt = sampleEnd
		}
		uids[i], joinedFrom[i] = uid, created
		write(&ub, u)
	}

	// Group sizes vary from about 20 to 250 and add up to the member count;
	// each group also has one guest, known only from the member line.
	weights := make([]float64, len(sampleGroups))
	sum := 0.0
	for i := range weights {
		weights[i] = 0.2 + rng.Float64()*rng.Float64()*3
		sum += weights[i]
	}
	sizes := make([]int, len(sampleGroups))
	left := sampleMemberCount - len(sampleGroups)
	for i := range sizes {
		sizes[i] = int(float64(sampleMemberCount-len(sampleGroups)) * weights[i] / sum)
		left -= sizes[i]
	}
	sizes[0] += left
	n := 0
	for g, group := range sampleGroups {
		guid := fmt.Sprintf("g%02d-%s", g+1, group.slug)
		details := sampleGroup{Name: group.name, Type: "public", CreatedAt: between(sampleStart, sampleStart+180*86400)}
		switch {
		case g%7 == 3:
			details.Type = "private"
		case g%10 == 9:
			details.Type, details.Password = "password", "sample-password"
		}
		write(&gb, sampleGroupLine{guid, details})
		for k, i := range rng.Perm(sampleUserCount)[:sizes[g]] {
			m := sampleMember{GUID: guid, UID: uids[i], Scope: "participant", GroupDetails: details}
			if k < 2 {
				m.Scope = "admin"
			}
			joined := between(max(details.CreatedAt, joinedFrom[i]), sampleEnd)
			m.JoinedAt = joined
			if n%3 == 0 {
				m.JoinedAt = fmt.Sprint(joined)
			}
			if rng.IntN(5) == 0 {
				m.UnreadMsgNum = rng.IntN(40)
			}
			write(&mb, m)
			n++
		}
		_, name := person(g)
		uid := fmt.Sprintf("guest-%02d", g+1)
		guest := sampleMember{GUID: guid, UID: uid, Scope: "participant", JoinedAt: between(details.CreatedAt, sampleEnd),
			GroupDetails: details, UserDetails: &sampleUser{UID: uid, Name: name + " (guest)", CreatedAt: details.CreatedAt}}
		write(&mb, guest)
		n++
	}
	return ub.Bytes(), gb.Bytes(), mb.Bytes()
}

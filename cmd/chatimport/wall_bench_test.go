package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// BenchmarkMigrationWallTime runs the tool's whole import (users, groups,
// members, no verification) of generated JSON Lines files against
// chatimporttest with 20 ms latency per import request and the providers'
// limits scaled up so that a run takes seconds, and reports its wall time
// over the providers' lower bound (x-of-bound) and the rate-limit answers
// drawn (rate-limited, which must be 0).
//
// The lower bound is what each pacing budget must carry at its rate. On
// Tencent accounts (100 a request) and groups (1 a request) have budgets of
// their own and go at once, and members (300 a request) follow: bound =
// max(accounts, groups) + members, each in requests over its rate. On
// CometChat every import shares one budget: bound = all requests over it.
// The migration is 100,000 users, 5,000 groups and 300,000 members, these
// in 1,000 groups of 300 so that each Tencent member request is full; each
// group's owner is a user of the same run, spread over the users file.
// In -short mode (CI) it is a hundredth of that, and takes a fraction of a
// second.
//
//	go test ./cmd/chatimport -run '^$' -bench BenchmarkMigrationWallTime -benchtime 1x
func BenchmarkMigrationWallTime(b *testing.B) {
	users, groups, full, per := 100_000, 5_000, 1_000, 300
	if testing.Short() {
		users, groups, full = 1_000, 50, 10
	}
	dir := b.TempDir()
	in := writeMigration(b, dir, users, groups, full, per)
	members := full * per

	b.Run("tencent", func(b *testing.B) {
		// The documented 100, 200 and 200 a second, twice over: at four
		// times the members outrun two shared cores (BENCHMARKS.md, 8).
		const scale = 2
		limits := map[string]int{"tencent.multiaccount_import": 100 * scale, "tencent.import_group": 200 * scale,
			"tencent.import_group_member": 200 * scale}
		bound := max(seconds(users, 100, limits["tencent.multiaccount_import"]), seconds(groups, 1, limits["tencent.import_group"])) +
			seconds(members, 300, limits["tencent.import_group_member"])
		migrationRun(b, bound, func() (*chatimporttest.Server, []string, *tool) {
			s := chatimporttest.NewServer(chatimporttest.WithFaults(chatimporttest.Faults{Latency: benchLatency}),
				chatimporttest.WithTencentLimit(limits["tencent.import_group_member"], time.Second),
				chatimporttest.WithTencentCommandLimit("multiaccount_import", limits["tencent.multiaccount_import"], time.Second),
				chatimporttest.WithTencentCommandLimit("import_group", limits["tencent.import_group"], time.Second))
			// Two budgets at two rates are more than -rate can say: the
			// tool's client is paced as the fake's own helper paces one.
			t := &tool{getenv: tencentEnv(), clientOpts: []chatimport.Option{paceAt(limits)}}
			return s, []string{"-provider", "tencent", "-base-url", s.URL}, t
		}, in)
	})
	b.Run("cometchat", func(b *testing.B) {
		// The documented 60 a minute, a thousand times over, through the
		// tool's own -rate and -per.
		const limit = 1000
		bound := seconds(users, 50, limit) + seconds(groups, 50, limit) + seconds(members, 50, limit)
		migrationRun(b, bound, func() (*chatimporttest.Server, []string, *tool) {
			s := chatimporttest.NewServer(chatimporttest.WithFaults(chatimporttest.Faults{Latency: benchLatency}),
				chatimporttest.WithCometChatLimit(limit, time.Second))
			return s, []string{"-base-url", s.URL + "/v3", "-rate", fmt.Sprint(limit), "-per", "1s"}, &tool{getenv: cometEnv()}
		}, in)
	})
}

// benchLatency is the fake's latency per import request.
const benchLatency = 20 * time.Millisecond

// seconds is the time n items take in requests of batch at rate a second.
func seconds(n, batch, rate int) float64 {
	return float64((n+batch-1)/batch) / float64(rate)
}

// paceAt paces each budget named in limits at that many requests a second,
// evenly spaced the margin under it that the client's own pacer keeps.
func paceAt(limits map[string]int) chatimport.Option {
	return chatimport.WithLimiterFunc(func(b chatimport.Budget) (chatimport.Limiter, error) {
		n := limits[b.Name]
		if n == 0 {
			return nil, nil
		}
		b.N, b.Per = n, time.Second
		return rate.NewLimiter(rate.Every(b.Interval()), 1), nil
	})
}

// migrationRun runs one import per iteration with a fresh fake and reports
// the metrics above. A run that does not end with every record on the
// server fails the benchmark: a fast wrong migration measures nothing.
func migrationRun(b *testing.B, bound float64, setup func() (*chatimporttest.Server, []string, *tool), in []string) {
	var elapsed time.Duration
	limited := 0
	for range b.N {
		b.StopTimer()
		s, args, t := setup()
		var stdout, stderr bytes.Buffer
		t.stdout, t.stderr = &stdout, &stderr
		args = append(append([]string{"import"}, args...), append([]string{"-verify=false"}, in...)...)
		b.StartTimer()
		start := time.Now()
		code := t.run(b.Context(), args)
		took := time.Since(start)
		b.StopTimer()
		limited += s.Stats().RateLimited
		s.Close()
		if code != exitOK {
			b.Fatalf("exit %d:\n%s\n%s", code, stdout.String(), stderr.String())
		}
		elapsed += took
		b.StartTimer()
	}
	b.ReportMetric(elapsed.Seconds()/float64(b.N)/bound, "x-of-bound")
	b.ReportMetric(bound, "bound-s")
	b.ReportMetric(float64(limited)/float64(b.N), "rate-limited")
}

// writeMigration writes the three inputs to dir and returns their flags.
// Group g is owned by user g×7919 mod users (7919 is prime, so owners are
// spread over the file); the first full groups hold per members each.
func writeMigration(b *testing.B, dir string, users, groups, full, per int) []string {
	write := func(name string, n int, line func(w *bufio.Writer, i int)) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		for i := range n {
			line(w, i)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		return p
	}
	u := write("users.jsonl", users, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, `{"uid":"u%06d","name":"User %d"}`+"\n", i, i)
	})
	g := write("groups.jsonl", groups, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, `{"guid":"g%05d","name":"Group %d","type":"public","owner":"u%06d"}`+"\n", i, i, i*7919%users)
	})
	m := write("members.jsonl", full*per, func(w *bufio.Writer, i int) {
		fmt.Fprintf(w, `{"guid":"g%05d","uid":"u%06d","scope":"participant"}`+"\n", i/per, i%users)
	})
	return []string{"-users", u, "-groups", g, "-members", m}
}

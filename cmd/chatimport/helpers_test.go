package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// testFaults are what every end-to-end test's fake injects, so that each
// proves its claim with retries and resends under way.
var testFaults = chatimporttest.Faults{RateLimit: 0.05, Unavailable: 0.03, FailAfterApply: 0.03, DropAfterApply: 0.02,
	TencentInternal: 0.02}

// fastFlags keep tests from waiting: no client pacing (the fakes of these
// tests have no limit either) and retries a few milliseconds apart.
var fastFlags = []string{"-rate", "0", "-retries", "10", "-max-wait", "10ms"}

// newFake starts a fake with faults on and no rate limit; extra options
// come last.
func newFake(t *testing.T, opts ...chatimporttest.Option) *chatimporttest.Server {
	t.Helper()
	base := []chatimporttest.Option{chatimporttest.WithSeed(5), chatimporttest.WithFaults(testFaults),
		chatimporttest.WithCometChatLimit(0, 0), chatimporttest.WithTencentLimit(0, 0)}
	s := chatimporttest.NewServer(append(base, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// cometEnv is the environment of a real-mode run against the fake: its
// credentials, which are fake by construction.
func cometEnv() func(string) string {
	return envOf(map[string]string{
		"COMETCHAT_APP_ID": chatimporttest.AppID, "COMETCHAT_REGION": "us", "COMETCHAT_API_KEY": chatimporttest.APIKey,
	})
}

func tencentEnv() func(string) string {
	return envOf(map[string]string{
		"TENCENT_SDKAPPID": "1400000000", "TENCENT_SECRET_KEY": chatimporttest.SecretKey, "TENCENT_ADMIN": chatimporttest.Admin,
	})
}

func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// ran is one run of the tool.
type ran struct {
	code           int
	stdout, stderr string
}

func runTool(ctx context.Context, getenv func(string) string, args ...string) ran {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, getenv, &stdout, &stderr)
	return ran{code, stdout.String(), stderr.String()}
}

// runImport runs chatimport import with args.
func runImport(ctx context.Context, getenv func(string) string, args ...string) ran {
	return runTool(ctx, getenv, append([]string{"import"}, args...)...)
}

// runDemo runs chatimport demo and returns the fakes it started, in order,
// which outlive the run for inspection.
func runDemo(t *testing.T, args ...string) (ran, []*chatimporttest.Server) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	var fakes []*chatimporttest.Server
	tl := &tool{stdout: &stdout, stderr: &stderr, getenv: envOf(nil),
		fakeStarted: func(s *chatimporttest.Server) { fakes = append(fakes, s) }}
	code := tl.run(t.Context(), append([]string{"demo"}, args...))
	return ran{code, stdout.String(), stderr.String()}, fakes
}

// writeFile writes lines, each ending in a newline, to a file in a test
// directory and returns its path.
func writeFile(t *testing.T, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return path
}

func readReport(t *testing.T, path string) []reportLine {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var lines []reportLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l reportLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "report line %q", sc.Text())
		lines = append(lines, l)
	}
	require.NoError(t, sc.Err())
	return lines
}

// byLine indexes a report by kind and line number, failing on a repeat:
// one report line per input line.
func byLine(t *testing.T, report []reportLine) map[string]map[int]reportLine {
	t.Helper()
	out := map[string]map[int]reportLine{}
	for _, l := range report {
		if out[l.Kind] == nil {
			out[l.Kind] = map[int]reportLine{}
		}
		_, dup := out[l.Kind][l.Line]
		require.False(t, dup, "two report lines for %s line %d", l.Kind, l.Line)
		out[l.Kind][l.Line] = l
	}
	return out
}

// sample is what an input holds, decoded, for judging the fake's state.
type sample struct {
	users   []chatimport.User
	members []chatimport.Member
}

func decodeSample(t *testing.T, users, members []byte) sample {
	t.Helper()
	var s sample
	require.NoError(t, scanLines(t.Context(), bytes.NewReader(users), nil, func(l inputLine) bool {
		u, err := decodeUser(l)
		require.NoError(t, err)
		s.users = append(s.users, u)
		return true
	}))
	require.NoError(t, scanLines(t.Context(), bytes.NewReader(members), nil, func(l inputLine) bool {
		m, err := decodeMember(l)
		require.NoError(t, err)
		s.members = append(s.members, m)
		return true
	}))
	return s
}

// wantUsers is every uid a CometChat fake must hold after importing the
// sample: its users and the users its members bring along, lower-cased.
func (s sample) wantUsers() []string {
	var uids []string
	for _, u := range s.users {
		uids = append(uids, strings.ToLower(u.UID))
	}
	for _, m := range s.members {
		if m.User != nil {
			uids = append(uids, strings.ToLower(m.UID))
		}
	}
	return uids
}

// wantMembers maps each guid to its members' uids, lower-cased and sorted:
// retries and resumes change the order in which members arrive.
func (s sample) wantMembers() map[string][]string {
	out := map[string][]string{}
	for _, m := range s.members {
		out[m.GUID] = append(out[m.GUID], strings.ToLower(m.UID))
	}
	for _, uids := range out {
		slices.Sort(uids)
	}
	return out
}

// heldUsers and heldMembers read the fake's state in the shape of the
// wants above. The fake keeps one entry per id, so equal lists mean each
// record arrived exactly once.
func heldUsers(s *chatimporttest.Server) []string {
	var uids []string
	for _, u := range s.Users() {
		uids = append(uids, u.UID)
	}
	return uids
}

func heldMembers(s *chatimporttest.Server, guids []string, tencent bool) map[string][]string {
	out := map[string][]string{}
	for _, guid := range guids {
		members := s.Members(guid)
		if tencent {
			members = s.TencentMembers(guid)
		}
		for _, m := range members {
			out[guid] = append(out[guid], strings.ToLower(m.UID))
		}
		slices.Sort(out[guid])
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// cancelAfter cancels the returned context once the fake has read n import
// requests, to interrupt a run halfway as Ctrl-C would.
func cancelAfter(t *testing.T, s *chatimporttest.Server, n int) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	go func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for s.Stats().ImportRequests < n {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		cancel()
	}()
	return ctx
}

// notRead adds up the summary's counts of records never read.
func notRead(t *testing.T, summary string) int {
	t.Helper()
	n := 0
	for _, m := range regexp.MustCompile(`([0-9,]+) not read`).FindAllStringSubmatch(summary, -1) {
		k, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		require.NoError(t, err)
		n += k
	}
	return n
}

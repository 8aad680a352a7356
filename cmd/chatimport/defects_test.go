package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatimport/chatimport/chatimporttest"
)

// fiveUsers is an input of five records.
var fiveUsers = `{"uid":"u1","name":"One"}` + "\n" + `{"uid":"u2","name":"Two"}` + "\n\n" +
	`{"uid":"u3","name":"Three"}` + "\n" + `{"uid":"u4","name":"Four"}` + "\n" + `{"uid":"u5","name":"Five"}` + "\n"

// A pipe (what -users <(cat five.jsonl) opens) and a FIFO can be read only
// once: the tool copies them as it reads them, so every record is imported
// and reported, with the fingerprint the same bytes have in a file.
func TestPipedInputIsReadOnce(t *testing.T) {
	file := writeFile(t, "five.jsonl", strings.TrimSuffix(fiveUsers, "\n"))
	fromFile, err := fileInput(t.Context(), "users", file)
	require.NoError(t, err)

	fifo := filepath.Join(t.TempDir(), "users.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			f.WriteString(fiveUsers)
			f.Close()
		}
	}()
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { pr.Close() })
	go func() {
		pw.WriteString(fiveUsers)
		pw.Close()
	}()

	for name, path := range map[string]string{"fifo": fifo, "pipe": fmt.Sprintf("/dev/fd/%d", pr.Fd())} {
		t.Run(name, func(t *testing.T) {
			s := newFake(t)
			report := filepath.Join(t.TempDir(), "report.jsonl")
			r := runImport(t.Context(), cometEnv(), append([]string{"-users", path, "-base-url", s.URL + "/v3", "-report", report}, fastFlags...)...)
			require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, "users     5 records: ")
			assert.Equal(t, []string{"u1", "u2", "u3", "u4", "u5"}, heldUsers(s))
			lines := byLine(t, readReport(t, report))["users"]
			assert.Len(t, lines, 5)
			assert.Equal(t, "u3", lines[4].ID, "line numbers are the input's, blank line included")
		})
	}

	pr2, pw2, err := os.Pipe()
	require.NoError(t, err)
	defer pr2.Close()
	go func() {
		pw2.WriteString(fiveUsers)
		pw2.Close()
	}()
	piped, err := fileInput(t.Context(), "users", fmt.Sprintf("/dev/fd/%d", pr2.Fd()))
	require.NoError(t, err)
	defer piped.close()
	assert.Equal(t, fromFile.fingerprint, piped.fingerprint, "a checkpoint made with the file resumes with the pipe")
	assert.Equal(t, 5, piped.records)
	require.FileExists(t, piped.spool)
	piped.close()
	assert.NoFileExists(t, piped.spool, "the copy is removed")
}

// The copy of a non-seekable input cuts each line a byte past the limit,
// so an endless line costs no disk, and reads back as the same lines.
func TestSpoolCutsOverlongLines(t *testing.T) {
	long := strings.Repeat("x", 3*maxLine)
	text := "a\n\n" + long + "\nb"
	var spool strings.Builder
	var orig, copied []inputLine
	collect := func(into *[]inputLine) func(inputLine) bool {
		return func(l inputLine) bool {
			l.text = []byte(strings.Clone(string(l.text)))
			*into = append(*into, l)
			return true
		}
	}
	require.NoError(t, scanLines(t.Context(), strings.NewReader(text), &spool, collect(&orig)))
	assert.Equal(t, len("a\n\n")+maxLine+1+len("\nb"), spool.Len())
	require.NoError(t, scanLines(t.Context(), strings.NewReader(spool.String()), nil, collect(&copied)))
	assert.Equal(t, orig, copied)
}

// An endless input (/dev/zero) and a pipe whose writer never finishes stop
// when the context ends, as on SIGINT or SIGTERM, with nothing sent and the
// copy removed.
func TestEndlessInputStopsOnSignal(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fifo := filepath.Join(t.TempDir(), "stalled.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			f.WriteString(`{"uid":"u1","name":"One"}` + "\n")
			<-t.Context().Done() // never closed while the tool reads
			f.Close()
		}
	}()
	// Opening a FIFO waits for a writer; the writer comes only after the
	// test, to end the wait the tool left behind.
	unopened := filepath.Join(t.TempDir(), "unopened.fifo")
	require.NoError(t, syscall.Mkfifo(unopened, 0o600))
	t.Cleanup(func() {
		if f, err := os.OpenFile(unopened, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	for _, path := range []string{"/dev/zero", fifo, unopened} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s := newFake(t)
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			r := runImport(ctx, cometEnv(), "-users", path, "-base-url", s.URL+"/v3")
			assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, "interrupted before anything was sent")
			assert.Zero(t, s.Stats().Requests)
			entries, err := os.ReadDir(tmp)
			require.NoError(t, err)
			assert.Empty(t, entries, "the copy is removed")
		})
	}
}

// TestMain runs the tool's main when a test starts this binary as the tool.
func TestMain(m *testing.M) {
	if args := os.Getenv("CHATIMPORT_TEST_MAIN"); args != "" {
		os.Args = append([]string{"chatimport"}, strings.Fields(args)...)
		main()
	}
	os.Exit(m.Run())
}

// The process itself stops on the first SIGTERM, while reading an endless
// input.
func TestSIGTERMStopsTheProcess(t *testing.T) {
	s := newFake(t)
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "CHATIMPORT_TEST_MAIN=import -users /dev/zero -base-url "+s.URL+"/v3",
		"COMETCHAT_APP_ID="+chatimporttest.AppID, "COMETCHAT_REGION=us", "COMETCHAT_API_KEY="+chatimporttest.APIKey)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	// The copy exists once the signal handler is in place and reading began.
	require.Eventually(t, func() bool {
		entries, _ := os.ReadDir(tmp)
		return len(entries) > 0
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the tool did not stop on SIGTERM")
	}
	assert.Equal(t, exitFailed, cmd.ProcessState.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "interrupted before anything was sent")
	assert.Zero(t, s.Stats().Requests)
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "the copy is removed")
}

// A signal during the verification pass stops it too: the first list
// request is held until the signal, and no other is sent.
func TestVerificationStopsOnSignal(t *testing.T) {
	s := newFake(t, chatimporttest.WithFaults(chatimporttest.Faults{}))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var lists atomic.Int32
	target, err := url.Parse(s.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			lists.Add(1)
			cancel() // as Ctrl-C would, while the request is in flight
			<-r.Context().Done()
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	var lines []string
	for g := range 3 {
		lines = append(lines, fmt.Sprintf(`{"guid":"g%d","uid":"u%d","groupDetails":{"name":"G","type":"public"},"userDetails":{"name":"U"}}`, g, g))
	}
	members := writeFile(t, "members.jsonl", lines...)
	r := runImport(ctx, cometEnv(), append([]string{"-members", members, "-base-url", front.URL + "/v3"}, fastFlags...)...)
	assert.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "members   3 records: 3 imported")
	assert.Contains(t, r.stdout, "Interrupted.")
	assert.Equal(t, int32(1), lists.Load(), "no group was listed after the signal")
}

// Tencent answers HTTP 200 to a failed request; every such attempt is
// counted with the others, by its code.
func TestSummaryCountsEveryFailedAttempt(t *testing.T) {
	s := newFake(t, chatimporttest.WithSeed(3), chatimporttest.WithTencentAutoCreate(),
		chatimporttest.WithFaults(chatimporttest.Faults{RateLimit: 0.1, Unavailable: 0.05, FailAfterApply: 0.1, TencentInternal: 0.1}))
	var lines []string
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf(`{"guid":"@TGS#group%d","uid":"user%04d"}`, i%10, i))
	}
	members := writeFile(t, "members.jsonl", lines...)
	r := runImport(t.Context(), tencentEnv(), append([]string{"-provider", "tencent", "-members", members,
		"-base-url", s.URL, "-batch", "50"}, fastFlags...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	m := regexp.MustCompile(`requests  ([0-9,]+), ([0-9,]+) failed attempts absorbed by retries: (.*)`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	f := s.Stats().Faults
	failed, err := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
	require.NoError(t, err)
	assert.Equal(t, f.RateLimit+f.Unavailable+f.FailAfterApply+f.TencentInternal, failed, m[3])
	assert.Positive(t, f.TencentInternal)
	assert.Contains(t, m[3], fmt.Sprintf("%d× Tencent 10002", f.FailAfterApply+f.TencentInternal))
	assert.Contains(t, m[3], fmt.Sprintf("%d× Tencent 10006", f.RateLimit))
}

// A repeat whose fields differ from the first record with its id is not a
// success: its fields are nowhere. The run exits 1 and names it; an
// identical repeat still counts as done.
func TestDifferingDuplicateFailsTheRun(t *testing.T) {
	s := newFake(t)
	identical := writeFile(t, "users.jsonl", `{"uid":"ada","name":"Ada","tags":["x"]}`, `{"uid":"bob","name":"Bob"}`,
		`{ "tags": ["x"], "name": "Ada", "uid": "ada" }`)
	r := runImport(t.Context(), cometEnv(), append([]string{"-users", identical, "-base-url", s.URL + "/v3"}, fastFlags...)...)
	require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, `users.jsonl:3: "ada": duplicate of line 1, identical; not sent`)
	assert.Contains(t, r.stdout, "3 records: 2 imported, 0 existed, 1 skipped (1 duplicate), 0 failed")

	differing := writeFile(t, "users.jsonl", `{"uid":"ada","name":"Ada","tags":["x"]}`, `{"uid":"bob","name":"Bob"}`,
		`{"uid":"ada","name":"Ada","tags":["y"]}`, `{"uid":"bob","name":"Bob","metadata":{"n":1}}`, `{"uid":"bob","name":"Bob"}`)
	report := filepath.Join(t.TempDir(), "report.jsonl")
	r = runImport(t.Context(), cometEnv(), append([]string{"-users", differing, "-base-url", s.URL + "/v3", "-report", report}, fastFlags...)...)
	require.Equal(t, exitFailed, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	assert.Contains(t, r.stdout, "5 records: 0 imported, 2 existed, 3 skipped (1 duplicate, 2 differing duplicate), 0 failed")
	assert.Contains(t, r.stdout, "2 duplicates not sent, with the same id as an earlier record but other fields:\n"+
		"          "+differing+`:3 "ada" (first at line 1)`+"\n"+
		"          "+differing+`:4 "bob" (first at line 2)`+"\n")
	lines := byLine(t, readReport(t, report))["users"]
	require.Len(t, lines, 5)
	assert.Equal(t, "duplicate of line 1, with different fields; not sent", lines[3].Error)
	assert.Equal(t, "duplicate of line 2, identical; not sent", lines[5].Error)
	assert.Equal(t, "skipped", lines[4].Status)
}

// A hand-made checkpoint that does not match its input is refused before
// anything is sent.
func TestCheckpointThatDoesNotFitTheInputIsRefused(t *testing.T) {
	s := newFake(t, chatimporttest.WithFaults(chatimporttest.Faults{}))
	users := writeFile(t, "users.jsonl", `{"uid":"a","name":"A"}`, `{"uid":"b b","name":"B"}`, `{"uid":"c","name":"C"}`)
	in, err := fileInput(t.Context(), "users", users)
	require.NoError(t, err)
	target := "cometchat app fake-app region us at " + s.URL + "/v3"
	for name, tc := range map[string]struct{ done, want string }{
		"beyond the input": {`[[0,999999999]]`, "marks users record 999999999 done, but " + users + " has 3 records"},
		"overflowing":      {`[[0,9223372036854775807]]`, "marks users record 9223372036854775807 done"},
		"a refused record": {`[[0,1]]`, "marks users record 1 done, but " + users + `:2 is refused (invalid uid`},
	} {
		t.Run(name, func(t *testing.T) {
			ckpt := filepath.Join(t.TempDir(), "c.json")
			require.NoError(t, os.WriteFile(ckpt, fmt.Appendf(nil, `{"version":1,"provider":"cometchat","target":%q,"inputs":{"users":{"source":%q,"fingerprint":%q,"done":%s}}}`,
				target, users, in.fingerprint, tc.done), 0o644))
			r := runImport(t.Context(), cometEnv(), append([]string{"-users", users, "-base-url", s.URL + "/v3", "-checkpoint", ckpt}, fastFlags...)...)
			assert.Equal(t, exitUsage, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
	assert.Zero(t, s.Stats().Requests)
}

func TestNullDeviceIsNoTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "/dev/null is a character device, not a terminal")
	assert.False(t, isTerminal(&strings.Builder{}))
}

package redislimit_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// quiet drops go-redis's own log lines (a dial failure on every retry),
// which would bury the test output when a test stops Redis on purpose.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	os.Exit(m.Run())
}

// redisAddr is the Redis server the tests share; .ci/run starts one and
// exports REDIS_ADDR.
func redisAddr(tb testing.TB) string {
	tb.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		tb.Skip("REDIS_ADDR is unset: start a redis-server and set REDIS_ADDR=host:port to run the Redis tests (.ci/run does both)")
	}
	return addr
}

// newRedis returns a go-redis client of its own, as another process would
// have.
func newRedis(tb testing.TB, addr string) *redis.Client {
	tb.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}

// testKey is a key no earlier run and no other test uses, so leftover
// budgets on the shared server never pace a test.
func testKey(tb testing.TB) string {
	return fmt.Sprintf("redislimit-test:%s:%d", tb.Name(), time.Now().UnixNano())
}

// closedAddr is a loopback address nothing listens on: connections to it
// are refused at once, like a Redis that has stopped.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// redisServer is a redis-server of a test's own, on a Unix socket so that
// no port can be taken while it is stopped, for tests that stop it.
type redisServer struct {
	t    *testing.T
	bin  string
	dir  string
	Sock string
	cmd  *exec.Cmd
}

func ownRedis(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH: install it (Debian: apt-get install redis-server) to run the tests that stop Redis mid-run")
	}
	dir := t.TempDir()
	s := &redisServer{t: t, bin: bin, dir: dir, Sock: filepath.Join(dir, "redis.sock")}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start runs the server and waits until it answers.
func (s *redisServer) Start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "--port", "0", "--unixsocket", s.Sock, "--save", "", "--appendonly", "no", "--dir", s.dir)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: s.Sock})
	defer rdb.Close()
	for start := time.Now(); rdb.Ping(context.Background()).Err() != nil; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			s.t.Fatal("own redis-server did not answer within 10s")
		}
	}
}

// Stop kills the server, as a crash would, and waits for it to exit.
func (s *redisServer) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// logRecorder is a slog.Handler keeping every message, for tests that
// count what a Limiter logged.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Level.String()+" "+rec.Message)
	return nil
}

// count is how many messages contain s.
func (r *logRecorder) count(s string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if strings.Contains(m, s) {
			n++
		}
	}
	return n
}

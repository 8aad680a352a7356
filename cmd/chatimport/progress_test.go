package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestProgressLine(t *testing.T) {
	p := newProgress(nil, true)
	p.label, p.total, p.done = "members", 2500, 1000
	assert.Equal(t, "members  [=========               ] 1,000/2,500  40%  500/s  ETA 3s", p.line(2*time.Second))
	p.tty = false
	assert.Equal(t, "members  1,000/2,500  40%  500/s  ETA 3s", p.line(2*time.Second))
	p.total = 0
	assert.Equal(t, "members  1,000  500/s", p.line(2*time.Second), "no total, no ETA")
	p.done = 0
	assert.Equal(t, "members  0", p.line(0))
}

// On a terminal the bar is redrawn in place and a message is printed above
// it; elsewhere a plain line is printed now and then.
func TestProgressDraws(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, true)
	p.every = time.Millisecond
	p.begin("users", 10)
	p.add(4)
	waitForDraw(t, p, &b)
	p.println("a problem")
	p.add(6)
	p.end()
	out := b.String()
	assert.Contains(t, out, "\r\x1b[Kusers    [=========               ] 4/10  40%")
	assert.Contains(t, out, "\r\x1b[Ka problem\n\r\x1b[Kusers")
	assert.Contains(t, out, "[========================] 10/10 100%")
	assert.True(t, strings.HasSuffix(out, "/s\n"), "the final bar stays, on its own line: %q", out)

	b.Reset()
	p = newProgress(&b, false)
	p.every = time.Millisecond
	p.begin("users", 10)
	p.add(4)
	waitForDraw(t, p, &b)
	p.end()
	assert.NotContains(t, b.String(), "\r")
	assert.Contains(t, b.String(), "users    4/10  40%")
}

// waitForDraw waits for the ticker's first drawing; the buffer is read
// under the lock the drawing holds.
func waitForDraw(t *testing.T, p *progress, b *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		n := b.Len()
		p.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the progress was never drawn")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCountAndPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		assert.Equal(t, want, count(n))
	}
	assert.Equal(t, "1 group", plural(1, "group"))
	assert.Equal(t, "2,000 groups", plural(2000, "group"))
	assert.Equal(t, "0 differences", plural(0, "difference"))
}

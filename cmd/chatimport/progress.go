package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal, where a progress bar can be
// redrawn in place; anywhere else (a pipe, a file, a test buffer) it would
// leave carriage returns behind.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	// A character device is not enough: /dev/null is one too.
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows how far an import is: on a terminal one line redrawn in
// place, otherwise a plain line every few seconds. Messages printed through
// it keep the bar intact.
type progress struct {
	w     io.Writer
	tty   bool
	every time.Duration

	mu      sync.Mutex
	label   string
	total   int // 0: unknown
	done    int
	started time.Time
	drawn   bool // a bar is on screen
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newProgress(w io.Writer, tty bool) *progress {
	every := 5 * time.Second
	if tty {
		every = 200 * time.Millisecond
	}
	return &progress{w: w, tty: tty, every: every}
}

// begin starts showing one import of total items.
func (p *progress) begin(label string, total int) {
	p.mu.Lock()
	p.label, p.total, p.done, p.started = label, total, 0, time.Now()
	p.stop = make(chan struct{})
	p.mu.Unlock()
	p.wg.Go(func() {
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	})
}

func (p *progress) add(n int) {
	p.mu.Lock()
	p.done += n
	p.mu.Unlock()
}

// end stops the display; on a terminal the final bar stays on its line.
func (p *progress) end() {
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		p.draw()
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// println prints a message line, above the bar on a terminal.
func (p *progress) println(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintln(p.w, msg)
	if p.drawn {
		p.draw()
	}
}

// draw writes the current state; p.mu is held.
func (p *progress) draw() {
	line := p.line(time.Since(p.started))
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[K"+line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// line renders the state after elapsed: items done of total, rate and ETA.
func (p *progress) line(elapsed time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s ", p.label)
	if p.total > 0 {
		const width = 24
		filled := min(width, p.done*width/p.total)
		if p.tty {
			b.WriteString("[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "] ")
		}
		fmt.Fprintf(&b, "%s/%s %3d%%", count(p.done), count(p.total), p.done*100/p.total)
	} else {
		b.WriteString(count(p.done))
	}
	secs := elapsed.Seconds()
	if secs <= 0 || p.done == 0 {
		return b.String()
	}
	rate := float64(p.done) / secs
	fmt.Fprintf(&b, "  %s/s", count(int(rate+0.5)))
	if left := p.total - p.done; p.total > 0 && left > 0 {
		eta := time.Duration(float64(left) / rate * float64(time.Second))
		fmt.Fprintf(&b, "  ETA %s", eta.Round(time.Second))
	}
	return b.String()
}

// count writes n with thousands separators, which makes the summary's
// numbers readable at a glance.
func count(n int) string {
	if n < 0 {
		return "-" + count(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural writes n and the noun, with an s unless n is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return count(n) + " " + noun + "s"
}

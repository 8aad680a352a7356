package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// finish closes the outputs, prints the summary and returns the exit status.
func (m *migration) finish(parent context.Context, started time.Time) int {
	if m.report != nil {
		if err := m.report.close(); err != nil && m.err == nil {
			m.err = fmt.Errorf("writing the report: %w", err)
		}
		m.report = nil
	}
	code := exitOK
	w := m.stdout
	fmt.Fprintln(w)
	for _, kind := range []string{"users", "groups", "members"} {
		if t := m.tallies[kind]; t != nil {
			fmt.Fprintf(w, "%-9s %s\n", kind, t.line(m.cfg.dryRun))
			if !t.ok() {
				code = exitFailed
			}
		}
	}
	m.listMapped(w)
	m.listDiffering(w)
	switch {
	case m.meter == nil:
		fmt.Fprintln(w, "requests  none: dry run")
	default:
		n, what := m.meter.failed()
		line := count(m.meter.requests())
		if n > 0 {
			absorbed := "absorbed by retries"
			for _, t := range m.tallies {
				if t.unread > 0 || t.n(classFailed, classInterrupted, classNotSent) > 0 {
					absorbed = "not all absorbed by retries"
				}
			}
			line += fmt.Sprintf(", %s failed attempts %s: %s", count(n), absorbed, what)
		}
		fmt.Fprintf(w, "requests  %s\n", line)
	}
	if m.fake != nil {
		fmt.Fprintf(w, "fake      injected %s\n", injected(m.fake))
	}
	if v := m.verified; v != nil {
		fmt.Fprintf(w, "verified  %s, %s, %s\n", plural(v.groups, "group"), plural(v.members, "member"), plural(v.differences, "difference"))
		if v.differences > 0 {
			code = exitFailed
		}
	}
	if lc := m.listed; lc != nil {
		for _, l := range lc.lines {
			fmt.Fprintln(w, l)
		}
		if lc.failed {
			code = exitFailed
		}
	}
	fmt.Fprintf(w, "elapsed   %s\n", time.Since(started).Round(time.Millisecond))
	if m.hidden > 0 {
		more := "use -report FILE to see them all"
		if m.cfg.reportPath != "" {
			more = "see " + m.cfg.reportPath
		}
		fmt.Fprintf(w, "%s more problems not shown; %s\n", count(m.hidden), more)
	}
	if m.stopped != nil || m.err != nil {
		code = exitFailed
	}
	switch {
	case m.err != nil:
		fmt.Fprintf(m.stderr, "chatimport: %v\n", m.err)
	case parent.Err() != nil:
		m.interrupted(w)
	case m.inputErr != nil:
		fmt.Fprintf(m.stderr, "chatimport: %v\n", m.inputErr)
		code = exitUsage
	case m.stopped != nil:
		fmt.Fprintf(m.stderr, "chatimport: stopped: %v\n", m.stopped)
	}
	return code
}

// listMapped says what fitting the records to the target changed, most
// frequent first; each record's note in the report says it for that record.
func (m *migration) listMapped(w io.Writer) {
	for _, kind := range []string{"users", "groups", "members"} {
		byChange := m.mapped[kind]
		if len(byChange) == 0 {
			continue
		}
		what := slices.SortedFunc(maps.Keys(byChange), func(a, b string) int {
			return cmp.Or(cmp.Compare(byChange[b], byChange[a]), cmp.Compare(a, b))
		})
		shown := what[:min(len(what), 8)]
		parts := make([]string, len(shown))
		for i, c := range shown {
			parts[i] = fmt.Sprintf("%s ×%s", c, count(byChange[c]))
		}
		if more := len(what) - len(shown); more > 0 {
			parts = append(parts, fmt.Sprintf("and %s more (see the report's notes)", plural(more, "change")))
		}
		fmt.Fprintf(w, "mapped    %s: %s\n", kind, strings.Join(parts, ", "))
	}
}

// listDiffering names the duplicates whose fields differ from the record
// they repeat: their fields are on the server nowhere, so each is a failure
// the user has to settle by hand.
func (m *migration) listDiffering(w io.Writer) {
	n := 0
	for _, t := range m.tallies {
		n += t.byClass[classDiffering]
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "%s not sent, with the same id as an earlier record but other fields:\n", plural(n, "duplicate"))
	for _, o := range m.differing {
		fmt.Fprintf(w, "          %s:%d %q (first at line %d)\n", m.inputs[o.kind].name, o.line, o.id, o.first.line)
	}
	if more := n - len(m.differing); more > 0 {
		fmt.Fprintf(w, "          and %s more\n", count(more))
	}
}

func (m *migration) interrupted(w io.Writer) {
	if m.ckpt != nil {
		fmt.Fprintf(w, "Interrupted. Progress is saved in %s: run the same command to resume.\n", m.cfg.checkpointPath)
		return
	}
	fmt.Fprintln(w, "Interrupted. Without -checkpoint a rerun sends everything again (what arrived comes back as existed).")
}

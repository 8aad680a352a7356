package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatimport/chatimport"
)

// class is how an item ended, in more detail than the library's Status: the
// summary and the exit status tell a duplicate from an interruption and a
// refused record from a provider's failure.
type class int

const (
	classImported    class = iota
	classExisted           // already on the server: a success
	classDone              // finished by an earlier run, per the checkpoint
	classValid             // dry run: would be sent
	classDuplicate         // skipped: repeats an earlier record, field for field
	classDiffering         // skipped: repeats an earlier record's id with other fields; a failure
	classNotSent           // skipped: the import stopped first
	classUnfit             // skipped: the target provider cannot hold the record at all (mapping.go)
	classInvalid           // failed: refused by the provider's rules, before any request
	classMalformed         // failed: the line could not be read
	classInterrupted       // failed: in flight when the import stopped; it may have arrived
	classFailed            // failed at the provider or on the way there
)

// outcome is how one input item ended in this run: one per non-blank line.
type outcome struct {
	kind   string
	index  int // record index in the input, from 0
	line   int // line number, from 1
	id     string
	status string // as the report spells it
	msg    string // why, for anything but a success
	class  class
	first  position // of the record a duplicate repeats
	quiet  bool     // not printed: its cause is reported once, not per item
	// changes is what the mapping to the target changed or left behind.
	changes changes
}

// fromResult turns the library's result for an item into an outcome. posOf
// maps a position in the fed sequence back to its input record, for a
// duplicate's reference to the record it repeats. A duplicate's outcome is
// provisional: the pass compares the two records before it is final.
func fromResult(kind string, at position, r chatimport.ItemResult, posOf func(seq int) position) outcome {
	o := outcome{kind: kind, index: at.index, line: at.line, id: r.ID, status: r.Status.String()}
	var invalid *chatimport.ValidationError
	var dup *chatimport.DuplicateError
	switch {
	case r.Status == chatimport.StatusImported:
		o.class = classImported
	case r.Status == chatimport.StatusExisted:
		o.class = classExisted
	case errors.Is(r.Err, errDryRun):
		o.class, o.status = classValid, "valid"
	case errors.As(r.Err, &invalid):
		o.class, o.msg = classInvalid, fmt.Sprintf("invalid %s: %s", invalid.Field, invalid.Reason)
		if renameable(invalid.Field) {
			o.msg += " (rename it with -id-map)"
		}
	case errors.As(r.Err, &dup):
		o.class, o.first = classDuplicate, posOf(dup.First)
	case r.Status == chatimport.StatusSkipped:
		o.class, o.msg, o.quiet = classNotSent, "not sent: "+cause(r.Err), true
	case errors.Is(r.Err, context.Canceled):
		o.class, o.msg, o.quiet = classInterrupted, "interrupted in flight: it may have arrived; a rerun sends it again", true
	default:
		o.class, o.msg = classFailed, cause(r.Err)
	}
	return o
}

func cause(err error) string {
	switch {
	case err == nil:
		return "no reason given"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}

// tally counts one kind's outcomes for the summary and the exit status.
type tally struct {
	records int // reported
	unread  int // never read: the import stopped first
	byClass [classFailed + 1]int
	changed int // on the server, with something changed or left behind by the mapping
}

func (t *tally) add(o *outcome) {
	t.records++
	t.byClass[o.class]++
	if len(o.changes) > 0 && (o.class == classImported || o.class == classExisted || o.class == classValid) {
		t.changed++
	}
}

func (t *tally) n(classes ...class) int {
	sum := 0
	for _, c := range classes {
		sum += t.byClass[c]
	}
	return sum
}

// ok reports whether every record of this kind is on the server or would be
// sent (dry run); identical duplicates count, as the record they repeat is
// there, but a duplicate with other fields does not: those fields are not.
func (t *tally) ok() bool {
	return t.unread == 0 && t.n(classDiffering, classNotSent, classUnfit, classInvalid, classMalformed, classInterrupted, classFailed) == 0
}

// line renders the tally's line of the summary; a dry run has only valid
// items where an import has imported and existed ones.
func (t *tally) line(dry bool) string {
	s := count(t.records+t.unread) + " records: "
	if dry {
		s += count(t.byClass[classValid]) + " valid"
	} else {
		s += count(t.byClass[classImported]) + " imported, " + count(t.byClass[classExisted]) + " existed"
		if d := t.byClass[classDone]; d > 0 {
			s += ", " + count(d) + " done earlier"
		}
	}
	s += ", " + count(t.n(classDuplicate, classDiffering, classNotSent, classUnfit)) + " skipped"
	s += detail(t.byClass[classDuplicate], "duplicate", t.byClass[classDiffering], "differing duplicate",
		t.byClass[classNotSent], "not sent", t.byClass[classUnfit], "the target cannot hold")
	s += ", " + count(t.n(classInvalid, classMalformed, classInterrupted, classFailed)) + " failed"
	s += detail(t.byClass[classInvalid], "invalid", t.byClass[classMalformed], "malformed",
		t.byClass[classInterrupted], "interrupted", t.byClass[classFailed], "at the provider")
	if t.unread > 0 {
		s += ", " + count(t.unread) + " not read (the import stopped first)"
	}
	if t.changed > 0 {
		s += "; " + count(t.changed) + " with fields changed or left behind by the mapping"
	}
	return s
}

// detail lists the non-zero parts of a count in parentheses, or nothing
// when there are none.
func detail(pairs ...any) string {
	s := ""
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := pairs[i].(int); n > 0 {
			if s != "" {
				s += ", "
			}
			s += count(n) + " " + pairs[i+1].(string)
		}
	}
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

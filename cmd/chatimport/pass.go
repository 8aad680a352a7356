package main

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"slices"
	"sort"

	"github.com/chatimport/chatimport"
)

// kind is what differs between importing users, groups and members.
type kind[T any] struct {
	name   string
	decode func(inputLine) (T, error)
	id     func(*T) string
	// fit maps a record onto what the target provider can hold (see
	// mapping.go), saying what it changed or why the record cannot land.
	fit func(*mapper, *T) (changes, error)
}

var (
	usersKind = &kind[chatimport.User]{name: "users", decode: decodeUser, id: func(u *chatimport.User) string { return u.UID },
		fit: (*mapper).user}
	groupsKind = &kind[chatimport.Group]{name: "groups", decode: decodeGroup, id: func(g *chatimport.Group) string { return g.GUID },
		fit: (*mapper).group}
	membersKind = &kind[chatimport.Member]{name: "members", decode: decodeMember, id: (*chatimport.Member).ID, fit: (*mapper).member}
)

// streamImport is the one place that calls the library's streaming imports.
func streamImport[T any](ctx context.Context, c *chatimport.Client, items iter.Seq2[T, error], fn func(chatimport.ItemResult)) error {
	switch items := any(items).(type) {
	case iter.Seq2[chatimport.User, error]:
		return c.ImportUsersSeq(ctx, items, fn)
	case iter.Seq2[chatimport.Group, error]:
		return c.ImportGroupsSeq(ctx, items, fn)
	case iter.Seq2[chatimport.Member, error]:
		return c.ImportMembersSeq(ctx, items, fn)
	}
	return fmt.Errorf("the library has no streaming import of %T", items)
}

// pass streams one input through one import call and ends every non-blank
// line it reads in exactly one outcome: malformed lines and skipped records
// here, everything fed to the library by its result. Memory stays bounded by
// the library's batches in flight (and the duplicates found), however long
// the input.
type pass[T any] struct {
	kind   *kind[T]
	in     *input
	client *chatimport.Client
	// skip, when set, ends a record before it is fed: one finished by an
	// earlier run, or refused when the input was checked on resume.
	skip func(index int, id string) (outcome, bool)
	// watch, when set, sees each item fed and whether it ended on the server.
	watch watcher[T]
	// mapper, when set, fits each record to the target before it is fed.
	mapper *mapper
	// hold, when set, decides when each record is fed (see owners.go).
	hold holder[T]
	emit func(*outcome)
}

type watcher[T any] interface {
	fed(seq int, item *T)
	ended(seq int, ok bool)
}

// run returns the import's error (an *chatimport.ImportError when some
// items failed, which the outcomes already tell) or an input error.
func (p *pass[T]) run(ctx context.Context) error {
	r, err := p.in.open()
	if err != nil {
		return err
	}
	defer r.Close()
	var (
		seqs    seqMap
		seq     int
		readErr error
		dups    []outcome
		noted   = map[int]changes{} // by seq: what the mapping changed, until the item ends
	)
	// The sequence and the result callback both run on this goroutine (the
	// library pulls items and calls back from its caller's), so the state
	// above needs no lock.
	items := func(yield func(T, error) bool) {
		feed := func(h held[T]) bool {
			if len(h.changes) > 0 {
				noted[seq] = h.changes
			}
			seqs.fed(seq, h.at.index, h.at.line)
			if p.watch != nil {
				p.watch.fed(seq, &h.item)
			}
			seq++
			return yield(h.item, nil)
		}
		// When the import stops (a signal, a fatal error) the library stops
		// pulling and reading ends: the records after it are counted as not
		// read, not reported one by one.
		readErr = scanLines(ctx, r, nil, func(l inputLine) bool {
			item, err := p.kind.decode(l)
			if err != nil {
				p.emit(&outcome{kind: p.kind.name, index: l.index, line: l.num, status: "failed",
					class: classMalformed, msg: "malformed line: " + err.Error()})
				return true
			}
			if p.skip != nil {
				if o, ok := p.skip(l.index, p.kind.id(&item)); ok {
					o.line = l.num
					p.emit(&o)
					return true
				}
			}
			h := held[T]{item: item, at: position{l.index, l.num}}
			if p.mapper != nil {
				ch, err := p.kind.fit(p.mapper, &h.item)
				if err != nil {
					p.emit(&outcome{kind: p.kind.name, index: l.index, line: l.num, id: p.kind.id(&h.item), status: "skipped",
						class: classUnfit, msg: err.Error(), changes: ch})
					return true
				}
				h.changes = ch
			}
			if p.hold != nil {
				return p.hold.add(ctx, h, feed)
			}
			return feed(h)
		})
		if p.hold != nil {
			p.hold.drain(ctx, feed)
		}
	}
	err = streamImport(ctx, p.client, items, func(r chatimport.ItemResult) {
		o := fromResult(p.kind.name, seqs.at(r.Index), r, seqs.at)
		o.changes = noted[r.Index]
		delete(noted, r.Index)
		if p.watch != nil {
			p.watch.ended(r.Index, r.Status.OK())
		}
		if o.class == classDuplicate {
			dups = append(dups, o)
			return
		}
		p.emit(&o)
	})
	p.settle(ctx, dups)
	if readErr != nil && ctx.Err() == nil {
		return fmt.Errorf("reading %s: %w", p.in.name, readErr)
	}
	return err
}

// settle ends each duplicate the library reported by comparing it with the
// record it repeats, decoded from the input once more, field for field. The
// library tells a differing repeat by a hash of what it would send, and no
// record counts as on the server on a hash; so the tool decides exactly.
func (p *pass[T]) settle(ctx context.Context, dups []outcome) {
	if len(dups) == 0 {
		return
	}
	pending := map[int]*outcome{} // by the duplicate's record index
	firsts := map[int]*T{}        // the records repeated, once read
	last := 0
	for i := range dups {
		pending[dups[i].index] = &dups[i]
		firsts[dups[i].first.index] = nil
		last = max(last, dups[i].index)
	}
	// Only records already read are read again, so a stop does not end it.
	err := p.in.each(context.WithoutCancel(ctx), func(l inputLine) bool {
		if _, ok := firsts[l.index]; ok {
			if item, err := p.kind.decode(l); err == nil {
				firsts[l.index] = &item
			}
		}
		if o := pending[l.index]; o != nil {
			item, err := p.kind.decode(l)
			first := firsts[o.first.index]
			how := "identical"
			if err != nil || first == nil || !reflect.DeepEqual(*first, item) {
				o.class, how = classDiffering, "with different fields"
			}
			o.msg = fmt.Sprintf("duplicate of line %d, %s; not sent", o.first.line, how)
			p.emit(o)
			delete(pending, l.index)
		}
		return l.index < last
	})
	why := cause(err)
	if err == nil {
		why = "the input changed while it was imported"
	}
	for _, index := range slices.Sorted(maps.Keys(pending)) {
		o := pending[index]
		o.class = classNotSent
		o.msg = fmt.Sprintf("duplicate of line %d; not compared with it: %s", o.first.line, why)
		p.emit(o)
	}
}

// position is where a record sits in its input.
type position struct{ index, line int }

// seqMap maps positions in the sequence fed to the library back to input
// records. Records are fed in order, so only the places where a skipped or
// blank line shifts the mapping are stored: memory grows with the number of
// gaps, not of records.
type seqMap struct{ marks []mark }

// mark says that from seq on, position grows one for one with the sequence.
type mark struct {
	seq int
	at  position
}

func (m *seqMap) fed(seq, index, line int) {
	if n := len(m.marks); n > 0 {
		last := m.marks[n-1]
		if index-seq == last.at.index-last.seq && line-seq == last.at.line-last.seq {
			return
		}
	}
	m.marks = append(m.marks, mark{seq, position{index, line}})
}

func (m *seqMap) at(seq int) position {
	k := sort.Search(len(m.marks), func(j int) bool { return m.marks[j].seq > seq }) - 1
	mk := m.marks[k]
	d := seq - mk.seq
	return position{mk.at.index + d, mk.at.line + d}
}

package main

import (
	"context"
	"fmt"
	"iter"
	"sort"

	"github.com/chatimport/chatimport"
)

// kind is what differs between importing users and importing members.
type kind[T any] struct {
	name   string
	decode func(inputLine) (T, error)
	id     func(*T) string
	send   func(*chatimport.Client, context.Context, iter.Seq2[T, error], func(chatimport.ItemResult)) error
}

var (
	usersKind = &kind[chatimport.User]{name: "users", decode: decodeUser,
		id: func(u *chatimport.User) string { return u.UID }, send: (*chatimport.Client).ImportUsersSeq}
	membersKind = &kind[chatimport.Member]{name: "members", decode: decodeMember,
		id: (*chatimport.Member).ID, send: (*chatimport.Client).ImportMembersSeq}
)

// pass streams one input through one import call and ends every non-blank
// line in exactly one outcome: malformed lines and skipped records here,
// everything fed to the library by its result. Memory stays bounded by the
// library's batches in flight, however long the input.
type pass[T any] struct {
	kind   *kind[T]
	in     *input
	client *chatimport.Client
	// skip, when set, ends a record before it is fed: one finished by an
	// earlier run, or refused when the input was checked on resume.
	skip func(index int, id string) (outcome, bool)
	// watch, when set, sees each item fed and whether it ended on the server.
	watch watcher[T]
	emit  func(*outcome)
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
	)
	// The sequence and the result callback both run on this goroutine (the
	// library pulls items and calls back from its caller's), so the state
	// above needs no lock.
	items := func(yield func(T, error) bool) {
		readErr = scanLines(r, func(l inputLine) bool {
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
			seqs.fed(seq, l.index, l.num)
			if p.watch != nil {
				p.watch.fed(seq, &item)
			}
			seq++
			return yield(item, nil)
		})
	}
	err = p.kind.send(p.client, ctx, items, func(r chatimport.ItemResult) {
		o := fromResult(p.kind.name, seqs.at(r.Index), r, func(seq int) int { return seqs.at(seq).line })
		if p.watch != nil {
			p.watch.ended(r.Index, r.Status.OK())
		}
		p.emit(&o)
	})
	if readErr != nil {
		return fmt.Errorf("reading %s: %w", p.in.name, readErr)
	}
	return err
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

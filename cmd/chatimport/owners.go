package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/chatimport/chatimport"
)

// On Tencent accounts and groups draw on separate budgets (100 and 200
// requests a second), so the tool imports them at once and the migration
// takes as long as the longer of the two, not their sum. One thing ties
// them: a group's owner must be an account when the group is created, or
// Tencent refuses it (10019). So a group whose owner is an account of this
// run waits until that account is on the server, and every other group (no
// owner, or an owner this run does not import: already there, or never
// coming) goes at once. Waiting groups are fed to the same import, later
// than their input order, so the library sees each record once, reports it
// once, and checkpoints it by its input index as before; a group repeating
// the guid of a waiting one waits behind it, so the first of a guid in the
// input is still the one sent and the later one the duplicate.

// maxHeldGroups bounds the groups held back at once (a few MB). Past it
// reading waits for owners to land: slower, never wrong.
const maxHeldGroups = 4096

// ownerGate knows the owners of the groups and which of them are accounts
// this run imports, and which of those are on the server yet. It is shared
// by the accounts import, which reports each account landed, the groups
// import, which waits on it, and the read of the accounts file that finds
// which owners it holds: that read runs beside both imports, so an owner
// counts as waited for until the read has cleared it or it has landed.
type ownerGate struct {
	mu      sync.Mutex
	owners  map[string]bool // of the groups, as fitted
	landed  map[string]bool // owners whose accounts this run put on the server
	pending map[string]bool // owners the accounts file holds: imported by this run
	scanned bool            // pending is complete
	open    bool            // the accounts import ended: no group waits any more
	changed chan struct{}   // closed, and replaced, at every change above
}

// newOwnerGate reads the groups for their owners, as the import will fit
// them. Only owners are kept, so memory grows with the groups, not the
// accounts.
func (m *migration) newOwnerGate(ctx context.Context) (*ownerGate, error) {
	g := &ownerGate{owners: map[string]bool{}, landed: map[string]bool{}, pending: map[string]bool{}, changed: make(chan struct{})}
	err := m.groups.each(ctx, func(l inputLine) bool {
		if gr, err := decodeGroup(l); err == nil {
			if _, err := m.mapper.group(&gr); err == nil && gr.Owner != "" {
				g.owners[gr.Owner] = true
			}
		}
		return true
	})
	if err != nil {
		return g, fmt.Errorf("reading %s: %w", m.groups.name, err)
	}
	return g, nil
}

// scanAccounts reads the accounts file for the owners it holds, as the
// import will fit them; an account an earlier run finished, or one refused
// on resume (done, as the checkpoint had it before this run: the
// checkpoint's own set grows as the accounts land), is not waited for. A
// read that fails leaves every owner waited for until the accounts import
// ends: slower, never wrong; and that import, reading the same file,
// reports the failure.
func (m *migration) scanAccounts(ctx context.Context, g *ownerGate, done ranges) {
	refused := m.refused[usersKind.name]
	found := map[string]bool{}
	err := m.users.each(ctx, func(l inputLine) bool {
		if _, ok := refused[l.index]; ok || done.has(l.index) {
			return true
		}
		if u, err := decodeUser(l); err == nil {
			if _, err := m.mapper.user(&u); err == nil && g.owners[u.UID] {
				found[u.UID] = true
			}
		}
		return true
	})
	if err != nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending, g.scanned = found, true
	g.signal()
}

// next returns the channel closed at the gate's next change.
func (g *ownerGate) next() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.changed
}

// ready says whether a group of this owner can be created now.
func (g *ownerGate) ready(owner string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open || !g.owners[owner] || g.landed[owner] || (g.scanned && !g.pending[owner])
}

// land records an account on the server.
func (g *ownerGate) land(uid string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.owners[uid] && !g.landed[uid] {
		g.landed[uid] = true
		g.signal()
	}
}

// openAll lets every group go once the accounts import has ended: an owner
// whose account failed will fail its group, as it would have in sequence.
func (g *ownerGate) openAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = true
	g.signal()
}

func (g *ownerGate) signal() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// held is a record fitted and ready to be fed, with where it sits in its
// input and what the mapping changed.
type held[T any] struct {
	item    T
	at      position
	changes changes
}

// holder decides when a pass feeds each record: feed sends one on and says
// whether the library still pulls.
type holder[T any] interface {
	add(ctx context.Context, h held[T], feed func(held[T]) bool) bool
	// drain feeds what is still held once the input is read, and ends in an
	// outcome each record that can no longer be fed.
	drain(ctx context.Context, feed func(held[T]) bool)
}

// ownerHold holds back the groups whose owner has not landed yet.
type ownerHold struct {
	gate   *ownerGate
	emit   func(*outcome)
	queue  []held[chatimport.Group] // in input order
	guids  map[string]int           // held, by guid
	seen   <-chan struct{}          // the gate's change the queue was last looked at under
	closed bool                     // the library stopped pulling
}

func newOwnerHold(gate *ownerGate, emit func(*outcome)) *ownerHold {
	return &ownerHold{gate: gate, emit: emit, guids: map[string]int{}}
}

func (o *ownerHold) add(ctx context.Context, h held[chatimport.Group], feed func(held[chatimport.Group]) bool) bool {
	changed := o.gate.next()
	o.flush(changed, false, feed)
	if o.closed {
		return false
	}
	if o.guids[h.item.GUID] == 0 && o.gate.ready(h.item.Owner) {
		return o.send(h, feed)
	}
	o.queue = append(o.queue, h)
	o.guids[h.item.GUID]++
	for len(o.queue) >= maxHeldGroups && !o.closed {
		select {
		case <-changed:
		case <-ctx.Done():
			return true // reading stops on its own; drain ends the rest
		}
		changed = o.gate.next()
		o.flush(changed, false, feed)
	}
	return !o.closed
}

func (o *ownerHold) drain(ctx context.Context, feed func(held[chatimport.Group]) bool) {
	for len(o.queue) > 0 && !o.closed {
		changed := o.gate.next()
		// Once the import stops everything held is fed: the library ends it
		// as not sent, with the reason.
		o.flush(changed, ctx.Err() != nil, feed)
		if len(o.queue) == 0 || o.closed {
			break
		}
		select {
		case <-changed:
		case <-ctx.Done():
		}
	}
	for _, h := range o.queue {
		o.emit(&outcome{kind: groupsKind.name, index: h.at.index, line: h.at.line, id: h.item.GUID, status: "skipped",
			class: classNotSent, msg: "not sent: the import stopped first", quiet: true})
	}
	o.queue = nil
}

// flush feeds, in input order, each held group whose owner has landed and
// that no earlier held group of its guid waits before. It looks only when
// the gate changed since it last looked, or when stopping.
func (o *ownerHold) flush(changed <-chan struct{}, stopping bool, feed func(held[chatimport.Group]) bool) {
	if (changed == o.seen && !stopping) || len(o.queue) == 0 {
		return
	}
	o.seen = changed
	waiting := map[string]bool{}
	kept := o.queue[:0]
	for _, h := range o.queue {
		guid := h.item.GUID
		if o.closed || waiting[guid] || !(stopping || o.gate.ready(h.item.Owner)) {
			waiting[guid] = true
			kept = append(kept, h)
			continue
		}
		if o.guids[guid]--; o.guids[guid] == 0 {
			delete(o.guids, guid)
		}
		o.send(h, feed)
	}
	clear(o.queue[len(kept):])
	o.queue = kept
}

func (o *ownerHold) send(h held[chatimport.Group], feed func(held[chatimport.Group]) bool) bool {
	if !feed(h) {
		o.closed = true
	}
	return !o.closed
}

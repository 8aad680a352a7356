package chatimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatimport/chatimport/internal/batch"
)

// Status is how one input item of an import ended.
type Status int

// The statuses an item can end in. The zero Status is not one of them, so a
// zero ItemResult never reads as a success.
const (
	StatusImported Status = iota + 1 // created by this call
	StatusExisted                    // already on the server: a success
	StatusFailed                     // refused or not known to have arrived; Err says why
	StatusSkipped                    // not sent: a duplicate, or the import stopped first; Err says why
)

// String is the status in lower case, as reports show it.
func (s Status) String() string {
	switch s {
	case StatusImported:
		return "imported"
	case StatusExisted:
		return "existed"
	case StatusFailed:
		return "failed"
	case StatusSkipped:
		return "skipped"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// OK reports whether the item is on the server: imported now or before.
func (s Status) OK() bool { return s == StatusImported || s == StatusExisted }

// ItemResult is how one input item ended.
type ItemResult struct {
	Index  int    // position in the input
	ID     string // uid, or "<guid>_member_<uid>"
	Status Status
	Err    error // why it failed or was skipped; nil otherwise
}

// ImportResult holds exactly one ItemResult per input item, in input order.
type ImportResult struct {
	Items []ItemResult
}

// Count returns how many items ended in status s.
func (r *ImportResult) Count(s Status) int {
	n := 0
	for _, it := range r.Items {
		if it.Status == s {
			n++
		}
	}
	return n
}

// importSpec is what a provider contributes to one kind of import.
type importSpec[T any] struct {
	kind     string // "user" or "member", for messages
	keyField string // the field named when two ids collide
	// id is the item's id as ItemResult reports it; a composed one is
	// built in the arena.
	id func(*T, *arena) string
	// key identifies the entity on the server, given the item's id: two
	// items with equal keys (and parts) are the same entity. CometChat
	// lower-cases ids, so its key does too.
	key func(*T, string) string
	// part keeps items with different parts out of one request (Tencent
	// sends one group per request); nil when any items may share one.
	part func(*T) string
	// check applies the provider's rules; Index and ID are filled in after.
	check func(*T, time.Time) *ValidationError
	// encode appends the item's wire JSON to dst, given its id; it is
	// encoded once, however often it is sent.
	encode func(dst []byte, item *T, id string) ([]byte, error)
	send   sendFunc
}

// job is one admitted item, encoded and ready to go.
type job struct {
	index int
	id    string
	part  string
	wire  []byte
}

// outcome is the answer for one item of a request.
type outcome struct {
	status Status
	err    error
	again  bool // a temporary per-item failure: send the item again
}

// sendFunc sends one batch. It returns one outcome per job, or an error that
// befell the whole request.
type sendFunc func(ctx context.Context, jobs []job) ([]outcome, error)

// runImport admits items one by one, cuts them into batches, sends up to
// c.concurrency batches at once and hands every item's result to emit, from
// the calling goroutine. sizeHint is the number of items when known, else 0.
// Memory stays bounded by batch size × concurrency, plus 16 to 40 bytes per
// distinct id for duplicate detection (a 16-byte map entry and the map's
// slack): exact detection of repeats and case collisions across a whole
// stream needs to remember every id.
func runImport[T any](ctx context.Context, c *Client, spec *importSpec[T], items iter.Seq[T], sizeHint int, emit func(ItemResult)) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	// Each batch sent comes back as one message with all its results, so
	// the channel never holds more than the batches in flight.
	results := make(chan []ItemResult, c.concurrency)
	work := make(chan []job)
	var workers sync.WaitGroup
	started, inFlight := 0, 0
	worker := func() {
		for jobs := range work {
			results <- c.sendBatch(ctx, stop, spec.send, jobs)
		}
	}
	summary := &ImportError{}
	deliver := func(r ItemResult) {
		summary.add(r)
		emit(r)
	}
	deliverAll := func(rs []ItemResult) {
		inFlight--
		for _, r := range rs {
			deliver(r)
		}
	}
	in := newIntake(spec, c.now, sizeHint)
	admitted := func(yield func(job) bool) {
		i := 0
		// One variable for all items: taking the address of the loop's own
		// would move every item to the heap.
		var item T
		for item = range items {
			index := i
			i++
			if ctx.Err() != nil {
				deliver(ItemResult{Index: index, ID: spec.id(&item, &in.arena), Status: StatusSkipped, Err: context.Cause(ctx)})
				continue
			}
			j, refused := in.admit(index, &item)
			if refused != nil {
				deliver(*refused)
				continue
			}
			if !yield(j) {
				return
			}
		}
	}
	// Keys are unique already (intake skips repeats), so Split need not check.
	for jobs := range batch.Split(admitted, c.batchSize, nil, jobPart) {
		// Start another worker only when every one is busy: a small import
		// then costs one goroutine, not c.concurrency of them.
		if inFlight == started && started < c.concurrency {
			started++
			workers.Go(worker)
		}
		for sent := false; !sent; {
			select {
			case work <- jobs:
				sent = true
				inFlight++
			case rs := <-results:
				deliverAll(rs)
			}
		}
	}
	close(work)
	for inFlight > 0 {
		deliverAll(<-results)
	}
	workers.Wait()
	if summary.Failed+summary.Skipped == 0 {
		return nil
	}
	return summary
}

func jobPart(j job) string { return j.part }

// sendBatch sends one batch, sends again the items the server failed for a
// temporary reason (at most c.retry.Max times), and returns the result of
// every item. An error fatal to the whole import (bad credentials, no
// permission) stops it.
func (c *Client) sendBatch(ctx context.Context, stop context.CancelCauseFunc, send sendFunc, jobs []job) []ItemResult {
	out := make([]ItemResult, 0, len(jobs))
	report := func(jobs []job, status Status, err error) {
		for _, j := range jobs {
			out = append(out, ItemResult{Index: j.index, ID: j.id, Status: status, Err: err})
		}
	}
	for n := 0; ; n++ {
		if ctx.Err() != nil {
			report(jobs, StatusSkipped, context.Cause(ctx))
			return out
		}
		outcomes, err := send(ctx, jobs)
		if err != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			} else if fatal(err) {
				stop(err)
			}
			report(jobs, StatusFailed, err)
			return out
		}
		var again []job
		for i, o := range outcomes {
			if o.err != nil && fatal(o.err) {
				stop(o.err)
			}
			if o.again && n < c.retry.Max {
				again = append(again, jobs[i])
				continue
			}
			out = append(out, ItemResult{Index: jobs[i].index, ID: jobs[i].id, Status: o.status, Err: o.err})
		}
		if len(again) == 0 {
			return out
		}
		if err := c.sleep(ctx, c.retry.Wait(n, 0)); err != nil {
			report(again, StatusSkipped, context.Cause(ctx))
			return out
		}
		jobs = again
	}
}

// fatal reports whether err will befall every other request of the import
// too, so that sending them is pointless.
func fatal(err error) bool {
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrPermission) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// intake validates items, refuses case collisions and skips repeats before
// anything is sent.
type intake[T any] struct {
	spec *importSpec[T]
	now  func() time.Time
	seed maphash.Seed
	// seen maps a hash of each admitted key to its first item, packed
	// (see seenItem). Hashes rather than keys keep a million-item stream's
	// memory small; a false match between 64-bit hashes is too unlikely to
	// matter (about 3e-8 per million items).
	seen     map[uint64]seenItem
	arena    arena
	t        time.Time // the last clock read
	admitted int

	lastPart     string
	lastPartHash uint64
}

// seenItem packs what a repeat needs to know of the first item into 8
// bytes, halving the entry of a map that grows with every distinct id: the
// first item's index (32 bits; saturating, so a stream past four billion
// items names "item 4294967295" for later ones), 16 bits of the hash of
// its id exactly as given (a letter-case collision tells itself from a true
// repeat but once in 65,536), and 16 bits of the hash of its encoding (for
// whether a repeat's fields differ).
type seenItem uint64

func packSeen(index int, idHash, wireHash uint64) seenItem {
	return seenItem(uint64(min(index, math.MaxUint32))<<32 | (idHash&0xffff)<<16 | wireHash&0xffff)
}

func (s seenItem) index() int { return int(s >> 32) }

func (s seenItem) sameID(idHash uint64) bool { return uint64(s>>16)&0xffff == idHash&0xffff }

func (s seenItem) sameWire(wireHash uint64) bool { return uint64(s)&0xffff == wireHash&0xffff }

// partHash hashes a part, remembering the last one: items of one part
// usually come together.
func (in *intake[T]) partHash(part string) uint64 {
	if part != in.lastPart || in.lastPartHash == 0 {
		in.lastPart, in.lastPartHash = part, maphash.String(in.seed, part)
	}
	return in.lastPartHash
}

// clock returns the time the checks compare with, read afresh every 64
// items: exact enough for "not in the future", and cheaper than a clock
// read per item.
func (in *intake[T]) clock() time.Time {
	if in.admitted%64 == 0 {
		in.t = in.now()
	}
	in.admitted++
	return in.t
}

func newIntake[T any](spec *importSpec[T], now func() time.Time, sizeHint int) *intake[T] {
	return &intake[T]{spec: spec, now: now, seed: maphash.MakeSeed(), seen: make(map[uint64]seenItem, sizeHint)}
}

// admit returns the item's job, or the result that ends it without a request.
func (in *intake[T]) admit(index int, item *T) (job, *ItemResult) {
	spec := in.spec
	id := spec.id(item, &in.arena)
	refuse := func(status Status, err error) (job, *ItemResult) {
		return job{}, &ItemResult{Index: index, ID: id, Status: status, Err: err}
	}
	if v := spec.check(item, in.clock()); v != nil {
		v.Index, v.ID = index, id
		return refuse(StatusFailed, v)
	}
	wire, err := encodeInto(&in.arena, item, id, spec.encode)
	if err != nil {
		v, ok := err.(*ValidationError)
		if !ok {
			v = fieldError("metadata", "does not encode as JSON: %v", err)
		}
		v.Index, v.ID = index, id
		return refuse(StatusFailed, v)
	}
	key := spec.key(item, id)
	j := job{index: index, id: id, wire: wire}
	if spec.part != nil {
		j.part = spec.part(item)
	}
	// The part is hashed apart from the key so that no two (part, key)
	// pairs can run together into one.
	keyHash := maphash.String(in.seed, key)
	k := keyHash ^ bits.RotateLeft64(in.partHash(j.part), 1)
	idHash := keyHash
	if key != id {
		idHash = maphash.String(in.seed, id)
	}
	wireHash := maphash.Bytes(in.seed, wire)
	if first, ok := in.seen[k]; ok {
		if !first.sameID(idHash) {
			return refuse(StatusFailed, &ValidationError{Index: index, ID: id, Field: spec.keyField,
				Reason: fmt.Sprintf("differs from item %d only in letter case; the provider lower-cases ids, so both would be one %s", first.index(), spec.kind)})
		}
		return refuse(StatusSkipped, &DuplicateError{Index: index, ID: id, First: first.index(), Differs: !first.sameWire(wireHash)})
	}
	in.seen[k] = packSeen(index, idHash, wireHash)
	return j, nil
}

// specFunc is a provider's import of one kind, or why it has none.
type specFunc[T any] func(*Client) (*importSpec[T], error)

// importAll runs an import over a slice and collects its results in input
// order.
func importAll[T any](ctx context.Context, c *Client, specOf specFunc[T], items []T) (*ImportResult, error) {
	spec, err := specOf(c)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Items: make([]ItemResult, len(items))}
	err = runImport(ctx, c, spec, slices.Values(items), len(items), func(r ItemResult) { res.Items[r.Index] = r })
	return res, err
}

// importSeq runs an import over a stream, handing each result to fn.
func importSeq[T any](ctx context.Context, c *Client, specOf specFunc[T], items iter.Seq[T], fn func(ItemResult)) error {
	spec, err := specOf(c)
	if err != nil {
		return err
	}
	if fn == nil {
		return errors.New("chatimport: nil result func")
	}
	return runImport(ctx, c, spec, items, 0, fn)
}

// Sizes of the chunks ids and encoded items are cut from: enough for a few
// hundred of each, small enough that a one-batch import stays light.
const (
	idChunk   = 4 << 10
	wireChunk = 16 << 10
)

// arena hands out ids and encoded items cut from shared chunks, so that
// admitting an item allocates nothing in the common case. Nothing is ever
// written where a piece was handed out, so pieces stay valid; a chunk is
// collected once no job or result refers to it.
type arena struct {
	ids  strings.Builder
	wire []byte
}

// join returns the concatenation of parts.
func (a *arena) join(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if a.ids.Cap()-a.ids.Len() < n {
		a.ids = strings.Builder{}
		a.ids.Grow(max(idChunk, n))
	}
	start := a.ids.Len()
	for _, p := range parts {
		a.ids.WriteString(p)
	}
	return a.ids.String()[start:]
}

// encodeInto appends item's encoding to a's current chunk and returns it.
func encodeInto[T any](a *arena, item *T, id string, enc func([]byte, *T, string) ([]byte, error)) ([]byte, error) {
	if cap(a.wire)-len(a.wire) < wireChunk/8 {
		a.wire = make([]byte, 0, wireChunk)
	}
	start := len(a.wire)
	out, err := enc(a.wire, item, id)
	if err != nil {
		return nil, err
	}
	a.wire = out // a larger item than the chunk had room for moved it: keep the new one
	return out[start:len(out):len(out)], nil
}

// matcher finds the job an answer entry is for. Answers come in request
// order, so the next job is tried first; one out of order falls back to an
// index built once.
type matcher struct {
	jobs  []job
	name  func(job) string // what the answer names a job by
	fold  bool             // whether the answer may change the name's case
	next  int
	index map[string]int
}

func (m *matcher) find(key []byte) int {
	if m.next < len(m.jobs) {
		name := m.name(m.jobs[m.next])
		if string(key) == name || m.fold && bytes.EqualFold(key, []byte(name)) {
			m.next++
			return m.next - 1
		}
	}
	if m.index == nil {
		m.index = make(map[string]int, len(m.jobs))
		for i, j := range m.jobs {
			m.index[m.normal(m.name(j))] = i
		}
	}
	if i, ok := m.index[m.normal(string(key))]; ok {
		return i
	}
	return -1
}

func (m *matcher) normal(name string) string {
	if m.fold {
		return strings.ToLower(name)
	}
	return name
}

func jobID(j job) string { return j.id }

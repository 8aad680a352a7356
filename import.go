package chatimport

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

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
	ID     string // uid, guid, or "<guid>_member_<uid>"
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

// importAll runs an import over a slice and collects its results in input
// order. Items the import never read (it stopped first) are StatusSkipped
// with the reason it stopped, so every input item has its result.
func importAll[T any](ctx context.Context, c *Client, ep *importEndpoint[T], items []T) (*ImportResult, error) {
	if ep == nil {
		return nil, c.unsupported(kindOf[T]())
	}
	res := &ImportResult{Items: make([]ItemResult, len(items))}
	order := sendingOrder(ep, items)
	at := func(n int) int { // the input index of the n-th item read
		if order == nil {
			return n
		}
		return order[n]
	}
	src := func(yield func(T, error) bool) {
		for n := range items {
			if !yield(items[at(n)], nil) {
				return
			}
		}
	}
	in := input[T]{items: src, index: at, first: func(i int) *T { return &items[i] }, size: len(items)}
	err := runImport(ctx, c, ep, in, func(r ItemResult) { res.Items[r.Index] = r })
	var ie *ImportError
	if errors.As(err, &ie) && ie.Unread {
		for n := ie.Read; n < len(items); n++ {
			i := at(n)
			res.Items[i] = ItemResult{Index: i, ID: ep.id(&items[i], &arena{}), Status: StatusSkipped, Err: ie.stopped}
		}
		ie.Skipped += len(items) - ie.Read
	}
	return res, err
}

// sendingOrder is the order a slice's items are read in, or nil for input
// order: an endpoint that sends one part per request (Tencent's members,
// one group a request) reads them grouped by part, in input order within
// each, so that interleaved groups still go in full requests. An input
// already grouped, as a file sorted by group is, needs no order of its own.
func sendingOrder[T any](ep *importEndpoint[T], items []T) []int {
	if ep.part == nil {
		return nil
	}
	byPart := func(a, b int) int { return strings.Compare(ep.part(&items[a]), ep.part(&items[b])) }
	sorted := true
	for i := 1; i < len(items) && sorted; i++ {
		sorted = byPart(i-1, i) <= 0
	}
	if sorted {
		return nil
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, byPart)
	return order
}

// input is what an import reads: the items, and for a slice the input
// index of the n-th item read (its order may be grouped), the item at an
// input index (so a repeat is compared with its first exactly) and the
// number of items.
type input[T any] struct {
	items iter.Seq2[T, error]
	index func(n int) int
	first func(i int) *T
	size  int
}

// importSeq runs an import over a stream, handing each result to fn.
func importSeq[T any](ctx context.Context, c *Client, ep *importEndpoint[T], items iter.Seq2[T, error], fn func(ItemResult)) error {
	switch {
	case ep == nil:
		return c.unsupported(kindOf[T]())
	case items == nil:
		return errors.New("chatimport: nil item sequence")
	case fn == nil:
		return errors.New("chatimport: nil result func")
	}
	return runImport(ctx, c, ep, input[T]{items: items}, fn)
}

// maxHeld bounds the items a stream holds in partial batches while its parts
// interleave (Tencent members of many groups, in no order): about 2.5 MB
// of members. Past it the fullest partial batch goes out early.
const maxHeld = 16 << 10

func kindOf[T any]() string {
	switch any((*T)(nil)).(type) {
	case *User:
		return "importing users"
	case *Group:
		return "importing groups"
	}
	return "importing members"
}

// runImport admits items one by one, cuts them into batches, sends up to
// the endpoint's concurrency of batches at once and hands every item's
// result to emit, from the calling goroutine.
//
// Memory stays bounded by batch size × concurrency, plus at most
// maxHeld items in partial batches while parts interleave, plus what
// duplicate detection keeps per distinct id (see seenSet). When the context ends, an
// error is fatal to the whole import or the source fails, it stops pulling
// items at once: the ones read are all reported, and the returned
// *ImportError says the rest was not read.
func runImport[T any](ctx context.Context, c *Client, ep *importEndpoint[T], src input[T], emit func(ItemResult)) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	conc := c.concurrencyOf(ep.budget)

	// Each batch sent comes back as one message with all its results, so
	// the channel never holds more than the batches in flight.
	results := make(chan []ItemResult, conc)
	work := make(chan []job)
	var workers sync.WaitGroup
	started, inFlight := 0, 0
	worker := func() {
		for jobs := range work {
			results <- sendBatch(ctx, c, stop, ep, jobs)
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
	in := newIntake(ep, c.now, src.first, src.size)
	var srcErr error
	admitted := func(yield func(job) bool) {
		i := 0
		// One variable for all items: taking the address of the loop's own
		// would move every item to the heap.
		var item T
		var err error
		for item, err = range src.items {
			if err != nil {
				srcErr = fmt.Errorf("chatimport: reading item %d: %w", i, err)
				stop(srcErr)
				return
			}
			index := i
			if src.index != nil {
				index = src.index(i)
			}
			i++
			summary.Read = i
			if ctx.Err() != nil {
				deliver(ItemResult{Index: index, ID: ep.id(&item, &in.arena), Status: StatusSkipped, Err: context.Cause(ctx)})
				return
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
		summary.Read = i
	}
	size := min(c.batchSize, ep.maxBatch)
	if c.batchSize == 0 {
		size = ep.maxBatch
	}
	// Keys are unique already (intake skips repeats), so Split need not check.
	for jobs := range batch.Split(admitted, size, maxHeld, nil, jobPart) {
		// Start another worker only when every one is busy: a small import
		// then costs one goroutine, not conc of them.
		if inFlight == started && started < conc {
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
	if ctx.Err() != nil || srcErr != nil {
		summary.Unread = true
		summary.stopped = context.Cause(ctx)
		summary.causes = slices.Insert(summary.causes, 0, summary.stopped)
	}
	if summary.Failed+summary.Skipped == 0 && !summary.Unread {
		return nil
	}
	return summary
}

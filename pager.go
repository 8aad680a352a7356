package chatimport

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// ErrPageRepeated ends a walk whose server stopped moving forward: it
// answered another page than the one asked for, or a page holding only
// members of the page before. Going on would loop for ever or count the
// same members twice.
var ErrPageRepeated = errors.New("chatimport: the server repeated a page")

// Position is where a walk through pages stands. It is plain data, made to
// be saved (as JSON, say) after each page or item the caller has finished
// with, and handed to Pager.Resume after a crash or a deliberate stop, so
// the walk goes on with exactly the items it had not yet handed over.
//
// Pages are counted by number, as CometChat's list endpoints do: a group
// that changes between saving and resuming can shift members across page
// boundaries, which no position can prevent.
type Position struct {
	// Page is the next page to fetch, from 1.
	Page int `json:"page"`
	// Skip is how many items of that page were handed over already; only
	// a walk stopped inside a page (Pager.All) leaves it non-zero.
	Skip int `json:"skip,omitempty"`
	// Cursor is what the server sent with the last page fetched. It is
	// kept as a record only: the walk pages by number, and a cursor is not
	// evidence of a repeat, since a server may send the same one (the time
	// the listing started) with every page.
	Cursor Cursor `json:"cursor,omitzero"`
	// Query is the page size and filters the pages were counted under; a
	// position resumes only a pager with the same ones, because page 3 of
	// 100 members is not page 3 of 1000.
	Query string `json:"query,omitempty"`
	// Done reports that the walk has ended; resuming it fetches nothing.
	Done bool `json:"done,omitempty"`
}

// Cursor is the cursor a CometChat list answer carries.
type Cursor struct {
	UpdatedAt int64  `json:"updatedAt,omitempty"` // UNIX seconds
	Affix     string `json:"affix,omitempty"`     // "append" or "prepend"
}

// Pager walks a listing one page at a time, in the manner of the Azure
// SDK's pagers: call NextPage while More reports true. Its Position can be
// saved and restored, so a walk of a million members survives a restart.
// A Pager is not safe for concurrent use. The zero Pager is not ready for
// use: a Client makes them.
type Pager[T any] struct {
	id       string // what is listed (a guid), for errors
	query    string // page size and filters, see Position.Query
	perPage  int
	fetch    func(ctx context.Context, page int) (pageOf[T], error)
	key      func(*T) string // identity, to tell a repeated page
	err      error           // why the pager cannot fetch at all
	pos      Position
	prev     []string // keys of the last page fetched
	prefetch bool     // see Prefetch
}

// pageOf is one answer, with the server's account of where it stands; 0 is
// "not said".
type pageOf[T any] struct {
	items      []T
	current    int
	perPage    int
	totalPages int
	cursor     Cursor
}

// failedPager is a pager whose every NextPage returns err: the options or
// the provider do not allow the listing at all. More stays true so that a
// caller's loop reaches the error instead of silently seeing nothing.
func failedPager[T any](err error) *Pager[T] {
	return &Pager[T]{err: err, pos: Position{Page: 1}}
}

// fresh returns a pager at p's position that shares no state with p, so a
// sequence built on p walks anew each time it is ranged over.
func (p *Pager[T]) fresh() *Pager[T] {
	q := *p
	q.prev = nil
	return &q
}

// More reports whether the walk may have more pages: false only once it
// has ended. After an error it stays true, and NextPage asks for the same
// page again.
func (p *Pager[T]) More() bool { return !p.pos.Done }

// NextPage fetches the next page and moves the position past it. When the
// walk has ended it returns an empty page. An error leaves the position
// where it was.
func (p *Pager[T]) NextPage(ctx context.Context) ([]T, error) {
	items, next, err := p.load(ctx, nil)
	if err != nil {
		return nil, err
	}
	skip := p.skipOf(len(items))
	p.commit(next, items)
	return items[skip:], nil
}

// All hands over every remaining item, page after page, and ends at the
// end of the walk, when the loop breaks, or after yielding the first error
// once. The position moves with every item handed over, so a loop may save
// it after finishing with an item and later resume right after that item.
func (p *Pager[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var ahead *pageAhead[T] // the next page, while the loop is on this one
		defer func() { ahead.abandon() }()
		for p.More() {
			items, next, err := p.load(ctx, ahead)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			ahead = nil
			if p.prefetch && !next.Done {
				ahead = fetchAhead(ctx, p.fetch, next.Page)
			}
			for i := p.skipOf(len(items)); i < len(items); i++ {
				p.pos.Skip = i + 1
				if !yield(items[i], nil) {
					return
				}
			}
			p.commit(next, items)
		}
	}
}

// Prefetch sets whether All fetches the next page, on a goroutine of its
// own, while the loop is still on the current one, so that the loop's work
// on a page and the server's answer to the next overlap: a walk whose loop
// spends as long on a page as a request takes goes about twice as fast.
// At most one page is fetched ahead, so a walk holds at most two pages,
// and the position still moves only with the items handed over. A loop
// that ends early cancels the page under way and waits for its goroutine
// to end, but the server may have answered it already. NextPage never
// fetches ahead.
func (p *Pager[T]) Prefetch(on bool) { p.prefetch = on }

// Position returns where the walk stands; see Position.
func (p *Pager[T]) Position() Position { return p.pos }

// Resume moves the pager to pos, which an earlier pager of the same
// listing returned. It refuses a position counted under other options, or
// one that no pager could have returned, with a *ValidationError.
func (p *Pager[T]) Resume(pos Position) error {
	if p.err != nil {
		return p.err
	}
	switch {
	case pos.Query != "" && pos.Query != p.query:
		return p.invalid("query", "the position was saved under %q, this pager lists %q", pos.Query, p.query)
	case pos.Page < 1:
		return p.invalid("page", "is %d; pages count from 1", pos.Page)
	case pos.Skip < 0:
		return p.invalid("skip", "is %d; want 0 or more", pos.Skip)
	}
	pos.Query = p.query
	p.pos, p.prev = pos, p.prev[:0]
	return nil
}

func (p *Pager[T]) invalid(field, format string, args ...any) *ValidationError {
	v := fieldError(field, format, args...)
	v.Index, v.ID = -1, p.id
	return v
}

// skipOf is how many of a page's n items were handed over already.
func (p *Pager[T]) skipOf(n int) int { return min(p.pos.Skip, n) }

// load fetches the page at the position, or takes it from ahead if that
// is the page, and judges it, without moving: it returns the page and the
// position after it.
func (p *Pager[T]) load(ctx context.Context, ahead *pageAhead[T]) ([]T, Position, error) {
	if p.err != nil {
		return nil, p.pos, p.err
	}
	if p.pos.Done {
		return nil, p.pos, nil
	}
	n := p.pos.Page
	var pg pageOf[T]
	var err error
	if ahead != nil && ahead.page == n {
		pg, err = ahead.wait()
	} else {
		ahead.abandon()
		pg, err = p.fetch(ctx, n)
	}
	if err != nil {
		return nil, p.pos, err
	}
	if pg.current > 0 && pg.current != n {
		return nil, p.pos, fmt.Errorf("%w: listing %q: asked for page %d, the server answered page %d", ErrPageRepeated, p.id, n, pg.current)
	}
	if p.repeats(pg.items) {
		return nil, p.pos, fmt.Errorf("%w: listing %q: page %d holds only items of page %d", ErrPageRepeated, p.id, n, n-1)
	}
	next := Position{Page: n + 1, Cursor: pg.cursor, Query: p.query}
	// The end is an empty page, or a page that is both short and, by the
	// server's count, the last. Neither signal alone is enough: a server
	// may cap the page size below what was asked, and its counts are not
	// to be trusted (CometChat's documented example says total 0 beside
	// five members), so a walk ends on the pair or, at worst, one request
	// later on an empty page. A page is short against the smaller of the
	// size asked and the size the server says it serves.
	size := p.perPage
	if pg.perPage > 0 {
		size = min(size, pg.perPage)
	}
	short := len(pg.items) < size
	next.Done = len(pg.items) == 0 || short && pg.totalPages > 0 && n >= pg.totalPages
	return pg.items, next, nil
}

// repeats reports whether a page holds nothing the previous page did not:
// a server answering the same page again, whatever it says about it.
func (p *Pager[T]) repeats(items []T) bool {
	if len(items) == 0 || len(p.prev) == 0 {
		return false
	}
	// A normal page's first item is new, which settles it in one pass over
	// the previous keys; only an overlapping page needs the set.
	first := p.key(&items[0])
	found := false
	for _, k := range p.prev {
		if k == first {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	seen := make(map[string]struct{}, len(p.prev))
	for _, k := range p.prev {
		seen[k] = struct{}{}
	}
	for i := range items {
		if _, ok := seen[p.key(&items[i])]; !ok {
			return false
		}
	}
	return true
}

// commit moves the pager past a page it has handed over.
func (p *Pager[T]) commit(next Position, items []T) {
	p.pos = next
	p.prev = p.prev[:0]
	for i := range items {
		p.prev = append(p.prev, p.key(&items[i]))
	}
}

// pageAhead is a page being fetched by its own goroutine.
type pageAhead[T any] struct {
	page   int
	cancel context.CancelFunc
	done   chan struct{} // closed when the fetch has returned
	got    pageOf[T]
	err    error
}

func fetchAhead[T any](ctx context.Context, fetch func(context.Context, int) (pageOf[T], error), page int) *pageAhead[T] {
	ctx, cancel := context.WithCancel(ctx)
	a := &pageAhead[T]{page: page, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.got, a.err = fetch(ctx, page)
	}()
	return a
}

// wait returns the page once fetched.
func (a *pageAhead[T]) wait() (pageOf[T], error) {
	<-a.done
	a.cancel()
	return a.got, a.err
}

// abandon cancels the fetch and waits for its goroutine to end; on a nil
// or finished fetch it does nothing.
func (a *pageAhead[T]) abandon() {
	if a != nil {
		a.cancel()
		<-a.done
	}
}

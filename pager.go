package chatimport

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// ErrPageRepeated ends a walk whose server stopped moving forward: it
// answered a page holding only items the walk had already handed over, a
// cursor it had sent before, or another page than the one asked for. Going
// on would loop for ever or hand over the same items twice.
var ErrPageRepeated = errors.New("chatimport: the server repeated a page")

// Position is where a walk through pages stands. It is plain data, made to
// be saved (as JSON, say) after each page or item the caller has finished
// with, and handed to Pager.Resume after a crash or a deliberate stop, so
// the walk goes on with exactly the items it had not yet handed over.
//
// It names what it walks (provider, listing, group and options), so it
// resumes nothing else. A listing that changes between saving and resuming
// can shift items across page boundaries, which no position can prevent.
type Position struct {
	Provider string `json:"provider"`        // ProviderCometChat or ProviderTencent
	List     string `json:"list"`            // "members", "users" or "groups"
	Of       string `json:"of,omitempty"`    // whose list: the group, for members
	Query    string `json:"query,omitempty"` // the options the pages were counted under
	// Token is the next page as the provider addresses it: a page number,
	// an offset or an opaque cursor. It means nothing outside this walk.
	Token string `json:"token,omitempty"`
	// Skip is how many items of that page were handed over already; only
	// a walk stopped inside a page (Pager.All) leaves it non-zero.
	Skip int `json:"skip,omitempty"`
	// Done reports that the walk has ended; resuming it fetches nothing.
	Done bool `json:"done,omitempty"`
}

// Pager walks a listing page by page, in the manner of the Azure SDK's
// pagers: call NextPage while More reports true, or range over All, which
// fetches pages ahead of the loop. Its Position can be saved and
// restored, so a walk of a million members survives a restart. A Pager is
// not safe for concurrent use. The zero Pager is not ready for use: a
// Client makes them.
type Pager[T any] struct {
	// fetch gets the page a token addresses. It knows how the provider
	// pages; the Pager knows only tokens. All calls it on goroutines of
	// its own, several at once.
	fetch  func(ctx context.Context, token string) (page[T], error)
	key    func(*T) string // identity, to tell a repeated page
	err    error           // why the pager cannot fetch at all
	ended  error           // the error that ended the walk
	pos    Position
	seen   map[string]struct{} // keys handed over in this walk
	tokens map[string]struct{} // tokens fetched in this walk
	// after names the page after a token without fetching it, where the
	// provider can (page numbers, offsets); nil where only an answer
	// names the next page (cursors). depth is how many pages All fetches
	// at once with it.
	after func(token string) string
	depth int
}

// page is one answer: its items, the token of the page after it, and
// whether the provider says it is the last.
type page[T any] struct {
	items []T
	next  string
	last  bool
	// ahead is how many pages follow this one by the server's count, 0
	// when it does not say. It only bounds how far All fetches ahead, so a
	// small listing costs no request past its end; the walk ends on last
	// or an empty page, never on a count.
	ahead int
}

// newPager starts a walk at pos (its Token the first page's) with fetch.
func newPager[T any](pos Position, key func(*T) string, fetch func(context.Context, string) (page[T], error)) *Pager[T] {
	return &Pager[T]{fetch: fetch, key: key, pos: pos, depth: 1}
}

// readahead lets All fetch up to depth pages at once, naming each after
// the first with after. Where a round trip outlasts the pacing interval,
// one request at a time would leave most of the budget unused.
func (p *Pager[T]) readahead(depth int, after func(token string) string) *Pager[T] {
	p.depth, p.after = max(depth, 1), after
	return p
}

// failedPager is a pager whose NextPage returns err, once: the options or
// the provider do not allow the listing at all. More is true until then,
// so that a caller's loop reaches the error instead of silently seeing
// nothing.
func failedPager[T any](err error) *Pager[T] {
	return &Pager[T]{err: err}
}

// fresh returns a pager at p's position that shares no state with p, so a
// sequence built on p walks anew each time it is ranged over.
func (p *Pager[T]) fresh() *Pager[T] {
	q := *p
	q.seen, q.tokens = nil, nil
	return &q
}

// More reports whether the walk may have more pages: false once it has
// ended, at its last page or with an error that ends it. After a temporary
// error (ErrTemporary, ErrRateLimited) it stays true, and NextPage asks for
// the same page again.
func (p *Pager[T]) More() bool { return !p.pos.Done && p.ended == nil }

// NextPage fetches the next page and moves the position past it. When the
// walk has ended it returns an empty page, or the error that ended it. An
// error leaves the position where it was. NextPage never fetches ahead.
func (p *Pager[T]) NextPage(ctx context.Context) ([]T, error) {
	pg, next, err := p.load(ctx, nil)
	if err != nil {
		return nil, err
	}
	skip := p.skipOf(len(pg.items))
	p.commit(next, pg.items)
	return pg.items[skip:], nil
}

// All hands over every remaining item, page after page, and ends at the
// end of the walk, when the loop breaks, or after yielding the first error
// once. The position moves with every item handed over, so a loop may save
// it after finishing with an item and later resume right after that item.
//
// While the loop is on a page, All fetches the pages after it on
// goroutines of its own: the next one, and where the provider can name
// later pages without fetching (page numbers, offsets) and the server
// counts that many, up to the pager's depth at once, so that a walk keeps
// its pacing budget busy however long a round trip takes. Items are still
// handed over in order, each once; an error on a page comes after every
// item of the pages before it. At the end, and when the loop breaks or
// panics, All cancels the fetches under way and waits for their
// goroutines; the server may have answered some of them already, and their
// pages are dropped. No request starts after the loop has ended.
func (p *Pager[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		w := new(window[T])
		defer w.abandon()
		for p.More() {
			pg, next, err := p.load(ctx, w)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if next.Done {
				w.abandon()
			} else {
				p.fill(ctx, w, next.Token, pg.ahead)
			}
			items := pg.items
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

// fill starts fetching the pages from token on, while the loop is on the
// page before it: as many as the server counts, at most depth, and at
// least that next one. A token the walk has fetched before is left to
// load, which reports the repeat.
func (p *Pager[T]) fill(ctx context.Context, w *window[T], token string, ahead int) {
	if _, again := p.tokens[token]; again || token == p.pos.Token {
		w.abandon()
		return
	}
	if len(w.queue) > 0 && w.queue[0].token != token {
		w.abandon() // the server named another page than the one guessed
	}
	want := 1
	if p.after != nil {
		want = min(max(ahead, 1), p.depth)
	}
	for len(w.queue) < want {
		if n := len(w.queue); n > 0 {
			if token = p.after(w.queue[n-1].token); token == "" {
				return
			}
		}
		w.queue = append(w.queue, fetchAhead(ctx, p.fetch, token))
	}
}

// Position returns where the walk stands; see Position.
func (p *Pager[T]) Position() Position { return p.pos }

// Resume moves the pager to pos, which an earlier pager of the same
// listing returned. It refuses, with a *ValidationError, a position saved
// for another provider, listing, group or options, or one that no pager
// could have returned.
func (p *Pager[T]) Resume(pos Position) error {
	if p.err != nil {
		return p.err
	}
	for _, f := range []struct{ field, saved, here string }{
		{"provider", pos.Provider, p.pos.Provider},
		{"list", pos.List, p.pos.List},
		{"of", pos.Of, p.pos.Of},
		{"query", pos.Query, p.pos.Query},
	} {
		if f.saved != f.here {
			return p.invalid(f.field, "the position was saved for %q, this pager walks %q", f.saved, f.here)
		}
	}
	if pos.Skip < 0 {
		return p.invalid("skip", "is %d; want 0 or more", pos.Skip)
	}
	p.pos, p.ended, p.seen, p.tokens = pos, nil, nil, nil
	return nil
}

func (p *Pager[T]) invalid(field, format string, args ...any) *ValidationError {
	v := fieldError(field, format, args...)
	v.Index, v.ID = -1, p.pos.Of
	if v.ID == "" { // a listing of the whole app: name the listing
		v.ID = p.pos.List
	}
	return v
}

// skipOf is how many of a page's n items were handed over already.
func (p *Pager[T]) skipOf(n int) int { return min(p.pos.Skip, n) }

// load fetches the page at the position, or takes it from w if that is
// the page fetched there, and judges it, without moving: it returns the
// page and the position after it. An error that is not temporary ends the
// walk.
func (p *Pager[T]) load(ctx context.Context, w *window[T]) (page[T], Position, error) {
	pg, next, err := p.loadPage(ctx, w)
	if err != nil && !errors.Is(err, ErrTemporary) && !errors.Is(err, ErrRateLimited) {
		p.ended = err
	}
	return pg, next, err
}

func (p *Pager[T]) loadPage(ctx context.Context, w *window[T]) (page[T], Position, error) {
	switch {
	case p.ended != nil:
		return page[T]{}, p.pos, p.ended
	case p.err != nil:
		return page[T]{}, p.pos, p.err
	case p.pos.Done:
		return page[T]{}, p.pos, nil
	}
	token := p.pos.Token
	if _, again := p.tokens[token]; again {
		return page[T]{}, p.pos, fmt.Errorf("%w: listing %s: the server sent page %q a second time", ErrPageRepeated, p.pos.what(), token)
	}
	var pg page[T]
	var err error
	if a := w.take(token); a != nil {
		pg, err = a.wait()
	} else {
		w.abandon()
		pg, err = p.fetch(ctx, token)
	}
	if err != nil {
		return page[T]{}, p.pos, err
	}
	if p.repeats(pg.items) {
		return page[T]{}, p.pos, fmt.Errorf("%w: listing %s: page %q holds only items handed over before", ErrPageRepeated, p.pos.what(), token)
	}
	next := p.pos
	next.Token, next.Skip = pg.next, 0
	next.Done = len(pg.items) == 0 || pg.last
	return pg, next, nil
}

// what names the listing a position walks, for errors.
func (pos Position) what() string {
	if pos.Of != "" {
		return fmt.Sprintf("%s of %q", pos.List, pos.Of)
	}
	return pos.List
}

// repeats reports whether a page holds nothing but items the walk handed
// over before: a server answering an earlier page again, whatever it says
// about it. A page that only overlaps (a listing that shifted) is no repeat.
func (p *Pager[T]) repeats(items []T) bool {
	if len(items) == 0 || len(p.seen) == 0 {
		return false
	}
	for i := range items {
		if _, ok := p.seen[p.key(&items[i])]; !ok {
			return false
		}
	}
	return true
}

// commit moves the pager past a page it has handed over.
func (p *Pager[T]) commit(next Position, items []T) {
	if p.tokens == nil {
		p.tokens, p.seen = map[string]struct{}{}, map[string]struct{}{}
	}
	p.tokens[p.pos.Token] = struct{}{}
	for i := range items {
		p.seen[p.key(&items[i])] = struct{}{}
	}
	p.pos = next
}

// window is the pages All is fetching ahead, in walking order.
type window[T any] struct {
	queue []*pageAhead[T]
}

// take removes and returns the first page fetched ahead if it is the page
// token addresses; nil if there is none or it is another.
func (w *window[T]) take(token string) *pageAhead[T] {
	if w == nil || len(w.queue) == 0 || w.queue[0].token != token {
		return nil
	}
	a := w.queue[0]
	w.queue[0] = nil
	w.queue = w.queue[1:]
	return a
}

// abandon cancels every fetch ahead, then waits for their goroutines to
// end, dropping their pages.
func (w *window[T]) abandon() {
	if w == nil {
		return
	}
	for _, a := range w.queue {
		a.cancel()
	}
	for _, a := range w.queue {
		<-a.done
	}
	w.queue = nil
}

// pageAhead is a page being fetched by its own goroutine.
type pageAhead[T any] struct {
	token  string
	cancel context.CancelFunc
	done   chan struct{} // closed when the fetch has returned
	got    page[T]
	err    error
}

func fetchAhead[T any](ctx context.Context, fetch func(context.Context, string) (page[T], error), token string) *pageAhead[T] {
	ctx, cancel := context.WithCancel(ctx)
	a := &pageAhead[T]{token: token, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.got, a.err = fetch(ctx, token)
	}()
	return a
}

// wait returns the page once fetched.
func (a *pageAhead[T]) wait() (page[T], error) {
	<-a.done
	a.cancel()
	return a.got, a.err
}

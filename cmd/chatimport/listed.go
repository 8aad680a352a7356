package main

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/chatimport/chatimport"
)

// listCheck remembers the users or groups this run put on the server, or
// found there, and afterwards walks the provider's listing to check that
// each is listed: the import's answers are trusted no further than the list.
type listCheck[T any] struct {
	noun     string // "user", "group"
	id       func(*T) string
	fold     bool            // CometChat lower-cases ids, so its list shows them lower-cased
	pending  map[int]string  // fed, not yet ended; bounded by the batches in flight
	expected map[string]bool // on the server, per the import
	list     func(context.Context) iter.Seq2[T, error]
}

func (c *listCheck[T]) key(item *T) string {
	if c.fold {
		return strings.ToLower(c.id(item))
	}
	return c.id(item)
}

func (c *listCheck[T]) fed(seq int, item *T) { c.pending[seq] = c.key(item) }

func (c *listCheck[T]) ended(seq int, ok bool) {
	id, fed := c.pending[seq]
	delete(c.pending, seq)
	if ok && fed {
		c.expected[id] = true
	}
}

// check walks the listing and says, through say, each id expected but not
// listed; it returns how many were expected and how many are missing.
func (c *listCheck[T]) check(ctx context.Context, say func(string)) (expected, missing int, err error) {
	expected = len(c.expected)
	for item, err := range c.list(ctx) {
		if err != nil {
			return expected, len(c.expected), fmt.Errorf("listing %ss: %w", c.noun, err)
		}
		delete(c.expected, c.key(&item))
	}
	for i, id := range slices.Sorted(maps.Keys(c.expected)) {
		if i == maxShown {
			say(fmt.Sprintf("verify: and %s more not listed", plural(len(c.expected)-i, c.noun)))
			break
		}
		say(fmt.Sprintf("verify: %s %s was imported but is not listed", c.noun, id))
	}
	return expected, len(c.expected), nil
}

// listChecks are the listing checks of one run: users on CometChat only, as
// Tencent lists no accounts; groups on both.
type listChecks struct {
	users  *listCheck[chatimport.User]
	groups *listCheck[chatimport.Group]
	lines  []string // for the summary
	failed bool     // something imported is not listed, or a listing failed
}

func (m *migration) newListChecks() *listChecks {
	lc := &listChecks{}
	if !m.verifying() {
		return lc
	}
	cometchat := m.cfg.provider == chatimport.ProviderCometChat
	if m.users != nil && cometchat {
		lc.users = newListCheck("user", usersKind.id, cometchat, func(ctx context.Context) iter.Seq2[chatimport.User, error] {
			return m.client.ListUsers(ctx, nil)
		})
	}
	if m.groups != nil {
		lc.groups = newListCheck("group", groupsKind.id, cometchat, func(ctx context.Context) iter.Seq2[chatimport.Group, error] {
			return m.client.ListGroups(ctx, nil)
		})
	}
	return lc
}

func newListCheck[T any](noun string, id func(*T) string, fold bool, list func(context.Context) iter.Seq2[T, error]) *listCheck[T] {
	return &listCheck[T]{noun: noun, id: id, fold: fold, pending: map[int]string{}, expected: map[string]bool{}, list: list}
}

// watchOf hands a check to a pass; a nil check watches nothing, and is
// handed over as a nil watcher, not as one holding a nil pointer.
func watchOf[T any](c *listCheck[T]) watcher[T] {
	if c == nil {
		return nil
	}
	return c
}

func (lc *listChecks) run(ctx context.Context, m *migration) {
	record := func(noun string, expected, missing int, err error) {
		if err != nil {
			fmt.Fprintf(m.stderr, "chatimport: verify: %v\n", err)
			lc.failed = true
		}
		lc.failed = lc.failed || missing > 0
		lc.lines = append(lc.lines, fmt.Sprintf("listed    %s of %s imported, %s missing", count(expected-missing),
			plural(expected, noun), count(missing)))
	}
	if lc.users != nil {
		e, n, err := lc.users.check(ctx, m.say)
		record("user", e, n, err)
	}
	if lc.groups != nil {
		e, n, err := lc.groups.check(ctx, m.say)
		record("group", e, n, err)
	}
}

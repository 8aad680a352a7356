package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/chatimport/chatimport"
)

// verifier remembers the members this run put on the server, or found
// there, and afterwards lists each touched group to check they are all
// listed. It trusts the import's answers no further than the list.
type verifier struct {
	pending  map[int]memberRef              // fed, not yet ended; bounded by the batches in flight
	expected map[string]map[string]struct{} // guid -> lower-cased uids
	banned   int                            // on the server but not listed: CometChat lists banned members apart
}

type memberRef struct {
	guid, uid string
	banned    bool
}

func newVerifier() *verifier {
	return &verifier{pending: map[int]memberRef{}, expected: map[string]map[string]struct{}{}}
}

func (v *verifier) fed(seq int, m *chatimport.Member) {
	// CometChat lower-cases uids, so the list shows them lower-cased.
	v.pending[seq] = memberRef{guid: m.GUID, uid: strings.ToLower(m.UID), banned: m.Banned}
}

func (v *verifier) ended(seq int, ok bool) {
	ref, fed := v.pending[seq]
	delete(v.pending, seq)
	switch {
	case !ok || !fed:
	case ref.banned:
		v.banned++
	default:
		if v.expected[ref.guid] == nil {
			v.expected[ref.guid] = map[string]struct{}{}
		}
		v.expected[ref.guid][ref.uid] = struct{}{}
	}
}

// verified is what the pass found.
type verified struct {
	groups, members, differences int
}

// check lists every touched group in guid order and reports, through say,
// each member expected but not listed.
func (v *verifier) check(ctx context.Context, c *chatimport.Client, say func(string)) (verified, error) {
	var res verified
	for _, guid := range slices.Sorted(maps.Keys(v.expected)) {
		listed := map[string]bool{}
		for m, err := range c.ListMembers(ctx, guid, nil) {
			if err != nil {
				return res, fmt.Errorf("listing the members of %s: %w", guid, err)
			}
			listed[strings.ToLower(m.UID)] = true
		}
		want := v.expected[guid]
		var missing []string
		for uid := range want {
			if !listed[uid] {
				missing = append(missing, uid)
			}
		}
		slices.Sort(missing)
		for _, uid := range missing {
			say(fmt.Sprintf("verify: %s: member %s was imported but is not listed", guid, uid))
		}
		res.groups++
		res.members += len(want)
		res.differences += len(missing)
	}
	return res, nil
}

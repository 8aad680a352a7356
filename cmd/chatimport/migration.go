package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// maxShown bounds the problems an import prints; the report has them all.
// A dry run prints every one, as that is what it is for.
const maxShown = 20

// migration is one import of users and members into one provider.
type migration struct {
	cfg            *config
	stdout, stderr io.Writer
	out            *progress

	client  *chatimport.Client
	meter   *meter                 // nil in a dry run
	fake    *chatimporttest.Server // the demo's fake, for the summary
	target  string                 // where the run imports to, for the intro and the checkpoint
	mapper  *mapper
	users   *input
	groups  *input
	members *input
	inputs  map[string]*input // by kind
	report  *report
	ckpt    *checkpoint
	done    map[string]*ranges         // by kind: records an earlier run finished, per the checkpoint
	refused map[string]map[int]outcome // by kind and index: refused when the input was checked on resume

	// extra are client options after the flags' own (tool.clientOpts).
	extra []chatimport.Option
	// gate holds back, on Tencent, the groups whose owner is an account
	// imported beside them (see owners.go); nil otherwise.
	gate *ownerGate

	// mu guards what record touches: on Tencent two imports report at once.
	mu        sync.Mutex
	cancel    context.CancelCauseFunc
	tallies   map[string]*tally
	shown     int
	hidden    int
	differing []outcome                 // duplicates with other fields, for the summary
	mapped    map[string]map[string]int // by kind and change ("createdAt left behind"): what the mapping did
	err       error                     // the first failure to write the report or the checkpoint
	stopped   error                     // why the import stopped early, if it did
	inputErr  error                     // an input that could not be read to the end
	verified  *verified                 // nil when no verification ran
	listed    *listChecks               // the users and groups listed after the import
}

func (t *tool) newMigration(cfg *config) *migration {
	return &migration{cfg: cfg, stdout: t.stdout, stderr: t.stderr, out: newProgress(t.stdout, t.tty), extra: t.clientOpts,
		tallies: map[string]*tally{}, inputs: map[string]*input{}, done: map[string]*ranges{},
		refused: map[string]map[int]outcome{}, mapped: map[string]map[string]int{}}
}

func (m *migration) addInputs() {
	for _, in := range []*input{m.users, m.groups, m.members} {
		if in != nil {
			m.inputs[in.kind] = in
		}
	}
}

// run imports users and groups, then members, verifies, and prints the
// summary. On CometChat users go before groups: all imports share one
// budget there, so running them at once would gain nothing. On Tencent
// they go at once (see owners.go), but for a dry run, which sends nothing
// and so prints its problems kind by kind.
func (m *migration) run(parent context.Context, started time.Time) int {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	m.cancel = cancel
	m.listed = m.newListChecks()
	if m.users != nil && m.groups != nil && m.cfg.provider == chatimport.ProviderTencent && !m.cfg.dryRun {
		m.usersBesideGroups(ctx)
	} else {
		if m.users != nil {
			m.stop(ctx, m.phase(usersKind.name, m.users.records, func() error {
				return runKind(ctx, m, usersKind, m.users, watchOf(m.listed.users), nil)
			}))
		}
		if m.groups != nil {
			m.stop(ctx, m.phase(groupsKind.name, m.groups.records, func() error {
				return runKind(ctx, m, groupsKind, m.groups, watchOf(m.listed.groups), nil)
			}))
		}
	}
	if m.members != nil {
		var v *verifier
		var watch watcher[chatimport.Member]
		if m.verifying() {
			v = newVerifier()
			watch = v
		}
		m.stop(ctx, m.phase(membersKind.name, m.members.records, func() error {
			return runKind(ctx, m, membersKind, m.members, watch, nil)
		}))
		if v != nil && m.stopped == nil && m.inputErr == nil {
			m.verify(ctx, v)
		}
	}
	if m.stopped == nil && m.inputErr == nil {
		m.listed.run(ctx, m)
	}
	return m.finish(parent, started)
}

// usersBesideGroups imports Tencent's accounts and groups at once, each
// group whose owner is among the accounts once that account has landed.
func (m *migration) usersBesideGroups(ctx context.Context) {
	if m.stopped == nil {
		gate, err := m.newOwnerGate(ctx)
		if err != nil {
			m.stop(ctx, err)
		}
		m.gate = gate
	}
	if m.stopped != nil { // nothing is read
		m.tally(usersKind.name).unread = m.users.records
		m.tally(groupsKind.name).unread = m.groups.records
		return
	}
	var done ranges
	if d := m.done[usersKind.name]; d != nil {
		done = slices.Clone(*d)
	}
	var usersErr, groupsErr error
	m.phase("users+groups", m.users.records+m.groups.records, func() error {
		var wg sync.WaitGroup
		wg.Go(func() { m.scanAccounts(ctx, m.gate, done) })
		wg.Go(func() {
			usersErr = runKind(ctx, m, usersKind, m.users, watchOf(m.listed.users), nil)
			m.gate.openAll()
		})
		groupsErr = runKind(ctx, m, groupsKind, m.groups, watchOf(m.listed.groups), newOwnerHold(m.gate, m.record))
		wg.Wait()
		return nil
	})
	m.stop(ctx, usersErr)
	m.stop(ctx, groupsErr)
}

// phase shows the progress of one step of the import while fn runs it.
func (m *migration) phase(label string, total int, fn func() error) error {
	m.out.begin(label, total)
	defer m.out.end()
	return fn()
}

// stop looks at how one input's import ended and decides whether the
// migration goes on.
func (m *migration) stop(ctx context.Context, err error) {
	_, partial := errors.AsType[*chatimport.ImportError](err)
	switch {
	case m.stopped != nil:
	case ctx.Err() != nil:
		m.stopped = context.Cause(ctx)
	case errors.Is(err, chatimport.ErrUnauthorized), errors.Is(err, chatimport.ErrPermission):
		// Every later request would be refused the same way.
		m.stopped = err
	case err != nil && !partial:
		m.inputErr = err
		m.stopped = err
	}
}

// verifying says whether members are listed afterwards.
func (m *migration) verifying() bool {
	return m.cfg.verify && !m.cfg.dryRun
}

// runKind imports one input, unless the migration has stopped. Records a
// checkpoint says are done are skipped, and so are those refused when the
// input was checked on resume.
func runKind[T any](ctx context.Context, m *migration, k *kind[T], in *input, watch watcher[T], hold holder[T]) error {
	if m.stopped != nil { // nothing of this input is read
		m.tally(k.name).unread = in.records
		return nil
	}
	p := &pass[T]{kind: k, in: in, client: m.client, watch: watch, mapper: m.mapper, hold: hold, emit: m.record}
	if done := m.done[k.name]; done != nil && done.count() > 0 {
		if ctx.Err() == nil {
			m.say(fmt.Sprintf("%s: %s of %s records were finished by an earlier run (checkpoint %s); skipping them.",
				k.name, count(done.count()), count(in.records), m.cfg.checkpointPath))
		}
		refused := m.refused[k.name]
		p.skip = func(index int, id string) (outcome, bool) {
			if done.has(index) {
				return outcome{kind: k.name, index: index, id: id, status: "done", class: classDone}, true
			}
			o, ok := refused[index]
			return o, ok
		}
	}
	err := p.run(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tally(k.name)
	t.unread = in.records - t.records
	if m.ckpt != nil {
		if serr := m.ckpt.save(); serr != nil {
			m.fail(serr)
		}
	}
	return err
}

// record takes one outcome: counted, reported, checkpointed when the item
// is on the server, and printed when it is a problem.
func (m *migration) record(o *outcome) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gate != nil && o.kind == usersKind.name && (o.class == classImported || o.class == classExisted) {
		m.gate.land(o.id)
	}
	m.tally(o.kind).add(o)
	if m.report != nil {
		if err := m.report.write(o); err != nil {
			m.fail(fmt.Errorf("writing the report: %w", err))
		}
	}
	if m.ckpt != nil && (o.class == classImported || o.class == classExisted) {
		if err := m.ckpt.markDone(o.kind, o.index); err != nil {
			m.fail(err)
		}
	}
	for _, c := range o.changes {
		if m.mapped[o.kind] == nil {
			m.mapped[o.kind] = map[string]int{}
		}
		m.mapped[o.kind][c.field+" "+c.what]++
	}
	if o.class == classDiffering && len(m.differing) < maxShown {
		m.differing = append(m.differing, *o)
	}
	if o.msg != "" && !o.quiet {
		m.show(o)
	}
	m.out.add(1)
}

func (m *migration) tally(kind string) *tally {
	t := m.tallies[kind]
	if t == nil {
		t = &tally{}
		m.tallies[kind] = t
	}
	return t
}

func (m *migration) show(o *outcome) {
	if !m.cfg.dryRun && m.shown >= maxShown {
		m.hidden++
		return
	}
	m.shown++
	id := ""
	if o.id != "" {
		id = fmt.Sprintf(" %q:", o.id)
	}
	m.out.println(fmt.Sprintf("%s:%d:%s %s", m.inputs[o.kind].name, o.line, id, o.msg))
}

// fail stops the import when its output cannot be written: going on would
// import what the report or the checkpoint cannot account for.
func (m *migration) fail(err error) {
	if m.err == nil {
		m.err = err
		m.cancel(err)
	}
}

func (m *migration) say(msg string) { m.out.println(msg) }

func (m *migration) verify(ctx context.Context, v *verifier) {
	res, err := v.check(ctx, m.client, m.say)
	if err != nil {
		fmt.Fprintf(m.stderr, "chatimport: verify: %v\n", err)
		res.differences++ // an unverifiable group is a difference too
	}
	if v.banned > 0 {
		m.say(fmt.Sprintf("verify: %s not checked: CometChat lists banned members apart", plural(v.banned, "banned member")))
	}
	if m.cfg.provider == chatimport.ProviderTencent && m.users != nil {
		m.say("verify: Tencent lists no accounts: an account is checked only as a member of the groups listed")
	}
	m.verified = &res
}

// close releases what prepare opened, also when it failed halfway.
func (m *migration) close() {
	if m.report != nil {
		m.report.close()
	}
	m.users.close()
	m.groups.close()
	m.members.close()
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

// Exit statuses.
const (
	exitOK     = 0 // every item is on the server (or, in a dry run, valid)
	exitFailed = 1 // some items failed or were not sent
	exitUsage  = 2 // the command line, the environment or an input is wrong
)

// maxShown bounds the problems an import prints; the report has them all.
// A dry run prints every one, as that is what it is for.
const maxShown = 20

// run is the whole tool. main only adds the process around it, so tests
// call it with their own arguments, environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return (&app{stdout: stdout, stderr: stderr, getenv: getenv, tty: isTerminal(stdout)}).run(ctx, args)
}

type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	tty            bool
	// fakeStarted, when set, is handed the embedded fake as soon as it
	// runs, so that a test can judge from its state what arrived.
	fakeStarted func(*chatimporttest.Server)
}

func (a *app) run(ctx context.Context, args []string) int {
	started := time.Now()
	cfg, err := parseFlags(args, a.stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return a.usage(err)
	}
	m := &migration{cfg: cfg, stdout: a.stdout, stderr: a.stderr, out: newProgress(a.stdout, a.tty),
		tallies: map[string]*tally{}, inputs: map[string]*input{}, done: map[string]*ranges{}}
	defer m.close()
	if err := m.prepare(a.getenv, a.fakeStarted); err != nil {
		return a.usage(err)
	}
	return m.run(ctx, started)
}

func (a *app) usage(err error) int {
	fmt.Fprintf(a.stderr, "migrate: %v\n", err)
	if _, ok := errors.AsType[*usageError](err); ok {
		fmt.Fprintln(a.stderr, "Run migrate -h for the flags and the environment.")
	}
	return exitUsage
}

// migration is one run of the tool.
type migration struct {
	cfg            *config
	stdout, stderr io.Writer
	out            *progress

	client   *chatimport.Client
	meter    *meter                 // nil in a dry run
	fake     *chatimporttest.Server // nil unless running against the embedded fake
	target   string                 // where the run imports to, for the intro and the checkpoint
	embedded bool                   // importing the embedded sample
	users    *input
	members  *input
	inputs   map[string]*input // by kind
	report   *report
	ckpt     *checkpoint
	done     map[string]*ranges // by kind: records an earlier run finished, per the checkpoint

	cancel   context.CancelCauseFunc
	tallies  map[string]*tally
	shown    int
	hidden   int
	err      error     // the first failure to write the report or the checkpoint
	stopped  error     // why the import stopped early, if it did
	inputErr error     // an input that could not be read to the end
	verified *verified // nil when no verification ran
}

// prepare checks the command line against the environment, opens the
// inputs and outputs and builds the client. Its errors are usage or input
// errors.
func (m *migration) prepare(getenv func(string) string, fakeStarted func(*chatimporttest.Server)) error {
	cfg := m.cfg
	creds, err := readCredentials(cfg.provider, getenv)
	if err != nil {
		return err
	}
	if creds == nil && cfg.baseURL != "" {
		return usagef("-base-url needs the provider's credentials in the environment (%s)",
			strings.Join(envVars[cfg.provider].required, ", "))
	}
	if creds == nil && cfg.checkpointPath != "" && !cfg.dryRun {
		// The embedded fake starts empty on every run: a checkpoint would
		// skip items the next fake never received.
		return usagef("-checkpoint needs a real endpoint (credentials, and -base-url for a fake of your own); the embedded fake forgets everything when the tool exits")
	}
	if err := m.openInputs(creds == nil); err != nil {
		return err
	}
	switch {
	case cfg.dryRun:
		m.client, err = m.dryClient()
	case creds == nil:
		err = m.fakeClient(fakeStarted)
	default:
		err = m.realClient(creds)
	}
	if err != nil {
		return err
	}
	if cfg.reportPath != "" {
		if m.report, err = createReport(cfg.reportPath); err != nil {
			return err
		}
	}
	if cfg.checkpointPath != "" && !cfg.dryRun {
		if m.ckpt, err = loadCheckpoint(cfg.checkpointPath, cfg.provider, m.target); err != nil {
			return err
		}
		// Every input is matched against the checkpoint before anything is
		// sent, so a wrong members file is refused before users go.
		for kind, in := range m.inputs {
			if m.done[kind], err = m.ckpt.begin(in); err != nil {
				return err
			}
		}
	}
	return nil
}

// openInputs opens the files given, or the embedded sample when there are
// none and no credentials: the sample is for the fake, never a real app.
func (m *migration) openInputs(noCredentials bool) error {
	var err error
	if p := m.cfg.usersPath; p != "" {
		if m.users, err = fileInput("users", p); err != nil {
			return err
		}
	}
	if p := m.cfg.membersPath; p != "" {
		if m.members, err = fileInput("members", p); err != nil {
			return err
		}
	}
	if m.users == nil && m.members == nil {
		if !noCredentials {
			return usagef("nothing to import: give -users and/or -members")
		}
		m.embedded = true
		if m.cfg.provider == chatimport.ProviderCometChat {
			if m.users, err = embeddedInput("users", "samples/users.jsonl", sampleUsers); err != nil {
				return err
			}
		}
		if m.members, err = embeddedInput("members", "samples/members.jsonl", sampleMembers); err != nil {
			return err
		}
	}
	for _, in := range []*input{m.users, m.members} {
		if in != nil {
			m.inputs[in.kind] = in
		}
	}
	return nil
}

// dryClient builds a client whose requests all end in the refusal
// transport: the library validates every item, and nothing is sent. The
// pass-through options are still applied, so a bad -batch fails here too.
func (m *migration) dryClient() (*chatimport.Client, error) {
	opts := append([]chatimport.Option{chatimport.WithHTTPClient(&http.Client{Transport: refusal{}})}, m.cfg.clientOptions()...)
	opts = append(opts, chatimport.WithRetry(0, 0, 0), chatimport.WithRateLimit(0, 0))
	var c *chatimport.Client
	var err error
	if m.cfg.provider == chatimport.ProviderCometChat {
		c, err = chatimport.NewCometChat("dry-run", "us", "dry-run", opts...)
	} else {
		c, err = chatimport.NewTencent(1, "dry-run", append(opts, chatimport.WithRegion("singapore"))...)
	}
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return c, nil
}

func (m *migration) fakeClient(started func(*chatimporttest.Server)) error {
	m.fake = startFake()
	if started != nil {
		started(m.fake)
	}
	m.target = "the embedded fake"
	hc, meter := newMeteredClient()
	m.meter = meter
	opts := append([]chatimport.Option{chatimport.WithHTTPClient(hc), fakeRetry}, m.cfg.clientOptions()...)
	var err error
	if m.cfg.provider == chatimport.ProviderCometChat {
		m.client, err = m.fake.CometChat(opts...)
	} else {
		m.client, err = m.fake.Tencent(opts...)
	}
	if err != nil {
		return &usageError{err.Error()}
	}
	return nil
}

func (m *migration) realClient(creds *credentials) error {
	hc, meter := newMeteredClient()
	m.meter = meter
	m.target = creds.target(m.cfg.provider, m.cfg.baseURL)
	opts := []chatimport.Option{chatimport.WithHTTPClient(hc)}
	if m.cfg.baseURL != "" {
		opts = append(opts, chatimport.WithBaseURL(m.cfg.baseURL))
	}
	opts = append(opts, m.cfg.clientOptions()...)
	var err error
	if m.cfg.provider == chatimport.ProviderCometChat {
		m.client, err = chatimport.NewCometChat(creds.appID, creds.region, creds.apiKey, opts...)
	} else {
		if creds.region == "" && m.cfg.baseURL == "" {
			return usagef("TENCENT_REGION is not set (china, singapore, seoul, frankfurt, mumbai, usa, tokyo or jakarta) and there is no -base-url")
		}
		if creds.region != "" {
			opts = append(opts, chatimport.WithRegion(creds.region))
		}
		if creds.admin != "" {
			opts = append(opts, chatimport.WithAdmin(creds.admin))
		}
		m.client, err = chatimport.NewTencent(creds.sdkAppID, creds.secretKey, opts...)
	}
	if err != nil {
		return &usageError{err.Error()} // the library's errors never hold a secret
	}
	return nil
}

// run imports users, then members, verifies, and prints the summary.
func (m *migration) run(parent context.Context, started time.Time) int {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	m.cancel = cancel
	m.intro()
	if m.users != nil {
		m.stop(ctx, runKind(m.kindContext(ctx), m, usersKind, m.users, nil))
	}
	if m.members != nil {
		var v *verifier
		var watch watcher[chatimport.Member]
		if m.verifying() {
			v = newVerifier()
			watch = v
		}
		m.stop(ctx, runKind(m.kindContext(ctx), m, membersKind, m.members, watch))
		if v != nil && m.stopped == nil && m.inputErr == nil {
			m.verify(ctx, v)
		}
	}
	return m.finish(parent, started)
}

// kindContext is ctx, or once the import has stopped a context ended with
// the reason, so that the next input is still read and every record of it
// reported as not sent, without a request.
func (m *migration) kindContext(ctx context.Context) context.Context {
	if m.stopped == nil {
		return ctx
	}
	stopped, cancel := context.WithCancelCause(ctx)
	cancel(m.stopped)
	return stopped
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

func (m *migration) verifying() bool {
	return m.cfg.verify && !m.cfg.dryRun && m.cfg.provider == chatimport.ProviderCometChat
}

func (m *migration) intro() {
	provider := "CometChat"
	if m.cfg.provider == chatimport.ProviderTencent {
		provider = "Tencent Cloud Chat"
	}
	switch {
	case m.cfg.dryRun:
		m.say(fmt.Sprintf("Dry run: checking every record against %s's rules; no request is sent.", provider))
		if m.cfg.checkpointPath != "" {
			m.say("(A dry run checks every record: -checkpoint is not read or written.)")
		}
	case m.fake != nil:
		m.say(fmt.Sprintf("No credentials in the environment and no -base-url: importing into the embedded fake %s\n"+
			"(chatimporttest on %s). Nothing leaves this machine. The fake injects rate limits,\n"+
			"outages and lost answers; the summary shows them absorbed by retries.", provider, m.fake.URL))
	default:
		m.say(fmt.Sprintf("Importing into %s.", m.target))
	}
	if m.embedded {
		kinds := []string{}
		for _, in := range []*input{m.users, m.members} {
			if in != nil {
				kinds = append(kinds, count(in.records)+" "+in.kind)
			}
		}
		m.say("No -users or -members: importing the embedded sample, " + strings.Join(kinds, " and ") + ".")
		if m.users == nil {
			m.say("(Tencent: the library imports group members only; the fake creates accounts on first use.)")
		}
	}
}

// runKind imports one input. When a checkpoint says part of it is done,
// those records are skipped, and the input is first checked once more with
// nothing sent: a record refused as a repeat (or a case-only variant) of a
// done one must be refused again, not sent on its own.
func runKind[T any](ctx context.Context, m *migration, k *kind[T], in *input, watch watcher[T]) error {
	p := &pass[T]{kind: k, in: in, client: m.client, watch: watch, emit: m.record}
	if done := m.done[k.name]; done != nil && done.count() > 0 {
		var refused map[int]outcome
		if ctx.Err() == nil {
			m.say(fmt.Sprintf("%s: %s of %s records were finished by an earlier run (checkpoint %s); skipping them.",
				k.name, count(done.count()), count(in.records), m.cfg.checkpointPath))
			var err error
			if refused, err = refusals(ctx, m, k, in); err != nil {
				return err
			}
		}
		p.skip = func(index int, id string) (outcome, bool) {
			if done.has(index) {
				return outcome{kind: k.name, index: index, id: id, status: "done", class: classDone}, true
			}
			o, ok := refused[index]
			return o, ok
		}
	}
	m.out.begin(k.name, in.records)
	err := p.run(ctx)
	m.out.end()
	if m.ckpt != nil {
		if serr := m.ckpt.save(); serr != nil {
			m.fail(serr)
		}
	}
	return err
}

// refusals runs the input through a dry-run client and returns the records
// the library refuses, by index.
func refusals[T any](ctx context.Context, m *migration, k *kind[T], in *input) (map[int]outcome, error) {
	client, err := m.dryClient()
	if err != nil {
		return nil, err
	}
	refused := map[int]outcome{}
	p := &pass[T]{kind: k, in: in, client: client, emit: func(o *outcome) {
		if o.class == classInvalid || o.class == classDuplicate {
			refused[o.index] = *o
		}
	}}
	err = p.run(ctx)
	if _, partial := errors.AsType[*chatimport.ImportError](err); partial {
		err = nil // every valid record "fails" with errDryRun
	}
	return refused, err
}

// record takes one outcome: counted, reported, checkpointed when the item
// is on the server, and printed when it is a problem.
func (m *migration) record(o *outcome) {
	t := m.tallies[o.kind]
	if t == nil {
		t = &tally{}
		m.tallies[o.kind] = t
	}
	t.add(o.class)
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
	if o.msg != "" && !o.quiet {
		m.show(o)
	}
	m.out.add(1)
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
		fmt.Fprintf(m.stderr, "migrate: verify: %v\n", err)
		res.differences++ // an unverifiable group is a difference too
	}
	if v.banned > 0 {
		m.say(fmt.Sprintf("verify: %s not checked: CometChat lists banned members apart", plural(v.banned, "banned member")))
	}
	m.verified = &res
}

// finish closes the outputs, prints the summary and returns the exit status.
func (m *migration) finish(parent context.Context, started time.Time) int {
	if m.report != nil {
		if err := m.report.close(); err != nil && m.err == nil {
			m.err = fmt.Errorf("writing the report: %w", err)
		}
		m.report = nil
	}
	code := exitOK
	w := m.stdout
	fmt.Fprintln(w)
	for _, kind := range []string{"users", "members"} {
		if t := m.tallies[kind]; t != nil {
			fmt.Fprintf(w, "%-9s %s\n", kind, t.line(m.cfg.dryRun))
			if !t.ok() {
				code = exitFailed
			}
		}
	}
	switch {
	case m.meter == nil:
		fmt.Fprintln(w, "requests  none: dry run")
	default:
		n, what := m.meter.failed()
		line := count(m.meter.requests())
		if n > 0 {
			absorbed := "absorbed by retries"
			for _, t := range m.tallies {
				if t.n(classFailed, classInterrupted, classNotSent) > 0 {
					absorbed = "not all absorbed by retries"
				}
			}
			line += fmt.Sprintf(", %s failed attempts %s: %s", count(n), absorbed, what)
		}
		fmt.Fprintf(w, "requests  %s\n", line)
	}
	if m.fake != nil {
		fmt.Fprintf(w, "fake      injected %s\n", injected(m.fake))
	}
	if v := m.verified; v != nil {
		fmt.Fprintf(w, "verified  %s, %s, %s\n", plural(v.groups, "group"), plural(v.members, "member"), plural(v.differences, "difference"))
		if v.differences > 0 {
			code = exitFailed
		}
	}
	fmt.Fprintf(w, "elapsed   %s\n", time.Since(started).Round(time.Millisecond))
	if m.hidden > 0 {
		more := "use -report FILE to see them all"
		if m.cfg.reportPath != "" {
			more = "see " + m.cfg.reportPath
		}
		fmt.Fprintf(w, "%s more problems not shown; %s\n", count(m.hidden), more)
	}
	if m.stopped != nil || m.err != nil {
		code = exitFailed
	}
	switch {
	case m.err != nil:
		fmt.Fprintf(m.stderr, "migrate: %v\n", m.err)
	case parent.Err() != nil:
		m.interrupted(w)
	case m.inputErr != nil:
		fmt.Fprintf(m.stderr, "migrate: %v\n", m.inputErr)
		code = exitUsage
	case m.stopped != nil:
		fmt.Fprintf(m.stderr, "migrate: stopped: %v\n", m.stopped)
	}
	return code
}

func (m *migration) interrupted(w io.Writer) {
	if m.ckpt != nil {
		fmt.Fprintf(w, "Interrupted. Progress is saved in %s: run the same command to resume.\n", m.cfg.checkpointPath)
		return
	}
	fmt.Fprintln(w, "Interrupted. Without -checkpoint a rerun sends everything again (what arrived comes back as existed).")
}

// close releases what prepare opened, also when it failed halfway.
func (m *migration) close() {
	if m.report != nil {
		m.report.close()
	}
	if m.fake != nil {
		m.fake.Close()
	}
}

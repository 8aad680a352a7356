package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/chatimport/chatimport"
)

// importCmd is chatimport import: the files given, into the provider the
// environment's credentials name.
func (t *tool) importCmd(ctx context.Context, args []string) int {
	started := time.Now()
	cfg, err := parseFlags(args, t.stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return t.usage("import", err)
	}
	m := t.newMigration(cfg)
	defer m.close()
	if err := m.prepare(ctx, t.getenv); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(t.stderr, "chatimport: interrupted before anything was sent: %v\n", err)
			return exitFailed
		}
		return t.usage("import", err)
	}
	m.intro()
	return m.run(ctx, started)
}

// prepare checks the command line against the environment, reads the
// inputs, opens the outputs and builds the client, all before anything is
// sent. Its errors are usage or input errors, or the end of ctx.
func (m *migration) prepare(ctx context.Context, getenv func(string) string) error {
	cfg := m.cfg
	var creds *credentials
	if !cfg.dryRun { // a dry run sends nothing, so it needs no credentials
		var err error
		if creds, err = readCredentials(cfg.provider, cfg.baseURL, getenv); err != nil {
			return err
		}
	}
	if err := m.openInputs(ctx); err != nil {
		return err
	}
	var err error
	if cfg.dryRun {
		m.client, err = dryClient(cfg)
	} else {
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
	if cfg.checkpointPath == "" || cfg.dryRun {
		return nil
	}
	if m.ckpt, err = loadCheckpoint(cfg.checkpointPath, cfg.provider, m.target); err != nil {
		return err
	}
	if err := m.ckpt.renamedBy(m.mapper.fingerprint); err != nil {
		return err
	}
	// Every input is matched against the checkpoint before anything is sent,
	// so a wrong members file is refused before users go.
	for kind, in := range m.inputs {
		if m.done[kind], err = m.ckpt.begin(in); err != nil {
			return err
		}
	}
	if m.users != nil {
		if err := checkDone(ctx, m, usersKind, m.users); err != nil {
			return err
		}
	}
	if m.groups != nil {
		if err := checkDone(ctx, m, groupsKind, m.groups); err != nil {
			return err
		}
	}
	if m.members != nil {
		return checkDone(ctx, m, membersKind, m.members)
	}
	return nil
}

func (m *migration) openInputs(ctx context.Context) error {
	var err error
	for _, f := range []struct {
		dst        **input
		kind, path string
	}{{&m.users, usersKind.name, m.cfg.usersPath}, {&m.groups, groupsKind.name, m.cfg.groupsPath}, {&m.members, membersKind.name, m.cfg.membersPath}} {
		if f.path == "" {
			continue
		}
		if *f.dst, err = fileInput(ctx, f.kind, f.path); err != nil {
			return err
		}
	}
	m.mapper = &mapper{target: m.cfg.provider}
	if p := m.cfg.idMapPath; p != "" {
		if m.mapper.ids, m.mapper.fingerprint, err = readIDMap(p); err != nil {
			return err
		}
	}
	m.addInputs()
	return nil
}

// dryClient builds a client whose requests all end in the refusal
// transport: the library validates every item, and nothing is sent. The
// pass-through options are still applied, so a bad -batch fails here too.
func dryClient(cfg *config) (*chatimport.Client, error) {
	opts := append([]chatimport.Option{chatimport.WithHTTPClient(&http.Client{Transport: refusal{}})}, cfg.clientOptions()...)
	opts = append(opts, chatimport.WithRetry(0, 0, 0), chatimport.WithRateLimit(0, 0))
	var c *chatimport.Client
	var err error
	if cfg.provider == chatimport.ProviderCometChat {
		c, err = chatimport.NewCometChat("dry-run", "us", "dry-run", opts...)
	} else {
		c, err = chatimport.NewTencent(1, "dry-run", append(opts, chatimport.WithRegion("singapore"))...)
	}
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return c, nil
}

func (m *migration) realClient(creds *credentials) error {
	hc, meter := newMeteredClient(m.cfg.provider)
	m.meter = meter
	m.target = creds.target(m.cfg.provider, m.cfg.baseURL)
	var err error
	opts := append([]chatimport.Option{chatimport.WithHTTPClient(hc)}, m.cfg.clientOptions()...)
	m.client, err = newClient(m.cfg.provider, m.cfg.baseURL, creds, append(opts, m.extra...)...)
	return err
}

// newClient is a client for the provider's app the credentials name.
func newClient(provider, baseURL string, creds *credentials, opts ...chatimport.Option) (*chatimport.Client, error) {
	if baseURL != "" {
		opts = append(opts, chatimport.WithBaseURL(baseURL))
	}
	var c *chatimport.Client
	var err error
	if provider == chatimport.ProviderCometChat {
		c, err = chatimport.NewCometChat(creds.appID, creds.region, creds.apiKey, opts...)
	} else {
		if creds.region != "" {
			opts = append(opts, chatimport.WithRegion(creds.region))
		}
		if creds.admin != "" {
			opts = append(opts, chatimport.WithAdmin(creds.admin))
		}
		c, err = chatimport.NewTencent(creds.sdkAppID, creds.secretKey, opts...)
	}
	if err != nil {
		return nil, &usageError{err.Error()} // the library's errors never hold a secret
	}
	return c, nil
}

// checkDone checks an input once more, with nothing sent, when a checkpoint
// says part of it is done. A record refused as a repeat (or a case-only
// variant) of a done one must be refused again, not sent on its own; and a
// checkpoint that marks a refused record done was not made from this input.
func checkDone[T any](ctx context.Context, m *migration, k *kind[T], in *input) error {
	done := m.done[k.name]
	if done == nil || done.count() == 0 {
		return nil
	}
	client, err := dryClient(m.cfg)
	if err != nil {
		return err
	}
	refused := map[int]outcome{}
	p := &pass[T]{kind: k, in: in, client: client, mapper: m.mapper, emit: func(o *outcome) {
		switch o.class {
		case classInvalid, classMalformed, classDuplicate, classDiffering, classUnfit:
			refused[o.index] = *o
		}
	}}
	err = p.run(ctx)
	if _, partial := errors.AsType[*chatimport.ImportError](err); partial {
		err = nil // every valid record "fails" with errDryRun
	}
	if err != nil {
		return err
	}
	for index, o := range refused {
		if done.has(index) {
			return fmt.Errorf("checkpoint %s marks %s record %d done, but %s:%d is refused (%s); use another -checkpoint file",
				m.cfg.checkpointPath, k.name, index, in.name, o.line, o.msg)
		}
	}
	m.refused[k.name] = refused
	return nil
}

func (m *migration) intro() {
	provider := "CometChat"
	if m.cfg.provider == chatimport.ProviderTencent {
		provider = "Tencent Cloud Chat"
	}
	if !m.cfg.dryRun {
		m.say(fmt.Sprintf("Importing into %s.", m.target))
		return
	}
	m.say(fmt.Sprintf("Dry run: checking every record against %s's rules; no request is sent.", provider))
	if m.cfg.checkpointPath != "" {
		m.say("(A dry run checks every record: -checkpoint is not read or written.)")
	}
}

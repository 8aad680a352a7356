package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chatimport/chatimport"
)

const exportUsage = `Usage: chatimport export -provider cometchat|tencent -out DIR [-groups GUID,...] [-base-url URL] [-retries N] [-max-wait D]

Writes users.jsonl, groups.jsonl and members.jsonl into DIR, in the format
chatimport import reads, so that an export of one provider imports into the
other. From CometChat: every user, the groups and their members. From
Tencent, which cannot list accounts: the groups, their members, and as
users the accounts found in those member lists (uid only).

The walk is saved in DIR/export-checkpoint.json after every page: run the
same command again after an interruption and it goes on where it stopped.
It needs the provider's credentials in the environment (see chatimport
import -h).

Exit status: 0 when the export is complete, 1 when it stopped early (run it
again to resume), 2 for usage errors and missing credentials.

Flags:
`

// exportConfig is what the export command line asked for.
type exportConfig struct {
	provider, out, baseURL string
	groups                 []string // only these groups; nil: every group
	retries                int
	maxWait                time.Duration
}

func parseExportFlags(args []string, t *tool) (*exportConfig, error) {
	cfg := &exportConfig{}
	var groups string
	fs := flag.NewFlagSet("chatimport export", flag.ContinueOnError)
	fs.SetOutput(t.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), exportUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.provider, "provider", chatimport.ProviderCometChat, "`name` of the provider: cometchat or tencent")
	fs.StringVar(&cfg.out, "out", "", "`dir`ectory to write users.jsonl, groups.jsonl and members.jsonl into")
	fs.StringVar(&groups, "groups", "", "export only these groups and their members: `guid`s separated by commas")
	fs.StringVar(&cfg.baseURL, "base-url", "", "endpoint `URL` instead of the provider's; credentials are still needed")
	fs.IntVar(&cfg.retries, "retries", 6, "ask for a page again up to `N` times after a failure")
	fs.DurationVar(&cfg.maxWait, "max-wait", time.Minute, "the longest `wait` between retries, a server's Retry-After included")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	for g := range strings.SplitSeq(groups, ",") {
		if g = strings.TrimSpace(g); g != "" && !slices.Contains(cfg.groups, g) {
			cfg.groups = append(cfg.groups, g)
		}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	case cfg.provider != chatimport.ProviderCometChat && cfg.provider != chatimport.ProviderTencent:
		return nil, usagef("-provider %q: want cometchat or tencent", cfg.provider)
	case cfg.out == "":
		return nil, usagef("-out: give the directory to write into")
	case groups != "" && len(cfg.groups) == 0:
		return nil, usagef("-groups %q names no group", groups)
	}
	return cfg, nil
}

// exportCmd is chatimport export.
func (t *tool) exportCmd(ctx context.Context, args []string) int {
	started := time.Now()
	cfg, err := parseExportFlags(args, t)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return t.usage("export", err)
	}
	creds, err := readCredentials(cfg.provider, cfg.baseURL, t.getenv)
	if err != nil {
		return t.usage("export", err)
	}
	hc, meter := newMeteredClient(cfg.provider)
	client, err := newClient(cfg.provider, cfg.baseURL, creds, chatimport.WithHTTPClient(hc),
		chatimport.WithRetry(cfg.retries, min(defaultMinWait, cfg.maxWait), cfg.maxWait))
	if err != nil {
		return t.usage("export", err)
	}
	x := &exporter{cfg: cfg, client: client, out: newProgress(t.stdout, t.tty), stdout: t.stdout}
	if err := x.open(creds.target(cfg.provider, cfg.baseURL)); err != nil {
		return t.usage("export", err)
	}
	err = x.run(ctx)
	return x.finish(ctx, err, meter, t.stderr, started)
}

// run walks users (CometChat), groups, then each group's members, saving the
// walk after every page.
func (x *exporter) run(ctx context.Context) error {
	if x.cfg.provider == chatimport.ProviderCometChat && !x.state.UsersDone {
		x.out.begin("users", 0)
		err := walk(ctx, x, x.client.UsersPager(nil), &x.state.Users, func(u *chatimport.User) error {
			return x.files[usersFile].write(userLine(u))
		})
		x.out.end()
		if err != nil {
			return fmt.Errorf("listing users: %w", err)
		}
		x.state.UsersDone = true
		if err := x.save(); err != nil {
			return err
		}
	}
	if !x.state.GroupsDone {
		if err := x.exportGroups(ctx); err != nil {
			return err
		}
	}
	x.out.begin("members", 0)
	defer x.out.end()
	for x.state.Group < len(x.state.Guids) {
		guid := x.state.Guids[x.state.Group]
		err := walk(ctx, x, x.client.MembersPager(guid, nil), &x.state.Members, func(m *chatimport.Member) error {
			if x.accounts != nil && !x.accounts[m.UID] {
				x.accounts[m.UID] = true
				if err := x.files[usersFile].write(userOut{UID: m.UID}); err != nil {
					return err
				}
			}
			return x.files[membersFile].write(memberLine(m))
		})
		if err != nil {
			return fmt.Errorf("listing the members of %s: %w", guid, err)
		}
		x.state.Group++
		x.state.Members = nil
		if err := x.save(); err != nil {
			return err
		}
	}
	return nil
}

func (x *exporter) exportGroups(ctx context.Context) error {
	want := map[string]bool{}
	for _, g := range x.cfg.groups {
		want[g] = true
	}
	x.out.begin("groups", 0)
	err := walk(ctx, x, x.client.GroupsPager(nil), &x.state.GroupList, func(g *chatimport.Group) error {
		if len(want) > 0 && !want[g.GUID] {
			return nil
		}
		x.state.Guids = append(x.state.Guids, g.GUID)
		return x.files[groupsFile].write(groupLine(g))
	})
	x.out.end()
	if err != nil {
		return fmt.Errorf("listing groups: %w", err)
	}
	var missing []string
	for _, g := range x.cfg.groups {
		if !slices.Contains(x.state.Guids, g) {
			missing = append(missing, g)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("-groups: %s not found on %s", strings.Join(missing, ", "), x.cfg.provider)
	}
	x.state.GroupsDone = true
	return x.save()
}

// walk hands every remaining item of a pager to fn, page by page, and saves
// the position with the files after each page, so that a rerun neither
// repeats nor misses a record.
func walk[T any](ctx context.Context, x *exporter, p *chatimport.Pager[T], pos **chatimport.Position, fn func(*T) error) error {
	if *pos != nil {
		if err := p.Resume(**pos); err != nil {
			return err
		}
	}
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		x.out.add(len(page))
		at := p.Position()
		*pos = &at
		if err := x.save(); err != nil {
			return err
		}
	}
	return nil
}

// finish prints the summary and returns the exit status.
func (x *exporter) finish(ctx context.Context, err error, m *meter, stderr io.Writer, started time.Time) int {
	// What was written since the last page saved is cut off on resume, so
	// an interrupted walk is saved as it stood after that page.
	if err == nil {
		x.state.Done = true
		err = x.save()
	}
	if cerr := x.close(); err == nil {
		err = cerr
	}
	w := x.stdout
	fmt.Fprintln(w)
	for _, name := range []string{usersFile, groupsFile, membersFile} {
		fmt.Fprintf(w, "%-9s %s written to %s\n", strings.TrimSuffix(name, ".jsonl"), plural(x.state.Counts[name], "record"),
			filepath.Join(x.cfg.out, name))
	}
	line := count(m.requests())
	if n, what := m.failed(); n > 0 {
		line += fmt.Sprintf(", %s failed attempts: %s", count(n), what)
	}
	fmt.Fprintf(w, "requests  %s\n", line)
	if x.cfg.provider == chatimport.ProviderTencent {
		fmt.Fprintln(w, "note      Tencent lists no accounts: users.jsonl holds the accounts found in the groups' member lists, uid only")
	}
	fmt.Fprintf(w, "elapsed   %s\n", time.Since(started).Round(time.Millisecond))
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil:
		fmt.Fprintf(w, "Interrupted. The walk is saved in %s: run the same command to resume.\n", x.ckptPath())
	default:
		fmt.Fprintf(stderr, "chatimport: export stopped: %v\nThe walk is saved in %s: run the same command to resume.\n", err, x.ckptPath())
	}
	return exitFailed
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatimport/chatimport"
)

// config is what the command line asked for.
type config struct {
	provider       string
	usersPath      string
	groupsPath     string
	membersPath    string
	idMapPath      string
	baseURL        string
	reportPath     string
	checkpointPath string
	dryRun         bool
	verify         bool

	// Pass-through client options; the set flags say which were given, so
	// that the library's defaults apply to the others.
	rate, concurrency, batch, retries int
	per, maxWait                      time.Duration
	set                               map[string]bool
}

// usageError is a command line the tool cannot run: exit status 2.
type usageError struct{ msg string }

// Error is the usage problem, as printed before the usage text.
func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

const importUsage = `Usage: chatimport import -provider cometchat|tencent [-users F] [-groups F] [-members F] [flags]

Imports users (Tencent: accounts) and groups, then group members, from
JSON Lines files into CometChat or Tencent Cloud Chat, one object a line
with the fields of the providers' import documents (chatimport export
writes them). A record is fitted to the target first: what the target
cannot hold is left behind and named in the report's note, and a record
that cannot land at all is skipped with its reason (see the README's
mapping table). It needs the chosen provider's credentials in the
environment; chatimport demo shows it at work on in-process fakes. Into
CometChat users go before groups; into Tencent, whose two calls are paced
apart, they go at once, a group whose owner is an account of the run once
that account is imported.

Environment:
  COMETCHAT_APP_ID, COMETCHAT_REGION (us|eu|in), COMETCHAT_API_KEY
  TENCENT_SDKAPPID, TENCENT_SECRET_KEY, TENCENT_REGION (not needed with
  -base-url), TENCENT_ADMIN (optional, default administrator)

Exit status: 0 when every record is on the server, 1 when some failed or
were not sent, 2 for usage errors, unreadable inputs and missing credentials.

Flags:
`

// parseFlags reads the import command line. -h prints the usage and
// returns flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{set: map[string]bool{}}
	fs := flag.NewFlagSet("chatimport import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), importUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.provider, "provider", chatimport.ProviderCometChat, "`name` of the provider: cometchat or tencent")
	fs.StringVar(&cfg.usersPath, "users", "", "JSON Lines `file` of users (Tencent: accounts)")
	fs.StringVar(&cfg.groupsPath, "groups", "", "JSON Lines `file` of groups")
	fs.StringVar(&cfg.membersPath, "members", "", "JSON Lines `file` of group members")
	fs.StringVar(&cfg.idMapPath, "id-map", "", "rename ids by a `file` of old,new lines (uids and guids, wherever they appear)")
	fs.StringVar(&cfg.baseURL, "base-url", "", "endpoint `URL` instead of the provider's (CometChat: the .../v3 root); credentials are still needed")
	fs.IntVar(&cfg.rate, "rate", 0, "pace import requests to `N` per -per (default: the provider's limit; 0 turns pacing off)")
	fs.DurationVar(&cfg.per, "per", time.Minute, "the `period` of -rate")
	fs.IntVar(&cfg.concurrency, "concurrency", 0, "`N` import requests in flight at once (default: derived from the pace, 4 for CometChat, 20 for Tencent)")
	fs.IntVar(&cfg.batch, "batch", 0, "`N` items per request, at most the provider's maximum (default: 50 CometChat, 300 Tencent)")
	fs.IntVar(&cfg.retries, "retries", 6, "send a failed request again up to `N` times")
	fs.DurationVar(&cfg.maxWait, "max-wait", time.Minute, "the longest `wait` between retries, a server's Retry-After included")
	fs.StringVar(&cfg.reportPath, "report", "", "write one JSON line per input item to `file`")
	fs.StringVar(&cfg.checkpointPath, "checkpoint", "", "record progress in `file`; a rerun with it skips what is done")
	fs.BoolVar(&cfg.dryRun, "dry-run", false, "validate every record and print the problems; send nothing (needs no credentials)")
	fs.BoolVar(&cfg.verify, "verify", true, "after the import, list what it put on the server (each touched group's members, the groups, on CometChat the users) and compare")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err.Error()}
	}
	fs.Visit(func(f *flag.Flag) { cfg.set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q: inputs are given with -users, -groups and -members", fs.Arg(0))
	case cfg.provider != chatimport.ProviderCometChat && cfg.provider != chatimport.ProviderTencent:
		return nil, usagef("-provider %q: want cometchat or tencent", cfg.provider)
	case cfg.set["per"] && !cfg.set["rate"]:
		return nil, usagef("-per needs -rate")
	case cfg.usersPath == "" && cfg.groupsPath == "" && cfg.membersPath == "":
		return nil, usagef("nothing to import: give -users, -groups and/or -members (chatimport demo imports a sample into fakes)")
	}
	return cfg, nil
}

// clientOptions are the options the flags pass through to the library,
// which validates them; only flags given override its defaults.
func (cfg *config) clientOptions() []chatimport.Option {
	var opts []chatimport.Option
	if cfg.set["rate"] {
		opts = append(opts, chatimport.WithRateLimit(cfg.rate, cfg.per))
	}
	if cfg.set["concurrency"] {
		opts = append(opts, chatimport.WithConcurrency(cfg.concurrency))
	}
	if cfg.set["batch"] {
		opts = append(opts, chatimport.WithBatchSize(cfg.batch))
	}
	if cfg.set["retries"] || cfg.set["max-wait"] {
		opts = append(opts, chatimport.WithRetry(cfg.retries, min(defaultMinWait, cfg.maxWait), cfg.maxWait))
	}
	return opts
}

// defaultMinWait is the library's first backoff; -max-wait below it lowers
// it too, so that a short cap is honoured from the first retry.
const defaultMinWait = 500 * time.Millisecond

// credentials are what the environment holds for the chosen provider.
type credentials struct {
	appID, region, apiKey string // CometChat
	sdkAppID              uint64 // Tencent
	secretKey, admin      string // Tencent; region above is shared
}

// envVars lists each provider's variables: required ones, the ones required
// unless -base-url is given, and optional ones.
var envVars = map[string]struct{ required, endpoint, optional []string }{
	chatimport.ProviderCometChat: {required: []string{"COMETCHAT_APP_ID", "COMETCHAT_REGION", "COMETCHAT_API_KEY"}},
	chatimport.ProviderTencent: {required: []string{"TENCENT_SDKAPPID", "TENCENT_SECRET_KEY"}, endpoint: []string{"TENCENT_REGION"},
		optional: []string{"TENCENT_ADMIN"}},
}

// readCredentials returns the chosen provider's credentials, or an error
// naming every variable that is missing: an import never guesses a target.
func readCredentials(provider, baseURL string, getenv func(string) string) (*credentials, error) {
	vars := envVars[provider]
	need := vars.required
	if baseURL == "" {
		need = append(slices.Clip(need), vars.endpoint...)
	}
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var missing []string
	for _, name := range need {
		if get(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		optional := ""
		if len(vars.optional) > 0 {
			optional = "; " + strings.Join(vars.optional, ", ") + " optional"
		}
		return nil, usagef("missing credentials: %s not set (a run against %s needs %s%s; chatimport demo needs none)",
			strings.Join(missing, ", "), provider, strings.Join(need, ", "), optional)
	}
	if provider == chatimport.ProviderCometChat {
		return &credentials{appID: get("COMETCHAT_APP_ID"), region: get("COMETCHAT_REGION"), apiKey: get("COMETCHAT_API_KEY")}, nil
	}
	id, err := strconv.ParseUint(get("TENCENT_SDKAPPID"), 10, 64)
	if err != nil {
		return nil, usagef("TENCENT_SDKAPPID must be the numeric SDKAppID")
	}
	return &credentials{sdkAppID: id, secretKey: get("TENCENT_SECRET_KEY"), region: get("TENCENT_REGION"), admin: get("TENCENT_ADMIN")}, nil
}

// target names where a real run imports to, without any secret, so that a
// checkpoint made for one app is never used to skip items of another.
func (c *credentials) target(provider, baseURL string) string {
	var t string
	if provider == chatimport.ProviderCometChat {
		t = fmt.Sprintf("cometchat app %s region %s", c.appID, c.region)
	} else {
		t = fmt.Sprintf("tencent app %d region %s", c.sdkAppID, c.region)
	}
	if baseURL != "" {
		t += " at " + baseURL
	}
	return t
}

// Command chatimport moves users, groups and group members into and out of
// CometChat and Tencent Cloud Chat with the chatimport library: paced,
// retried, resumable with a checkpoint, every record reported, and an export
// of one provider importable into the other.
//
//	chatimport import -provider cometchat -users users.jsonl -groups groups.jsonl -members members.jsonl -report report.jsonl
//	chatimport export -provider tencent -out dump/
//	chatimport demo
//
// import and export need the provider's credentials in the environment; demo
// runs a round trip of an embedded sample through in-process fakes. See
// chatimport -h and the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/chatimport/chatimport"
	"github.com/chatimport/chatimport/chatimporttest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the command winds down and saves its
		// checkpoint; a second one kills the process the usual way.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK     = 0 // every record is on the server (or, in a dry run, valid)
	exitFailed = 1 // some records failed or were not sent
	exitUsage  = 2 // the command line, the environment or an input is wrong
)

const usage = `Usage: chatimport <command> [flags]

Moves users, groups and group members into and out of CometChat and
Tencent Cloud Chat.

Commands:
  import   import JSON Lines files into a provider; chatimport import -h
  export   write a provider's users, groups and members as JSON Lines; chatimport export -h
  demo     a round trip of an embedded sample through in-process fakes with faults on

Exit status: 0 when every record is on the server, 1 when some failed or
were not sent, 2 for usage errors, unreadable inputs and missing credentials.
`

// run is the whole tool. main only adds the process around it, so tests
// call it with their own arguments, environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return (&tool{stdout: stdout, stderr: stderr, getenv: getenv, tty: isTerminal(stdout)}).run(ctx, args)
}

// tool is what every command runs with.
type tool struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	tty            bool
	// fakeStarted, when set, is handed each fake the demo starts, so that a
	// test can judge from its state what arrived.
	fakeStarted func(*chatimporttest.Server)
	// clientOpts, when set, come after the flags' client options in an
	// import: a benchmark paces each budget at its fake's scaled limit.
	clientOpts []chatimport.Option
}

func (t *tool) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(t.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "import":
		return t.importCmd(ctx, args[1:])
	case "export":
		return t.exportCmd(ctx, args[1:])
	case "demo":
		return t.demo(ctx, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(t.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(t.stderr, "chatimport: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

func (t *tool) usage(command string, err error) int {
	fmt.Fprintf(t.stderr, "chatimport: %v\n", err)
	if _, ok := errors.AsType[*usageError](err); ok {
		fmt.Fprintf(t.stderr, "Run chatimport %s -h for the flags and the environment.\n", command)
	}
	return exitUsage
}

// Command migrate imports users and group members from JSON Lines files
// into CometChat or Tencent Cloud Chat with the chatimport library: paced,
// retried, resumable with a checkpoint, every item reported.
//
// Run it with no flags and no credentials to import an embedded sample into
// an in-process fake of the provider; see the README or migrate -h.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the import winds down and saves its
		// checkpoint; a second one kills the process the usual way.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Command trackbot is a self-hosted chat bot that tracks parcels across
// carriers, pushes an alert when something changes and says what to do when
// a parcel stalls. Run it without arguments to serve; see trackbot --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // /tz works in minimal images without a zoneinfo database

	"github.com/sethvargo/go-envconfig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, envconfig.OsLookuper())
	stop()
	if err != nil {
		var u usageError
		switch {
		case errors.Is(err, flag.ErrHelp):
			os.Exit(0)
		case errors.As(err, &u):
			fmt.Fprintln(os.Stderr, "trackbot:", err)
			os.Exit(2)
		default:
			fmt.Fprintln(os.Stderr, "trackbot:", err)
			os.Exit(1)
		}
	}
}

// stdio are the streams a command talks through.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// usageError marks a mistake in how trackbot was called or configured.
type usageError struct{ error }

const usage = `trackbot tracks parcels across carriers and tells your chats what changed
and what to do next.

Usage:
  trackbot [serve]                     run the bot: chat adapters, engine, HTTP server
  trackbot chat                        talk to the bot in this terminal
  trackbot detect NUMBER... [--json]   guess the carrier of tracking numbers
  trackbot track NUMBER [--carrier C] [--json]
                                       look a number up once and print the shipment
  trackbot migrate                     apply database migrations and exit
  trackbot version                     print the version

Every command takes --help. Settings come from the environment; see README.md.
`

// run executes one command line. It is main without the process: tests
// call it with their own streams and environment.
func run(ctx context.Context, args []string, io stdio, env envconfig.Lookuper) error {
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	switch name {
	case "serve":
		return cmdServe(ctx, args, io, env)
	case "chat":
		return cmdChat(ctx, args, io, env)
	case "detect":
		return cmdDetect(ctx, args, io)
	case "track":
		return cmdTrack(ctx, args, io, env)
	case "migrate":
		return cmdMigrate(ctx, args, io, env)
	case "version":
		return cmdVersion(args, io)
	case "help":
		fmt.Fprint(io.out, usage)
		return nil
	}
	fmt.Fprint(io.err, usage)
	return usageError{fmt.Errorf("unknown command %q", name)}
}

// newFlags returns a flag set whose --help prints the command's usage to
// the command's output.
func newFlags(name, synopsis string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprintf(io.out, "Usage: %s\n", synopsis)
		fs.SetOutput(io.out)
		fs.PrintDefaults()
		fs.SetOutput(io.err)
	}
	return fs
}

// parseFlags parses args, turning a flag mistake into a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	return nil
}

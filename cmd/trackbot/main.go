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
	"strings"
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
			fmt.Fprint(os.Stderr, u.usage)
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
// main prints it on one line, then usage when it is set: the usage of the
// command that was called wrongly.
type usageError struct {
	error
	usage string
}

const usage = `trackbot tracks parcels across carriers and tells your chats what changed
and what to do next.

Usage:
  trackbot [serve]                     run the bot: chat adapters, engine, HTTP server
  trackbot chat                        talk to the bot in this terminal
  trackbot detect NUMBER... [--json]   guess the carrier of tracking numbers
  trackbot track NUMBER [--carrier C] [--json]
                                       look a number up once and print the shipment
  trackbot migrate                     apply database migrations and exit
  trackbot healthcheck                 exit 0 if the running server is ready (/readyz)
  trackbot version                     print the version
  trackbot help                        print this help (also -h, --help)

Every command takes --help. Settings come from the environment (a secret
can also be read from a file named by NAME_FILE); see README.md and
.env.example. With no chat platform configured, the bare command opens the
console chat and serves HTTP on 127.0.0.1:8080 (HTTP_ADDR changes it).
`

// run executes one command line. It is main without the process: tests
// call it with their own streams and environment.
func run(ctx context.Context, args []string, io stdio, env envconfig.Lookuper) error {
	name := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		name, args = "help", args[1:]
	} else if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
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
	case "healthcheck":
		return cmdHealthcheck(ctx, args, io, env)
	case "version":
		return cmdVersion(args, io)
	case "help":
		fmt.Fprint(io.out, usage)
		return nil
	}
	return usageError{fmt.Errorf("unknown command %q", name), usage}
}

// newFlags returns a flag set whose Usage writes the command's usage to
// the flag set's output. The flag package's own reports are silenced by
// parseFlags, which reports a mistake once.
func newFlags(name, synopsis string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args. --help prints the command's usage on standard
// output (flag.ErrHelp: exit 0); a flag mistake becomes a usageError that
// carries the usage, for standard error.
func parseFlags(fs *flag.FlagSet, args []string, streams stdio) error {
	fs.SetOutput(io.Discard)
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if err == nil {
		return nil
	}
	var b strings.Builder
	fs.SetOutput(&b)
	fs.Usage()
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(streams.out, b.String())
		return err
	}
	return usageError{err, b.String()}
}

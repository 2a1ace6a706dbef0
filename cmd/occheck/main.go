// Command occheck checks OAuth 2.0 token endpoints against RFC 6749 §4.4
// (client credentials) and the RFCs around it, and serves the reference
// authorization server the checks are proven against.
//
// Usage:
//
//	occheck                 check the embedded reference server
//	occheck run [flags]     check a token endpoint
//	occheck list            print the requirement catalogue
//	occheck explain ID      print one requirement in full
//	occheck baseline        write a baseline of known deviations
//	occheck mock [flags]    serve the reference authorization server
//	occheck version         print version information
//
// Exit codes: 0 conformant, 1 a conformance failure, 2 a usage or
// configuration error, 3 the check could not run.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitFail     = 1
	exitUsage    = 2
	exitCannotGo = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

const usage = `usage: occheck [command] [flags]

commands:
  run       check a token endpoint (no target: the embedded reference server)
  list      print the requirement catalogue
  explain   print one requirement: RFC section, how it is tested, what it accepts
  baseline  run, then write the failures as a baseline of known deviations
  mock      serve the reference authorization server
  keygen    write a private key for private_key_jwt and print its public JWK Set
  version   print version information
  help      print this help

With no command, occheck checks the embedded reference server.
Run 'occheck COMMAND -h' for the flags of a command.
`

// run is main without the process: it parses args, runs one command and
// returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		return runCheck(ctx, nil, stdout, stderr, getenv)
	}
	switch args[0] {
	case "run":
		return runCheck(ctx, args[1:], stdout, stderr, getenv)
	case "list":
		return runList(args[1:], stdout, stderr)
	case "mock":
		return runMock(ctx, args[1:], stdout, stderr)
	case "version":
		return runVersion(args[1:], stdout, stderr)
	case "keygen":
		return runKeygen(args[1:], stdout, stderr)
	case "explain":
		return runExplain(args[1:], stdout, stderr)
	case "baseline":
		return runBaseline(ctx, args[1:], stdout, stderr, getenv)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if len(args[0]) > 0 && args[0][0] == '-' {
		return runCheck(ctx, args, stdout, stderr, getenv)
	}
	fmt.Fprintf(stderr, "occheck: unknown command %q; want run, list, explain, baseline, mock, keygen or version\n", args[0])
	fmt.Fprint(stderr, usage)
	return exitUsage
}

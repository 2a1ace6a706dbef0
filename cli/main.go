// Package cli is the occheck command line: run, list, explain, baseline,
// mock, keygen and version. cmd/occheck is a thin main around Main; a
// vendor builds its own binary the same way, importing the packages of
// its suites.Extend specs first, so that run, list and explain include
// them:
//
//	package main
//
//	import (
//		"context"
//		"os"
//
//		"github.com/occheck/occheck/cli"
//		_ "example.com/acme/occheckext" // suites.Extend("acme", ...)
//	)
//
//	func main() { os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv)) }
//
// Exit codes: 0 conformant, 1 a conformance failure, 2 a usage or
// configuration error, 3 the check could not run.
package cli

import (
	"context"
	"fmt"
	"io"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitFail     = 1
	exitUsage    = 2
	exitCannotGo = 3
)

// Main runs one occheck command with args (without the program name)
// and returns the exit code; ctx cancels a run or stops the mock.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return run(ctx, args, stdout, stderr, getenv)
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

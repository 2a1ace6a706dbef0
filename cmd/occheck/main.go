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
//	occheck keygen [flags]  write a client key for private_key_jwt
//	occheck version         print version information
//
// Exit codes: 0 conformant, 1 a conformance failure, 2 a usage or
// configuration error, 3 the check could not run. The commands live in
// package cli, so a vendor's own binary can add specs to them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/occheck/occheck/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

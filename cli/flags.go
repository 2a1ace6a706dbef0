package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// parseFlags parses args with fs. A bad flag prints one line saying what is
// wrong plus where the usage is, and yields exit code 2; -h prints the
// usage and yields 0. ok is true when the command should go on.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "usage: occheck %s [flags]\n\nflags:\n", fs.Name())
		fs.PrintDefaults()
		return exitOK, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "occheck %s: %s (run 'occheck %s -h' for usage)\n", fs.Name(), err, fs.Name())
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "occheck %s: unexpected argument %q (run 'occheck %s -h' for usage)\n", fs.Name(), fs.Arg(0), fs.Name())
		return exitUsage, false
	}
	return exitOK, true
}

// parseFlagsArgs is parseFlags for commands that take exactly n arguments.
func parseFlagsArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, n int) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: occheck %s ID\n", fs.Name())
		return exitOK, false
	}
	if err != nil || fs.NArg() != n {
		fmt.Fprintf(stderr, "occheck %s: want exactly %d argument (run 'occheck %s -h' for usage)\n", fs.Name(), n, fs.Name())
		return exitUsage, false
	}
	return exitOK, true
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

package cli

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version recorded by go install is used.
var version = ""

func versionString() (v, commit string) {
	v, commit = version, "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v, commit
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	v, commit := versionString()
	fmt.Fprintf(stdout, "occheck %s\ncommit %s\ncatalogue %s\n", v, commit, catalogueVersion())
	return exitOK
}

package main

import (
	"context"
	"fmt"
	"io"
)

// runCheck runs the conformance suite. It is filled in by the suite.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fmt.Fprintln(stderr, "occheck run: not built yet")
	return exitCannotGo
}

func runList(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "occheck list: not built yet")
	return exitCannotGo
}

func catalogueVersion() string { return "0" }

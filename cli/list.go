package cli

import (
	"encoding/json"

	"flag"
	"fmt"
	"github.com/onsi/ginkgo/v2/types"
	"io"
	"slices"
	"strings"

	"github.com/occheck/occheck/reports"
	"github.com/occheck/occheck/suites"
)

func catalogueVersion() string { return suites.CatalogVersion }

// runList prints the catalogue without touching the network.
func runList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	format := fs.String("format", "text", "text, markdown or json")
	var run, skip listFlag
	fs.Var(&run, "run", "only these specs (IDs, prefixes, sections; as for occheck run)")
	fs.Var(&skip, "skip", "leave these specs out")
	if code, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return code
	}
	if *format != "text" && *format != "markdown" && *format != "json" {
		return exitFor(stderr, "list", usagef("--format: want text, markdown or json, got %q", *format))
	}
	entries, err := selectCatalog(run, skip)
	if err != nil {
		return exitFor(stderr, "list", err)
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Version string                `json:"catalogue_version"`
			Specs   []suites.CatalogEntry `json:"specs"`
		}{suites.CatalogVersion, entries})
	case "markdown":
		fmt.Fprintf(stdout, "| ID | RFC | Section | Level | Requirement |\n|---|---|---|---|---|\n")
		for _, e := range entries {
			fmt.Fprintf(stdout, "| %s | %s | %s | %s | %s |\n", e.ID, e.RFC, e.Section, e.Level, strings.ReplaceAll(e.Title, "|", `\|`))
		}
	default:
		for _, e := range entries {
			fmt.Fprintf(stdout, "%-20s RFC %-7s §%-8s %-6s %s\n", e.ID, e.RFC, e.Section, e.Level, e.Title)
		}
		fmt.Fprintf(stdout, "%d specs (catalogue %s)\n", len(entries), suites.CatalogVersion)
	}
	return exitOK
}

// selectCatalog applies --run and --skip (IDs, prefixes, sections) to the
// catalogue; label expressions need a run and are refused here.
func selectCatalog(run, skip []string) ([]suites.CatalogEntry, error) {
	all := suites.Catalog()
	pick := func(items []string, name string) (map[string]bool, error) {
		if len(items) == 0 {
			return nil, nil
		}
		ids := map[string]bool{}
		for _, raw := range items {
			for _, item := range splitItems(raw) {
				if isLabelExpr(item) {
					filter, err := types.ParseLabelFilter(item)
					if err != nil {
						return nil, usagef("%s %q: %v", name, item, err)
					}
					for _, e := range all {
						if filter(e.Labels) {
							ids[e.ID] = true
						}
					}
					continue
				}
				m := matchSpecs(all, item)
				if len(m) == 0 {
					return nil, usagef("%s %q: no spec has that ID, ID prefix or section", name, item)
				}
				for _, id := range m {
					ids[id] = true
				}
			}
		}
		return ids, nil
	}
	in, err := pick(run, "--run")
	if err != nil {
		return nil, err
	}
	out, err := pick(skip, "--skip")
	if err != nil {
		return nil, err
	}
	var sel []suites.CatalogEntry
	for _, e := range all {
		if (in == nil || in[e.ID]) && !out[e.ID] {
			sel = append(sel, e)
		}
	}
	return sel, nil
}

// runExplain prints one spec in full.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	if code, ok := parseFlagsArgs(fs, args, stdout, stderr, 1); !ok {
		return code
	}
	id := fs.Arg(0)
	all := suites.Catalog()
	i := slices.IndexFunc(all, func(e suites.CatalogEntry) bool { return strings.EqualFold(e.ID, id) })
	if i < 0 {
		return exitFor(stderr, "explain", usagef("no spec %q (occheck list shows them)", id))
	}
	e := all[i]
	fmt.Fprintf(stdout, "%s  (%s, %s)\n\n", e.ID, reports.SectionName(e.RFC, e.Section), e.Level)
	fmt.Fprintf(stdout, "Requirement:  %s\n", e.Title)
	fmt.Fprintf(stdout, "How tested:   %s\n", e.How)
	fmt.Fprintf(stdout, "Accepts:      %s\n", e.Accepts)
	if e.Catches != "" {
		fmt.Fprintf(stdout, "Catches:      %s\n", e.Catches)
	}
	if r := e.Rule; r != nil {
		whom := "the " + r.Binds
		if r.Binds == "both" {
			whom = "the client and the server"
		}
		fmt.Fprintf(stdout, "Keyword:      %s (binds %s)\n", r.Keyword, whom)
		fmt.Fprintf(stdout, "RFC sentence: %s\n", r.Sentence)
		if r.Why != "" {
			fmt.Fprintf(stdout, "Graded:       %s\n", r.Why)
		}
	}
	if len(e.ProfileLevels) > 0 {
		var ps []string
		for p, l := range e.ProfileLevels {
			ps = append(ps, fmt.Sprintf("%s under profile %s", l, p))
		}
		slices.Sort(ps)
		fmt.Fprintf(stdout, "Profiles:     %s\n", strings.Join(ps, "; "))
	}
	if len(e.DependsOn) > 0 {
		fmt.Fprintf(stdout, "Depends on:   %s (skipped when one of them fails, errs or is skipped)\n", strings.Join(e.DependsOn, ", "))
	}
	if href := reports.RFCLink(e.RFC, e.Section); href != "" {
		fmt.Fprintf(stdout, "Reference:    %s\n", href)
	}
	fmt.Fprintf(stdout, "Labels:       %s\n", strings.Join(e.Labels, " "))
	return exitOK
}

package cli

import (
	"regexp"
	"slices"
	"strings"

	"github.com/occheck/occheck/suites"
)

// selection turns --run and --skip into one Ginkgo label filter. Each item
// is an ID, an ID prefix, a section (5.2, §5.2, section:5.2) or a label
// expression (anything with spaces or & | ! ( )).
func selection(run, skip []string) (string, error) {
	runExpr, err := selectExpr(run, "--run")
	if err != nil {
		return "", err
	}
	skipExpr, err := selectExpr(skip, "--skip")
	if err != nil {
		return "", err
	}
	var parts []string
	if runExpr != "" {
		parts = append(parts, "("+runExpr+")")
	}
	if skipExpr != "" {
		parts = append(parts, "!("+skipExpr+")")
	}
	expr := strings.Join(parts, " && ")
	if err := suites.ValidateLabelFilter(expr); err != nil {
		return "", usagef("%v", err)
	}
	return expr, nil
}

func selectExpr(items []string, flagName string) (string, error) {
	var exprs, ids []string
	catalog := suites.Catalog()
	for _, raw := range items {
		for _, item := range splitItems(raw) {
			if isLabelExpr(item) {
				exprs = append(exprs, item)
				continue
			}
			matched := matchSpecs(catalog, item)
			if len(matched) == 0 {
				return "", usagef("%s %q: no spec has that ID, ID prefix or section (occheck list shows them)", flagName, item)
			}
			for _, id := range matched {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) > 0 {
		exprs = append(exprs, "id: containsAny {"+strings.Join(ids, ", ")+"}")
	}
	return strings.Join(exprs, " || "), nil
}

// isLabelExpr tells a Ginkgo label expression from an ID, prefix or
// section.
func isLabelExpr(item string) bool {
	return strings.ContainsAny(item, " &|!()") || strings.Contains(item, ":") && !strings.HasPrefix(item, "section:")
}

// splitItems splits on commas outside braces, so label expressions with
// containsAny {a, b} survive.
func splitItems(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	out = append(out, strings.TrimSpace(s[start:]))
	var nonEmpty []string
	for _, x := range out {
		if x != "" {
			nonEmpty = append(nonEmpty, x)
		}
	}
	return nonEmpty
}

// appendix matches appendix sections: B, A.12.
var appendix = regexp.MustCompile(`^[A-Z](\.[0-9]+)*$`)

// matchSpecs finds the IDs an item names: exact ID, ID prefix, or section
// (with its subsections).
func matchSpecs(catalog []suites.CatalogEntry, item string) []string {
	sec := strings.TrimPrefix(strings.TrimPrefix(item, "section:"), "§")
	isSection := sec != item || (len(sec) > 0 && (sec[0] >= '0' && sec[0] <= '9')) || appendix.MatchString(sec)
	var out []string
	for _, e := range catalog {
		switch {
		case isSection && (e.Section == sec || strings.HasPrefix(e.Section, sec+".")):
			out = append(out, e.ID)
		case !isSection && strings.EqualFold(e.ID, item):
			return []string{e.ID}
		case !isSection && strings.HasPrefix(strings.ToUpper(e.ID), strings.ToUpper(item)):
			out = append(out, e.ID)
		}
	}
	return out
}

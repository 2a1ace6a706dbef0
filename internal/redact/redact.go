// Package redact removes secrets from text in every encoding they travel
// in. The harness's prober (transcripts, reports) and the mock (error
// descriptions, journal, access log) share its rules.
package redact

import (
	"net/url"
	"sort"
	"strings"
)

// Mark replaces a secret.
const Mark = "[REDACTED]"

// Forms lists the encodings a secret takes in a request or in an echo of
// one: as is, trimmed, query- and path-escaped, with '+' and spaces
// swapped, and query-escaped with %20 for spaces.
func Forms(secret string) []string {
	q := url.QueryEscape(secret)
	return []string{secret, strings.TrimSpace(secret), q, url.PathEscape(secret),
		strings.ReplaceAll(secret, "+", " "), strings.ReplaceAll(secret, " ", "+"), strings.ReplaceAll(q, "+", "%20")}
}

// Words is a set of strings to remove from text, longest first, so that
// a secret is never half-replaced by a shorter form of itself.
type Words struct{ words []string }

// New makes Words of the given strings, dropping duplicates and those
// shorter than minLen (they would erase ordinary words).
func New(words []string, minLen int) *Words {
	set := map[string]bool{}
	for _, w := range words {
		if len(w) >= minLen {
			set[w] = true
		}
	}
	r := &Words{}
	for w := range set {
		r.words = append(r.words, w)
	}
	sort.Slice(r.words, func(i, j int) bool {
		if len(r.words[i]) != len(r.words[j]) {
			return len(r.words[i]) > len(r.words[j])
		}
		return r.words[i] < r.words[j]
	})
	return r
}

// Empty reports whether there is nothing to remove.
func (r *Words) Empty() bool { return len(r.words) == 0 }

// Replace replaces every word in s with Mark.
func (r *Words) Replace(s string) string {
	if s == "" {
		return s
	}
	for _, w := range r.words {
		if strings.Contains(s, w) {
			s = strings.ReplaceAll(s, w, Mark)
		}
	}
	return s
}

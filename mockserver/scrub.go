package mockserver

import (
	"net/url"
	"slices"
	"strings"
)

// scrubber removes every registered client secret, in the forms a
// confused client may send it (encoded, with '+' and spaces swapped,
// cut where a reason clips a quoted value), from text the server writes:
// error descriptions, reasons, the journal and the access log.
type scrubber struct {
	forms  []string // longest first
	values map[string]bool
}

// minScrub is the shortest secret form scrubbed; shorter ones would
// erase ordinary words.
const minScrub = 4

func newScrubber(clients map[string]*client) *scrubber {
	sc := &scrubber{values: map[string]bool{}}
	set := map[string]bool{}
	for _, c := range clients {
		s := c.Secret
		if len(s) < minScrub {
			continue
		}
		sc.values[s] = true
		for _, v := range []string{s, strings.TrimSpace(s), url.QueryEscape(s), url.PathEscape(s),
			strings.ReplaceAll(s, "+", " "), strings.ReplaceAll(s, " ", "+"), strings.ReplaceAll(url.QueryEscape(s), "+", "%20")} {
			for _, f := range []string{v, sanitizeDescription(v), sanitizeDescription(clip(v))} {
				f = strings.TrimSuffix(f, "...")
				if len(f) >= minScrub {
					set[f] = true
				}
			}
		}
	}
	for f := range set {
		sc.forms = append(sc.forms, f)
	}
	slices.SortFunc(sc.forms, func(a, b string) int { return len(b) - len(a) })
	return sc
}

// text replaces every secret form in s.
func (sc *scrubber) text(s string) string {
	if s == "" || len(sc.forms) == 0 {
		return s
	}
	for _, f := range sc.forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Redacted)
		}
	}
	return s
}

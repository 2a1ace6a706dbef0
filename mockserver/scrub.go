package mockserver

import (
	"strings"

	"github.com/occheck/occheck/internal/redact"
)

// scrubber removes every registered client secret, in the forms a
// confused client may send it (encoded, with '+' and spaces swapped,
// cut where a reason clips a quoted value), from text the server writes:
// error descriptions, reasons, the journal and the access log.
type scrubber struct {
	words  *redact.Words
	values map[string]bool
}

// minScrub is the shortest secret form scrubbed; shorter ones would
// erase ordinary words.
const minScrub = 4

func newScrubber(clients map[string]*client) *scrubber {
	sc := &scrubber{values: map[string]bool{}}
	var forms []string
	for _, c := range clients {
		s := c.Secret
		if len(s) < minScrub {
			continue
		}
		sc.values[s] = true
		for _, v := range redact.Forms(s) {
			for _, f := range []string{v, sanitizeDescription(v), sanitizeDescription(clip(v))} {
				forms = append(forms, strings.TrimSuffix(f, "..."))
			}
		}
	}
	sc.words = redact.New(forms, minScrub)
	return sc
}

// text replaces every secret form in s.
func (sc *scrubber) text(s string) string { return sc.words.Replace(s) }

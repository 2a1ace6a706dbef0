package suites

// Rule is the RFC sentence a spec enforces, so a vendor can see why a
// spec is graded at its level: the BCP 14 keyword of that sentence, the
// sentence itself in paraphrase, and whose duty it is.
type Rule struct {
	// Keyword is the sentence's BCP 14 keyword ("MUST", "MUST NOT",
	// "REQUIRED", "SHOULD", "RECOMMENDED", "MAY", "OPTIONAL"), or "none"
	// when the RFC states no keyword (the spec then observes, or grades a
	// defined outcome).
	Keyword string
	// Sentence paraphrases the cited sentence, naming its section.
	Sentence string
	// Binds says whose duty the sentence states: "server", "client", or
	// "both". A duty of the client is never graded as the server's MUST.
	Binds string
	// Why explains a level that differs from a naive reading of the
	// keyword; empty when the level is the keyword's.
	Why string
}

// rules holds the Rule of every spec, by ID.
var rules = map[string]Rule{}

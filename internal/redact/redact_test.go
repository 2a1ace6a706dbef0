package redact

import (
	"strings"
	"testing"
)

// TestEveryFormGoes: each encoding of a secret is removed, the longest
// first, and short strings are left alone.
func TestEveryFormGoes(t *testing.T) {
	secret := "p+ss w%rd&:x"
	w := New(append(Forms(secret), "ab"), 4)
	for _, form := range Forms(secret) {
		if got := w.Replace("before " + form + " after"); strings.Contains(got, "ss") || !strings.Contains(got, Mark) {
			t.Errorf("form %q: %q", form, got)
		}
	}
	if got := w.Replace("ab cd"); got != "ab cd" {
		t.Errorf("a word shorter than the minimum was replaced: %q", got)
	}
	if !New(nil, 1).Empty() || New([]string{"abcd"}, 1).Empty() {
		t.Error("Empty")
	}
}

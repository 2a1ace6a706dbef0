package mockserver

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// deviationFiles are the only files that may know about deviations; every
// other file is the reference path and must read as the RFCs.
var deviationFiles = map[string]bool{"quirks.go": true, "quirks_assertion.go": true, "quirks_mtls.go": true, "quirks_introspect.go": true, "quirks_resource.go": true, "quirks_dpop.go": true, "doc.go": true, "authority.go": true, "config.go": true, "faults.go": true, "admin.go": true}

// TestReferencePathHoldsNoQuirk: no reference file names a quirk or asks
// whether one is on, so the RFC-exact path can be audited by reading it.
// authority.go and config.go only hold the switch (SetQuirks, Config.Quirks).
func TestReferencePathHoldsNoQuirk(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	names := KnownQuirks()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || deviationFiles[f] {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		checked++
		if strings.Contains(text, "Quirk") || strings.Contains(text, "quirk") {
			t.Errorf("%s mentions quirks; deviations belong in quirks.go", f)
		}
		for _, ident := range []string{"a.faults", ".devs", "tokenDeviation", "peekToken", "compileWith", "FaultAction"} {
			if strings.Contains(text, ident) {
				t.Errorf("%s uses %s; fault handling belongs in faults.go", f, ident)
			}
		}
		for _, q := range names {
			if strings.Contains(text, `"`+string(q)+`"`) {
				t.Errorf("%s names quirk %s", f, q)
			}
		}
	}
	if checked < 8 {
		t.Fatalf("only %d reference files checked", checked)
	}
}

// TestEveryQuirkRewiresSomething: a quirk whose hooks leave every step as
// the reference has them would be a no-op that proves nothing.
func TestEveryQuirkRewiresSomething(t *testing.T) {
	a, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ref := a.reference()
	for _, q := range KnownQuirks() {
		s := a.reference()
		quirkTable[q].hooks(s, a)
		if sameSteps(ref, s) {
			t.Errorf("quirk %s changes no step", q)
		}
	}
}

// sameSteps compares two steps by the code behind each hook.
func sameSteps(a, b *steps) bool {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := 0; i < va.NumField(); i++ {
		fa, fb := va.Field(i), vb.Field(i)
		if fa.IsNil() != fb.IsNil() {
			return false
		}
		if !fa.IsNil() && fa.Pointer() != fb.Pointer() {
			return false
		}
	}
	return true
}

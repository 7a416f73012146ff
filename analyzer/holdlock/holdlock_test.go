package holdlock_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/asyncgo/asyncgo/analyzer/holdlock"
)

func TestHoldLock(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), holdlock.Analyzer, "a", "b")
}

// TestRelated checks that a report points at where the lock was taken.
func TestRelated(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), holdlock.Analyzer, "a")
	found := false
	for _, r := range results {
		for _, d := range r.Diagnostics {
			pos := r.Pass.Fset.Position(d.Pos)
			if pos.Line != 32 {
				continue
			}
			found = true
			if len(d.Related) != 1 {
				t.Fatalf("want one related location, got %v", d.Related)
			}
			rel := d.Related[0]
			if line := r.Pass.Fset.Position(rel.Pos).Line; line != 30 || rel.Message != "c.mu locked here" {
				t.Errorf("related: line %d %q, want line 30 %q", line, rel.Message, "c.mu locked here")
			}
		}
	}
	if !found {
		t.Fatal("no diagnostic at a.go:32")
	}
}

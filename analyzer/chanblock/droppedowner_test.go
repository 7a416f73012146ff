package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestDroppedOwner runs the owner dropped on a failure path
// (droppedowner.go): a constructor returning without handing on or
// closing the value whose context its goroutines wait on, beside the
// look-alikes the rule leaves alone.
func TestDroppedOwner(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "droppedowner")
}

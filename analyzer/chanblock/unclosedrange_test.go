package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestUnclosedRange runs the waits for goroutines whose only way out is a
// range over a channel nothing can close (unclosedrange.go), beside the
// fixed shapes and look-alikes that must stay silent.
func TestUnclosedRange(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "unclosedrange")
}

package condwait_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/condwait"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestRealKernels runs the kernels reduced from upstream fixes, each beside
// its fixed look-alike.
func TestRealKernels(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), condwait.Analyzer, "real")
}

// TestShapes runs the predicate and lock shapes the pass understands, and
// the look-alikes it must leave alone.
func TestShapes(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), condwait.Analyzer, "shapes")
}

// TestPolledStop runs waits entered from a loop that polls its stop
// channel between them, beside stops that wake the wait.
func TestPolledStop(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), condwait.Analyzer, "polled")
}

package deadlockleak_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlockleak"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestFixes checks the diagnostics with analysistest and applies the
// suggested fixes (a buffer of one) against a.go.golden.
func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), deadlockleak.Analyzer, "a")
}

// TestRealKernels runs the kernels reduced from upstream leak fixes, each
// beside its fixed look-alike.
func TestRealKernels(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), deadlockleak.Analyzer, "real")
}

package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestWGPaths runs WaitGroups reached by longer access paths and through
// Add and Done helpers (session 25), each beside its fix and look-alikes.
func TestWGPaths(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "wgpaths")
}

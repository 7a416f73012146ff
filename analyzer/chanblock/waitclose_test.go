package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestWaitBeforeClose runs waitBeforeClose's kernels (waitclose.go): a
// Wait that can run while a goroutine it counts waits for a channel field
// that only the waiting function closes, after the Wait or not on every
// path, beside the fixed shapes and look-alikes.
func TestWaitBeforeClose(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "waitclose")
}

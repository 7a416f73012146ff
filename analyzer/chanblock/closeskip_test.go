package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestCloseSkip runs waitBeforeClose (waitclose.go) on a second set of
// kernels, written by another helper for the same shape: a wait for a
// helper goroutine whose wake-up, a close of a channel field only the
// waiter performs, some return path skips, beside the fixed shapes and
// look-alikes. (That helper's own rule for it duplicated waitBeforeClose
// and was dropped at integration.)
func TestCloseSkip(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "closeskip")
}

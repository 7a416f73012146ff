package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestCloseSkip runs the waits for a helper goroutine whose wake-up, a
// close of a channel field only the waiter performs, some return path
// skips (closeskip.go), beside the fixed shapes and look-alikes.
func TestCloseSkip(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "closeskip")
}

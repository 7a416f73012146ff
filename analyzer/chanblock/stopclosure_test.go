package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestStopClosures runs the stop functions that send on a channel whose
// only receiving goroutine can leave by another case, beside their fixed
// twins and look-alikes.
func TestStopClosures(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "stopclosure")
}

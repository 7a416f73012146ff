package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestClosedThenNil runs loops that re-read a channel field their owner
// closes and then sets to nil, beside fixed twins and look-alikes.
func TestClosedThenNil(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "closenil")
}

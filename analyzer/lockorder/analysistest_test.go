package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/lockorder"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestAnalysistest runs the same testdata through analysistest, which also
// checks each function's Summary fact (the `name:"fact"` expectations).
func TestAnalysistest(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), lockorder.Analyzer, "a", "b")
}

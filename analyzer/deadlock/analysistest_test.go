package deadlock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestAnalysistest runs the same testdata through analysistest, which also
// checks the RunsLoop facts (the `name:"fact"` expectations).
func TestAnalysistest(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), deadlock.Analyzer, "a", "b")
}

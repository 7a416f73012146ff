package blocking_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/asyncgo/asyncgo/analyzer/blocking"
)

func TestBlocking(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), blocking.Analyzer, "a", "b")
}

func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), blocking.Analyzer, "fix")
}

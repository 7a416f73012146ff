package unawaited_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/asyncgo/asyncgo/analyzer/unawaited"
)

func TestUnawaited(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), unawaited.Analyzer, "a", "b")
}

func TestFixes(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), unawaited.Analyzer, "fix")
}

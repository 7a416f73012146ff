package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestLockedHeld runs sends made while a mutex is held whose lock holder
// defers the sending call, or whose channel reaches the receiving goroutine
// through a captured local, beside fixed twins and look-alikes.
func TestLockedHeld(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "lockedheld")
}

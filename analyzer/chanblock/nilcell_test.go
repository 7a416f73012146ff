package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestNilCell runs channel variables made on some paths only and captured
// by the goroutine literals that send on them, beside fixed twins and
// look-alikes.
func TestNilCell(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "nilcell")
}

package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestCallerSized runs queues whose buffer size the maker's caller
// chooses and whose only reader sends back into them (selfSend), beside
// a fixed twin and a look-alike sized to hold every value.
func TestCallerSized(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "callersized")
}

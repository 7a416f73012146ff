package deadlockleak_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlockleak"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestStartForms runs leaks whose give-up signal is a stop field closed
// elsewhere, or whose receiver is a method value a group's Go starts,
// beside fixed twins and look-alikes.
func TestStartForms(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), deadlockleak.Analyzer, "startforms")
}

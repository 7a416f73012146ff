package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestDev checks kernels reduced from the development set's upstream bugs.
func TestDev(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "dev") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestShapes checks the kernels of upstream deadlocks reached through
// helpers, callbacks passed as parameters or set through setters, fmt's
// implicit String and once functions, each beside its fixed look-alike.
func TestShapes(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "shapes", "shapes/xmap") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

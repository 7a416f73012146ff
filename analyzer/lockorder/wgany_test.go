package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestWGAny checks WaitGroup waits made while holding a lock one Done-er
// takes on some path before its Done, or after its own Add (wgany.go),
// beside look-alikes.
func TestWGAny(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "wgany") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

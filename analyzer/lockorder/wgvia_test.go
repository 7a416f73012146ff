package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestWGVia checks WaitGroup waits reached through a wrapper while holding
// a lock the goroutine calling Done takes first, and callbacks passed on
// through wrappers (wgvia.go, forwarded.go), beside look-alikes.
func TestWGVia(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "wgvia") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

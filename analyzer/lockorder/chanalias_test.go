package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestChanAlias checks sends under a lock on a channel that another
// type's field also keeps, received by a loop that takes the lock
// (chanalias.go), beside look-alikes.
func TestChanAlias(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "chanalias") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

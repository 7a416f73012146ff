package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestMixVar checks locks held across waits whose waker is reached the
// way other code writes it (session 25: a deferred close of a slice
// field's channel, an interface accessor, io.Closer, a starter's helper
// Done), beside fixes and look-alikes.
func TestMixVar(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "mixvar") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

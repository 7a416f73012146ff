package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestRegChan checks channels kept in a map or slice field: the send taken
// out of the registry under its lock against the subscriber that needs
// the lock, beside fixed look-alikes.
func TestRegChan(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "regchan") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

// TestDeferWake checks wakes written in a deferred literal or helper,
// counted after every Lock of the function that defers them.
func TestDeferWake(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "deferwake") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

// TestNeverWoken checks selects whose stop case nothing can complete and
// sends made in a callee on a channel field, against the loop that
// receives and needs the caller's lock, beside fixed look-alikes.
func TestNeverWoken(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "neverwoken") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

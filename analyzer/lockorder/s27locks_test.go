package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestS27Locks checks session 27's cases: registrations made by
// get-or-create, back-pointers to an owner embedding its lock, wrappers
// made for an owner's slot, atomic.Pointer getters, lookup methods
// returning a container's element and striped locks, each beside silent
// look-alikes.
func TestS27Locks(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "s27locks") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

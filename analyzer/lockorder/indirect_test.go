package lockorder_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

// TestIndirect checks locks reached through interfaces, callbacks and
// fmt's String and Error calls.
func TestIndirect(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "indirect") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

// TestCond checks Waits nothing signals and lost wake-ups.
func TestCond(t *testing.T) {
	vettest.Run(t, "testdata", "cond")
}

// TestKernels checks the kernels of fixed upstream deadlocks: each caught
// bug is reported, its fixed version is not.
func TestKernels(t *testing.T) {
	vettest.Run(t, "testdata", "kernels", "kernels/xpkg", "kernels/owners")
}

// TestReach checks locks reached by class (back-pointers, aliases),
// callbacks passed to constructors, locks left held on some returns and
// selects as waits, each beside its silent look-alike.
func TestReach(t *testing.T) {
	for _, d := range vettest.Run(t, "testdata", "reach") {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
	}
}

// TestCondHandshake checks that a receive made holding the lock a Cond's
// Wait took back is not a deadlock when its sender locked before the
// Signal (and is when the sender locks again after it, or the waiter
// does).
func TestCondHandshake(t *testing.T) {
	vettest.Run(t, "testdata", "condhandshake")
}

// TestCondLocker checks that a Cond's Wait releases its Locker however it
// is spelled, and only its Locker.
func TestCondLocker(t *testing.T) {
	vettest.Run(t, "testdata", "condlocker")
}

package chanblock_test

import "testing"

// TestStuckLoop runs the checker on loops whose count it used to give up
// on as a retry count (chanmodel loops.go): retry loops whose failed
// tries touch nothing the model follows, walks over a list of unknown
// length; fixed twins and look-alikes whose counts must match stay
// silent.
func TestStuckLoop(t *testing.T) {
	runAlone(t, "stuckloop")
}

// TestStuckLate runs the field harness's lifecycle runs (stucklate.go): a
// waiter a one-shot Set or a Close leaves blocked when another waiter
// takes its one value, beside the fixed shapes (a close) and look-alikes
// (a Put that may run again, a Put on an unknown condition).
func TestStuckLate(t *testing.T) {
	runAlone(t, "stucklate")
}

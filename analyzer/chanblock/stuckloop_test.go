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

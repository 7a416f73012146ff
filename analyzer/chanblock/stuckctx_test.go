package chanblock_test

import "testing"

// TestStuckCtx runs the checker on waits that involve a context's Done
// (chanmodel's context.go): a Done channel is only ever closed, so a
// range over it never runs its body; look-alikes that wait for the close.
func TestStuckCtx(t *testing.T) {
	runAlone(t, "stuckctx")
}

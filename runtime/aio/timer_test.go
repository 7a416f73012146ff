package aio_test

import (
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// TestTimerCancelDueCall cancels a call that is due, moved to the ready
// queue in the same turn as the call cancelling it: asyncio's
// Handle.cancel skips it (the loop drops cancelled handles as it runs the
// ready ones).
func TestTimerCancelDueCall(t *testing.T) {
	var log []string
	within(t, func() {
		l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
		defer l.Close()
		var second *aio.Timer
		var cancelled bool
		l.CallLater(time.Second, func() {
			log = append(log, "first")
			cancelled = second.Cancel()
		})
		second = l.CallLater(time.Second, func() { log = append(log, "second") })
		l.CallLater(2*time.Second, l.Stop)
		if err := l.RunForever(); err != nil {
			t.Error(err)
		}
		if !cancelled || !second.Cancelled() || second.Cancel() {
			t.Errorf("Cancel of a due call: %v, Cancelled %v; want true, true", cancelled, second.Cancelled())
		}
	})
	if got := strings.Join(log, " "); got != "first" {
		t.Fatalf("calls %q; want first only", got)
	}
}

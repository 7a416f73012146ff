//go:build go1.23

package real

import "time"

// Under Go 1.23 timers a Stop leaves no value behind and a second Stop
// reports false, so a plain drain after an earlier Stop always blocks.
func timerStopTwice(done chan bool, d time.Duration) {
	t := time.NewTimer(d)
	select {
	case <-done:
		t.Stop()
	default:
	}
	if !t.Stop() {
		<-t.C // want `reached from an earlier Stop \(line \d+\) with no Reset in between`
	}
}

// Re-armed between the two Stops: silent.
func timerStopReset(done chan bool, d time.Duration) {
	t := time.NewTimer(d)
	select {
	case <-done:
		t.Stop()
		t.Reset(d)
	default:
	}
	if !t.Stop() {
		<-t.C
	}
}

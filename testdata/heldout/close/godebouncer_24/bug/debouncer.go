// Package bug is a held-out kernel (issue 14): the debouncer tells Done's
// waiters that the triggered function ran by sending one value on the done
// channel, so with two waiters one of them waits for ever, and with none
// the timer's goroutine blocks on the send.
//
// Upstream: vnteamopen/godebouncer#24 ("Fix done channel")
// Round: 19
//
// Bug: PR #21 added Done(), which returns d.done, and made the function
// that SendSignal schedules with time.AfterFunc send one struct{}{} on
// d.done after it has run the triggered function. A send wakes one
// receiver: when several goroutines wait on <-debouncer.Done() (PR #22:
// "Fix debouncer hang when Done was called multiple times") all but one
// keep waiting, and when nobody waits the AfterFunc goroutine blocks on
// the unbuffered send for ever. Reduced from debouncer.go; the send in
// the timer's function is our reading of the threads, which show the
// fields and the fix but not the whole of the old function.
//
// Fix: PR #24 closes the current done channel after the triggered
// function has run, so that every waiter is released at once, and stores
// a new channel for the next round; Done reads the field under d.mu.
package bug

import (
	"sync"
	"time"
)

// Debouncer runs its triggered function once the signals have paused for
// timeDuration.
type Debouncer struct {
	timeDuration  time.Duration
	timer         *time.Timer
	triggeredFunc func()
	mu            sync.Mutex
	done          chan struct{}
}

// New creates a debouncer that waits duration after the last signal.
func New(duration time.Duration) *Debouncer {
	return &Debouncer{
		timeDuration:  duration,
		triggeredFunc: func() {},
		done:          make(chan struct{}),
	}
}

// WithTriggered sets the function to run.
func (d *Debouncer) WithTriggered(triggeredFunc func()) *Debouncer {
	d.triggeredFunc = triggeredFunc
	return d
}

// SendSignal (re)starts the wait before the triggered function runs.
func (d *Debouncer) SendSignal() {
	d.mu.Lock()
	defer d.mu.Unlock()

	d.Cancel()
	d.timer = time.AfterFunc(d.timeDuration, func() {
		d.triggeredFunc()
		d.done <- struct{}{} // heldout:site
	})
}

// Do runs signalFunc and then sends a signal.
func (d *Debouncer) Do(signalFunc func()) {
	signalFunc()
	d.SendSignal()
}

// Cancel stops the timer of the last SendSignal.
func (d *Debouncer) Cancel() {
	if d.timer != nil {
		d.timer.Stop()
	}
}

// UpdateTriggeredFunc replaces the triggered function.
func (d *Debouncer) UpdateTriggeredFunc(newTriggeredFunc func()) {
	d.triggeredFunc = newTriggeredFunc
}

// Done returns a channel that tells the caller the triggered function has
// run.
func (d *Debouncer) Done() <-chan struct{} {
	return d.done
}

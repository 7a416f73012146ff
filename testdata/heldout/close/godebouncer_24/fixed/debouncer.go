// Package fixed is the fixed version of close/godebouncer_24: the timer's
// function closes the done channel and stores a new one.
//
// Upstream: vnteamopen/godebouncer#24 ("Fix done channel")
// Round: 19
package fixed

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
		d.mu.Lock()
		defer d.mu.Unlock()
		d.triggeredFunc()
		close(d.done)
		d.done = make(chan struct{})
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
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done
}

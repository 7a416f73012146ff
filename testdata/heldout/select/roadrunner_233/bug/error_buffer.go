// Package bug is a held-out kernel (issue 14): RoadRunner's worker error
// buffer aggregates a PHP worker's stderr in a goroutine whose select
// either resets a timer on each update or, when the timer fires, locks the
// buffer to flush it; Write appends under that lock and then sends the
// update while still holding it, so when the timer case is the one taken,
// the goroutine waits for the lock and Write waits for the goroutine.
//
// Upstream: roadrunner-server/roadrunner#233 ("BUGFIX: deadlock on timer update in error buffer")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: newErrBuffer starts a goroutine looping over a select on
// eb.update (reset the aggregation timer), eb.wait.C (lock eb.mu, pass the
// unread part of buf to logCallback, unlock) and eb.stop (final flush and
// return). Write does eb.mu.Lock(), appends p, `eb.update <- nil` on the
// unbuffered channel, then eb.mu.Unlock(). If the timer fires just before
// a Write, the select takes the timer case and blocks on eb.mu, which
// Write holds while it blocks on the send that only this select would
// receive; the worker's stderr copy, and with it the worker, hangs. The PR:
// "timer (eb.wait) can emit event and its select case will cause
// deadlock, because select will be blocked". The worker is reduced to the
// stderr copy that feeds the buffer and closes it once stderr ends.
//
// Fix: Write unlocks eb.mu before sending on eb.update.
package bug

import (
	"io"
	"sync"
	"time"
)

// WaitDuration is how long the buffer aggregates output after the last
// update before passing it on.
const WaitDuration = 100 * time.Millisecond

// thread safe errBuffer
type errBuffer struct {
	mu          sync.Mutex
	buf         []byte
	last        int
	wait        *time.Timer
	update      chan interface{}
	stop        chan interface{}
	logCallback func(log []byte)
}

func newErrBuffer(logCallback func(log []byte)) *errBuffer {
	eb := &errBuffer{
		buf:         make([]byte, 0),
		update:      make(chan interface{}),
		wait:        time.NewTimer(WaitDuration),
		stop:        make(chan interface{}),
		logCallback: logCallback,
	}

	go func() {
		for {
			select {
			case <-eb.update:
				eb.wait.Reset(WaitDuration)
			case <-eb.wait.C:
				eb.mu.Lock() // heldout:site
				if len(eb.buf) > eb.last {
					eb.logCallback(eb.buf[eb.last:])
					eb.buf = eb.buf[0:0]
					eb.last = len(eb.buf)
				}
				eb.mu.Unlock()
			case <-eb.stop:
				eb.wait.Stop()

				eb.mu.Lock()
				if len(eb.buf) > eb.last {
					eb.logCallback(eb.buf[eb.last:])
					eb.last = len(eb.buf)
				}
				eb.mu.Unlock()
				return
			}
		}
	}()

	return eb
}

// Len returns the number of bytes buffered.
func (eb *errBuffer) Len() int {
	eb.mu.Lock()
	defer eb.mu.Unlock()
	return len(eb.buf)
}

// Write appends the contents of p to the buffer and restarts the
// aggregation timer.
func (eb *errBuffer) Write(p []byte) (int, error) {
	eb.mu.Lock()
	eb.buf = append(eb.buf, p...)
	eb.update <- nil // heldout:site
	eb.mu.Unlock()

	return len(p), nil
}

// String returns the buffered data.
func (eb *errBuffer) String() string {
	eb.mu.Lock()
	defer eb.mu.Unlock()
	return string(eb.buf)
}

// Close stops the aggregation goroutine.
func (eb *errBuffer) Close() error {
	close(eb.stop)
	return nil
}

// Worker is a PHP worker process as seen from its stderr.
type Worker struct {
	errBuffer *errBuffer
	logs      [][]byte
	logsMu    sync.Mutex
}

// NewWorker returns a worker whose stderr output is collected as logs.
func NewWorker() *Worker {
	w := &Worker{}
	w.errBuffer = newErrBuffer(w.logCallback)
	return w
}

func (w *Worker) logCallback(log []byte) {
	w.logsMu.Lock()
	w.logs = append(w.logs, append([]byte(nil), log...))
	w.logsMu.Unlock()
}

// copyStderr copies the process's stderr into the error buffer until the
// process closes it, then stops the buffer.
func (w *Worker) copyStderr(stderr io.Reader) error {
	_, err := io.Copy(w.errBuffer, stderr)
	w.errBuffer.Close()
	return err
}

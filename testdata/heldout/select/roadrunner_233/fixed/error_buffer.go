// Package fixed is the fixed version of select/roadrunner_233: Write
// releases the buffer's lock before sending the update, so the
// aggregation goroutine can take the lock in its timer case and then
// receive the update.
package fixed

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
				eb.mu.Lock()
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
	eb.mu.Unlock()
	eb.update <- nil

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

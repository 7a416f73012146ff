// Package bug is a held-out kernel (issue 14): a buffering line-protocol
// writer whose Flush adds to the writer's WaitGroup and returns early,
// on an empty buffer or a failed request, without calling Done, so Stop's
// Wait never returns.
//
// Upstream: influxdata/influxdb-client-go#30 ("Need to defer waitgroup decrement")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: Flush calls w.wg.Add(1) so that Stop waits for flushes in flight,
// and calls w.wg.Done() at its end; the two early returns (nothing
// buffered, and an error from the write request) skip it. The flush
// ticker calls Flush every interval, so the first idle tick or failed
// write leaves the counter above zero and Stop blocks in wg.Wait forever.
// Our reduction: the HTTP request is behind a writeFunc, and Stop does not
// hold the writer's lock (the upstream Stop did, which is a different
// hazard).
//
// Fix: defer w.wg.Done() right after the Add.
package bug

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// LPWriter writes line protocol in a buffered way, flushing on an interval
// or when Flush is called.
type LPWriter struct {
	flushInterval time.Duration
	stopTicker    func()
	write         func(ctx context.Context, body []byte) error
	onError       func(error)

	lock sync.Mutex
	buf  *bytes.Buffer

	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// NewBufferingWriter returns a writer that sends its buffer with write.
func NewBufferingWriter(flushInterval time.Duration, write func(context.Context, []byte) error, onError func(error)) *LPWriter {
	if onError == nil {
		onError = func(error) {}
	}
	return &LPWriter{
		flushInterval: flushInterval,
		stopTicker:    func() {},
		write:         write,
		onError:       onError,
		buf:           &bytes.Buffer{},
		stop:          make(chan struct{}),
	}
}

// WriteLine appends one line to the buffer.
func (w *LPWriter) WriteLine(line []byte) {
	w.lock.Lock()
	defer w.lock.Unlock()
	w.buf.Write(line)
	w.buf.WriteByte('\n')
}

// Start starts flushing on the interval.
func (w *LPWriter) Start() {
	if w.flushInterval == 0 {
		return
	}
	t := time.NewTicker(w.flushInterval)
	w.stopTicker = t.Stop
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			select {
			case <-t.C:
				if err := w.Flush(context.Background()); err != nil {
					w.onError(err)
				}
			case <-w.stop:
				return
			}
		}
	}()
}

// Flush writes out the internal buffer to the database.
func (w *LPWriter) Flush(ctx context.Context) error {
	w.wg.Add(1)
	w.lock.Lock()
	if w.buf.Len() == 0 {
		w.lock.Unlock()
		return nil // heldout:site
	}
	buf := w.buf
	w.buf = &bytes.Buffer{}
	w.lock.Unlock()
	if err := w.write(ctx, buf.Bytes()); err != nil {
		return err // heldout:site
	}
	w.wg.Done()
	return nil
}

// Stop stops the writer and waits for flushes in flight.
func (w *LPWriter) Stop() {
	w.once.Do(func() {
		close(w.stop)
		w.stopTicker()
	})
	w.wg.Wait() // heldout:site
}

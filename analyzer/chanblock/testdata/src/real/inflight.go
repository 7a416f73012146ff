package real

import (
	"context"
	"errors"
	"sync"
)

// Upstream: influxdata/influxdb-client-go#30. A buffered writer counts
// each flush in flight on its WaitGroup so that Stop can wait for them;
// the flush calls Done at its end, but its early returns (nothing
// buffered, a failed request) skip it, and Stop's Wait never returns.
// Fix: defer the Done right after the Add.
type flushWriter struct {
	mu    sync.Mutex
	buf   []byte
	send  func(context.Context, []byte) error
	inFly sync.WaitGroup
}

func (w *flushWriter) Flush(ctx context.Context) error {
	w.inFly.Add(1)
	w.mu.Lock()
	if len(w.buf) == 0 {
		w.mu.Unlock()
		return nil // want `this return skips wg.Done: the wg.Add\(1\) at line \d+ counts this call in flight and only the wg.Done at line \d+, on other paths, uncounts it`
	}
	b := w.buf
	w.buf = nil
	w.mu.Unlock()
	if err := w.send(ctx, b); err != nil {
		return err
	}
	w.inFly.Done()
	return nil
}

func (w *flushWriter) Stop() { w.inFly.Wait() }

type flushWriterFixed struct {
	mu    sync.Mutex
	buf   []byte
	send  func(context.Context, []byte) error
	inFly sync.WaitGroup
}

func (w *flushWriterFixed) Flush(ctx context.Context) error {
	w.inFly.Add(1)
	defer w.inFly.Done()
	w.mu.Lock()
	if len(w.buf) == 0 {
		w.mu.Unlock()
		return nil
	}
	b := w.buf
	w.buf = nil
	w.mu.Unlock()
	return w.send(ctx, b)
}

func (w *flushWriterFixed) Stop() { w.inFly.Wait() }

// The same mistake written differently: a request counter whose handler
// uncounts itself on the success path only; the error branch continues
// to a return inside a loop over attempts.
type requestGate struct {
	pending sync.WaitGroup
	do      func(int) error
}

var errGateFailed = errors.New("failed")

func (g *requestGate) Handle(n int) error {
	g.pending.Add(1)
	for i := 0; i < 3; i++ {
		if err := g.do(n); err == nil {
			g.pending.Done()
			return nil
		}
	}
	return errGateFailed // want `this return skips wg.Done: the wg.Add\(1\) at line \d+ counts this call in flight`
}

func (g *requestGate) Drain() { g.pending.Wait() }

// Look-alike that must stay silent: an acquire that returns with the
// count held on success and a release method that drops it; the Done on
// the error path is not the function's own uncount.
type leaseTable struct {
	mu     sync.Mutex
	closed bool
	leases sync.WaitGroup
}

func (t *leaseTable) Acquire() error {
	t.leases.Add(1)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		t.leases.Done()
		return errGateFailed
	}
	return nil
}

func (t *leaseTable) Release() { t.leases.Done() }

func (t *leaseTable) Close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.leases.Wait()
}

// Look-alike that must stay silent: the count's Done is handed on as a
// callback, so another party may drop it.
type callbackRunner struct {
	wg    sync.WaitGroup
	queue func(done func()) bool
}

func (r *callbackRunner) Submit() bool {
	r.wg.Add(1)
	if !r.queue(r.wg.Done) {
		r.wg.Done()
		return false
	}
	return true
}

func (r *callbackRunner) Wait() { r.wg.Wait() }

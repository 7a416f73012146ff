package stuckharness

import "context"

type runnable interface{ Start(context.Context) error }

// manager's Run starts a goroutine that reports a start failure on errc
// and selects on the caller's context and errc: when the context's case
// wins while the report waits, the goroutine leaks. Unexported: no
// outside client, the method alone is the harness.
type manager struct {
	errc chan error
	r    runnable
}

func newManager(r runnable) *manager { return &manager{errc: make(chan error), r: r} }

// Run runs until ctx ends or the runnable fails to start.
func (m *manager) Run(ctx context.Context) error {
	go func() {
		if err := m.r.Start(ctx); err != nil {
			m.errc <- err // want `can block forever`
		}
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.errc:
		return err
	}
}

// fixedManager's report has room: it never waits.
type fixedManager struct {
	errc chan error
	r    runnable
}

func newFixedManager(r runnable) *fixedManager {
	return &fixedManager{errc: make(chan error, 1), r: r}
}

// Run runs until ctx ends or the runnable fails to start.
func (m *fixedManager) Run(ctx context.Context) error {
	go func() {
		if err := m.r.Start(ctx); err != nil {
			m.errc <- err
		}
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.errc:
		return err
	}
}

// buffer's loop stops when its stop field is closed, which only Close
// does; the type is the package's own and its one user writes, then
// closes: Write racing Close is no interleaving of this program, and a
// Write alone cannot meet the stop case.
type buffer struct {
	update chan struct{}
	stop   chan struct{}
	n      int
}

func newBuffer() *buffer {
	b := &buffer{update: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		for {
			select {
			case <-b.update:
				b.n++
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write counts one update.
func (b *buffer) Write(p []byte) (int, error) {
	b.update <- struct{}{}
	return len(p), nil
}

// Close stops the loop.
func (b *buffer) Close() error {
	close(b.stop)
	return nil
}

// copyAll writes then closes, in order.
func copyAll(b *buffer, ps [][]byte) {
	for _, p := range ps {
		b.Write(p)
	}
	b.Close()
}

// waiter's Wait is served by a second goroutine of the same method, with
// a helper; its send selects on the context too (fixed shape for a named
// helper).
type waiter struct {
	ready chan struct{}
}

func newWaiter() *waiter { return &waiter{ready: make(chan struct{})} }

// Wait waits until the work is ready or ctx ends.
func (w *waiter) Wait(ctx context.Context) bool {
	go w.signal(ctx)
	select {
	case <-ctx.Done():
		return false
	case <-w.ready:
		return true
	}
}

func (w *waiter) signal(ctx context.Context) {
	select {
	case w.ready <- struct{}{}:
	case <-ctx.Done():
	}
}

package real

import (
	"context"
	"errors"
	"sync"
)

// Upstream: jackc/pgx#2515. Watch starts a goroutine that, once the
// context is cancelled, waits for Unwatch; the error path of exec closes
// the connection and returns without Unwatch.
type pairWatcher struct {
	onCancel  func()
	unwatchCh chan struct{}
	mu        sync.Mutex
	watching  bool
}

func newPairWatcher(onCancel func()) *pairWatcher {
	return &pairWatcher{onCancel: onCancel, unwatchCh: make(chan struct{})}
}

func (w *pairWatcher) Watch(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.watching = true
	go func() {
		select {
		case <-ctx.Done():
			w.onCancel()
			<-w.unwatchCh
		case <-w.unwatchCh:
		}
	}()
}

func (w *pairWatcher) Unwatch() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watching {
		w.unwatchCh <- struct{}{}
		w.watching = false
	}
}

type pairConn struct {
	w        *pairWatcher
	exchange func(string) (string, error)
	closed   bool
}

func (c *pairConn) Exec(ctx context.Context, q string) (string, error) {
	c.w.Watch(ctx)
	res, err := c.exchange(q)
	if err != nil {
		c.closed = true
		return "", err // want `this return, reached after Watch \(at line \d+\) without Unwatch, leaves the goroutine Watch started waiting for Unwatch`
	}
	c.w.Unwatch()
	return res, nil
}

// Start and Stop by a close.
type pairTicker struct {
	stop chan struct{}
	tick func()
}

func (t *pairTicker) Start() {
	t.stop = make(chan struct{})
	go func() {
		<-t.stop
		t.tick()
	}()
}

func (t *pairTicker) Stop() { close(t.stop) }

func runPairTicker(t *pairTicker, work func() error) error {
	t.Start()
	if err := work(); err != nil {
		return err // want `this return, reached after Start \(at line \d+\) without Stop`
	}
	t.Stop()
	return nil
}

// The fix and look-alikes: Unwatch deferred, called on every path, or
// reached through a helper; a watcher that also ends by itself.
func (c *pairConn) ExecFixed(ctx context.Context, q string) (string, error) {
	c.w.Watch(ctx)
	defer c.w.Unwatch()
	return c.exchange(q)
}

func (c *pairConn) ExecBoth(ctx context.Context, q string) (string, error) {
	c.w.Watch(ctx)
	res, err := c.exchange(q)
	if err != nil {
		c.w.Unwatch()
		return "", err
	}
	c.w.Unwatch()
	return res, nil
}

func (c *pairConn) closeConn() {
	c.closed = true
	c.w.Unwatch()
}

func (c *pairConn) ExecHelper(ctx context.Context, q string) (string, error) {
	c.w.Watch(ctx)
	res, err := c.exchange(q)
	if err != nil {
		c.closeConn()
		return "", errors.Join(err, errors.New("closed"))
	}
	c.w.Unwatch()
	return res, nil
}

type selfEnding struct {
	stop chan struct{}
	done chan struct{}
}

func (s *selfEnding) Start(ctx context.Context) {
	go func() {
		select {
		case <-s.stop:
		case <-ctx.Done():
		}
	}()
}

func (s *selfEnding) Stop() { close(s.stop) }

func runSelfEnding(ctx context.Context, s *selfEnding, work func() error) error {
	s.Start(ctx)
	if err := work(); err != nil {
		return err
	}
	s.Stop()
	return nil
}

// Look-alike: the path returns the object, whose caller releases it.
func startPairTicker(t *pairTicker, ready func() bool) (*pairTicker, error) {
	t.Start()
	if ready() {
		return t, nil
	}
	t.Stop()
	return nil, errors.New("not ready")
}

// Package fixed is the fixed version of context/pgx_2515: the watcher
// registers its handler with context.AfterFunc instead of starting a
// goroutine, so a connection closed without Unwatch leaves nothing blocked.
package fixed

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Handler handles the cancellation of a watched context.
type Handler interface {
	HandleCancel(canceledCtx context.Context)
	HandleUnwatchAfterCancel() error
}

// ContextWatcher watches one context at a time.
type ContextWatcher struct {
	handler Handler

	lock              sync.Mutex
	watchInProgress   bool
	onCancelWasCalled bool
	stop              func() bool
	done              chan struct{}
}

// NewContextWatcher returns a ContextWatcher.
func NewContextWatcher(handler Handler) *ContextWatcher {
	return &ContextWatcher{handler: handler}
}

// Watch starts watching ctx.
func (cw *ContextWatcher) Watch(ctx context.Context) {
	cw.lock.Lock()
	defer cw.lock.Unlock()

	if cw.watchInProgress {
		panic("Watch already in progress")
	}

	cw.onCancelWasCalled = false

	if ctx.Done() != nil {
		cw.watchInProgress = true
		done := make(chan struct{})
		cw.done = done
		cw.stop = context.AfterFunc(ctx, func() {
			defer close(done)
			cw.handler.HandleCancel(ctx)
		})
	} else {
		cw.watchInProgress = false
	}
}

// Unwatch stops watching the previously watched context.
func (cw *ContextWatcher) Unwatch() error {
	cw.lock.Lock()
	defer cw.lock.Unlock()

	var err error
	if cw.watchInProgress {
		if !cw.stop() {
			// The handler has started: wait for it to finish.
			<-cw.done
			cw.onCancelWasCalled = true
		}
		if cw.onCancelWasCalled {
			err = cw.handler.HandleUnwatchAfterCancel()
		}
		cw.watchInProgress = false
	}
	return err
}

// netConn is the network connection of a PgConn.
type netConn interface {
	SetDeadline(t time.Time) error
	Exchange(query string) (string, error)
	Close() error
}

// deadlineHandler interrupts the connection's I/O when the context ends.
type deadlineHandler struct {
	conn netConn
}

func (h *deadlineHandler) HandleCancel(context.Context) {
	h.conn.SetDeadline(time.Unix(1, 0))
}

func (h *deadlineHandler) HandleUnwatchAfterCancel() error {
	return h.conn.SetDeadline(time.Time{})
}

// PgConn is a low-level connection.
type PgConn struct {
	conn           netConn
	contextWatcher *ContextWatcher
	closed         bool
}

// NewPgConn wraps conn.
func NewPgConn(conn netConn) *PgConn {
	return &PgConn{
		conn:           conn,
		contextWatcher: NewContextWatcher(&deadlineHandler{conn: conn}),
	}
}

var errConnClosed = errors.New("conn closed")

// Exec runs query, interrupting it when ctx is cancelled.
func (c *PgConn) Exec(ctx context.Context, query string) (string, error) {
	if c.closed {
		return "", errConnClosed
	}
	c.contextWatcher.Watch(ctx)

	result, err := c.conn.Exchange(query)
	if err != nil {
		// The connection is in an unknown state after an interrupted
		// exchange: close it.
		c.closed = true
		c.conn.Close()
		return "", err
	}

	if err := c.contextWatcher.Unwatch(); err != nil {
		return "", err
	}
	return result, nil
}

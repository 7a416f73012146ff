// Package bug is a held-out kernel (issue 14): pgx's ContextWatcher starts
// a goroutine per Watch that, once the watched context is cancelled,
// calls the cancel handler and then waits on unwatchChan for the matching
// Unwatch; a connection that is closed after a cancelled query without
// calling Unwatch leaves that goroutine blocked for ever (one per
// cancelled query, "Ever Increasing number of Go routines").
//
// Upstream: jackc/pgx#2515 ("ctxwatch: ContextWatcher goroutine leak")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Watch(ctx) sets watchInProgress and starts `go func() { select {
// case <-ctx.Done(): HandleCancel(ctx); onCancelWasCalled = true;
// <-cw.unwatchChan; case <-cw.unwatchChan: } }()`; Unwatch sends on the
// unbuffered unwatchChan. The goroutine therefore lives until Unwatch is
// called, and after a cancellation it can leave only through Unwatch.
// The issue (jackc/pgx#1999) shows 74 goroutines parked in the receive on
// line 51, and the PR: "a goroutine leak that could occur if Unwatch was
// deferred a long time or was not called". Our reduction: the
// connection is reduced to exec, whose cancel handler sets a deadline and
// whose error path closes the connection and returns without Unwatch (our
// reading of how Unwatch is skipped; the thread names no caller).
//
// Fix: the watcher uses context.AfterFunc(ctx, ...) and a channel close
// instead of a goroutine, a send/receive and flags; Unwatch calls the
// AfterFunc's stop and, when the handler already ran, waits for it to
// finish on a closed channel, so nothing is left waiting when Unwatch is
// never called. (The PR gives the mechanism; the fixed code is ours.)
package bug

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
	handler     Handler
	unwatchChan chan struct{}

	lock              sync.Mutex
	watchInProgress   bool
	onCancelWasCalled bool
}

// NewContextWatcher returns a ContextWatcher.
func NewContextWatcher(handler Handler) *ContextWatcher {
	return &ContextWatcher{
		handler:     handler,
		unwatchChan: make(chan struct{}),
	}
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
		go func() {
			select {
			case <-ctx.Done():
				cw.handler.HandleCancel(ctx)
				cw.onCancelWasCalled = true
				<-cw.unwatchChan // heldout:site
			case <-cw.unwatchChan:
			}
		}()
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
		cw.unwatchChan <- struct{}{}
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
		return "", err // heldout:site
	}

	if err := c.contextWatcher.Unwatch(); err != nil {
		return "", err
	}
	return result, nil
}

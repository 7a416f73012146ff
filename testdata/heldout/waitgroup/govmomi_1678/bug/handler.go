// Package bug is a held-out kernel (issue 14): a vSphere session
// keep-alive goroutine defers its WaitGroup Done, and when a keep-alive
// request fails it calls Stop itself; Stop waits on that WaitGroup, which
// only reaches zero once the goroutine returns, so the goroutine waits on
// itself for ever while holding the handler's lock.
//
// Upstream: vmware/govmomi#1678 ("Avoid possible deadlock in KeepAliveHandler")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: session/keepalive's handler.Start adds one to notifyWaitGroup and
// starts a goroutine that begins with `defer h.notifyWaitGroup.Done()` and
// loops on a timer: each tick it calls h.send(), and on an error it calls
// h.Stop() and returns. Stop locks h.mu, closes notifyStop and calls
// h.notifyWaitGroup.Wait(): the count still holds the calling goroutine's
// own pending Done. The PR: "The call to stop() triggered by a handler
// error would cause a deadlock. Avoid the use of deferring
// notifyWaitGroup.Done(), instead calling it explicitly on both return
// paths." Every later Start, Stop or Logout then blocks on h.mu. The SOAP
// and REST clients are reduced to a RoundTripper interface.
//
// Fix: the goroutine calls Done explicitly before returning on the stop
// path and before calling h.Stop() on the error path.
package bug

import (
	"context"
	"sync"
	"time"
)

// RoundTripper is the SOAP round tripper the handler wraps.
type RoundTripper interface {
	RoundTrip(ctx context.Context, req, res interface{}) error
}

// LoginBody and LogoutBody are the session requests the handler watches.
type (
	LoginBody  struct{ UserName string }
	LogoutBody struct{}
)

// handler contains the generic keep alive settings and logic.
type handler struct {
	mu              sync.Mutex
	notifyStop      chan struct{}
	notifyWaitGroup sync.WaitGroup

	idle time.Duration
	send func() error
}

// NewHandlerSOAP returns a RoundTripper that keeps the session alive by
// calling send every idle interval while logged in.
func NewHandlerSOAP(c RoundTripper, idle time.Duration, send func() error) *HandlerSOAP {
	h := &handler{idle: idle, send: send}
	if send == nil {
		h.send = func() error {
			return c.RoundTrip(context.Background(), "CurrentTime", new(time.Time))
		}
	}
	return &HandlerSOAP{h, c}
}

// Start starts the keep alive goroutine.
func (h *handler) Start() {
	h.mu.Lock() // heldout:site
	defer h.mu.Unlock()

	if h.notifyStop != nil {
		return
	}
	if h.idle == 0 {
		h.idle = time.Minute * 10
	}

	// This channel must be closed to terminate idle timer.
	h.notifyStop = make(chan struct{})
	h.notifyWaitGroup.Add(1)

	go func() {
		defer h.notifyWaitGroup.Done() // heldout:site

		for t := time.NewTimer(h.idle); ; {
			select {
			case <-h.notifyStop:
				t.Stop()
				return
			case <-t.C:
				if err := h.send(); err != nil {
					h.Stop() // heldout:site
					return
				}
				t.Reset(h.idle)
			}
		}
	}()
}

// Stop stops the keep alive goroutine and waits for it.
func (h *handler) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()

	if h.notifyStop != nil {
		close(h.notifyStop)
		h.notifyWaitGroup.Wait() // heldout:site
		h.notifyStop = nil
	}
}

// HandlerSOAP is a keep alive implementation for a SOAP client.
type HandlerSOAP struct {
	*handler

	roundTripper RoundTripper
}

// RoundTrip stops the ticker on logout and starts it on login.
func (h *HandlerSOAP) RoundTrip(ctx context.Context, req, res interface{}) error {
	switch req.(type) {
	case *LogoutBody:
		h.Stop()
	}

	if err := h.roundTripper.RoundTrip(ctx, req, res); err != nil {
		return err
	}

	switch req.(type) {
	case *LoginBody:
		h.Start()
	}
	return nil
}

// Package fixed is the fixed version of waitgroup/govmomi_1678: the
// keep-alive goroutine calls Done itself before it calls Stop, so Stop's
// Wait does not wait for the goroutine that called it.
package fixed

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
	h.mu.Lock()
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
		for t := time.NewTimer(h.idle); ; {
			select {
			case <-h.notifyStop:
				h.notifyWaitGroup.Done()
				t.Stop()
				return
			case <-t.C:
				if err := h.send(); err != nil {
					h.notifyWaitGroup.Done()
					h.Stop()
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
		h.notifyWaitGroup.Wait()
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

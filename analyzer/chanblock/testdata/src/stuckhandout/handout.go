package stuckhandout

import (
	"context"
	"errors"
	"io"
	"time"
)

// Spinner is what callers get: the concrete spinner stays unexported, but
// NewSpinner builds the interface from it, so any caller may run Begin
// and End at once, as with a *spinner result.
type Spinner interface {
	Begin(ctx context.Context)
	End()
}

type spinner struct {
	stop chan struct{}
	ch   chan int
}

// NewSpinner returns a spinner.
func NewSpinner() Spinner {
	return &spinner{stop: make(chan struct{})}
}

// Begin spins until ctx ends or End.
func (s *spinner) Begin(ctx context.Context) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.stop:
				return
			case <-time.After(time.Millisecond):
				frame()
			}
		}
	}()
}

// End stops the spinning: a plain send the goroutine may never take,
// having left by the context while End waited.
func (s *spinner) End() {
	frame()
	s.signal()
}

func (s *spinner) signal() {
	s.stop <- struct{}{} // want `can block forever`
}

func frame() {}

// Poller is kept in a local interface variable before it is returned,
// and narrowed to io.Closer on the way out: the caller holds a *poller
// all the same (it may assert it back to Poller).
type Poller interface {
	io.Closer
	Watch(ctx context.Context)
}

type poller struct {
	quit chan bool
}

// NewPoller returns a poller as a Closer.
func NewPoller(interval time.Duration) (io.Closer, error) {
	if interval <= 0 {
		return nil, errors.New("bad interval")
	}
	var p Poller = &poller{quit: make(chan bool)}
	return p, nil
}

// Watch polls until ctx ends or Close.
func (p *poller) Watch(ctx context.Context) {
	go p.loop(ctx)
}

func (p *poller) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.quit:
			return
		default:
			frame()
		}
	}
}

// Close asks the loop to quit and waits for it to take the request.
func (p *poller) Close() error {
	p.quit <- true // want `can block forever`
	return nil
}

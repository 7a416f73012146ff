package stuckhandout

import (
	"context"
	"time"
)

// calmSpinner is handed out the same way; End closes stop (once), so it
// never waits for the goroutine.
type calmSpinner struct {
	stop chan struct{}
}

// NewCalmSpinner returns a spinner.
func NewCalmSpinner() Spinner {
	return &calmSpinner{stop: make(chan struct{})}
}

// Begin spins until ctx ends or End.
func (s *calmSpinner) Begin(ctx context.Context) {
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

// End stops the spinning.
func (s *calmSpinner) End() { close(s.stop) }

// hiddenSpinner sends like spinner, but no code outside the package can
// get one: its constructor is unexported, and the package calls Begin
// and End one after the other only.
type hiddenSpinner struct {
	stop chan struct{}
}

func newHiddenSpinner() Spinner {
	return &hiddenSpinner{stop: make(chan struct{})}
}

func (s *hiddenSpinner) Begin(ctx context.Context) {
	go func() {
		select {
		case <-ctx.Done():
		case <-s.stop:
		}
	}()
}

func (s *hiddenSpinner) End() { s.stop <- struct{}{} }

// RunHidden is the package's one use of a hidden spinner.
func RunHidden() {
	s := newHiddenSpinner()
	s.Begin(context.Background())
	s.End()
}

// boxed is handed out inside another type (a wrapper holding it): the
// interface's dynamic type is not boxed's, so callers reach boxed only
// through what the wrapper does.
type boxed struct {
	stop chan struct{}
}

type wrapper struct {
	b *boxed
}

func (w *wrapper) Begin(ctx context.Context) { w.b.begin(ctx) }
func (w *wrapper) End()                      { close(w.b.stop) }

// NewBoxed returns a spinner wrapping a boxed.
func NewBoxed() Spinner {
	return &wrapper{b: &boxed{stop: make(chan struct{})}}
}

func (b *boxed) begin(ctx context.Context) {
	go func() {
		select {
		case <-ctx.Done():
		case <-b.stop:
		}
	}()
}

// Send is the boxed type's own send, which no caller can reach.
func (b *boxed) Send() { b.stop <- struct{}{} }

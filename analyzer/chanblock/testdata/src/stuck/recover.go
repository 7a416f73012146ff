package stuck

import (
	"context"
	"fmt"
)

// recoverSend: the deferred send runs only when run panicked, and then
// the first send never ran: one value into a buffer of one, whichever
// way the goroutine ends.
func recoverSend(ctx context.Context, run func() error) error {
	errc := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				errc <- fmt.Errorf("panic: %v", r)
			}
		}()
		errc <- run()
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-errc:
		return err
	}
}

// deferSendAlways: the deferred send runs on every return, after the
// first send: two values into a buffer of one, and the caller may have
// left through ctx.Done.
func deferSendAlways(ctx context.Context, run func() error) error {
	errc := make(chan error, 1)
	go func() {
		defer func() {
			errc <- nil // want `this send can block forever`
		}()
		errc <- run()
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-errc:
		return err
	}
}

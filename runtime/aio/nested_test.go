package aio_test

import (
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// TestNestedRunThroughACoroutineIsAnError runs a loop from the body of an
// iter.Pull iterator and of a coro generator driven by a task, and by a
// callback: they run while the loop waits for them, so a second loop
// there could only block the first. Python raises RuntimeError; Run
// returns ErrLoopRunning however the running loop is reached.
func TestNestedRunThroughACoroutineIsAnError(t *testing.T) {
	runInside := func() error {
		_, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 0, nil }))
		return err
	}
	viaPull := func() error {
		var err error
		next, stop := iter.Pull(func(yield func(int) bool) {
			err = runInside()
			yield(1)
		})
		defer stop()
		next()
		return err
	}
	viaGenerator := func() error {
		var err error
		g := coro.New(func(co *coro.Co[int, int]) int {
			err = runInside()
			co.Yield(1)
			return 0
		})
		defer g.Close()
		g.Next()
		return err
	}
	viaBoth := func() error { // a generator whose body drives an iterator
		var err error
		g := coro.New(func(co *coro.Co[int, int]) int {
			err = viaPull()
			co.Yield(1)
			return 0
		})
		defer g.Close()
		g.Next()
		return err
	}
	check(t, func(t *aio.Task) error {
		if err := viaBoth(); !errors.Is(err, aio.ErrLoopRunning) {
			return fmt.Errorf("Run in an iter.Pull body in a generator body driven by a task: %v", err)
		}
		if err := viaPull(); !errors.Is(err, aio.ErrLoopRunning) {
			return fmt.Errorf("Run in an iter.Pull body driven by a task: %v", err)
		}
		if err := viaGenerator(); !errors.Is(err, aio.ErrLoopRunning) {
			return fmt.Errorf("Run in a generator body driven by a task: %v", err)
		}
		var cbErr error
		t.Loop().CallSoon(func() { cbErr = viaGenerator() })
		aio.Sleep(t, 0)
		if !errors.Is(cbErr, aio.ErrLoopRunning) {
			return fmt.Errorf("Run in a generator body driven by a callback: %v", cbErr)
		}
		// A thread of its own may run a loop, as a Python thread may, even
		// from a generator.
		err, _ := aio.ToThread(t, func() (error, error) { return viaBoth(), nil })
		if err != nil {
			return fmt.Errorf("Run in a generator body on a worker thread: %v", err)
		}
		return nil
	})
}

package real

import "errors"

// Upstream: r3labs/sse#10. The caller makes a channel, runs the
// subscription in a goroutine and ranges over the channel; the
// subscription's reader goroutine closes the channel when a read fails,
// but a failed connect returns its error before starting the reader, so
// the range never ends. Fix: close the channel on the connect error too.

type sseSource interface {
	Open(name string) (sseReader, error)
}

type sseReader interface {
	Next() (string, error)
}

func subscribeTo(src sseSource, name string, out chan string) error {
	r, err := src.Open(name)
	if err != nil {
		return err
	}
	go func() {
		for {
			msg, err := r.Next()
			if err != nil {
				close(out)
				return
			}
			out <- msg
		}
	}()
	return nil
}

func collectAll(src sseSource, name string) []string {
	out := make(chan string)
	go subscribeTo(src, name, out)
	var got []string
	for m := range out { // want `this range waits for the channel to be closed, and only a goroutine subscribeTo starts closes it, but subscribeTo can return at line \d+ without starting it`
		got = append(got, m)
	}
	return got
}

// The fix: the error path closes the channel too.
func subscribeToFixed(src sseSource, name string, out chan string) error {
	r, err := src.Open(name)
	if err != nil {
		close(out)
		return err
	}
	go func() {
		defer close(out)
		for {
			msg, err := r.Next()
			if err != nil {
				return
			}
			out <- msg
		}
	}()
	return nil
}

func collectAllFixed(src sseSource, name string) []string {
	out := make(chan string)
	go subscribeToFixed(src, name, out)
	var got []string
	for m := range out {
		got = append(got, m)
	}
	return got
}

// A variant: the helper is called with its error ignored, the closer is
// a named function it starts, and the caller's loop tests ok.
func pump(r sseReader, out chan string) {
	defer close(out)
	for {
		msg, err := r.Next()
		if err != nil {
			return
		}
		out <- msg
	}
}

func startPump(r sseReader, out chan string) error {
	if r == nil {
		return errors.New("no reader")
	}
	go pump(r, out)
	return nil
}

func drainPump(r sseReader) int {
	out := make(chan string, 4)
	_ = startPump(r, out)
	n := 0
	for {
		_, ok := <-out // want `this receive loop, which stops only when the channel is closed, waits for the channel to be closed, and only a goroutine startPump starts closes it`
		if !ok {
			return n
		}
		n++
	}
}

// A look-alike that must stay silent: the caller checks the helper's
// error and does not range when it failed.
func drainPumpChecked(r sseReader) int {
	out := make(chan string, 4)
	if err := startPump(r, out); err != nil {
		return 0
	}
	n := 0
	for range out {
		n++
	}
	return n
}

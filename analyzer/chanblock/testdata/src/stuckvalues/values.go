package stuckvalues

import (
	"errors"
	"fmt"
)

// Receivers that stop on a value's error field. The checker carries,
// from each send to the receive that takes it, whether the sent value's
// tested field is nil, not nil or unknown (chanmodel values.go).

type result struct {
	val int
	err error
}

func step(i int) (int, error) {
	if i > 3 {
		return 0, errors.New("too far")
	}
	return i * 2, nil
}

// The producer sends its results, then an error as its last value and
// returns: the consumer, stopping on the error, has taken every value.
func lastError(xs []int) int {
	ch := make(chan *result)
	go func() {
		defer close(ch)
		for _, x := range xs {
			v, err := step(x)
			if err != nil {
				ch <- &result{err: err}
				return
			}
			ch <- &result{val: v}
		}
	}()
	sum := 0
	for r := range ch {
		if r.err != nil {
			return -1
		}
		sum += r.val
	}
	return sum
}

// The same without the return: after the error the producer sends again
// and nobody is left to take it.
func errorThenMore(xs []int) int {
	ch := make(chan *result)
	go func() {
		defer close(ch)
		for _, x := range xs {
			v, err := step(x)
			if err != nil {
				ch <- &result{err: err}
			}
			ch <- &result{val: v} // want `this send can block forever`
		}
	}()
	sum := 0
	for r := range ch {
		if r.err != nil {
			return -1
		}
		sum += r.val
	}
	return sum
}

// A struct value, the consumer leaving by break: the failure is built
// with fmt.Errorf, the last thing sent.
func valueBreak(xs []int) int {
	ch := make(chan result, 1)
	go func() {
		defer close(ch)
		for _, x := range xs {
			if x < 0 {
				ch <- result{err: fmt.Errorf("negative %d", x)}
				return
			}
			ch <- result{val: x}
		}
	}()
	sum := 0
	for r := range ch {
		if r.err != nil {
			break
		}
		sum += r.val
	}
	return sum
}

func finish() *result { return &result{} }

// The last value is forwarded from another function: unknown, it may
// stop the consumer or not, and either way nothing is left blocked (the
// values before it have no error).
func forwardedLast(xs []int) int {
	ch := make(chan *result)
	go func() {
		defer close(ch)
		for _, x := range xs {
			ch <- &result{val: x}
		}
		ch <- finish()
	}()
	sum := 0
	for r := range ch {
		if r.err != nil {
			return -1
		}
		sum += r.val
	}
	return sum
}

// An error channel: nil for the successes, a new error last. The
// receiver stops on the first error, with a comma-ok receive.
func errorsLast(xs []int) bool {
	errc := make(chan error)
	go func() {
		for _, x := range xs {
			if x == 3 {
				errc <- errors.New("three")
				return
			}
			errc <- nil
		}
		close(errc)
	}()
	for {
		err, ok := <-errc
		if !ok {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// The error first, then a success: the receiver stopped on the error
// and the success waits forever.
func errorFirst() error {
	errc := make(chan error)
	go func() {
		errc <- errors.New("first")
		errc <- nil // want `this send can block forever`
	}()
	for {
		if err := <-errc; err != nil {
			return err
		}
	}
}

// Selects on both sides, the test through a pointer field: the stop
// value is the only one with an error, and it comes last; the producer
// leaves too when quit closes.
func selectLast(quit chan struct{}) int {
	ch := make(chan *result)
	go func() {
		for i := 1; i < 3; i++ {
			select {
			case ch <- &result{val: i}:
			case <-quit:
				return
			}
		}
		select {
		case ch <- &result{err: errors.New("done")}:
		case <-quit:
		}
	}()
	got := 0
	for {
		select {
		case r := <-ch:
			if r.err != nil {
				return got
			}
			got += r.val
		case <-quit:
			return got
		}
	}
}

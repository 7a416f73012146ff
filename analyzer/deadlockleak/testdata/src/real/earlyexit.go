package real

import (
	"errors"
	"testing"
)

func fetchPart(p string) error {
	if p == "" {
		return errors.New("empty part")
	}
	return nil
}

// Upstream: dgraph-io/dgraph#3074
//
// Bug: several dgraph functions started one goroutine per item, each
// sending its error on an unbuffered channel, and then received in a loop
// counted to the number of items, returning on the first error: the
// goroutines that had not sent yet blocked forever on their send and
// leaked. Fix: the channel gets a buffer for every goroutine, so each send
// completes whether or not anyone still receives.
func fetchParts(parts []string) error {
	errCh := make(chan error)
	for _, p := range parts {
		go func(p string) {
			errCh <- fetchPart(p) // want `several goroutines each send once on an unbuffered channel that fetchParts receives from in a loop \(line \d+\), but it can leave the loop after a receive and return \(line \d+\)`
		}(p)
	}
	for range parts {
		if err := <-errCh; err != nil {
			return err
		}
	}
	return nil
}

func fetchPartsFixed(parts []string) error {
	errCh := make(chan error, len(parts))
	for _, p := range parts {
		go func(p string) {
			errCh <- fetchPart(p)
		}(p)
	}
	for range parts {
		if err := <-errCh; err != nil {
			return err
		}
	}
	return nil
}

// Receiving every value before deciding leaks nothing.
func fetchPartsAll(parts []string) error {
	errCh := make(chan error)
	for _, p := range parts {
		go func(p string) {
			errCh <- fetchPart(p)
		}(p)
	}
	var first error
	for range parts {
		if err := <-errCh; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// In a test, t.Fatal ends the test: not this pattern (the test is over).
func testFetchParts(t *testing.T, parts []string) {
	errCh := make(chan error)
	for _, p := range parts {
		go func(p string) {
			errCh <- fetchPart(p)
		}(p)
	}
	for range parts {
		if err := <-errCh; err != nil {
			t.Fatal(err)
		}
	}
}

// runtime's BenchmarkMutexCapture: a range-over-int loop receives every
// value (go/ssa tests its bound at the bottom of the body, so the loop's
// normal exit follows the receive): not an early exit.
func sumAll(procs int) int {
	ch := make(chan [2]int)
	for range procs {
		go func() { ch <- [2]int{1, 2} }()
	}
	s := 0
	for range procs {
		h := <-ch
		for i := range h {
			s += h[i]
		}
	}
	return s
}

// The same loop that breaks out on a condition leaves values unreceived.
func sumUntil(procs, limit int) int {
	ch := make(chan int)
	for range procs {
		go func() { ch <- 1 }() // want `several goroutines each send once on an unbuffered channel that sumUntil receives from in a loop`
	}
	s := 0
	for range procs {
		s += <-ch
		if s > limit {
			break
		}
	}
	return s
}

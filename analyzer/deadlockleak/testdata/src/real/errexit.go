package real

import (
	"errors"
	"sync"
)

// Goroutines that poll in a loop and report a failure on the way out
// (errCh <- err; return) send at most once each, like a goroutine with a
// single send: when the starter reads the error channel once, every other
// goroutine that fails later blocks on its send forever.

type poller interface {
	poll(index uint64) (uint64, error)
}

// Upstream: traefik/traefik#3036 ("Fix goroutine leak in consulcatalog
// when consul is down"): two watchers started by helpers and one started
// inline all report their failure on one unbuffered channel, and watch
// returns after the first error. Fix: report through a sync.Once.
func watchAll(a, b poller, stop chan struct{}) error {
	errs := make(chan error)
	startWatcher(a, stop, errs)
	startWatcher(b, stop, errs)
	go func() {
		var last uint64
		for {
			next, err := a.poll(last)
			if err != nil {
				errs <- err
				return
			}
			last = next
		}
	}()
	defer close(stop)
	return <-errs
}

func startWatcher(p poller, stop <-chan struct{}, errs chan<- error) {
	go func() {
		var last uint64
		for {
			select {
			case <-stop:
				return
			default:
			}
			next, err := p.poll(last)
			if err != nil {
				errs <- err // want `2 goroutines each send once on a channel with room for 0, and watchAll receives at most 1 time`
				return
			}
			if next == 0 {
				errs <- errors.New("index reset")
				return
			}
			last = next
		}
	}()
}

func watchAllFixed(a, b poller, stop chan struct{}) error {
	errs := make(chan error)
	var once sync.Once
	notify := func(err error) { once.Do(func() { errs <- err }) }
	startWatcherFixed(a, stop, notify)
	startWatcherFixed(b, stop, notify)
	defer close(stop)
	return <-errs
}

func startWatcherFixed(p poller, stop <-chan struct{}, notify func(error)) {
	go func() {
		var last uint64
		for {
			select {
			case <-stop:
				return
			default:
			}
			next, err := p.poll(last)
			if err != nil {
				notify(err)
				return
			}
			last = next
		}
	}()
}

// A variant: two workers drain a queue and report only their failure,
// with a break out of the loop instead of a return; the caller reads the
// first failure.
func drainFirstFailure(queue []int, work func(int) error) error {
	failed := make(chan error)
	go func() {
		for _, q := range queue[:len(queue)/2] {
			if err := work(q); err != nil {
				failed <- err
				break
			}
		}
	}()
	go func() {
		for _, q := range queue[len(queue)/2:] {
			if err := work(q); err != nil {
				failed <- err // want `2 goroutines each send once on a channel with room for 0, and drainFirstFailure receives at most 1 time`
				break
			}
		}
	}()
	return <-failed
}

// A look-alike: each worker leaves its loop and sends its result once,
// and the caller receives once per worker: nobody is left behind.
func drainBoth(queue []int, work func(int) error) error {
	done := make(chan error)
	go func() {
		var err error
		for _, q := range queue {
			if err = work(q); err != nil {
				break
			}
		}
		done <- err
	}()
	go func() {
		for _, q := range queue {
			if err := work(-q); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return errors.Join(<-done, <-done)
}

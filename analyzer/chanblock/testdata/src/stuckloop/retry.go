package stuckloop

import (
	"errors"
	"time"
)

// Retry loops: a counter of failed tries, stepped where no operation on
// the channel has run, decides only which way out the loop takes. The
// failed tries touch nothing the other goroutine sees, so the checker
// runs the loop as a free loop: its count's test both ways.

var errGiveUp = errors.New("give up")

// The caller stops waiting after a while; the fetcher's send, after
// any number of failed tries, then waits for ever.
func fetchTimeout(get func() (int, error), timeout <-chan time.Time) (int, bool) {
	res := make(chan int)
	go func() {
		for tries := 0; ; tries++ {
			v, err := get()
			if err == nil {
				res <- v // want `this send can block forever`
				return
			}
			if tries >= 3 {
				return
			}
		}
	}()
	select {
	case v := <-res:
		return v, true
	case <-timeout:
		return 0, false
	}
}

// Fixed: room for the value, so the send never waits.
func fetchTimeoutFixed(get func() (int, error), timeout <-chan time.Time) (int, bool) {
	res := make(chan int, 1)
	go func() {
		for tries := 0; ; tries++ {
			v, err := get()
			if err == nil {
				res <- v
				return
			}
			if tries >= 3 {
				return
			}
		}
	}()
	select {
	case v := <-res:
		return v, true
	case <-timeout:
		return 0, false
	}
}

// Fixed: giving up is a result too.
func fetchFixed(get func() (int, error)) (int, error) {
	type result struct {
		v   int
		err error
	}
	res := make(chan result)
	go func() {
		for tries := 0; ; tries++ {
			v, err := get()
			if err == nil {
				res <- result{v: v}
				return
			}
			if tries >= 3 {
				res <- result{err: errGiveUp}
				return
			}
		}
	}()
	r := <-res
	return r.v, r.err
}

// Fixed otherwise: the channel is closed on every way out, and the
// caller tells a value from the close.
func fetchClosing(get func() (int, error)) (int, bool) {
	res := make(chan int, 1)
	go func() {
		defer close(res)
		for tries := 0; ; tries++ {
			v, err := get()
			if err == nil {
				res <- v
				return
			}
			if tries >= 3 {
				return
			}
		}
	}()
	v, ok := <-res
	return v, ok
}

// Look-alike: the loop breaks out on success or when the tries are
// spent (a short circuit), and the one send follows the loop.
func fetchAfter(get func() (int, error)) int {
	res := make(chan int)
	go func() {
		var v int
		for tries := 0; ; tries++ {
			var err error
			v, err = get()
			if err == nil || tries >= 3 {
				break
			}
		}
		res <- v
	}()
	return <-res
}

// Look-alike: the caller does not wait when it has given up itself.
func fetchOrStop(get func() (int, error), stop <-chan struct{}) (int, bool) {
	res := make(chan int, 1)
	go func() {
		for tries := 0; tries < 5 || tries%2 == 1; tries++ {
			v, err := get()
			if err == nil {
				res <- v
				return
			}
		}
	}()
	select {
	case v := <-res:
		return v, true
	case <-stop:
		return 0, false
	}
}

// The fetcher reports every failed try, and the caller reads as many
// reports as it was told: the count decides the receives, so the
// checker does not shorten it.
func reportTries(get func() error, n int) {
	errs := make(chan error, n)
	go func() {
		for tries := 0; tries < n; tries++ {
			if err := get(); err != nil {
				errs <- err
				continue
			}
			close(errs)
			return
		}
		close(errs)
	}()
	for range errs {
	}
}

// The caller retries its own step while a helper works; a try that
// succeeds returns without taking the helper's result, whose send then
// waits for ever. The failed tries touch no channel.
func stepWithHelper(try func() error, work func() error) error {
	errc := make(chan error)
	go func() {
		errc <- work() // want `this send can block forever`
	}()
	for tries := 0; ; tries++ {
		if err := try(); err == nil {
			return nil
		}
		if tries >= 3 {
			break
		}
	}
	return <-errc
}

// Fixed: room for the helper's result.
func stepWithHelperFixed(try func() error, work func() error) error {
	errc := make(chan error, 1)
	go func() {
		errc <- work()
	}()
	for tries := 0; ; tries++ {
		if err := try(); err == nil {
			return nil
		}
		if tries >= 3 {
			break
		}
	}
	return <-errc
}

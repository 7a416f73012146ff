package stuckclosure

import (
	"errors"
	"sync"
)

// Look-alikes the checker must leave alone: the variable may hold
// another literal, the factory may return another function, and a step
// called twice by one goroutine sends twice.

// chooseStep may run a step that sends on every path: the literal in the
// variable is not known.
func chooseStep(name string, retry bool) string {
	res := make(chan string)
	step := func() {
		addr, err := query(name)
		if err != nil {
			return
		}
		res <- addr
	}
	if retry {
		step = func() {
			addr, _ := query(name)
			res <- addr
		}
	}
	go func() { step() }()
	return <-res
}

// pick returns either of two workers; only one of them may skip the send.
func (c *client) pick(res chan<- string, strict bool) func() {
	if strict {
		return func() {
			addr, err := query(c.name)
			if err != nil {
				return
			}
			res <- addr
		}
	}
	return func() { res <- c.name }
}

// GetPicked runs whichever worker pick returns.
func (c *client) GetPicked(strict bool) string {
	res := make(chan string, 1)
	go c.pick(res, strict)()
	return <-res
}

// twice calls its step twice in one goroutine: two sends, two receives.
func twice(a, b string) (string, string) {
	res := make(chan string)
	send := func(s string) { res <- s }
	go func() {
		send(a)
		send(b)
	}()
	return <-res, <-res
}

// retrying's literal captures the variable it is kept in and calls itself
// again on a failure, then sends once: one send for the one receive.
func retrying(name string) string {
	res := make(chan string)
	var attempt func(n int)
	attempt = func(n int) {
		addr, err := query(name)
		if err != nil && n > 0 {
			attempt(n - 1)
			return
		}
		res <- addr
	}
	go attempt(3)
	return <-res
}

// firstError reports the first of its watchers' failures through a
// notifier kept in a variable the watchers capture: the Once sends once,
// whichever watchers fail, and firstError takes that one value.
func firstError(names []string) error {
	errc := make(chan error)
	var once sync.Once
	notify := func(err error) {
		once.Do(func() { errc <- err })
	}
	for _, name := range names {
		go func() {
			if _, err := query(name); err != nil {
				notify(err)
			}
		}()
	}
	go func() {
		notify(errors.New("deadline"))
	}()
	return <-errc
}

// Package stuckclosure holds channels a function literal captures when the
// literal is not started or called where it is written: kept in a local
// variable that another literal captures and calls (go/ssa keeps it in a
// variable of its own), or returned by a worker factory whose caller runs
// the result. The interleaving checker follows the literal to its calls
// (chanuse's funcVar and returned). Each leak sits beside a fixed twin,
// and look-alikes whose literal may be another, or run twice, stay
// silent.
package stuckclosure

import "errors"

func query(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty name")
	}
	return name + ".example", nil
}

// lookup keeps the resolving step in a variable the goroutine calls; the
// step returns without sending when the query fails, and lookup waits
// forever.
func lookup(name string) string {
	res := make(chan string)
	resolve := func() {
		addr, err := query(name)
		if err != nil {
			return
		}
		res <- addr
	}
	go func() {
		resolve()
	}()
	return <-res // want `this receive can block forever`
}

// lookupFixed's step closes the channel when the query fails.
func lookupFixed(name string) (string, bool) {
	res := make(chan string)
	resolve := func() {
		addr, err := query(name)
		if err != nil {
			close(res)
			return
		}
		res <- addr
	}
	go func() {
		resolve()
	}()
	addr, ok := <-res
	return addr, ok
}

// lookupStarted starts the step kept in a variable from another literal.
func lookupStarted(name string) string {
	res := make(chan string)
	resolve := func() {
		addr, err := query(name)
		if err != nil {
			return
		}
		res <- addr
	}
	run := func() { go resolve() }
	run()
	return <-res // want `this receive can block forever`
}

// lookupStartedFixed sends on every path.
func lookupStartedFixed(name string) string {
	res := make(chan string)
	resolve := func() {
		addr, _ := query(name)
		res <- addr
	}
	run := func() { go resolve() }
	run()
	return <-res
}

type client struct{ name string }

// sender is a worker factory: the literal it returns captures res.
func (c *client) sender(res chan<- string) func() {
	return func() {
		addr, err := query(c.name)
		if err != nil {
			return
		}
		res <- addr
	}
}

// Get starts the factory's worker and waits for a result it may never
// send.
func (c *client) Get() string {
	res := make(chan string)
	go c.sender(res)()
	return <-res // want `blocks forever`
}

// senderFixed's worker closes the channel on the failure.
func (c *client) senderFixed(res chan<- string) func() {
	return func() {
		addr, err := query(c.name)
		if err != nil {
			close(res)
			return
		}
		res <- addr
	}
}

// GetFixed tells the failure by the close.
func (c *client) GetFixed() (string, bool) {
	res := make(chan string)
	go c.senderFixed(res)()
	addr, ok := <-res
	return addr, ok
}

// step is a named func type the resolving steps are given.
type step func()

// lookupStep keeps its step as a step the goroutine calls: the same leak
// as lookup's.
func lookupStep(name string) string {
	res := make(chan string)
	s := step(func() {
		addr, err := query(name)
		if err != nil {
			return
		}
		res <- addr
	})
	go func() { s() }()
	return <-res // want `this receive can block forever`
}

// lookupStepFixed's step closes the channel on the failure.
func lookupStepFixed(name string) (string, bool) {
	res := make(chan string)
	s := step(func() {
		defer close(res)
		if addr, err := query(name); err == nil {
			res <- addr
		}
	})
	go func() { s() }()
	addr, ok := <-res
	return addr, ok
}

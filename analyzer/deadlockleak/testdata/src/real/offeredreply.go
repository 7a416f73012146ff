package real

import "errors"

// Upstream: XinFinOrg/XDPoSChain#2542
//
// Bug: Sync hands a fresh unbuffered waiter channel to the pool loop and
// then receives on it; the loop keeps it as resetWaiter and, when the
// reset it forced is done, only offers the reply (a select with a
// default) and forgets the waiter. When the reset ends before Sync has
// reached its receive, the reply is dropped and Sync blocks forever. Fix:
// a plain send.
type txPool struct {
	sync  chan chan error
	done  chan struct{}
	reset chan int
	term  chan struct{}
}

func newTxPool() *txPool {
	p := &txPool{sync: make(chan chan error), done: make(chan struct{}), reset: make(chan int), term: make(chan struct{})}
	go p.loop()
	return p
}

func (p *txPool) loop() {
	defer close(p.term)
	var waiter chan error
	for {
		select {
		case <-p.reset:
			if waiter != nil {
				select { // want `this select only offers the reply \(it has a default\) on the unbuffered channel Sync makes \(line \d+\) and waits on with a plain receive \(line \d+\): when the reply comes before Sync reaches that receive it is dropped`
				case waiter <- nil:
				default:
				}
				waiter = nil
			}
		case c := <-p.sync:
			waiter = c
		case <-p.done:
			return
		}
	}
}

func (p *txPool) Sync() error {
	c := make(chan error)
	select {
	case p.sync <- c:
		return <-c
	case <-p.term:
		return errors.New("terminated")
	}
}

// Fixed: the loop replies with a plain send.
type txPoolFixed struct {
	sync  chan chan error
	reset chan int
	done  chan struct{}
	term  chan struct{}
}

func newTxPoolFixed() *txPoolFixed {
	p := &txPoolFixed{sync: make(chan chan error), reset: make(chan int), done: make(chan struct{}), term: make(chan struct{})}
	go p.loop()
	return p
}

func (p *txPoolFixed) loop() {
	defer close(p.term)
	var waiter chan error
	for {
		select {
		case <-p.reset:
			if waiter != nil {
				waiter <- nil
				waiter = nil
			}
		case c := <-p.sync:
			waiter = c
		case <-p.done:
			return
		}
	}
}

func (p *txPoolFixed) Sync() error {
	c := make(chan error)
	select {
	case p.sync <- c:
		return <-c
	case <-p.term:
		return errors.New("terminated")
	}
}

// A buffer of one keeps the offered reply.
type txPoolBuffered struct {
	sync  chan chan error
	reset chan int
}

func newTxPoolBuffered() *txPoolBuffered {
	p := &txPoolBuffered{sync: make(chan chan error), reset: make(chan int)}
	go p.loop()
	return p
}

func (p *txPoolBuffered) loop() {
	var waiter chan error
	for {
		select {
		case <-p.reset:
			if waiter != nil {
				select {
				case waiter <- nil:
				default:
				}
				waiter = nil
			}
		case c := <-p.sync:
			waiter = c
		}
	}
}

func (p *txPoolBuffered) Sync() error {
	c := make(chan error, 1)
	p.sync <- c
	return <-c
}

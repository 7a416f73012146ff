// Package bug is a held-out kernel (issue 14): AbstractManager's main loop
// stops listening on preLoopError by setting the variable to nil once the
// pre-loop result has arrived, but its deferred cleanup also receives from
// preLoopError to make sure the pre-loop goroutine has exited; the
// closure sees the nil channel and blocks for ever, so preDestroy never
// runs, term is never closed and Close hangs.
//
// Upstream: gofinance/ib#28 ("Fixes defer block not executed in manager")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: StartMainLoop runs preLoop (the manager's requests to the TWS
// engine) in a goroutine that sends its result on preLoopError (buffered
// to one), and selects on exit, preLoopError, the replies on rc and the
// engine's state changes. After taking the pre-loop result it sets
// preLoopError = nil so that the select stops listening on it. The
// deferred cleanup starts with <-preLoopError ("ensures preLoop goroutine
// has exited") and then runs preDestroy, unsubscribes, and closes update
// and term. The deferred closure reads the variable, which is nil by
// then: the receive blocks for ever whenever the loop ends after the
// pre-loop finished, which is every normal Close. The PR says: "Since the
// errors channel has became nil already, reading from it in the defer
// block will be stuck forever"; the deferred receive is our reconstruction
// from that sentence and the fixed code. The engine is reduced to a
// subscriber registry, replies to a Deliver method.
//
// Fix (gofinance/ib#28): a separate preLoopFinished channel, closed by
// the pre-loop goroutine after it sends its result, is what the deferred
// cleanup waits on; preLoopError is still set to nil in the loop.
package bug

import (
	"errors"
	"sync"
)

// EngineState is the state of the connection to TWS.
type EngineState int

const (
	EngineReady EngineState = iota
	EngineExitNormal
	EngineExitError
)

// Reply is a message from TWS.
type Reply interface {
	Code() int
}

// UpdateStatus is what a manager's receive function reports.
type UpdateStatus int

const (
	UpdateFalse UpdateStatus = iota
	UpdateTrue
	UpdateFinish
)

// Engine is the connection to TWS; it tells subscribers about its state.
type Engine struct {
	mu    sync.Mutex
	subs  map[chan EngineState]struct{}
	fatal error
}

// SubscribeState registers c for state changes.
func (e *Engine) SubscribeState(c chan EngineState) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.subs == nil {
		e.subs = make(map[chan EngineState]struct{})
	}
	e.subs[c] = struct{}{}
}

// UnsubscribeState removes c.
func (e *Engine) UnsubscribeState(c chan EngineState) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.subs, c)
}

// FatalError returns the error that stopped the engine.
func (e *Engine) FatalError() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fatal
}

// fail stops the engine and tells the subscribers that are listening.
func (e *Engine) fail(err error) {
	e.mu.Lock()
	e.fatal = err
	subs := make([]chan EngineState, 0, len(e.subs))
	for c := range e.subs {
		subs = append(subs, c)
	}
	e.mu.Unlock()
	for _, c := range subs {
		select {
		case c <- EngineExitError:
		default:
		}
	}
}

// AbstractManager implements most of the Manager contract.
type AbstractManager struct {
	rwm    sync.RWMutex
	term   chan struct{}
	exit   chan bool
	update chan bool
	engs   chan EngineState
	eng    *Engine
	err    error
	rc     chan Reply
}

// NewAbstractManager creates a manager for e.
func NewAbstractManager(e *Engine) (*AbstractManager, error) {
	if e == nil {
		return nil, errors.New("engine required")
	}
	return &AbstractManager{
		term:   make(chan struct{}),
		exit:   make(chan bool),
		update: make(chan bool),
		engs:   make(chan EngineState),
		eng:    e,
		rc:     make(chan Reply),
	}, nil
}

// Deliver hands a reply from the engine to the main loop.
func (a *AbstractManager) Deliver(r Reply) {
	select {
	case a.rc <- r:
	case <-a.term:
	}
}

// StartMainLoop handles the manager's events; run it in its own goroutine.
func (a *AbstractManager) StartMainLoop(preLoop func() error, receive func(r Reply) (UpdateStatus, error), preDestroy func()) {
	preLoopError := make(chan error, 1) // 1 - so that preLoop never hangs on the send

	defer func() {
		<-preLoopError // heldout:site
		preDestroy()
		a.eng.UnsubscribeState(a.engs)
		close(a.update)
		close(a.term)
	}()

	a.eng.SubscribeState(a.engs)
	go func() {
		preLoopError <- preLoop()
	}()

	for {
		select {
		case <-a.exit:
			return
		case e := <-preLoopError:
			preLoopError = nil // heldout:site
			if e != nil {
				a.setErr(e)
				return
			}
		case r := <-a.rc:
			if a.consume(r, receive) {
				return
			}
		case <-a.engs:
			if a.FatalError() == nil {
				a.setErr(a.eng.FatalError())
			}
			return
		}
	}
}

// consume passes one reply to receive; true means the loop must end.
func (a *AbstractManager) consume(r Reply, receive func(r Reply) (UpdateStatus, error)) bool {
	a.rwm.Lock()
	status, err := receive(r)
	a.rwm.Unlock()
	if err != nil {
		a.setErr(err)
		return true
	}
	switch status {
	case UpdateFinish:
		return true
	case UpdateTrue:
		select {
		case <-a.exit:
			return true
		case a.update <- true:
		}
	}
	return false
}

func (a *AbstractManager) setErr(err error) {
	a.rwm.Lock()
	a.err = err
	a.rwm.Unlock()
}

// FatalError returns the error that stopped the manager.
func (a *AbstractManager) FatalError() error {
	a.rwm.RLock()
	defer a.rwm.RUnlock()
	return a.err
}

// Refresh is signalled when the manager's data changes.
func (a *AbstractManager) Refresh() <-chan bool {
	return a.update
}

// Close stops the main loop and waits for its cleanup.
func (a *AbstractManager) Close() {
	select {
	case <-a.term:
		return
	case a.exit <- true:
	}
	<-a.term // heldout:site
}

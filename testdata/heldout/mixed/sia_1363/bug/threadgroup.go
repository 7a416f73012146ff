// Package bug is a held-out kernel (issue 14): Sia's ThreadGroup, whose
// Stop holds the group's one mutex while it waits on the WaitGroup of the
// threads let in by Add; a thread already inside the group that registers
// a shutdown hook with OnStop needs that same mutex, so it never reaches
// its Done, and Stop waits for it for ever.
//
// Upstream: NebulousLabs/Sia#1363 ("separate ThreadGroup locking by function")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "tg.Stop() is blocking the OnStop call while it waits for
// the tg.Add to return, but the tg.Add will not return until tg.OnStop
// can get the lock", with the sequence Add; go Stop; OnStop; Done. The
// ThreadGroup follows sync/threadgroup.go of the time (one mutex for
// Add, Flush, Stop, OnStop and AfterStop; the stop channel made once;
// OnStop and AfterStop run the hook at once after Stop). The module
// (a gateway that registers an RPC inside a thread and unregisters it on
// stop) is our reduction of the usage the PR gives.
//
// Fix: a second mutex, bmu, serialises Add, Flush and Stop; mu guards
// only the hook lists, and Stop no longer holds it across wg.Wait. In
// our fixed version Stop also copies the hooks under mu and runs them
// after releasing it (our choice, so a hook may itself call OnStop).
package bug

import (
	"errors"
	"sync"
)

// ErrStopped is returned once Stop has been called.
var ErrStopped = errors.New("ThreadGroup already stopped")

// ThreadGroup manages the life cycle of a group of threads.
type ThreadGroup struct {
	onStopFns    []func()
	afterStopFns []func()

	once     sync.Once
	mu       sync.Mutex
	stopChan chan struct{}
	wg       sync.WaitGroup
}

func (tg *ThreadGroup) init() {
	tg.stopChan = make(chan struct{})
}

func (tg *ThreadGroup) isStopped() bool {
	tg.once.Do(tg.init)
	select {
	case <-tg.stopChan:
		return true
	default:
		return false
	}
}

// Add lets one more thread into the group.
func (tg *ThreadGroup) Add() error {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.isStopped() {
		return ErrStopped
	}
	tg.wg.Add(1)
	return nil
}

// Done lets a thread out of the group.
func (tg *ThreadGroup) Done() {
	tg.wg.Done()
}

// OnStop registers fn to run when Stop is called, or runs it now if Stop
// has been called.
func (tg *ThreadGroup) OnStop(fn func()) {
	tg.mu.Lock() // heldout:site
	defer tg.mu.Unlock()
	if tg.isStopped() {
		fn()
		return
	}
	tg.onStopFns = append(tg.onStopFns, fn)
}

// AfterStop registers fn to run after every thread has called Done.
func (tg *ThreadGroup) AfterStop(fn func()) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.isStopped() {
		fn()
		return
	}
	tg.afterStopFns = append(tg.afterStopFns, fn)
}

// Flush blocks new threads until the current ones are done.
func (tg *ThreadGroup) Flush() error {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.isStopped() {
		return ErrStopped
	}
	tg.wg.Wait()
	return nil
}

// Stop closes the stop channel, runs the OnStop hooks, waits for the
// threads, then runs the AfterStop hooks.
func (tg *ThreadGroup) Stop() error {
	tg.mu.Lock() // heldout:site
	defer tg.mu.Unlock()
	if tg.isStopped() {
		return ErrStopped
	}
	close(tg.stopChan)
	for i := len(tg.onStopFns) - 1; i >= 0; i-- {
		tg.onStopFns[i]()
	}
	tg.onStopFns = nil

	tg.wg.Wait() // heldout:site

	for i := len(tg.afterStopFns) - 1; i >= 0; i-- {
		tg.afterStopFns[i]()
	}
	tg.afterStopFns = nil
	return nil
}

// StopChan is closed by Stop.
func (tg *ThreadGroup) StopChan() <-chan struct{} {
	tg.once.Do(tg.init)
	return tg.stopChan
}

// Gateway is a module that serves RPCs while its thread group runs.
type Gateway struct {
	tg       ThreadGroup
	rpcMu    sync.Mutex
	handlers map[string]func()
}

// NewGateway returns a gateway with no RPCs.
func NewGateway() *Gateway {
	return &Gateway{handlers: make(map[string]func())}
}

// RegisterRPC installs a handler inside a thread of the group and removes
// it when the group stops.
func (g *Gateway) RegisterRPC(name string, fn func()) error {
	if err := g.tg.Add(); err != nil {
		return err
	}
	defer g.tg.Done()

	g.rpcMu.Lock()
	g.handlers[name] = fn
	g.rpcMu.Unlock()

	g.tg.OnStop(func() { // heldout:site
		g.rpcMu.Lock()
		delete(g.handlers, name)
		g.rpcMu.Unlock()
	})
	return nil
}

// Close stops the gateway.
func (g *Gateway) Close() error {
	return g.tg.Stop()
}

// Run registers an RPC while the gateway is being closed.
func Run() {
	g := NewGateway()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = g.RegisterRPC("ShareNodes", func() {})
	}()
	_ = g.Close()
	<-done
}

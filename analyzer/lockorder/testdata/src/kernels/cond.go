package kernels

import "sync"

// K17. tailscale/tailscale#2865: requestEngineStatusAndWait locked
// statusLock, started the engine's status request in a goroutine and
// waited on the statusChanged Cond without a predicate; the status
// callback broadcast without taking statusLock, so a fast callback's
// Broadcast came before Wait and was lost. Fix: broadcast under the lock.
type k17Backend struct {
	statusLock    sync.Mutex
	statusChanged *sync.Cond
	status        int
}

func k17New() *k17Backend {
	b := &k17Backend{}
	b.statusChanged = sync.NewCond(&b.statusLock)
	return b
}

func (b *k17Backend) requestStatusAndWait() {
	b.statusLock.Lock()
	go b.requestStatus()
	b.statusChanged.Wait() // want `lost wake-up: Wait on statusChanged checks no condition and is not in a loop: the goroutine started before it can signal`
	b.statusLock.Unlock()
}

func (b *k17Backend) requestStatus() {
	b.status++
	b.statusChanged.Broadcast()
}

type k17BackendFixed struct {
	statusLock    sync.Mutex
	statusChanged *sync.Cond
	status        int
}

func k17NewFixed() *k17BackendFixed {
	b := &k17BackendFixed{}
	b.statusChanged = sync.NewCond(&b.statusLock)
	return b
}

func (b *k17BackendFixed) requestStatusAndWait() {
	b.statusLock.Lock()
	go b.requestStatus()
	b.statusChanged.Wait()
	b.statusLock.Unlock()
}

func (b *k17BackendFixed) requestStatus() {
	b.statusLock.Lock()
	b.status++
	b.statusChanged.Broadcast()
	b.statusLock.Unlock()
}

// K18. grpc/grpc-go#7417: the priority balancer's UpdateClientConnState
// returned early, after the balancer was closed, without unlocking its
// mutex; the next call blocked forever. Fix: unlock before returning.
// Caught: b.mu is held on one return and not on the other, and nothing in
// the package unlocks it after a call (it is no lock helper).
type k18Priority struct {
	mu     sync.Mutex
	closed bool
	state  int
}

func (b *k18Priority) UpdateClientConnState(s int) bool {
	b.mu.Lock()
	if b.closed {
		return false // want `UpdateClientConnState returns here with b.mu still locked \(locked at line \d+\), while the return at line \d+ leaves it unlocked`
	}
	b.state = s
	b.mu.Unlock()
	return true
}

// The fix: unlock on the early return too.
type k18PriorityFixed struct {
	mu     sync.Mutex
	closed bool
	state  int
}

func (b *k18PriorityFixed) UpdateClientConnState(s int) bool {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return false
	}
	b.state = s
	b.mu.Unlock()
	return true
}

// A look-alike that is correct: a lock helper that keeps the lock on
// success, its caller unlocking it.
func (b *k18PriorityFixed) lockIfOpen() bool {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return false
	}
	return true
}

func (b *k18PriorityFixed) bump() {
	if !b.lockIfOpen() {
		return
	}
	b.state++
	b.mu.Unlock()
}

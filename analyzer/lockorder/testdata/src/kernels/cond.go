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
// MISSED: a lock left held on an early return is reported only when the
// same function locks it again in a loop; here the next call comes from a
// caller in another package.
type k18Priority struct {
	mu     sync.Mutex
	closed bool
	state  int
}

func (b *k18Priority) UpdateClientConnState(s int) bool {
	b.mu.Lock()
	if b.closed {
		return false
	}
	b.state = s
	b.mu.Unlock()
	return true
}

package dev

import (
	"context"
	"sync"
	"time"
)

// Upstream: kubernetes-sigs/controller-runtime#178
//
// A reconciler's Run locks its mutex with a deferred unlock, starts its
// workers and then waits for the stop channel its caller will close. Its
// Subscribe method takes the same mutex: any subscription after Run has
// started (one made by a worker, say) waits until the caller stops
// everything, and a caller that waits for its workers first never does.
// Fix: Run unlocks once it has started, before the wait.
type reconciler struct {
	mu      sync.Mutex
	sources []string
	running bool
	queue   chan string
}

func (r *reconciler) Subscribe(src string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sources = append(r.sources, src)
}

func (r *reconciler) Run(stop <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for range r.sources {
		go r.work(stop)
	}
	r.running = true
	<-stop // want `this goroutine waits for its caller to close stop while holding r.mu \(locked at line 31\): until then Subscribe, which locks r.mu too \(line 25\), waits`
}

func (r *reconciler) work(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-r.queue:
		}
	}
}

// The fix: unlock before waiting.
type reconcilerOK struct {
	mu      sync.Mutex
	sources []string
	running bool
}

func (r *reconcilerOK) Subscribe(src string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sources = append(r.sources, src)
}

func (r *reconcilerOK) Run(stop <-chan struct{}) {
	r.mu.Lock()
	r.running = true
	r.mu.Unlock()
	<-stop
}

// A variant written differently: the caller's context says stop, the
// mutex is a field of a field taken by a helper that returns holding it,
// and the other function only read-locks it (a reader waits for the
// writer too).
type agent struct {
	state struct {
		mu    sync.RWMutex
		peers int
	}
}

func (a *agent) lockState() { a.state.mu.Lock() }

func (a *agent) Peers() int {
	a.state.mu.RLock()
	defer a.state.mu.RUnlock()
	return a.state.peers
}

func (a *agent) Serve(ctx context.Context) error {
	a.lockState()
	defer a.state.mu.Unlock()
	a.state.peers = 0
	<-ctx.Done() // want `this goroutine waits for its caller to close ctx.Done\(\) while holding a.state.mu .*: until then Peers, which locks a.state.mu too`
	return ctx.Err()
}

// Look-alike negatives.

// The wait has another way out (a timeout): the lock is held for a
// bounded time.
func (a *agent) ServeFor(ctx context.Context, d time.Duration) {
	a.lockState()
	defer a.state.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Only the waiting function takes the lock: nothing else waits for it.
type oneshot struct {
	mu   sync.Mutex
	done bool
}

func (o *oneshot) Hold(stop chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	<-stop
	o.done = true
}

// A read lock held across the wait blocks only writers, and nothing else
// writes.
type snapshot struct {
	mu   sync.RWMutex
	data []int
}

func (s *snapshot) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.data)
}

func (s *snapshot) Pin(stop <-chan struct{}) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	<-stop
}

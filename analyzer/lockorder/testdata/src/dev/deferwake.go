package dev

import "sync"

// Upstream: etcd-io/etcd#6873
//
// The watch-broadcast set's stop held its mutex, closed the update
// channel and waited for the coalescing goroutine's done channel; the
// goroutine closes done in a defer after its loop, and each iteration
// locks the set's mutex inside a helper. Stuck in that Lock, the goroutine
// never sees the update channel closed. The goroutine captured the object
// the constructor allocated, so its channel is that object's field, not a
// parameter's. Fix: stop releases the mutex before waiting.
type bcastSet struct {
	mu      sync.Mutex
	set     map[int]bool
	updatec chan int
	donec   chan struct{}
}

func newBcastSet() *bcastSet {
	w := &bcastSet{set: map[int]bool{}, updatec: make(chan int, 1), donec: make(chan struct{})}
	go func() {
		defer close(w.donec)
		for x := range w.updatec {
			w.merge(x)
		}
	}()
	return w
}

func (w *bcastSet) merge(x int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.set, x)
}

func (w *bcastSet) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.set = nil
	close(w.updatec)
	<-w.donec // want `this goroutine receives from w.donec while holding w.mu .*but a function literal in newBcastSet, which sends on or closes it .*first locks w.mu`
}

// The fix: the wait comes after the Unlock.
type bcastSetOK struct {
	mu      sync.Mutex
	set     map[int]bool
	updatec chan int
	donec   chan struct{}
}

func newBcastSetOK() *bcastSetOK {
	w := &bcastSetOK{set: map[int]bool{}, updatec: make(chan int, 1), donec: make(chan struct{})}
	go func() {
		defer close(w.donec)
		for x := range w.updatec {
			w.merge(x)
		}
	}()
	return w
}

func (w *bcastSetOK) merge(x int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.set, x)
}

func (w *bcastSetOK) stop() {
	w.mu.Lock()
	w.set = nil
	close(w.updatec)
	w.mu.Unlock()
	<-w.donec
}

// A variant written differently: the worker the constructor starts locks
// the pool's mutex directly in its loop, on its error path, and closes
// its exited channel in a defer; Close waits for it holding that mutex.
type pool struct {
	mu     sync.Mutex
	jobs   chan func() error
	exited chan struct{}
	errs   []error
}

func newPool() *pool {
	p := &pool{jobs: make(chan func() error), exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		for j := range p.jobs {
			if err := j(); err != nil {
				p.mu.Lock()
				p.errs = append(p.errs, err)
				p.mu.Unlock()
			}
		}
	}()
	return p
}

func (p *pool) Close() []error {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.jobs)
	<-p.exited // want `this goroutine receives from p.exited while holding p.mu .*first locks p.mu`
	return p.errs
}

// The look-alike: the worker never takes the pool's mutex (it sends its
// errors on a buffered channel), so waiting under the mutex is safe.
type poolOK struct {
	mu     sync.Mutex
	jobs   chan func() error
	exited chan struct{}
	errc   chan error
}

func newPoolOK() *poolOK {
	p := &poolOK{jobs: make(chan func() error), exited: make(chan struct{}), errc: make(chan error, 64)}
	go func() {
		defer close(p.exited)
		for j := range p.jobs {
			if err := j(); err != nil {
				select {
				case p.errc <- err:
				default:
				}
			}
		}
	}()
	return p
}

func (p *poolOK) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.jobs)
	<-p.exited
}

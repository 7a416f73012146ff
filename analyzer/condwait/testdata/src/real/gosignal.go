package real

import (
	"context"
	"sync"
	"time"
)

// Upstream: Azure/go-workflow#40. A workflow's Do holds the Cond's lock,
// starts every ready step on a goroutine (tick) and waits; each step, in
// a deferred literal, sets its status (under the step's own mutex) and
// signals without the Cond's lock. A step that finishes between tick and
// Wait loses its signal, and if it was the last one running, Do waits
// forever. Fix: the step changes its status and signals holding the
// Cond's lock, which Do gives up only inside Wait.
type stepRunner interface {
	Run(ctx context.Context) error
}

type stepState struct {
	mu   sync.Mutex
	done bool
}

func (s *stepState) finish() { s.mu.Lock(); s.done = true; s.mu.Unlock() }

func (s *stepState) isDone() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.done }

type flow struct {
	steps   map[stepRunner]*stepState
	started map[stepRunner]bool
	changed *sync.Cond
}

func (f *flow) Do(ctx context.Context) {
	f.changed.L.Lock()
	for !f.tick(ctx) {
		f.changed.Wait()
	}
	f.changed.L.Unlock()
}

func (f *flow) tick(ctx context.Context) bool {
	all := true
	for step, st := range f.steps {
		if st.isDone() {
			continue
		}
		all = false
		if f.started[step] {
			continue
		}
		f.started[step] = true
		go func(step stepRunner, st *stepState) {
			defer func() {
				st.finish()
				f.changed.Signal() // want `lost wake-up: this goroutine \(started at line \d+\) signals changed \(Signal\) without its lock and never takes the lock`
			}()
			_ = step.Run(ctx)
		}(step, st)
	}
	return all
}

type flowFixed struct {
	steps   map[stepRunner]*stepState
	started map[stepRunner]bool
	changed *sync.Cond
}

func (f *flowFixed) Do(ctx context.Context) {
	f.changed.L.Lock()
	for !f.tick(ctx) {
		f.changed.Wait()
	}
	f.changed.L.Unlock()
}

func (f *flowFixed) tick(ctx context.Context) bool {
	all := true
	for step, st := range f.steps {
		if st.isDone() {
			continue
		}
		all = false
		if f.started[step] {
			continue
		}
		f.started[step] = true
		go func(step stepRunner, st *stepState) {
			defer func() {
				f.changed.L.Lock()
				st.finish()
				f.changed.Signal()
				f.changed.L.Unlock()
			}()
			_ = step.Run(ctx)
		}(step, st)
	}
	return all
}

// The same mistake written differently: a fan-out whose workers, named
// methods, record their result in a map under another mutex and wake
// the collector through a helper; the collector waits until its method
// counts every result ...
type fanOut struct {
	resMu   sync.Mutex
	results map[int]string
	mu      sync.Mutex
	ready   *sync.Cond
}

func newFanOut() *fanOut {
	p := &fanOut{results: map[int]string{}}
	p.ready = sync.NewCond(&p.mu)
	return p
}

func (p *fanOut) wake() { p.ready.Broadcast() }

func (p *fanOut) work(i int, job func() string) {
	r := job()
	p.resMu.Lock()
	p.results[i] = r
	p.resMu.Unlock()
	p.wake() // want `lost wake-up: this goroutine \(started at line \d+\) signals ready \(through wake\) without its lock and never takes the lock`
}

func (p *fanOut) count() int { p.resMu.Lock(); defer p.resMu.Unlock(); return len(p.results) }

func (p *fanOut) All(jobs []func() string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, j := range jobs {
		go p.work(i, j)
	}
	for p.count() < len(jobs) {
		p.ready.Wait()
	}
}

// ... and a loader keeps its Cond by value, its L set in the
// constructor, and its goroutine stores the loaded value under a
// read-write mutex of its own before it broadcasts.
type lazyValue struct {
	mu      sync.Mutex
	ready   sync.Cond
	valueMu sync.RWMutex
	value   []byte
}

func newLazyValue(load func() []byte) *lazyValue {
	l := &lazyValue{}
	l.ready.L = &l.mu
	go func() {
		v := load()
		l.valueMu.Lock()
		l.value = v
		l.valueMu.Unlock()
		l.ready.Broadcast() // want `lost wake-up: this goroutine \(started at line \d+\) signals ready \(Broadcast\) without its lock and never takes the lock`
	}()
	return l
}

func (l *lazyValue) loaded() bool {
	l.valueMu.RLock()
	defer l.valueMu.RUnlock()
	return l.value != nil
}

func (l *lazyValue) Get() []byte {
	l.mu.Lock()
	for !l.loaded() {
		l.ready.Wait()
	}
	l.mu.Unlock()
	return l.value
}

// Look-alikes that must stay silent: a periodic waker (a missed tick is
// made up by the next), and a goroutine that takes the lock for its
// change before it signals.
type pacer struct {
	mu    sync.Mutex
	tick  *sync.Cond
	quota int
	stop  bool
}

func (p *pacer) refill(every time.Duration) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for range t.C {
			p.tick.Broadcast()
		}
	}()
}

func (p *pacer) take() {
	p.mu.Lock()
	for p.quota == 0 && !p.stop {
		p.tick.Wait()
	}
	p.quota--
	p.mu.Unlock()
}

func (p *pacer) grant() {
	go func() {
		p.mu.Lock()
		p.quota++
		p.mu.Unlock()
		p.tick.Signal()
	}()
}

// The same mistake in an exported method: callers outside the package
// cannot hold the private lock, and Arrive makes its change under another
// mutex and broadcasts without the Cond's lock.
type rendezvous struct {
	mu      sync.Mutex
	arrived *sync.Cond
	setMu   sync.Mutex
	pending map[string]bool
}

func newRendezvous(names []string) *rendezvous {
	r := &rendezvous{pending: map[string]bool{}}
	r.arrived = sync.NewCond(&r.mu)
	for _, n := range names {
		r.pending[n] = true
	}
	return r
}

func (r *rendezvous) left() int { r.setMu.Lock(); defer r.setMu.Unlock(); return len(r.pending) }

func (r *rendezvous) Arrive(name string) {
	r.setMu.Lock()
	delete(r.pending, name)
	r.setMu.Unlock()
	r.arrived.Broadcast() // want `lost wake-up: Arrive, which callers outside the package call without the lock, changes state and signals arrived \(Broadcast\) without its lock`
}

func (r *rendezvous) Await() {
	r.mu.Lock()
	for r.left() > 0 {
		r.arrived.Wait()
	}
	r.mu.Unlock()
}

// Look-alikes that must stay silent: an exported kick that changes
// nothing (a spurious wake-up costs a recheck), and an exported change
// made under the Cond's lock.
type kickQueue struct {
	mu    sync.Mutex
	ready *sync.Cond
	items []int
}

func newKickQueue() *kickQueue {
	q := &kickQueue{}
	q.ready = sync.NewCond(&q.mu)
	return q
}

func (q *kickQueue) Kick() { q.ready.Signal() }

func (q *kickQueue) PushWake(x int) {
	q.mu.Lock()
	q.items = append(q.items, x)
	q.ready.Signal()
	q.mu.Unlock()
}

func (q *kickQueue) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.empty() {
		q.ready.Wait()
	}
	x := q.items[0]
	q.items = q.items[1:]
	return x
}

func (q *kickQueue) empty() bool { return len(q.items) == 0 }

// A literal handed to a WaitGroup's Go is a goroutine too: the batch
// loader records each part under its own mutex and signals without the
// Cond's lock.
type batchLoad struct {
	mu     sync.Mutex
	loaded *sync.Cond
	partMu sync.Mutex
	parts  map[int][]byte
	wg     sync.WaitGroup
}

func newBatchLoad() *batchLoad {
	b := &batchLoad{parts: map[int][]byte{}}
	b.loaded = sync.NewCond(&b.mu)
	return b
}

func (b *batchLoad) have() int { b.partMu.Lock(); defer b.partMu.Unlock(); return len(b.parts) }

func (b *batchLoad) Load(n int, fetch func(int) []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := 0; i < n; i++ {
		b.wg.Go(func() {
			p := fetch(i)
			b.partMu.Lock()
			b.parts[i] = p
			b.partMu.Unlock()
			b.loaded.Signal() // want `lost wake-up: this goroutine \(started at line \d+\) signals loaded \(Signal\) without its lock`
		})
	}
	for b.have() < n {
		b.loaded.Wait()
	}
}

// A look-alike (jackc/puddle#2's fixed Acquire): a Cond turned into a
// channel. A helper goroutine waits, holding the lock its starter took;
// on cancellation another goroutine takes the helper's wake-up, passes the
// signal on and releases the lock the helper's Wait re-took. That
// goroutine never calls Lock, but it unlocks: the lock was handed to it,
// and its Signal is made holding it.
type chanPool struct {
	cond *sync.Cond
	idle []int
}

func newChanPool() *chanPool { return &chanPool{cond: sync.NewCond(new(sync.Mutex))} }

func (p *chanPool) acquire(done <-chan struct{}) (int, bool) {
	p.cond.L.Lock()
	for {
		if n := len(p.idle); n > 0 {
			v := p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.cond.L.Unlock()
			return v, true
		}
		if done == nil {
			p.cond.Wait()
			continue
		}
		woken := make(chan struct{}, 1)
		go func() {
			p.cond.Wait()
			woken <- struct{}{}
		}()
		select {
		case <-done:
			go func() {
				<-woken
				p.cond.Signal()
				p.cond.L.Unlock()
			}()
			return 0, false
		case <-woken:
		}
	}
}

func (p *chanPool) release(v int) {
	p.cond.L.Lock()
	p.idle = append(p.idle, v)
	p.cond.L.Unlock()
	p.cond.Signal()
}

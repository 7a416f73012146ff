// Package cond tests condition variables: Waits nothing signals and lost
// wake-ups (issue 14, item 6).
package cond

import "sync"

// --- a Wait nothing signals ---

type Queue struct {
	mu       sync.Mutex
	nonEmpty *sync.Cond
	items    []int
}

func NewQueue() *Queue {
	q := &Queue{}
	q.nonEmpty = sync.NewCond(&q.mu)
	return q
}

func (q *Queue) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.nonEmpty.Wait() // want `Wait on nonEmpty, which nothing signals`
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

func (q *Queue) Push(v int) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock() // forgot q.nonEmpty.Signal()
}

// Fixed: Push signals.
type Queue2 struct {
	mu       sync.Mutex
	nonEmpty *sync.Cond
	items    []int
}

func NewQueue2() *Queue2 {
	q := &Queue2{}
	q.nonEmpty = sync.NewCond(&q.mu)
	return q
}

func (q *Queue2) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.nonEmpty.Wait()
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

func (q *Queue2) Push(v int) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.nonEmpty.Signal()
}

// A deferred Broadcast signals too.
type Gate struct {
	mu   sync.Mutex
	cond sync.Cond
	open bool
}

func (g *Gate) Wait() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for !g.open {
		g.cond.Wait()
	}
}

func (g *Gate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer g.cond.Broadcast()
	g.open = true
}

// An exported Cond may be signalled by other packages.
type Public struct {
	Mu   sync.Mutex
	Cond *sync.Cond
}

func (p *Public) Wait() {
	p.Mu.Lock()
	p.Cond.Wait()
	p.Mu.Unlock()
}

// --- lost wake-ups ---

type Backend struct {
	statusMu      sync.Mutex
	statusChanged *sync.Cond
	status        int
}

func NewBackend() *Backend {
	b := &Backend{}
	b.statusChanged = sync.NewCond(&b.statusMu)
	return b
}

// Wait with no predicate: a Broadcast before it is lost.
func (b *Backend) WaitStatus() {
	b.statusMu.Lock()
	b.statusChanged.Wait() // want `lost wake-up: Wait on statusChanged checks no condition and is not in a loop: if SetStatus signals at line 127 before this goroutine reaches Wait; then the signal is lost`
	b.statusMu.Unlock()
}

func (b *Backend) SetStatus(v int) {
	b.statusMu.Lock()
	b.status = v
	b.statusChanged.Broadcast()
	b.statusMu.Unlock()
}

// Fixed: a predicate loop.
func (b *Backend) WaitStatusFixed(old int) {
	b.statusMu.Lock()
	for b.status == old {
		b.statusChanged.Wait()
	}
	b.statusMu.Unlock()
}

// The waiter starts the signaller while holding the lock, and every
// signaller takes the lock: the signal cannot come before Wait.
type Engine struct {
	mu   sync.Mutex
	done *sync.Cond
	n    int
}

func NewEngine() *Engine {
	e := &Engine{}
	e.done = sync.NewCond(&e.mu)
	return e
}

func (e *Engine) RunAndWait() {
	e.mu.Lock()
	go e.work()
	e.done.Wait()
	e.mu.Unlock()
}

func (e *Engine) work() {
	e.mu.Lock()
	e.n++
	e.done.Broadcast()
	e.mu.Unlock()
}

// The same with a signaller that does not take the lock.
type Engine2 struct {
	mu   sync.Mutex
	done *sync.Cond
	n    int
}

func NewEngine2() *Engine2 {
	e := &Engine2{}
	e.done = sync.NewCond(&e.mu)
	return e
}

func (e *Engine2) RunAndWait() {
	e.mu.Lock()
	go e.work()
	e.done.Wait() // want `lost wake-up: Wait on done checks no condition and is not in a loop: the goroutine started before it can signal at line 190, without the Cond's lock, before this goroutine waits`
	e.mu.Unlock()
}

func (e *Engine2) work() {
	e.n++
	e.done.Broadcast()
}

// A Cond handed to a helper: its signals are not followed, no report.
type Pool struct {
	mu   sync.Mutex
	cond *sync.Cond
}

func (p *Pool) Get() {
	p.mu.Lock()
	p.cond.Wait()
	p.mu.Unlock()
}

func (p *Pool) Kick() { kick(p.cond) }

func kick(c *sync.Cond) { c.Broadcast() }

// --- a Cond turned into a channel (jackc/puddle#2's Acquire) ---

// The Wait is in a goroutine the predicate loop starts on each turn: the
// loop tests the condition again, holding the lock, before it waits again.
type ChanPool struct {
	cond *sync.Cond
	idle []int
}

func NewChanPool() *ChanPool { return &ChanPool{cond: sync.NewCond(new(sync.Mutex))} }

func (p *ChanPool) Acquire(done <-chan struct{}) (int, bool) {
	p.cond.L.Lock()
	for {
		if n := len(p.idle); n > 0 {
			v := p.idle[n-1]
			p.idle = p.idle[:n-1]
			p.cond.L.Unlock()
			return v, true
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

func (p *ChanPool) Release(v int) {
	p.cond.L.Lock()
	p.idle = append(p.idle, v)
	p.cond.L.Unlock()
	p.cond.Signal()
}

// The same goroutine started once, outside any loop: nothing tests the
// condition again, and a Signal before its Wait is lost.
type OnceWaiter struct {
	cond  *sync.Cond
	ready bool
}

func NewOnceWaiter() *OnceWaiter { return &OnceWaiter{cond: sync.NewCond(new(sync.Mutex))} }

func (o *OnceWaiter) Wait() <-chan struct{} {
	woken := make(chan struct{}, 1)
	go func() {
		o.cond.L.Lock()
		o.cond.Wait() // want `lost wake-up: Wait on cond checks no condition and is not in a loop`
		o.cond.L.Unlock()
		woken <- struct{}{}
	}()
	return woken
}

func (o *OnceWaiter) Set() {
	o.cond.L.Lock()
	o.ready = true
	o.cond.L.Unlock()
	o.cond.Signal()
}

// A Cond wrapper whose Wait leaves the predicate loop to its callers; the
// deque's caller holds the lock and tests for an item around each Wait.
type wrappedCond struct {
	cond    *sync.Cond
	waiters int
}

func (w *wrappedCond) wait() {
	w.waiters++
	w.cond.Wait()
	w.waiters--
}

func (w *wrappedCond) signal() { w.cond.Signal() }

type deque struct {
	mu       sync.Mutex
	items    []int
	notEmpty *wrappedCond
}

func newDeque() *deque {
	d := &deque{}
	d.notEmpty = &wrappedCond{cond: sync.NewCond(&d.mu)}
	return d
}

func (d *deque) push(v int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.items = append(d.items, v)
	d.notEmpty.signal()
}

// Silent: the loop around the wrapper's wait tests the predicate.
func (d *deque) takeFirst() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.items) == 0 {
		d.notEmpty.wait()
	}
	v := d.items[0]
	d.items = d.items[1:]
	return v
}

// A wrapper only ever waited on once, with no predicate anywhere.
type onceCond struct {
	cond *sync.Cond
}

func (o *onceCond) wait() {
	o.cond.Wait() // want `lost wake-up: Wait on cond checks no condition and is not in a loop`
}

type latch struct {
	mu   sync.Mutex
	done *onceCond
}

func newLatch() *latch {
	l := &latch{}
	l.done = &onceCond{cond: sync.NewCond(&l.mu)}
	return l
}

func (l *latch) await() {
	l.mu.Lock()
	l.done.wait()
	l.mu.Unlock()
}

func (l *latch) release() {
	l.mu.Lock()
	l.done.cond.Broadcast()
	l.mu.Unlock()
}

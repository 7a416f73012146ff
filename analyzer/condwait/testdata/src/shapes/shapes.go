// Package shapes holds the predicates condwait understands, each with a
// look-alike it must leave alone.
package shapes

import (
	"context"
	"sync"
	"sync/atomic"
)

// --- a Close that wakes nobody (bool flag, slice length) ---

type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []int
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	q.closed = false // a fresh struct: no waiter yet
	return q
}

func (q *queue) Pop() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return 0, false
	}
	v := q.items[0]
	q.items = q.items[1:] // shrinks: ends no wait
	return v, true
}

func (q *queue) Push(v int) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue) PushQuiet(v int) {
	q.mu.Lock()
	q.items = append(q.items, v) // want `no wake-up: PushQuiet changes items, which ends the Wait on cond in Pop \(line 31\)`
	q.mu.Unlock()
}

func (q *queue) Close() {
	q.mu.Lock()
	q.closed = true // want `no wake-up: Close changes closed, which ends the Wait on cond in Pop`
	q.mu.Unlock()
}

// Reopen stores false: the waiter waits for true, so nothing to wake.
func (q *queue) Reopen() {
	q.mu.Lock()
	q.closed = false
	q.mu.Unlock()
}

// --- the same, fixed in the ways real code signals ---

type queue2 struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []int
	closed bool
}

func newQueue2() *queue2 {
	q := &queue2{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *queue2) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	return len(q.items)
}

// A helper changes the state; its caller broadcasts after the call.
func (q *queue2) markClosed() { q.closed = true }

func (q *queue2) Close() {
	q.mu.Lock()
	q.markClosed()
	q.cond.Broadcast()
	q.mu.Unlock()
}

// Broadcast first, then the change, both under the lock: the waiter
// cannot test in between.
func (q *queue2) CloseEarly() {
	q.mu.Lock()
	q.cond.Broadcast()
	q.closed = true
	q.mu.Unlock()
}

// A deferred Broadcast.
func (q *queue2) Push(v int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	defer q.cond.Broadcast()
	q.items = append(q.items, v)
}

// --- counters and helper predicates ---

type tracker struct {
	mu     sync.Mutex
	idle   *sync.Cond
	active int
	err    error
	done   bool
}

func newTracker() *tracker {
	t := &tracker{}
	t.idle = sync.NewCond(&t.mu)
	return t
}

func (t *tracker) WaitIdle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.active > 0 {
		t.idle.Wait()
	}
}

func (t *tracker) Start() {
	t.mu.Lock()
	t.active++ // an increment ends no wait for zero
	t.mu.Unlock()
}

func (t *tracker) Finish() {
	t.mu.Lock()
	t.active--
	if t.active == 0 {
		t.idle.Broadcast()
	}
	t.mu.Unlock()
}

func (t *tracker) Abandon() {
	t.mu.Lock()
	t.active-- // want `no wake-up: Abandon changes active, which ends the Wait on idle in WaitIdle`
	t.mu.Unlock()
}

func (t *tracker) finished() bool { return t.done || t.err != nil }

func (t *tracker) WaitFinished() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for !t.finished() {
		t.idle.Wait()
	}
}

func (t *tracker) Fail(err error) {
	t.mu.Lock()
	t.err = err // want `no wake-up: Fail changes err, which ends the Wait on idle in WaitFinished`
	t.mu.Unlock()
}

func (t *tracker) Complete() {
	t.mu.Lock()
	t.done = true
	t.mu.Unlock()
	t.idle.Broadcast()
}

// --- a lost wake-up: change and signal both without the lock ---

type gate struct {
	mu   sync.Mutex
	cond *sync.Cond
	open atomic.Bool
}

func newGate() *gate {
	g := &gate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// An if instead of a loop: the test still decides whether to wait.
func (g *gate) Wait() {
	g.mu.Lock()
	if !g.open.Load() {
		g.cond.Wait()
	}
	g.mu.Unlock()
}

func (g *gate) Open() {
	g.open.Store(true)
	g.cond.Broadcast() // want `lost wake-up: Broadcast of cond without its lock, after Open changed open \(line 210\) also without it: a goroutine in Wait that has tested open under the lock \(line 203\) but not yet called Wait \(line 204\)`
}

// Fixed: a Lock between the change and the signal.
func (g *gate) OpenFixed() {
	g.open.Store(true)
	g.mu.Lock()
	g.mu.Unlock()
	g.cond.Broadcast()
}

// --- Conds signalled where the pass cannot see ---

type handed struct {
	mu   sync.Mutex
	cond *sync.Cond
	stop bool
}

func (h *handed) Wait() {
	h.mu.Lock()
	for !h.stop {
		h.cond.Wait()
	}
	h.mu.Unlock()
}

func (h *handed) Poke() { h.cond.Signal() }

func (h *handed) Stop() {
	h.mu.Lock()
	h.stop = true // the Cond is handed to wake below: not followed
	h.mu.Unlock()
	wake(h.cond)
}

func wake(c *sync.Cond) { c.Broadcast() }

// An exported Cond of an exported type: other packages may signal it.
type Public struct {
	Mu   sync.Mutex
	Cond *sync.Cond
	stop bool
}

func (p *Public) Wait() {
	p.Mu.Lock()
	for !p.stop {
		p.Cond.Wait()
	}
	p.Mu.Unlock()
}

func (p *Public) Poke() { p.Cond.Signal() }

func (p *Public) Stop() {
	p.Mu.Lock()
	p.stop = true
	p.Mu.Unlock()
}

// --- a worker loop around the wait loop ---

type worker struct {
	mu    sync.Mutex
	cond  *sync.Cond
	jobs  []func()
	quit  bool
	count int
}

func newWorker() *worker {
	w := &worker{}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *worker) run() {
	for {
		w.mu.Lock()
		for len(w.jobs) == 0 && !w.quit {
			w.cond.Wait()
		}
		if w.quit {
			w.mu.Unlock()
			return
		}
		job := w.jobs[0]
		w.jobs = w.jobs[1:]
		w.count++
		w.mu.Unlock()
		job()
	}
}

func (w *worker) Start() { go w.run() }

func (w *worker) Submit(f func()) {
	w.mu.Lock()
	w.jobs = append(w.jobs, f)
	w.cond.Signal()
	w.mu.Unlock()
}

func (w *worker) Stop() {
	w.mu.Lock()
	w.quit = true // want `no wake-up: Stop changes quit, which ends the Wait on cond in run`
	w.mu.Unlock()
}

// --- a wait that ends on cancellation ---

type mailbox struct {
	mu   sync.Mutex
	cond *sync.Cond
	msgs []string
}

func newMailbox() *mailbox {
	m := &mailbox{}
	m.cond = sync.NewCond(&m.mu)
	return m
}

// Nothing turns the cancellation into a signal.
func (m *mailbox) Receive(ctx context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.msgs) == 0 {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		m.cond.Wait() // want `no wake-up: this Wait on cond ends when the context is canceled \(line \d+\), but nothing in the package signals cond on cancellation`
	}
	s := m.msgs[0]
	m.msgs = m.msgs[1:]
	return s, nil
}

func (m *mailbox) Send(s string) {
	m.mu.Lock()
	m.msgs = append(m.msgs, s)
	m.mu.Unlock()
	m.cond.Signal()
}

// context.AfterFunc broadcasts on cancellation.
type mailbox2 struct {
	mu   sync.Mutex
	cond *sync.Cond
	msgs []string
}

func newMailbox2() *mailbox2 {
	m := &mailbox2{}
	m.cond = sync.NewCond(&m.mu)
	return m
}

func (m *mailbox2) Receive(ctx context.Context) (string, error) {
	stop := context.AfterFunc(ctx, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.cond.Broadcast()
	})
	defer stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.msgs) == 0 {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		m.cond.Wait()
	}
	return m.msgs[0], nil
}

func (m *mailbox2) Send(s string) {
	m.mu.Lock()
	m.msgs = append(m.msgs, s)
	m.mu.Unlock()
	m.cond.Signal()
}

// --- a list the waiter consumes (nats.go's async callback dispatcher) ---

type cbNode struct {
	f    func()
	next *cbNode
}

type dispatcher struct {
	mu         sync.Mutex
	cond       *sync.Cond
	head, tail *cbNode
}

func newDispatcher() *dispatcher {
	d := &dispatcher{}
	d.cond = sync.NewCond(&d.mu)
	return d
}

func (d *dispatcher) run() {
	for {
		d.mu.Lock()
		for d.head == nil {
			d.cond.Wait()
		}
		cur := d.head
		d.head = cur.next // the waiter's own pop
		d.mu.Unlock()
		if cur.f == nil {
			return
		}
		cur.f()
	}
}

// drop pops without waiting: head = head.next fills nothing.
func (d *dispatcher) drop() {
	d.mu.Lock()
	if d.head != nil {
		d.head = d.head.next
	}
	d.mu.Unlock()
}

func (d *dispatcher) push(f func()) {
	n := &cbNode{f: f}
	d.mu.Lock()
	if d.tail == nil {
		d.head = n
	} else {
		d.tail.next = n
	}
	d.tail = n
	d.cond.Signal()
	d.mu.Unlock()
}

func (d *dispatcher) pushQuiet(f func()) {
	n := &cbNode{f: f}
	d.mu.Lock()
	d.head = n // want `no wake-up: pushQuiet changes head, which ends the Wait on cond in run`
	d.mu.Unlock()
}

func (d *dispatcher) Start() {
	go d.run()
	d.push(nil)
	d.drop()
	d.pushQuiet(nil)
}

// Signal on a change every waiter waits for, look-alikes: a worker that
// passes the wake-up on as it leaves (a chain), and a single waiting
// goroutine (one go statement, not in a loop).
type chainPool struct {
	mu     sync.Mutex
	cond   *sync.Cond
	jobs   []func()
	closed bool
}

func newChainPool(n int) *chainPool {
	p := &chainPool{}
	p.cond = sync.NewCond(&p.mu)
	for range n {
		go p.worker()
	}
	return p
}

func (p *chainPool) worker() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(p.jobs) == 0 && !p.closed {
			p.cond.Wait()
		}
		if p.closed {
			p.cond.Signal() // wake the next worker: a chain
			return
		}
		p.jobs = p.jobs[1:]
	}
}

func (p *chainPool) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Signal()
	p.mu.Unlock()
}

type oneWaiter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	closed bool
}

func newOneWaiter() *oneWaiter {
	w := &oneWaiter{}
	w.cond = sync.NewCond(&w.mu)
	go w.wait()
	return w
}

func (w *oneWaiter) wait() {
	w.mu.Lock()
	for !w.closed {
		w.cond.Wait()
	}
	w.mu.Unlock()
}

func (w *oneWaiter) Close() {
	w.mu.Lock()
	w.closed = true
	w.cond.Signal()
	w.mu.Unlock()
}

// Two go statements start the same waiter: Signal on close wakes one.
type twoWaiters struct {
	mu   sync.Mutex
	cond *sync.Cond
	err  error
}

func newTwoWaiters() *twoWaiters {
	t := &twoWaiters{}
	t.cond = sync.NewCond(&t.mu)
	go t.wait()
	go t.wait()
	return t
}

func (t *twoWaiters) wait() {
	t.mu.Lock()
	for t.err == nil {
		t.cond.Wait()
	}
	t.mu.Unlock()
}

func (t *twoWaiters) Fail(err error) {
	t.mu.Lock()
	t.err = err
	t.cond.Signal() // want `Signal wakes one goroutine waiting on cond, but Fail changes err \(line \d+\), which ends the Wait of every goroutine in wait`
	t.mu.Unlock()
}

// One waiter per instance: each connection's reader is started in a loop,
// but on its own connection; Close signals that connection's one reader.
type conn struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	closed bool
}

func (c *conn) readLoop() {
	c.mu.Lock()
	for len(c.buf) == 0 && !c.closed {
		c.cond.Wait()
	}
	c.mu.Unlock()
}

func (c *conn) Close() {
	c.mu.Lock()
	c.closed = true
	c.cond.Signal()
	c.mu.Unlock()
}

func startReaders(conns []*conn) {
	for _, c := range conns {
		go c.readLoop()
	}
}

// Workers started by a function literal in a loop, which captures the
// pool (made before the loop) and the round's index: several waiters on
// one pool.
type idPool struct {
	mu     sync.Mutex
	cond   *sync.Cond
	jobs   []int
	closed bool
}

func (p *idPool) worker(id int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.jobs) == 0 && !p.closed {
		p.cond.Wait()
	}
	_ = id
}

func (p *idPool) Start(n int) {
	for i := 0; i < n; i++ {
		go func() { p.worker(i) }()
	}
}

func (p *idPool) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Signal() // want `Signal wakes one goroutine waiting on cond, but Close changes closed \(line \d+\), which ends the Wait of every goroutine in worker \(line \d+\), and several run it \(started at line \d+\)`
	p.mu.Unlock()
}

// A function literal per connection: one reader per instance.
func startReadersClosure(conns []*conn) {
	for _, c := range conns {
		go func() { c.readLoop() }()
	}
}

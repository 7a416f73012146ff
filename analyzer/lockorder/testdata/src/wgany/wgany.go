// Package wgany holds WaitGroup waits made while holding a lock that one
// of the goroutines owing a Done takes first, on some path (another
// select case, another iteration, a branch) or after its own Add, beside
// look-alikes that must stay silent.
package wgany

import (
	"sync"
	"time"
)

// A: DataDog/datadog-go#123. Close holds the client lock across the Wait
// for the flush goroutine, whose tick case takes the lock: if the ticker
// fired first, the goroutine never gets back to its select to see stop.

type client struct {
	sync.Mutex
	buf  []byte
	stop chan struct{}
	wg   sync.WaitGroup
}

func newClient() *client {
	c := &client{stop: make(chan struct{})}
	c.wg.Add(1)
	go c.watch()
	return c
}

func (c *client) watch() {
	t := time.NewTicker(time.Second)
	for {
		select {
		case <-t.C:
			c.Lock()
			c.buf = c.buf[:0]
			c.Unlock()
		case <-c.stop:
			t.Stop()
			c.wg.Done()
			return
		}
	}
}

func (c *client) Close() {
	c.Lock()
	defer c.Unlock()
	close(c.stop)
	c.wg.Wait() // want `this goroutine waits on c.wg while holding c.Mutex \(locked at line \d+\), but watch, which calls Done \(line \d+\), first locks c.Mutex`
}

// The fix: the Wait after the unlock.
type clientFixed struct {
	sync.Mutex
	buf  []byte
	stop chan struct{}
	wg   sync.WaitGroup
}

func newClientFixed() *clientFixed {
	c := &clientFixed{stop: make(chan struct{})}
	c.wg.Add(1)
	go c.watch()
	return c
}

func (c *clientFixed) watch() {
	t := time.NewTicker(time.Second)
	for {
		select {
		case <-t.C:
			c.Lock()
			c.buf = c.buf[:0]
			c.Unlock()
		case <-c.stop:
			t.Stop()
			c.wg.Done()
			return
		}
	}
}

func (c *clientFixed) Close() {
	c.Lock()
	close(c.stop)
	c.Unlock()
	c.wg.Wait()
}

// B: the lock taken on one branch before the Done, by workers with no
// loop at all; the Wait in Drain holds it.

type batcher struct {
	mu      sync.Mutex
	flushed int
	wg      sync.WaitGroup
}

func (b *batcher) work(urgent bool) {
	if urgent {
		b.mu.Lock()
		b.flushed++
		b.mu.Unlock()
	}
	b.wg.Done()
}

func (b *batcher) Start(urgent bool) {
	b.wg.Add(1)
	go b.work(urgent)
}

func (b *batcher) Drain() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wg.Wait() // want `this goroutine waits on b.wg while holding b.mu \(locked at line \d+\), but work, which calls Done \(line \d+\), first locks b.mu`
	return b.flushed
}

// Look-alike: the Done comes before the loop that locks; nothing the
// goroutine locks stands before its Done.
type doneFirst struct {
	mu sync.Mutex
	n  int
	wg sync.WaitGroup
}

func (d *doneFirst) run(in <-chan int) {
	d.wg.Done() // a started signal
	for v := range in {
		d.mu.Lock()
		d.n += v
		d.mu.Unlock()
	}
}

func (d *doneFirst) Start(in <-chan int) {
	d.wg.Add(1)
	go d.run(in)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.wg.Wait()
}

// C: NebulousLabs/Sia#1363. A thread group whose Stop holds the group
// lock across the Wait for the threads Add let in; a thread registers a
// stop hook, which takes the same lock, before its deferred Done. The
// group's own Done wrapper takes no lock, but one blocked thread is
// enough.

type threadGroup struct {
	mu      sync.Mutex
	stopped bool
	hooks   []func()
	wg      sync.WaitGroup
}

func (tg *threadGroup) Add() bool {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.stopped {
		return false
	}
	tg.wg.Add(1)
	return true
}

func (tg *threadGroup) Done() { tg.wg.Done() }

func (tg *threadGroup) OnStop(fn func()) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.hooks = append(tg.hooks, fn)
}

func (tg *threadGroup) Stop() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.stopped = true
	for _, fn := range tg.hooks {
		fn()
	}
	tg.wg.Wait() // want `this goroutine waits on tg.wg while holding tg.mu \(locked at line \d+\), but Register, which calls Done \(line \d+\), first locks`
}

type gateway struct {
	tg threadGroup
}

func (g *gateway) Register(name string) {
	if !g.tg.Add() {
		return
	}
	defer g.tg.Done()
	g.tg.OnStop(func() { _ = name })
}

// Look-alike (nats-server's startMonitorWg): the goroutine takes the lock
// to Add, releases it, and only then owes its Done; a waiter holding the
// lock finds no Done pending from it.
type monitor struct {
	mu  sync.Mutex
	on  bool
	wg  sync.WaitGroup
	out []int
}

func (m *monitor) run() {
	m.mu.Lock()
	m.on = true
	m.wg.Add(1)
	m.mu.Unlock()
	defer m.wg.Done()
	m.out = append(m.out, 1)
}

func (m *monitor) Start() { go m.run() }

func (m *monitor) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.on = false
	m.wg.Wait()
}

// Look-alike: a read lock held across the Wait, and a worker that only
// read-locks before its Done.
type reader struct {
	mu sync.RWMutex
	v  int
	wg sync.WaitGroup
}

func (r *reader) work(in <-chan struct{}) {
	for range in {
		r.mu.RLock()
		_ = r.v
		r.mu.RUnlock()
	}
	r.wg.Done()
}

func (r *reader) Start(in <-chan struct{}) {
	r.wg.Add(1)
	go r.work(in)
}

func (r *reader) Wait() {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.wg.Wait()
}

// Look-alike: the worker's loop takes another lock than the one held.
type twoLocks struct {
	mu, statsMu sync.Mutex
	stats       int
	stop        chan struct{}
	wg          sync.WaitGroup
}

func (t *twoLocks) loop(tick <-chan time.Time) {
	for {
		select {
		case <-tick:
			t.statsMu.Lock()
			t.stats++
			t.statsMu.Unlock()
		case <-t.stop:
			t.wg.Done()
			return
		}
	}
}

func (t *twoLocks) Start(tick <-chan time.Time) {
	t.wg.Add(1)
	go t.loop(tick)
}

func (t *twoLocks) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	close(t.stop)
	t.wg.Wait()
}

// Look-alike (badger's publisher): one closer type, two instances. The
// publisher's cleanup waits, holding its lock, on each subscriber's
// closer; its own loop, counted on the publisher's closer, locks the
// publisher before its Done. The Done-er is another object's (and the
// closer's exported Done takes no lock).
type Closer struct {
	closed  chan struct{}
	waiting sync.WaitGroup
}

func (c *Closer) Done() { c.waiting.Done() }

func (c *Closer) SignalAndWait() {
	close(c.closed)
	c.waiting.Wait()
}

type publisher struct {
	sync.Mutex
	subs map[int]*Closer
	in   chan int
}

func (p *publisher) listen(c *Closer) {
	defer func() {
		p.clean()
		c.Done()
	}()
	for {
		select {
		case <-c.closed:
			return
		case v := <-p.in:
			p.Lock()
			_ = v
			p.Unlock()
		}
	}
}

func (p *publisher) clean() {
	p.Lock()
	defer p.Unlock()
	for id, s := range p.subs {
		delete(p.subs, id)
		s.SignalAndWait()
	}
}

func (p *publisher) Start() *Closer {
	c := &Closer{closed: make(chan struct{})}
	c.waiting.Add(1)
	go p.listen(c)
	return c
}

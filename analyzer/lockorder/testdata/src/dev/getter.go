package dev

import "sync"

// Upstream: hashicorp/nomad#2152
//
// A client's Shutdown write-locks its runner map and, for each runner,
// waits on the channel the runner's WaitCh getter returns. The runner
// closes that channel only after its last status report, and the report
// (a method value of the client the runner was built with) read-locks the
// runner map. The getter returns the runner's field, so the wait is a
// wait on that field. Fix: wait for a snapshot of the runners, unlocked.
type gRunner struct {
	report func(id string)
	id     string
	waitCh chan struct{}
}

func (r *gRunner) WaitCh() <-chan struct{} { return r.waitCh }

func (r *gRunner) run() {
	defer close(r.waitCh)
	r.report(r.id)
}

type gClient struct {
	mu      sync.RWMutex
	runners map[string]*gRunner
}

func (c *gClient) statusOf(id string) {
	c.mu.RLock()
	_ = c.runners[id]
	c.mu.RUnlock()
}

func (c *gClient) add(id string) {
	r := &gRunner{report: c.statusOf, id: id, waitCh: make(chan struct{})}
	c.mu.Lock()
	c.runners[id] = r
	c.mu.Unlock()
	go r.run()
}

func (c *gClient) shutdown() {
	c.mu.Lock()
	for _, r := range c.runners {
		<-r.WaitCh() // want `receives from c.runners\[…\].WaitCh\(\) while holding c.mu .*but run, which sends on or closes it .*first locks c.mu`
	}
	c.mu.Unlock()
}

// The fix: the runners are copied under the lock and awaited without it.
func (c *gClient) shutdownFixed() {
	c.mu.RLock()
	rs := make([]*gRunner, 0, len(c.runners))
	for _, r := range c.runners {
		rs = append(rs, r)
	}
	c.mu.RUnlock()
	for _, r := range rs {
		<-r.WaitCh()
	}
}

// A variant: a hub's worker goroutine (a literal) bumps its hub's counter
// through a back pointer before closing the channel the hub waits on
// through a getter, under the hub's lock.
type gHub struct {
	mu      sync.Mutex
	workers []*gWorker
	served  int
}

type gWorker struct {
	hub  *gHub
	done chan struct{}
}

func (w *gWorker) Done() <-chan struct{} { return w.done }

func (h *gHub) start() {
	w := &gWorker{hub: h, done: make(chan struct{})}
	h.mu.Lock()
	h.workers = append(h.workers, w)
	h.mu.Unlock()
	go func() {
		defer close(w.done)
		w.hub.mu.Lock()
		w.hub.served++
		w.hub.mu.Unlock()
	}()
}

func (h *gHub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, w := range h.workers {
		<-w.Done() // want `receives from h.workers\[…\].Done\(\) while holding h.mu .*first locks w.hub.mu`
	}
}

// A variant: a WaitGroup reached through a getter of its address.
type gPool struct {
	mu    sync.Mutex
	wg    sync.WaitGroup
	items []int
}

func (p *gPool) group() *sync.WaitGroup { return &p.wg }

func (p *gPool) submit(n int) {
	p.wg.Add(1)
	go p.work(n)
}

func (p *gPool) work(n int) {
	defer p.wg.Done()
	p.mu.Lock()
	p.items = append(p.items, n)
	p.mu.Unlock()
}

func (p *gPool) close() {
	p.mu.Lock()
	p.group().Wait() // want `waits on p.group\(\) while holding p.mu .*but work, which calls Done .*first locks p.mu`
	p.mu.Unlock()
}

// Its fix: the pool waits before it locks.
func (p *gPool) closeFixed() {
	p.group().Wait()
	p.mu.Lock()
	p.items = nil
	p.mu.Unlock()
}

// A variant: the getter's channel kept in a local before the wait.
type gTask struct {
	exited chan struct{}
	owner  *gSched
}

func (t *gTask) Exited() chan struct{} { return t.exited }

func (t *gTask) loop() {
	defer close(t.exited)
	t.owner.lock.Lock()
	t.owner.live--
	t.owner.lock.Unlock()
}

type gSched struct {
	lock sync.Mutex
	live int
	task *gTask
}

func (s *gSched) spawn() {
	s.task = &gTask{exited: make(chan struct{}), owner: s}
	s.live++
	go s.task.loop()
}

func (s *gSched) join() {
	s.lock.Lock()
	ch := s.task.Exited()
	<-ch // want `receives from s.task.Exited\(\) while holding s.lock .*first locks t.owner.lock`
	s.lock.Unlock()
}

// A look-alike: the getter's goroutine closes its channel without the
// lock the waiter holds.
type gQuiet struct {
	mu   sync.Mutex
	n    int
	stop chan struct{}
}

func (q *gQuiet) Stopped() <-chan struct{} { return q.stop }

func (q *gQuiet) start() {
	q.stop = make(chan struct{})
	go func() {
		q.n++
		close(q.stop)
	}()
}

func (q *gQuiet) wait() {
	q.mu.Lock()
	<-q.Stopped()
	q.mu.Unlock()
}

package dev

import "sync"

// Upstream: hashicorp/consul-esm#159
//
// A supervisor holds its lock while it replaces a job it looks up in its
// map: it halts the old job, which closes the job's quit channel and waits
// on the job's WaitGroup. The job's loop, mid-round, reports through an
// interface the supervisor alone implements, which takes the supervisor's
// lock; only after it returns can the loop see quit and call Done. The
// job comes out of a map (no instance of its own): the WaitGroup is named
// by the job's type, as for a parameter. Fix: the job is halted after the
// supervisor's lock is released.
type reporter interface {
	report(id string, ok bool)
}

type job struct {
	id   string
	rep  reporter
	quit chan struct{}
	wg   sync.WaitGroup
	tick chan struct{}
}

func (j *job) start() {
	j.wg.Add(1)
	go j.loop()
}

func (j *job) loop() {
	defer j.wg.Done()
	for {
		select {
		case <-j.tick:
			j.rep.report(j.id, true)
		case <-j.quit:
			return
		}
	}
}

func (j *job) halt() {
	close(j.quit)
	j.wg.Wait()
}

type supervisor struct {
	mu     sync.Mutex
	jobs   map[string]*job
	status map[string]bool
}

func (s *supervisor) report(id string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[id] = ok
}

func (s *supervisor) replace(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.jobs[id]; ok {
		old.halt() // want `this goroutine waits on s.jobs\[…\].wg inside s.jobs\[…\].halt .*while holding s.mu .*but loop, which calls Done .*first locks j.rep.mu`
	}
	j := &job{id: id, rep: s, quit: make(chan struct{}), tick: make(chan struct{})}
	s.jobs[id] = j
	j.start()
}

// The fix: the old job leaves the map under the lock and is halted after.
func (s *supervisor) replaceOK(id string) {
	s.mu.Lock()
	old := s.jobs[id]
	delete(s.jobs, id)
	s.mu.Unlock()
	if old != nil {
		old.halt()
	}
}

// A variant written differently: the tasks sit in a slice, the wait is a
// receive on a channel the task's loop closes when it exits (deferred),
// and the loop reaches the owner's lock through a method of the interface
// it was given.
type sink interface{ put(v int) }

type task struct {
	out    sink
	stop   chan struct{}
	exited chan struct{}
	in     chan int
}

func newTask(out sink) *task {
	t := &task{out: out, stop: make(chan struct{}), exited: make(chan struct{}), in: make(chan int)}
	go t.run()
	return t
}

func (t *task) run() {
	defer close(t.exited)
	for {
		select {
		case v := <-t.in:
			t.out.put(v)
		case <-t.stop:
			return
		}
	}
}

func (t *task) shutdown() {
	close(t.stop)
	<-t.exited
}

type collector struct {
	mu    sync.RWMutex
	tasks []*task
	sum   int
}

func (c *collector) put(v int) {
	c.mu.Lock()
	c.sum += v
	c.mu.Unlock()
}

func (c *collector) resetFirst() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tasks) > 0 {
		c.tasks[0].shutdown() // want `this goroutine receives from c.tasks\[0\].exited inside c.tasks\[0\].shutdown .*while holding c.mu .*but run, which sends on or closes it .*first locks t.out.mu`
		c.tasks = c.tasks[1:]
	}
}

// Look-alike negative: the loop reports through an interface whose one
// implementation in the package takes no lock (it hands the value on to a
// buffered channel), so the halt under the owner's lock ends.
type meter interface{ note(v int) }

type probe struct {
	m    meter
	stop chan struct{}
	done sync.WaitGroup
	in   chan int
}

func (p *probe) loop() {
	defer p.done.Done()
	for {
		select {
		case v := <-p.in:
			p.m.note(v)
		case <-p.stop:
			return
		}
	}
}

func (p *probe) halt() {
	close(p.stop)
	p.done.Wait()
}

type gauge struct {
	mu     sync.Mutex
	probes map[int]*probe
	notes  chan int
}

func (g *gauge) note(v int) { g.notes <- v }

func (g *gauge) drop(k int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p := g.probes[k]; p != nil {
		p.halt()
		delete(g.probes, k)
	}
}

// A variant written differently: the supervisor waits on the element's
// WaitGroup itself, in the function that holds its lock.
func (s *supervisor) retire(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[id]; ok {
		close(j.quit)
		s.jobs[id].wg.Wait() // want `this goroutine waits on s.jobs\[…\].wg while holding s.mu .*but loop, which calls Done .*first locks j.rep.mu`
	}
}

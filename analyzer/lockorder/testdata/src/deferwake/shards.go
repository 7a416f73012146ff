package deferwake

import (
	"sync"
	"sync/atomic"
	"time"
)

// A: the last shard to finish closes done in a deferred literal; stop
// waits for done holding the lock the shard's loop takes
// (prometheus/prometheus#10279 shape).

type shards struct {
	mtx     sync.Mutex
	running atomic.Int32
	done    chan struct{}
	quit    chan struct{}
	batch   []int
}

func (s *shards) start(n int) {
	s.done = make(chan struct{})
	s.quit = make(chan struct{})
	s.running.Store(int32(n))
	for i := 0; i < n; i++ {
		go s.run()
	}
}

func (s *shards) run() {
	defer func() {
		if s.running.Add(-1) == 0 {
			close(s.done)
		}
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-tick.C:
			s.mtx.Lock()
			s.batch = s.batch[:0]
			s.mtx.Unlock()
		}
	}
}

func (s *shards) stop() {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	close(s.quit)
	<-s.done // want `receives from s.done while holding s.mtx .*but run, which sends on or closes it .*first locks s.mtx`
}

// A fixed: stop waits after releasing the lock.

type shardsOK struct {
	mtx     sync.Mutex
	running atomic.Int32
	done    chan struct{}
	quit    chan struct{}
	batch   []int
}

func (s *shardsOK) start(n int) {
	s.done = make(chan struct{})
	s.quit = make(chan struct{})
	s.running.Store(int32(n))
	for i := 0; i < n; i++ {
		go s.run()
	}
}

func (s *shardsOK) run() {
	defer func() {
		if s.running.Add(-1) == 0 {
			close(s.done)
		}
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-tick.C:
			s.mtx.Lock()
			s.batch = s.batch[:0]
			s.mtx.Unlock()
		}
	}
}

func (s *shardsOK) stop() {
	s.mtx.Lock()
	close(s.quit)
	s.mtx.Unlock()
	<-s.done
}

// B: the worker's Done is in a deferred helper; Wait holds the lock the
// worker takes per job.

type pool struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	jobs chan int
	sum  int
}

func (p *pool) finish() {
	p.wg.Done()
}

func (p *pool) work() {
	defer p.finish()
	for j := range p.jobs {
		p.mu.Lock()
		p.sum += j
		p.mu.Unlock()
	}
}

func (p *pool) run(n int) {
	p.jobs = make(chan int)
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.work()
	}
}

func (p *pool) submit(j int) { p.jobs <- j }

func (p *pool) close() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.jobs)
	p.wg.Wait() // want `waits on p.wg while holding p.mu .*but work, which calls Done .*first locks p.mu`
	return p.sum
}

// B look-alike: the worker's loop takes another lock.

type pool2 struct {
	mu    sync.Mutex
	sumMu sync.Mutex
	wg    sync.WaitGroup
	jobs  chan int
	sum   int
}

func (p *pool2) finish() {
	p.wg.Done()
}

func (p *pool2) work() {
	defer p.finish()
	for j := range p.jobs {
		p.sumMu.Lock()
		p.sum += j
		p.sumMu.Unlock()
	}
}

func (p *pool2) run(n int) {
	p.jobs = make(chan int)
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.work()
	}
}

func (p *pool2) submit(j int) { p.jobs <- j }

func (p *pool2) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.jobs)
	p.wg.Wait()
}

// C: a constructor's goroutine closes the object's done channel in a
// deferred literal after its loop, which locks the object per update.

type cache struct {
	mu      sync.Mutex
	entries map[int]bool
	updates chan int
	done    chan struct{}
}

func newCache() *cache {
	c := &cache{entries: map[int]bool{}, updates: make(chan int), done: make(chan struct{})}
	go func() {
		defer func() { close(c.done) }()
		for k := range c.updates {
			c.mu.Lock()
			delete(c.entries, k)
			c.mu.Unlock()
		}
	}()
	return c
}

func (c *cache) drop(k int) { c.updates <- k }

func (c *cache) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.updates)
	<-c.done // want `receives from c.done while holding c.mu .*but a function literal in newCache`
}

// C fixed: the loop collects under its own lock.

type cacheOK struct {
	mu      sync.Mutex
	entries map[int]bool
	updates chan int
	done    chan struct{}
}

func newCacheOK() *cacheOK {
	c := &cacheOK{entries: map[int]bool{}, updates: make(chan int), done: make(chan struct{})}
	go func() {
		defer func() { close(c.done) }()
		for k := range c.updates {
			_ = k
		}
	}()
	return c
}

func (c *cacheOK) drop(k int) { c.updates <- k }

func (c *cacheOK) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.updates)
	<-c.done
}

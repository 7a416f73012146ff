package real

import (
	"context"
	"sync"
)

// block/cachew#261: the scheduler's workers wait for a signal on a
// bounded wake-up channel, and each signals it again after taking a job
// (so that another worker looks at the rest) and once more, deferred,
// when the job ends. Submit signals it too. When the buffer is full all
// workers block in their own sends and nobody drains it. Fix: a
// sync.Cond, whose Signal never blocks. (A worker pool that sends on the
// channel it alone receives from.)
type schedJob struct {
	queue string
	run   func(context.Context)
}

type scheduler struct {
	wake   chan bool
	mu     sync.Mutex
	jobs   []schedJob
	active map[string]bool
}

func newScheduler(ctx context.Context, workers int) *scheduler {
	s := &scheduler{wake: make(chan bool, 1024), active: map[string]bool{}}
	for i := 0; i < workers; i++ {
		go s.worker(ctx)
	}
	return s
}

func (s *scheduler) Submit(j schedJob) {
	s.mu.Lock()
	s.jobs = append(s.jobs, j)
	s.mu.Unlock()
	s.wake <- true
}

func (s *scheduler) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			j, ok := s.take()
			if !ok {
				continue
			}
			s.runJob(ctx, j)
		}
	}
}

func (s *scheduler) runJob(ctx context.Context, j schedJob) {
	defer func() {
		s.mu.Lock()
		delete(s.active, j.queue)
		s.mu.Unlock()
		s.wake <- true // want `field wake of scheduler is received from only by worker goroutines \(a pool\), and this send runs in one of them on the same object`
	}()
	j.run(ctx)
}

func (s *scheduler) take() (schedJob, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, j := range s.jobs {
		if s.active[j.queue] {
			continue
		}
		s.jobs = append(s.jobs[:i], s.jobs[i+1:]...)
		s.active[j.queue] = true
		s.wake <- true // want `field wake of scheduler is received from only by worker goroutines \(a pool\)`
		return j, true
	}
	return schedJob{}, false
}

type schedulerFixed struct {
	cond   *sync.Cond
	mu     sync.Mutex
	done   bool
	jobs   []schedJob
	active map[string]bool
}

func newSchedulerFixed(ctx context.Context, workers int) *schedulerFixed {
	s := &schedulerFixed{active: map[string]bool{}}
	s.cond = sync.NewCond(&s.mu)
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		s.done = true
		s.mu.Unlock()
		s.cond.Broadcast()
	}()
	for i := 0; i < workers; i++ {
		go s.worker(ctx)
	}
	return s
}

func (s *schedulerFixed) Submit(j schedJob) {
	s.mu.Lock()
	s.jobs = append(s.jobs, j)
	s.mu.Unlock()
	s.cond.Signal()
}

func (s *schedulerFixed) worker(ctx context.Context) {
	for {
		s.mu.Lock()
		for len(s.jobs) == 0 && !s.done {
			s.cond.Wait()
		}
		if s.done {
			s.mu.Unlock()
			return
		}
		j := s.jobs[0]
		s.jobs = s.jobs[1:]
		s.mu.Unlock()
		j.run(ctx)
		s.cond.Signal()
	}
}

// The same mistake written another way: crawler workers take URLs from
// the frontier and push the links they find back onto it, through a
// helper, while Seed feeds it from outside.
type crawler struct {
	frontier chan string
	fetch    func(string) []string
}

func startCrawler(n int, fetch func(string) []string) *crawler {
	c := &crawler{frontier: make(chan string, 100), fetch: fetch}
	for i := 0; i < n; i++ {
		go c.crawl()
	}
	return c
}

func (c *crawler) Seed(url string) { c.frontier <- url }

func (c *crawler) Close() { close(c.frontier) }

func (c *crawler) crawl() {
	for url := range c.frontier {
		for _, link := range c.fetch(url) {
			c.enqueue(link)
		}
	}
}

func (c *crawler) enqueue(link string) {
	c.frontier <- link // want `field frontier of crawler is received from only by crawl goroutines \(a pool\)`
}

// Look-alike: the workers put links back only when there is room, and
// drop them otherwise.
type politeCrawler struct {
	frontier chan string
	fetch    func(string) []string
}

func startPoliteCrawler(n int, fetch func(string) []string) *politeCrawler {
	c := &politeCrawler{frontier: make(chan string, 100), fetch: fetch}
	for i := 0; i < n; i++ {
		go c.crawl()
	}
	return c
}

func (c *politeCrawler) Seed(url string) { c.frontier <- url }

func (c *politeCrawler) Close() { close(c.frontier) }

func (c *politeCrawler) crawl() {
	for url := range c.frontier {
		for _, link := range c.fetch(url) {
			select {
			case c.frontier <- link:
			default:
			}
		}
	}
}

// Look-alike: the workers report on a second channel, not on the one
// they take work from.
type reportingPool struct {
	work    chan int
	results chan int
}

func startReportingPool(n int) *reportingPool {
	p := &reportingPool{work: make(chan int, 16), results: make(chan int, 16)}
	for i := 0; i < n; i++ {
		go p.run()
	}
	return p
}

func (p *reportingPool) Add(x int) { p.work <- x }

func (p *reportingPool) Close() { close(p.work) }

func (p *reportingPool) Result() int { return <-p.results }

func (p *reportingPool) run() {
	for x := range p.work {
		p.results <- x * x
	}
}

// The pool started through function literals (go func() { ... }()), each
// counted on a WaitGroup, with the retry put back in the job loop itself.
type retryPool struct {
	jobs chan func() error
	wg   sync.WaitGroup
}

func startRetryPool(n int) *retryPool {
	p := &retryPool{jobs: make(chan func() error, 32)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.work()
		}()
	}
	return p
}

func (p *retryPool) Add(job func() error) { p.jobs <- job }

func (p *retryPool) Close() {
	close(p.jobs)
	p.wg.Wait()
}

func (p *retryPool) work() {
	for job := range p.jobs {
		if err := job(); err != nil {
			p.jobs <- job // want `field jobs of retryPool is received from only by work goroutines \(a pool\)`
		}
	}
}

// Look-alike: the loop is also called directly (a synchronous drain), so
// it is not known to run only as the pool's goroutines.
type drainPool struct {
	jobs chan func() error
}

func startDrainPool(n int) *drainPool {
	p := &drainPool{jobs: make(chan func() error, 32)}
	for i := 0; i < n; i++ {
		go func() { p.work() }()
	}
	return p
}

func (p *drainPool) Add(job func() error) { p.jobs <- job }

func (p *drainPool) Close() {
	close(p.jobs)
	p.work()
}

func (p *drainPool) work() {
	for job := range p.jobs {
		if err := job(); err != nil {
			p.jobs <- job
		}
	}
}

// Look-alike: each waiter takes the stop token once and hands it on
// before it returns (a relay down the line), so the waiters put back
// exactly what they take and the buffer of one always has room for the
// hand-on; no worker goes on taking, so none can be starved.
type relayStop struct {
	stop chan struct{}
}

func startRelay(n int) *relayStop {
	r := &relayStop{stop: make(chan struct{}, 1)}
	for i := 0; i < n; i++ {
		go r.wait()
	}
	return r
}

func (r *relayStop) wait() {
	<-r.stop
	r.stop <- struct{}{}
}

func (r *relayStop) Close() { r.stop <- struct{}{} }

// Package callersized holds queues whose buffer size the maker's caller
// chooses and whose only reader puts work back into them, beside fixed
// twins and look-alikes.
package callersized

// Task is one unit of work.
type Task struct {
	ID    int
	Tries int
}

// Retrier runs tasks, retrying the failed ones later.
type Retrier struct {
	tasks chan Task
	run   func(Task) error
}

// NewRetrier starts the single worker on a queue of size slots.
func NewRetrier(size int, run func(Task) error) *Retrier {
	r := &Retrier{tasks: make(chan Task, size), run: run}
	go r.work()
	return r
}

// Submit queues t.
func (r *Retrier) Submit(t Task) { r.tasks <- t }

func (r *Retrier) work() {
	for t := range r.tasks {
		if err := r.run(t); err != nil {
			t.Tries++
			r.tasks <- t // want `field tasks of Retrier is received from only by work, and this send runs in work's own goroutine on the same object: once other senders have filled its buffer \(sized by the maker's caller\)`
		}
	}
}

// Options configure a Dispatcher.
type Options struct {
	Backlog int
}

// Dispatcher hands events to a handler; events the handler is not ready
// for go back through a helper.
type Dispatcher struct {
	events chan string
	quit   chan struct{}
	handle func(string) bool
}

// NewDispatcher starts the loop on a backlog the options size.
func NewDispatcher(opts Options, handle func(string) bool) *Dispatcher {
	d := &Dispatcher{events: make(chan string, opts.Backlog), quit: make(chan struct{}), handle: handle}
	go d.loop()
	return d
}

// Post queues ev.
func (d *Dispatcher) Post(ev string) { d.events <- ev }

// Close stops the loop.
func (d *Dispatcher) Close() { close(d.quit) }

func (d *Dispatcher) loop() {
	for {
		select {
		case ev := <-d.events:
			if !d.handle(ev) {
				d.later(ev)
			}
		case <-d.quit:
			return
		}
	}
}

func (d *Dispatcher) later(ev string) {
	d.events <- ev // want `field events of Dispatcher is received from only by loop, and this send runs in loop's own goroutine on the same object \(called at line \d+\)`
}

// Config configures a Crawler.
type Config struct {
	Depth int
}

// Crawler fetches pages and queues the links it finds on the same queue
// its one fetcher reads.
type Crawler struct {
	pages chan string
	fetch func(string) []string
}

// NewCrawler starts the fetcher on a queue cfg sizes.
func NewCrawler(cfg *Config, fetch func(string) []string) *Crawler {
	c := &Crawler{pages: make(chan string, cfg.Depth), fetch: fetch}
	go c.crawl()
	return c
}

// Seed queues a start page.
func (c *Crawler) Seed(url string) { c.pages <- url }

func (c *Crawler) crawl() {
	for {
		url, ok := <-c.pages
		if !ok {
			return
		}
		for _, link := range c.fetch(url) {
			c.pages <- link // want `field pages of Crawler is received from only by crawl`
		}
	}
}

// Parker is the fixed twin of Retrier: failed tasks wait in a local list
// and are retried after the next success.
type Parker struct {
	tasks chan Task
	run   func(Task) error
}

// NewParker starts the worker.
func NewParker(size int, run func(Task) error) *Parker {
	p := &Parker{tasks: make(chan Task, size), run: run}
	go p.work()
	return p
}

// Submit queues t.
func (p *Parker) Submit(t Task) { p.tasks <- t }

func (p *Parker) work() {
	var parked []Task
	for t := range p.tasks {
		if err := p.run(t); err != nil {
			parked = append(parked, t)
			continue
		}
		rest := parked[:0]
		for _, q := range parked {
			if p.run(q) != nil {
				rest = append(rest, q)
			}
		}
		parked = rest
	}
}

// Seeded is a look-alike whose buffer holds every task it will ever
// queue: the size is computed from them, not chosen by the caller.
type Seeded struct {
	tasks chan Task
	run   func(Task) error
}

// NewSeeded queues all of seed and starts the worker.
func NewSeeded(seed []Task, run func(Task) error) *Seeded {
	s := &Seeded{tasks: make(chan Task, 2*len(seed)), run: run}
	for _, t := range seed {
		s.tasks <- t
	}
	go s.work()
	return s
}

func (s *Seeded) work() {
	for t := range s.tasks {
		if s.run(t) != nil && t.Tries == 0 {
			t.Tries++
			s.tasks <- t
		}
	}
}

package stuckrange

// Look-alikes: loops a close or another way out does end.

// Feed's consumer ranges over items; Stop closes them: the loop ends.
type Feed struct {
	items chan int
	got   []int
}

// NewFeed starts the consumer.
func NewFeed() *Feed {
	f := &Feed{items: make(chan int)}
	go f.consume()
	return f
}

func (f *Feed) consume() {
	for v := range f.items {
		f.got = append(f.got, v)
	}
}

// Push hands the consumer a value.
func (f *Feed) Push(v int) { f.items <- v }

// Stop ends the consumer.
func (f *Feed) Stop() { close(f.items) }

// Worker's loop also leaves by its done channel, which Quit closes.
type Worker struct {
	jobs chan func()
	done chan struct{}
}

// NewWorker starts the loop.
func NewWorker() *Worker {
	w := &Worker{jobs: make(chan func()), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *Worker) loop() {
	for {
		select {
		case j, ok := <-w.jobs:
			if !ok {
				return
			}
			j()
		case <-w.done:
			return
		}
	}
}

// Do runs j on the worker.
func (w *Worker) Do(j func()) {
	select {
	case w.jobs <- j:
	case <-w.done:
	}
}

// Quit stops the worker.
func (w *Worker) Quit() { close(w.done) }

// Batch's producer closes after its last send; the collector ranges to
// that close.
type Batch struct {
	parts chan string
}

// NewBatch starts the producer.
func NewBatch(xs []string) *Batch {
	b := &Batch{parts: make(chan string)}
	go func() {
		for _, x := range xs {
			b.parts <- x
		}
		close(b.parts)
	}()
	return b
}

// Collect takes every part.
func (b *Batch) Collect() []string {
	var out []string
	for p := range b.parts {
		out = append(out, p)
	}
	return out
}

// Pool's workers range over a queue nothing closes: a pool living as
// long as the program, by design.
type Pool struct {
	tasks chan func()
}

// NewPool starts two workers.
func NewPool() *Pool {
	p := &Pool{tasks: make(chan func(), 16)}
	for i := 0; i < 2; i++ {
		go p.work()
	}
	return p
}

func (p *Pool) work() {
	for t := range p.tasks {
		t()
	}
}

// Go queues a task.
func (p *Pool) Go(t func()) { p.tasks <- t }

// Reader leaves its loop on a sentinel value too (an early return):
// the close after it is not the only way out.
type Reader struct {
	lines chan string
	seen  []string
}

// NewReader starts the reader.
func NewReader() *Reader {
	r := &Reader{lines: make(chan string)}
	go r.read()
	return r
}

func (r *Reader) read() {
	for l := range r.lines {
		if l == "EOF" {
			break
		}
		r.seen = append(r.seen, l)
	}
	close(r.lines)
}

// Line hands the reader a line.
func (r *Reader) Line(l string) { r.lines <- l }

// Relay closes its channel in a deferred call, before its receive loop:
// a panic in the loop would run it, so the checker does not claim that it
// never runs (it gives up, silent).
type Relay struct {
	msgs chan int
	sum  int
}

// NewRelay starts the relay.
func NewRelay() *Relay {
	r := &Relay{msgs: make(chan int)}
	go r.run()
	return r
}

func (r *Relay) run() {
	defer close(r.msgs)
	for {
		m, ok := <-r.msgs
		if !ok {
			return
		}
		r.sum += m
	}
}

// Send hands the relay a message.
func (r *Relay) Send(m int) { r.msgs <- m }

// Gate's loop ends when its channel reports closed, and Open closes it
// on a path no receive guards: the close can run, the loop ends.
type Gate struct {
	knocks chan int
	n      int
}

// NewGate starts the loop.
func NewGate() *Gate {
	g := &Gate{knocks: make(chan int)}
	go func() {
		for {
			k, ok := <-g.knocks
			if !ok {
				return
			}
			g.n += k
		}
	}()
	return g
}

// Knock knocks.
func (g *Gate) Knock() { g.knocks <- 1 }

// Open ends the loop.
func (g *Gate) Open() { close(g.knocks) }

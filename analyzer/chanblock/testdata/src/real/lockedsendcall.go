package real

import (
	"sync"
	"time"
)

// A send made in a helper that its caller calls holding a mutex, when the
// channel's consumer (reaching it through an accessor method) takes that
// mutex in a helper between two receives.

// Upstream: rabbitstack/fibratus#655 (the stack-walk decorator's periodic
// flusher pushed expired events onto the bounded event queue while holding
// the decorator's mutex; the consumer, the queue's only reader, needed the
// mutex to match the next stack-walk event, so a full queue stopped both).
// Fix: collect under the lock and push after releasing it. Reduced in our
// own words.
type evQueue struct {
	ch chan int
}

func newEvQueue(n int) *evQueue { return &evQueue{ch: make(chan int, n)} }

func (q *evQueue) put(v int) {
	q.ch <- v
}

func (q *evQueue) out() <-chan int { return q.ch }

type parker struct {
	q      *evQueue
	mu     sync.Mutex
	parked map[int][]int
	tick   *time.Ticker
	done   chan struct{}
}

func newParker(q *evQueue) *parker {
	p := &parker{q: q, parked: map[int][]int{}, tick: time.NewTicker(time.Second), done: make(chan struct{})}
	go p.flusher()
	return p
}

func (p *parker) park(id, v int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.parked[id] = append(p.parked[id], v)
}

func (p *parker) match(id int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	vs := p.parked[id]
	if len(vs) == 0 {
		return -1
	}
	p.parked[id] = vs[1:]
	return vs[0]
}

func (p *parker) flusher() {
	for {
		select {
		case <-p.tick.C:
			p.expire()
		case <-p.done:
			return
		}
	}
}

func (p *parker) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, vs := range p.parked {
		for _, v := range vs {
			p.q.put(v) // want `this call sends \(line \d+\) on field ch holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives`
		}
		delete(p.parked, id)
	}
}

func (p *parker) expireFixed() {
	var out []int
	p.mu.Lock()
	for id, vs := range p.parked {
		out = append(out, vs...)
		delete(p.parked, id)
	}
	p.mu.Unlock()
	for _, v := range out {
		p.q.put(v)
	}
}

func consumeParked(raw <-chan [2]int, p *parker, q *evQueue, sink func(int)) {
	for {
		select {
		case r := <-raw:
			if r[0] < 0 {
				sink(p.match(r[1]))
				continue
			}
			p.park(r[0], r[1])
		case v := <-q.out():
			sink(v)
		}
	}
}

// A variant written differently (ours): the lock holder reaches the send
// two calls down, the consumer is a goroutine receiving plainly from the
// accessor's result, and it takes the mutex two calls down as well.
type batcher struct {
	mu    sync.Mutex
	batch []string
	sink  chan []string
	seen  int
}

func newBatcher() *batcher {
	b := &batcher{sink: make(chan []string)}
	go b.writer()
	return b
}

func (b *batcher) results() chan []string { return b.sink }

func (b *batcher) emit(xs []string) { b.sink <- xs }

func (b *batcher) cut() {
	b.emit(b.batch)
	b.batch = nil
}

func (b *batcher) Add(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.batch = append(b.batch, s)
	if len(b.batch) >= 16 {
		b.cut() // want `this call sends \(line \d+\) on field sink holds mutex field mu`
	}
}

func (b *batcher) account(n int) { b.note(n) }

func (b *batcher) note(n int) {
	b.mu.Lock()
	b.seen += n
	b.mu.Unlock()
}

func (b *batcher) writer() {
	ch := b.results()
	for {
		xs := <-ch
		b.account(len(xs))
	}
}

// Look-alike negatives (ours): a helper that releases its caller's mutex
// around the send (a condition-variable style hand-off), and a consumer
// whose mutex work happens only after its loop.
type handoff struct {
	mu    sync.Mutex
	ready int
	ch    chan int
}

func newHandoff() *handoff {
	h := &handoff{ch: make(chan int)}
	go h.take()
	return h
}

func (h *handoff) giveUnlocked(v int) {
	h.mu.Unlock()
	h.ch <- v
	h.mu.Lock()
}

func (h *handoff) Give(v int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ready++
	h.giveUnlocked(v)
}

func (h *handoff) take() {
	for {
		v := <-h.ch
		h.mu.Lock()
		h.ready -= v
		h.mu.Unlock()
	}
}

type summer struct {
	mu    sync.Mutex
	total int
	in    chan int
}

func newSummer() *summer {
	s := &summer{in: make(chan int)}
	go s.run()
	return s
}

func (s *summer) feed() chan int { return s.in }

func (s *summer) push(v int) { s.in <- v }

func (s *summer) Add(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.push(v)
}

func (s *summer) Close() { close(s.in) }

func (s *summer) record(n int) {
	s.mu.Lock()
	s.total = n
	s.mu.Unlock()
}

func (s *summer) run() {
	n := 0
	for v := range s.feed() {
		n += v
	}
	s.record(n)
}

// A variant with a constant buffer (ours): repeated sends under the lock
// fill any buffer, so a loop of sends is reported; the one send per call
// of notifyOne fits the room the buffer keeps and is left alone.
type retrier struct {
	mu      sync.Mutex
	pending map[string]int
	retries chan string
}

func newRetrier() *retrier {
	r := &retrier{pending: map[string]int{}, retries: make(chan string, 32)}
	go r.worker()
	return r
}

func (r *retrier) requeueAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.pending {
		r.retries <- k // want `this send on field retries holds mutex field mu`
	}
}

func (r *retrier) notifyOne(k string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[k]++
	r.retries <- k
}

func (r *retrier) Close() { close(r.retries) }

func (r *retrier) worker() {
	for k := range r.retries {
		r.mu.Lock()
		delete(r.pending, k)
		r.mu.Unlock()
	}
}

// Look-alike negative (ours, after cmd/go's ready queue): the buffer is
// sized to the number of all items, each sent once, so no send waits.
type readyQueue struct {
	mu    sync.Mutex
	done  map[int]bool
	ready chan int
}

func runAll(items []int, deps func(int) []int, work func(int)) {
	q := &readyQueue{done: map[int]bool{}, ready: make(chan int, len(items))}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go q.worker(&wg, len(items)/4, deps, work)
	}
	q.mu.Lock()
	for _, it := range items {
		q.ready <- it
	}
	q.mu.Unlock()
	wg.Wait()
}

func (q *readyQueue) worker(wg *sync.WaitGroup, n int, deps func(int) []int, work func(int)) {
	defer wg.Done()
	for i := 0; i < n; i++ {
		it := <-q.ready
		work(it)
		q.mu.Lock()
		q.done[it] = true
		for _, d := range deps(it) {
			if !q.done[d] {
				q.ready <- d
			}
		}
		q.mu.Unlock()
	}
}

// Package neverwoken holds selects whose stop case nothing can ever
// complete, and sends made inside a callee on a channel field, against
// the loop that receives from that field and needs the caller's lock.
package neverwoken

import "sync"

type entry struct{ key string }

// A: a log whose append hands the entry to its apply loop; the stop
// channel is made and only ever received from, so the select is its send.

type store struct {
	mu   sync.RWMutex
	keys map[string]bool
}

func (s *store) drop(key string) {
	s.mu.Lock()
	delete(s.keys, key)
	s.mu.Unlock()
}

type log struct {
	in   chan *entry
	stop chan struct{}
	st   *store
}

func newLog(st *store) *log {
	return &log{in: make(chan *entry), stop: make(chan struct{}), st: st}
}

func (l *log) append(key string) {
	e := &entry{key: key}
	select {
	case l.in <- e:
	case <-l.stop:
	}
}

func (l *log) run() {
	for {
		select {
		case e := <-l.in:
			l.st.drop(e.key)
		case <-l.stop:
			return
		}
	}
}

type server struct {
	lg *log
	st *store
}

func (s *server) flush() {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	for k := range s.st.keys {
		s.lg.append(k) // want `sends on unbuffered s.lg.in inside s.lg.append .*while holding s.st.mu .*but run, which receives from it`
	}
}

// A fixed: the keys are copied under the read lock and appended after.

func (s *server) flushCopy() {
	s.st.mu.RLock()
	keys := make([]string, 0, len(s.st.keys))
	for k := range s.st.keys {
		keys = append(keys, k)
	}
	s.st.mu.RUnlock()
	for _, k := range keys {
		s.lg.append(k)
	}
}

// A, drop and retake: the lock is released around each append.

func (s *server) flushRetake(keys []string) {
	s.st.mu.RLock()
	for _, k := range keys {
		s.st.mu.RUnlock()
		s.lg.append(k)
		s.st.mu.RLock()
	}
	s.st.mu.RUnlock()
}

// B: the select is made right under the lock.

type queue struct {
	mu    sync.Mutex
	n     int
	work  chan int
	never chan bool
}

func (q *queue) worker() {
	for v := range q.work {
		q.mu.Lock()
		q.n += v
		q.mu.Unlock()
	}
}

func (q *queue) put(v int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	select { // want `sends on unbuffered q.work while holding q.mu .*but worker, which receives from it`
	case q.work <- v:
	case <-q.never:
	}
}

// B fixed: a select with a default never blocks.

func (q *queue) tryPut(v int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	select {
	case q.work <- v:
		return true
	case <-q.never:
		return false
	default:
		return false
	}
}

func newQueue() *queue {
	q := &queue{work: make(chan int), never: make(chan bool)}
	go q.worker()
	return q
}

// C: the stop channel is closed by the package: the select waits until
// that shutdown, for the sent value's lock only (sentwait.go).

type closer struct {
	mu   sync.Mutex
	n    int
	work chan int
	quit chan struct{}
}

func (c *closer) loop() {
	for {
		select {
		case v := <-c.work:
			c.mu.Lock()
			c.n += v
			c.mu.Unlock()
		case <-c.quit:
			return
		}
	}
}

func (c *closer) send(v int) {
	select {
	case c.work <- v:
	case <-c.quit:
	}
}

func (c *closer) add(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.send(v)
}

func (c *closer) close() { close(c.quit) }

// D: the stop channel escapes into a helper that closes it.

type helped struct {
	mu   sync.Mutex
	n    int
	work chan int
	done chan struct{}
}

func shut(ch chan struct{}) { close(ch) }

func (h *helped) loop() {
	for v := range h.work {
		h.mu.Lock()
		h.n += v
		h.mu.Unlock()
	}
}

func (h *helped) send(v int) {
	select {
	case h.work <- v:
	case <-h.done:
	}
}

func (h *helped) add(v int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.send(v)
}

func (h *helped) stop() { shut(h.done) }

// E: the stop channel is exported: another package may close it.

type Exported struct {
	mu   sync.Mutex
	n    int
	work chan int
	Done chan struct{}
}

func (e *Exported) loop() {
	for v := range e.work {
		e.mu.Lock()
		e.n += v
		e.mu.Unlock()
	}
}

func (e *Exported) send(v int) {
	select {
	case e.work <- v:
	case <-e.Done:
	}
}

func (e *Exported) Add(v int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.send(v)
}

// F: the stop channel is given by the caller, who may close it.

type given struct {
	mu   sync.Mutex
	n    int
	work chan int
	stop <-chan struct{}
}

func newGiven(stop <-chan struct{}) *given {
	return &given{work: make(chan int), stop: stop}
}

func (g *given) loop() {
	for v := range g.work {
		g.mu.Lock()
		g.n += v
		g.mu.Unlock()
	}
}

func (g *given) send(v int) {
	select {
	case g.work <- v:
	case <-g.stop:
	}
}

func (g *given) add(v int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.send(v)
}

// G: the live case is buffered: the send may complete at once.

type buffered struct {
	mu   sync.Mutex
	n    int
	work chan int
	stop chan struct{}
}

func newBuffered() *buffered {
	return &buffered{work: make(chan int, 8), stop: make(chan struct{})}
}

func (b *buffered) loop() {
	for v := range b.work {
		b.mu.Lock()
		b.n += v
		b.mu.Unlock()
	}
}

func (b *buffered) send(v int) {
	select {
	case b.work <- v:
	case <-b.stop:
	}
}

func (b *buffered) add(v int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.send(v)
}

// H: the stop channel's value is copied into a local that is sent on.

type copied struct {
	mu   sync.Mutex
	n    int
	work chan int
	stop chan struct{}
}

func (c *copied) loop() {
	for v := range c.work {
		c.mu.Lock()
		c.n += v
		c.mu.Unlock()
	}
}

func (c *copied) send(v int) {
	select {
	case c.work <- v:
	case <-c.stop:
	}
}

func (c *copied) add(v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.send(v)
}

func (c *copied) wake() {
	s := c.stop
	s <- struct{}{}
}

// I: a plain send inside a callee on a channel field (no select), the
// receiving loop takes the caller's lock.

type feed struct {
	out chan string
}

func newFeed() *feed { return &feed{out: make(chan string)} }

func (f *feed) push(s string) { f.out <- s }

type agg struct {
	mu  sync.Mutex
	all []string
	f   *feed
}

func (a *agg) collect(f *feed) {
	for s := range f.out {
		a.mu.Lock()
		a.all = append(a.all, s)
		a.mu.Unlock()
	}
}

func (a *agg) relay(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.f.push(s) // want `sends on unbuffered a.f.out inside a.f.push .*while holding a.mu .*but collect, which receives from it`
}

// I, needLock flag: the lock is held only when the caller says so, and
// the receiving side's lock is another type's.

type other struct {
	mu sync.Mutex
	n  int
}

type feed2 struct {
	out chan string
}

func newFeed2() *feed2 { return &feed2{out: make(chan string)} }

func (f *feed2) push(s string) { f.out <- s }

type relay2 struct {
	mu sync.Mutex
	f  *feed2
	o  *other
}

func (r *relay2) drain() {
	for range r.f.out {
		r.o.mu.Lock()
		r.o.n++
		r.o.mu.Unlock()
	}
}

func (r *relay2) pass(s string, needLock bool) {
	if needLock {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	r.f.push(s)
}

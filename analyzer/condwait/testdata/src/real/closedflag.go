package real

import (
	"errors"
	"sync"
)

// Upstream: rlmcpherson/s3gof3r#73. A parallel reader's workers store
// each finished chunk in a map and Broadcast; getChunk waits until the
// chunk it needs next is in the map. Close marks the getter closed under
// the Cond's lock, but getChunk never tests that state: a goroutine
// waiting for a chunk that will not come (the download is over) sleeps in
// Wait forever. Fix: getChunk returns when the getter is closed, and Close
// Broadcasts.
var errGetterClosed = errors.New("closed")

type part struct {
	id  int
	buf []byte
}

type getter struct {
	cond   *sync.Cond
	ready  map[int]*part
	next   int
	closed bool
}

func (g *getter) store(p *part) {
	g.cond.L.Lock()
	g.ready[p.id] = p
	g.cond.L.Unlock()
	g.cond.Broadcast()
}

func (g *getter) getChunk() *part {
	g.cond.L.Lock()
	defer g.cond.L.Unlock()
	for {
		if p, ok := g.ready[g.next]; ok {
			delete(g.ready, g.next)
			g.next++
			return p
		}
		g.cond.Wait() // want `Wait on cond in getChunk ends only when new data comes into ready, but Close sets closed \(line \d+\) under the Cond's lock for good and this loop never tests it`
	}
}

func (g *getter) Close() error {
	g.cond.L.Lock()
	if g.closed {
		g.cond.L.Unlock()
		return errGetterClosed
	}
	g.closed = true
	g.cond.L.Unlock()
	return nil
}

type getterFixed struct {
	cond   *sync.Cond
	ready  map[int]*part
	next   int
	closed bool
}

func (g *getterFixed) store(p *part) {
	g.cond.L.Lock()
	g.ready[p.id] = p
	g.cond.L.Unlock()
	g.cond.Broadcast()
}

func (g *getterFixed) getChunk() (*part, error) {
	g.cond.L.Lock()
	defer g.cond.L.Unlock()
	for {
		if g.closed {
			return nil, errGetterClosed
		}
		if p, ok := g.ready[g.next]; ok {
			delete(g.ready, g.next)
			g.next++
			return p, nil
		}
		g.cond.Wait()
	}
}

func (g *getterFixed) Close() error {
	g.cond.L.Lock()
	if g.closed {
		g.cond.L.Unlock()
		return errGetterClosed
	}
	g.closed = true
	g.cond.L.Unlock()
	g.cond.Broadcast()
	return nil
}

// A variant written another way: a work queue whose Cond is a value with
// its own mutex, a pop that waits for the slice to fill, and a Shutdown
// that even Broadcasts, under a deferred Unlock: the woken poppers find
// the queue still empty and go back to sleep.
type taskQueue struct {
	mu    sync.Mutex
	cv    sync.Cond
	items []string
	shut  bool
}

func newTaskQueue() *taskQueue {
	q := &taskQueue{}
	q.cv.L = &q.mu
	return q
}

func (q *taskQueue) push(s string) {
	q.mu.Lock()
	q.items = append(q.items, s)
	q.mu.Unlock()
	q.cv.Signal()
}

func (q *taskQueue) pop() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cv.Wait() // want `Wait on cv in pop ends only when new data comes into items, but Shutdown sets shut`
	}
	s := q.items[0]
	q.items = q.items[1:]
	return s
}

func (q *taskQueue) Shutdown() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.shut = true
	q.cv.Broadcast()
}

// Look-alike: the flag is a pause that is switched back off, not a
// one-way state: the waiter is meant to sleep through it.
type pausable struct {
	mu     sync.Mutex
	cv     *sync.Cond
	items  []int
	paused bool
}

func (p *pausable) push(v int) {
	p.mu.Lock()
	p.items = append(p.items, v)
	p.mu.Unlock()
	p.cv.Broadcast()
}

func (p *pausable) pop() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.items) == 0 {
		p.cv.Wait()
	}
	v := p.items[0]
	p.items = p.items[1:]
	return v
}

func (p *pausable) Pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

func (p *pausable) Resume() {
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
}

// Look-alike: the flag is set without the Cond's lock, by a function of
// another lock's state: it is not part of what the Cond guards.
type meteredQueue struct {
	mu      sync.Mutex
	cv      *sync.Cond
	items   []int
	statsMu sync.Mutex
	dumped  bool
}

func (m *meteredQueue) push(v int) {
	m.mu.Lock()
	m.items = append(m.items, v)
	m.mu.Unlock()
	m.cv.Signal()
}

func (m *meteredQueue) pop() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.items) == 0 {
		m.cv.Wait()
	}
	v := m.items[0]
	m.items = m.items[1:]
	return v
}

func (m *meteredQueue) dumpStats() {
	m.statsMu.Lock()
	m.dumped = true
	m.statsMu.Unlock()
}

// A variant with an error as the one-way state: the pipe is closed with an
// error under the Cond's lock, and the reader waits only for bytes.
type errPipe struct {
	mu  sync.Mutex
	cv  *sync.Cond
	buf []byte
	err error
}

func newErrPipe() *errPipe {
	p := &errPipe{}
	p.cv = sync.NewCond(&p.mu)
	return p
}

func (p *errPipe) Write(b []byte) {
	p.mu.Lock()
	p.buf = append(p.buf, b...)
	p.mu.Unlock()
	p.cv.Broadcast()
}

func (p *errPipe) Read() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 {
		p.cv.Wait() // want `Wait on cv in Read ends only when new data comes into buf, but CloseWithError sets err`
	}
	b := p.buf
	p.buf = nil
	return b
}

func (p *errPipe) CloseWithError(err error) {
	if err == nil {
		err = errGetterClosed
	}
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	p.cv.Broadcast()
}

// Look-alike: the error is cleared again (a retryable state), and the
// reader is meant to wait through it.
type retryPipe struct {
	mu  sync.Mutex
	cv  *sync.Cond
	buf []byte
	err error
}

func (p *retryPipe) Write(b []byte) {
	p.mu.Lock()
	p.buf = append(p.buf, b...)
	p.err = nil
	p.mu.Unlock()
	p.cv.Broadcast()
}

func (p *retryPipe) Read() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 {
		p.cv.Wait()
	}
	b := p.buf
	p.buf = nil
	return b
}

func (p *retryPipe) fail(err error) {
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
}

// Package polled holds session 27's cases of a stop polled only between
// waits: a worker loop tests its stop channel without blocking and calls a
// function that waits on a Cond for data; the stop closes the channel and
// signals nothing.
package polled

import (
	"sync"
	"time"
)

type bucket struct {
	*sync.Cond
	tokens int
}

func newBucket(n int) *bucket {
	return &bucket{Cond: sync.NewCond(&sync.Mutex{}), tokens: n}
}

func (b *bucket) waitToken() {
	b.L.Lock()
	defer b.L.Unlock()
	for b.tokens == 0 {
		b.Wait() // want `Wait on Cond in waitToken ends only when new data comes, while run tests its stop channel stopCh only between calls of waitToken`
	}
}

func (b *bucket) put() {
	b.L.Lock()
	b.tokens++
	b.L.Unlock()
	b.Signal()
}

type worker struct {
	stopCh chan struct{}
	b      *bucket
	poll   func() bool
}

func (w *worker) stopped() bool {
	select {
	case <-w.stopCh:
		return true
	default:
		return false
	}
}

func (w *worker) run() {
	for !w.stopped() {
		w.b.waitToken()
		w.poll()
	}
}

func (w *worker) Start() { go w.run() }

func (w *worker) Stop() { close(w.stopCh) }

// Look-alike: the stop broadcasts the cond after setting a state the wait
// loop tests.
type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []int
	closed bool
}

func (q *queue) take() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return 0, false
	}
	x := q.items[0]
	q.items = q.items[1:]
	return x, true
}

func (q *queue) add(x int) {
	q.mu.Lock()
	q.items = append(q.items, x)
	q.mu.Unlock()
	q.cond.Signal()
}

type consumer struct {
	done chan struct{}
	q    *queue
}

func (c *consumer) loop() {
	for {
		select {
		case <-c.done:
			return
		default:
		}
		if _, ok := c.q.take(); !ok {
			return
		}
	}
}

func (c *consumer) Start() { go c.loop() }

func (c *consumer) Stop() {
	close(c.done)
	c.q.mu.Lock()
	c.q.closed = true
	c.q.mu.Unlock()
	c.q.cond.Broadcast()
}

// Look-alike: the stop wakes the data-only wait through a helper.
type pool struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int
}

func (p *pool) acquire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.free == 0 {
		p.cond.Wait()
	}
	p.free--
}

func (p *pool) release() {
	p.mu.Lock()
	p.free++
	p.mu.Unlock()
	p.cond.Broadcast()
}

type server struct {
	quit chan struct{}
	p    *pool
}

func (s *server) serve() {
	for {
		select {
		case <-s.quit:
			return
		default:
		}
		s.p.acquire()
		time.Sleep(time.Millisecond)
		s.p.release()
	}
}

func (s *server) Start() { go s.serve() }

func (s *server) Stop() {
	close(s.quit)
	s.p.release()
}

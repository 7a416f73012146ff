package dev

import "sync"

// Upstream: moby/swarmkit#3006
//
// A subscription, holding its own lock, published itself on a queue
// whose listener, for each subscription it received, asked it whether it
// covered a node (a read lock of that subscription). The listener, still
// blocked on the lock after the previous publish, never came back to take
// the next one, and the publisher kept the lock while it waited. The
// queue's Publish also gave up when the queue closed, which happens only
// at shutdown. Fix: the subscription publishes after its unlock.
type feedQueue struct {
	ch     chan *feedSub
	closed chan struct{}
	once   sync.Once
}

func (q *feedQueue) publish(s *feedSub) {
	select {
	case q.ch <- s:
	case <-q.closed:
	}
}

func newFeedQueue() *feedQueue {
	return &feedQueue{ch: make(chan *feedSub), closed: make(chan struct{})}
}

func (q *feedQueue) close() { q.once.Do(func() { close(q.closed) }) }

type feedSub struct {
	mu    sync.RWMutex
	q     *feedQueue
	nodes map[string]bool
}

func (s *feedSub) covers(n string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nodes[n]
}

func (s *feedSub) add(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.nodes[n] {
		s.nodes[n] = true
		s.q.publish(s) // want `this goroutine sends on unbuffered s.q.ch inside s.q.publish .*\(in a select whose other cases end only when the package closes their channel\) while holding s.mu .*, but listenFeed, which receives from it .*, first locks the mu of each value received from feedQueue.ch`
	}
}

func listenFeed(q *feedQueue, n string, out chan<- bool, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case s := <-q.ch:
			out <- s.covers(n)
		}
	}
}

// The fix: the subscription is published once its lock is released.
type feedQueueOK struct {
	ch     chan *feedSubOK
	closed chan struct{}
	once   sync.Once
}

func (q *feedQueueOK) publish(s *feedSubOK) {
	select {
	case q.ch <- s:
	case <-q.closed:
	}
}

func newFeedQueueOK() *feedQueueOK {
	return &feedQueueOK{ch: make(chan *feedSubOK), closed: make(chan struct{})}
}

func (q *feedQueueOK) close() { q.once.Do(func() { close(q.closed) }) }

type feedSubOK struct {
	mu    sync.RWMutex
	q     *feedQueueOK
	nodes map[string]bool
}

func (s *feedSubOK) covers(n string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nodes[n]
}

func (s *feedSubOK) add(n string) {
	s.mu.Lock()
	fresh := !s.nodes[n]
	s.nodes[n] = true
	s.mu.Unlock()
	if fresh {
		s.q.publish(s)
	}
}

func listenFeedOK(q *feedQueueOK, n string, out chan<- bool, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case s := <-q.ch:
			out <- s.covers(n)
		}
	}
}

// A variant: a plain send of the locked sjob to a worker loop that locks
// each sjob it receives directly.
type sjob struct {
	mu    sync.Mutex
	state int
}

type srunner struct {
	jobs chan *sjob
}

func (r *srunner) submit(j *sjob) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.state = 1
	r.jobs <- j // want `this goroutine sends on unbuffered r.jobs while holding j.mu .*, but work, which receives from it .*, first locks the mu of each value received from srunner.jobs`
}

func (r *srunner) work() {
	for j := range r.jobs {
		j.mu.Lock()
		j.state = 2
		j.mu.Unlock()
	}
}

func newSrunner() *srunner {
	r := &srunner{jobs: make(chan *sjob)}
	go r.work()
	return r
}

// Look-alike: the locked object is not the one sent; the worker locks
// what it receives, which nothing here holds.
type stask struct {
	mu sync.Mutex
	n  int
}

type sdispatcher struct {
	mu    sync.Mutex
	tasks chan *stask
	sent  int
}

func (d *sdispatcher) dispatch(t *stask) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sent++
	d.tasks <- t
}

func (d *sdispatcher) loop() {
	for t := range d.tasks {
		t.mu.Lock()
		t.n++
		t.mu.Unlock()
	}
}

func newSdispatcher() *sdispatcher {
	d := &sdispatcher{tasks: make(chan *stask)}
	go d.loop()
	return d
}

// Look-alike: a select whose other case is a real alternative (a queue
// another goroutine fills with no lock) is not a wait for this case alone.
type stwoQueues struct {
	a, b chan *sitem
}

type sitem struct {
	mu sync.Mutex
	v  int
}

func (q *stwoQueues) put(it *sitem) {
	it.mu.Lock()
	defer it.mu.Unlock()
	select {
	case q.a <- it:
	case <-q.b:
	}
}

func (q *stwoQueues) drain() {
	for it := range q.a {
		it.mu.Lock()
		it.v++
		it.mu.Unlock()
	}
}

func (q *stwoQueues) feed() {
	for {
		q.b <- nil
	}
}

func newStwoQueues() *stwoQueues {
	q := &stwoQueues{a: make(chan *sitem), b: make(chan *sitem)}
	go q.drain()
	go q.feed()
	return q
}

// Look-alike: a select's send that only a shutdown ends, made holding the
// sender's own lock (not the sent value's), which the receiver takes:
// the close ends it without that lock, as for any select.
type srelay struct {
	mu   sync.Mutex
	out  chan *sitem
	quit chan struct{}
	n    int
}

func newSrelay() *srelay {
	r := &srelay{out: make(chan *sitem), quit: make(chan struct{})}
	go r.consume()
	return r
}

func (r *srelay) push(it *sitem) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case r.out <- it:
	case <-r.quit:
	}
}

func (r *srelay) consume() {
	for range r.out {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
	}
}

func (r *srelay) stop() { close(r.quit) }

// Package stucklate holds the field harness's lifecycle runs
// (stucklate.go): a call that releases an object's waiters (a one-shot
// Set, a Close) runs once everything else is blocked, and a waiter still
// blocked after it returned is reported. Look-alikes: the fixed shapes
// (close instead of one value), a queue whose Put runs again, a Put on a
// condition the model does not know, a loop that goes back to wait for
// the next request.
package stucklate

import "sync"

// Future is a result set once and read by any number of goroutines. Set
// sends the value on a one-slot channel, guarded by a flag so that only
// the first Set counts; the first Get takes it and every other Get
// waits for ever.
type Future struct {
	mu  sync.Mutex
	set bool
	ch  chan int
}

// NewFuture returns an unset future.
func NewFuture() *Future {
	return &Future{ch: make(chan int, 1)}
}

// Get waits for the value.
func (f *Future) Get() int {
	return <-f.ch // want `this receive can block forever: it can already be waiting when Set is called`
}

// Set sets the value; later calls do nothing.
func (f *Future) Set(v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.set {
		f.set = true
		f.ch <- v
	}
}

// Gate lets its waiters through when it is closed; Close sends one token
// where every waiter needs one.
type Gate struct {
	open chan struct{}
}

// NewGate returns a closed gate.
func NewGate() *Gate {
	return &Gate{open: make(chan struct{})}
}

// Wait blocks until the gate is opened.
func (g *Gate) Wait() {
	<-g.open // want `this receive can block forever: it can already be waiting when Close is called`
}

// Close opens the gate.
func (g *Gate) Close() {
	g.open <- struct{}{}
}

// Look-alike, the fixed Future: Set closes the channel after storing the
// value, and every Get returns.
type FixedFuture struct {
	mu  sync.Mutex
	set bool
	v   int
	ch  chan struct{}
}

// NewFixedFuture returns an unset future.
func NewFixedFuture() *FixedFuture {
	return &FixedFuture{ch: make(chan struct{})}
}

// Get waits for the value.
func (f *FixedFuture) Get() int {
	<-f.ch
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.v
}

// Set sets the value; later calls do nothing.
func (f *FixedFuture) Set(v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.set {
		f.set = true
		f.v = v
		close(f.ch)
	}
}

// Look-alike, the fixed Gate: Close closes the channel.
type FixedGate struct {
	open chan struct{}
	once sync.Once
}

// NewFixedGate returns a closed gate.
func NewFixedGate() *FixedGate {
	return &FixedGate{open: make(chan struct{})}
}

// Wait blocks until the gate is opened.
func (g *FixedGate) Wait() {
	<-g.open
}

// Close opens the gate.
func (g *FixedGate) Close() {
	g.once.Do(func() { close(g.open) })
}

// Look-alike: a queue. Put is no lifecycle call and may run again, one
// value for each Get: two Puts serve two Gets.
type Queue struct {
	items chan string
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	return &Queue{items: make(chan string, 8)}
}

// Get takes the next item, waiting for one.
func (q *Queue) Get() string {
	return <-q.items
}

// Put adds an item.
func (q *Queue) Put(s string) {
	q.items <- s
}

// Look-alike: Offer puts an item only when it is not empty, a value the
// model does not know: a second Offer that puts nothing is no proof that
// the object is done putting.
type Mailbox struct {
	mail chan string
}

// NewMailbox returns an empty mailbox.
func NewMailbox() *Mailbox {
	return &Mailbox{mail: make(chan string, 1)}
}

// Receive waits for a letter.
func (m *Mailbox) Receive() string {
	return <-m.mail
}

// Offer posts s unless it is empty.
func (m *Mailbox) Offer(s string) {
	if s != "" {
		m.mail <- s
	}
}

// Look-alike: the worker its constructor starts runs one job per Submit
// and goes back to wait for the next: after two Submits it waits again,
// but it was served in between; that is its life, not a waiter left
// behind.
type Worker struct {
	jobs chan func()
}

// NewWorker starts a worker.
func NewWorker() *Worker {
	w := &Worker{jobs: make(chan func())}
	go w.run()
	return w
}

func (w *Worker) run() {
	for {
		j := <-w.jobs
		j()
	}
}

// Submit hands j to the worker.
func (w *Worker) Submit(j func()) {
	w.jobs <- j
}

// Look-alike: Start runs the service once; two Starts at once are
// misuse, and the one Close releases the one that started it. A failed
// Start reports its end on done, which Close takes.
type Service struct {
	done chan error
}

// NewService returns a service that is not started.
func NewService() *Service {
	return &Service{done: make(chan error)}
}

// Start runs the service until it fails.
func (s *Service) Start(run func() error) {
	s.done <- run()
}

// Close waits for Start to end.
func (s *Service) Close() error {
	return <-s.done
}

// Package stuckfield holds channels kept in struct fields: made and stored
// by a constructor or a Start method that starts the object's goroutine,
// and used by the type's exported methods. Each leak sits beside a fixed
// twin, and lifecycle look-alikes (a server waiting for requests, a method
// called before Start or after Stop) stay silent.
package stuckfield

import (
	"errors"
	"time"
)

type conn interface{ Read() (string, error) }

// reader fetches one line into in, and just returns when the read fails:
// a Recv then waits forever (a pattern rule's report).
type reader struct {
	c  conn
	in chan string
}

func newReader(c conn) *reader {
	r := &reader{c: c, in: make(chan string)}
	go r.pump()
	return r
}

func (r *reader) pump() {
	line, err := r.c.Read()
	if err != nil {
		return
	}
	r.in <- line
}

// Recv returns the next line.
func (r *reader) Recv() string {
	return <-r.in // want `blocks forever`
}

// fixedReader closes in when the read fails: Recv sees the end.
type fixedReader struct {
	c  conn
	in chan string
}

func newFixedReader(c conn) *fixedReader {
	r := &fixedReader{c: c, in: make(chan string)}
	go r.pump()
	return r
}

func (r *fixedReader) pump() {
	defer close(r.in)
	line, err := r.c.Read()
	if err != nil {
		return
	}
	r.in <- line
}

// Recv returns the next line, or false at the end.
func (r *fixedReader) Recv() (string, bool) {
	s, ok := <-r.in
	return s, ok
}

type request struct{ n int }

func handle(request) error { return nil }

func setup() error { return nil }

// worker serves requests in a goroutine its Start method starts (a
// function literal), which gives up when it cannot set up: a Send then
// blocks.
type worker struct {
	reqs chan request
}

func (w *worker) Start() {
	w.reqs = make(chan request)
	go func() {
		if err := setup(); err != nil {
			return
		}
		for r := range w.reqs {
			_ = handle(r)
		}
	}()
}

// Send hands r to the worker.
func (w *worker) Send(r request) {
	w.reqs <- r // want `this send can block forever: the goroutine running Start's function literal returns`
}

// fixedWorker closes dead when it gives up, and Send watches it.
type fixedWorker struct {
	reqs chan request
	dead chan struct{}
}

func (w *fixedWorker) Start() {
	w.reqs = make(chan request)
	w.dead = make(chan struct{})
	go func() {
		defer close(w.dead)
		if err := setup(); err != nil {
			return
		}
		for r := range w.reqs {
			_ = handle(r)
		}
	}()
}

// Send hands r to the worker unless it has given up.
func (w *fixedWorker) Send(r request) error {
	select {
	case w.reqs <- r:
		return nil
	case <-w.dead:
		return errors.New("worker gone")
	}
}

// job closes done only when its work succeeds: Wait hangs on a failure
// (a pattern rule's report).
type job struct {
	done chan struct{}
	err  error
}

func run() error { return nil }

func startJob() *job {
	j := &job{done: make(chan struct{})}
	go j.work()
	return j
}

func (j *job) work() {
	if err := run(); err != nil {
		j.err = err
		return
	}
	close(j.done)
}

// Wait waits for the job.
func (j *job) Wait() error {
	<-j.done // want `blocks forever`
	return j.err
}

// fixedJob closes done on every path.
type fixedJob struct {
	done chan struct{}
	err  error
}

func startFixedJob() *fixedJob {
	j := &fixedJob{done: make(chan struct{})}
	go j.work()
	return j
}

func (j *fixedJob) work() {
	defer close(j.done)
	if err := run(); err != nil {
		j.err = err
	}
}

// Wait waits for the job.
func (j *fixedJob) Wait() error {
	<-j.done
	return j.err
}

// server waits for requests for as long as it lives: its loop blocked at
// the receive when no client sends is its normal state.
type server struct {
	reqs chan request
}

func newServer() *server {
	s := &server{reqs: make(chan request)}
	go s.loop()
	return s
}

func (s *server) loop() {
	for r := range s.reqs {
		_ = handle(r)
	}
}

// Do sends a request.
func (s *server) Do(r request) {
	s.reqs <- r
}

// lazy makes its channel in the constructor and starts its loop in Start:
// a Send before Start is the client's misuse.
type lazy struct {
	reqs chan request
}

func newLazy() *lazy {
	return &lazy{reqs: make(chan request)}
}

// Start starts the loop.
func (l *lazy) Start() {
	go func() {
		for r := range l.reqs {
			_ = handle(r)
		}
	}()
}

// Send sends a request.
func (l *lazy) Send(r request) {
	l.reqs <- r
}

// stoppable leaves its loop when Stop closes quit: a Send after Stop is
// the client's misuse.
type stoppable struct {
	reqs chan request
	quit chan struct{}
}

func newStoppable() *stoppable {
	s := &stoppable{reqs: make(chan request), quit: make(chan struct{})}
	go s.loop()
	return s
}

func (s *stoppable) loop() {
	for {
		select {
		case r := <-s.reqs:
			_ = handle(r)
		case <-s.quit:
			return
		}
	}
}

// Send sends a request.
func (s *stoppable) Send(r request) {
	s.reqs <- r
}

// Stop ends the loop.
func (s *stoppable) Stop() {
	close(s.quit)
}

// feeder's goroutine, a method its constructor starts, gives up when it
// cannot set up; Push sends through a helper and blocks then.
type feeder struct {
	items chan int
}

func newFeeder() *feeder {
	f := &feeder{items: make(chan int)}
	go f.consume()
	return f
}

func (f *feeder) consume() {
	if err := setup(); err != nil {
		return
	}
	for it := range f.items {
		_ = it
	}
}

func (f *feeder) put(it int) {
	f.items <- it // want `this send can block forever: consume returns`
}

// Push queues one item.
func (f *feeder) Push(it int) {
	f.put(it)
}

// fixedFeeder drains its channel even when set-up fails.
type fixedFeeder struct {
	items chan int
}

func newFixedFeeder() *fixedFeeder {
	f := &fixedFeeder{items: make(chan int)}
	go f.consume()
	return f
}

func (f *fixedFeeder) consume() {
	err := setup()
	for it := range f.items {
		if err == nil {
			_ = it
		}
	}
}

func (f *fixedFeeder) put(it int) {
	f.items <- it
}

// Push queues one item.
func (f *fixedFeeder) Push(it int) {
	f.put(it)
}

// batcher has one slot; PushAll sends two items, the second of which
// waits for a consumer that may have given up.
type batcher struct {
	items chan int
}

func newBatcher() *batcher {
	b := &batcher{items: make(chan int, 1)}
	go func() {
		if err := setup(); err != nil {
			return
		}
		for it := range b.items {
			_ = it
		}
	}()
	return b
}

// PushAll queues two items.
func (b *batcher) PushAll() {
	b.items <- 1
	b.items <- 2 // want `this send can block forever: the goroutine running newBatcher's function literal returns`
}

// fixedBatcher has room for both items.
type fixedBatcher struct {
	items chan int
}

func newFixedBatcher() *fixedBatcher {
	b := &fixedBatcher{items: make(chan int, 2)}
	go func() {
		if err := setup(); err != nil {
			return
		}
		for it := range b.items {
			_ = it
		}
	}()
	return b
}

// PushAll queues two items.
func (b *fixedBatcher) PushAll() {
	b.items <- 1
	b.items <- 2
}

// restarter's Restart stops the running loop and starts the next: its
// send needs the loop Start started, outside a harness of Restart alone.
type restarter struct {
	stop chan struct{}
}

func newRestarter() *restarter {
	return &restarter{stop: make(chan struct{})}
}

func (r *restarter) loop() {
	<-r.stop
}

// Start starts the loop.
func (r *restarter) Start() { go r.loop() }

// Restart stops the loop and starts another.
func (r *restarter) Restart() {
	r.stop <- struct{}{}
	go r.loop()
}

// limiter is a semaphore its clients fill and drain themselves: a path
// of the client that takes its own slot back twice is not the owner's.
type limiter struct {
	slots chan struct{}
}

func newLimiter() *limiter { return &limiter{slots: make(chan struct{}, 1)} }

// Do runs f in a slot, giving it back early when quick.
func (l *limiter) Do(quick bool, f func()) {
	held := true
	defer func() {
		if held {
			<-l.slots
		}
	}()
	l.slots <- struct{}{}
	if quick {
		<-l.slots
		held = false
	}
	f()
}

// retrier's loop feeds itself the next interval after its timer fires;
// the timer fires again only once the loop has taken it and reset.
type retrier struct {
	timer *time.Timer
	reset chan time.Duration
	quit  chan struct{}
}

func newRetrier() *retrier {
	r := &retrier{timer: time.NewTimer(time.Second), reset: make(chan time.Duration, 1), quit: make(chan struct{})}
	go r.loop()
	return r
}

func (r *retrier) loop() {
	for {
		select {
		case <-r.quit:
			return
		case d := <-r.reset:
			r.timer.Reset(d)
		case <-r.timer.C:
			r.reset <- time.Second
		}
	}
}

// Stop ends the loop.
func (r *retrier) Stop() { close(r.quit) }

// session's constructor fails before it starts the goroutine that closes
// done: it hands no object out then, so no client waits on done.
type session struct {
	done chan struct{}
}

func newSession() (*session, error) {
	s := &session{done: make(chan struct{})}
	if err := setup(); err != nil {
		return nil, err
	}
	go func() {
		defer close(s.done)
		_ = run()
	}()
	return s, nil
}

// Wait waits for the session to end.
func (s *session) Wait() {
	<-s.done
}

// pinger starts its keepalive goroutine only when enabled, and Close
// waits for it only then: both test the same field.
type pinger struct {
	enabled bool
	done    chan struct{}
	quit    chan struct{}
}

func newPinger(enabled bool) *pinger {
	p := &pinger{enabled: enabled, done: make(chan struct{}), quit: make(chan struct{})}
	if p.enabled {
		go p.keepalive()
	}
	return p
}

func (p *pinger) keepalive() {
	defer close(p.done)
	<-p.quit
}

// Close stops the keepalive and waits for it.
func (p *pinger) Close() {
	close(p.quit)
	if p.enabled {
		<-p.done
	}
}

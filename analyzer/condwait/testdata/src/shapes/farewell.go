package shapes

import (
	"errors"
	"log"
	"sync"
	"time"
)

// Farewell wakes made on some exits only: a goroutine that, on one way out
// of its loop, resets what the waiters wait on and wakes them for the last
// time, and on another way out leaves without a wake.

// (1) A select loop in a method goroutine; the error exit breaks out with
// no wake.

type fwUploader struct {
	mu       sync.Mutex
	slots    *sync.Cond
	inFlight int
	limit    int
	quit     chan struct{}
	acks     chan error
}

func newFwUploader(limit int) *fwUploader {
	u := &fwUploader{limit: limit, quit: make(chan struct{}), acks: make(chan error)}
	u.slots = sync.NewCond(&u.mu)
	go u.ackLoop()
	return u
}

func (u *fwUploader) ackLoop() {
loop:
	for {
		select {
		case err := <-u.acks:
			if err != nil {
				break loop
			}
			u.mu.Lock()
			u.inFlight--
			u.slots.Broadcast()
			u.mu.Unlock()
		case <-u.quit:
			u.mu.Lock()
			u.inFlight = 0
			u.slots.Broadcast()
			u.mu.Unlock()
			break loop
		}
	}
}

func (u *fwUploader) acquire() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for u.inFlight >= u.limit {
		u.slots.Wait() // want `Wait on slots in acquire can sleep for good: the goroutine ackLoop wakes slots as it leaves its loop at line \d+, but leaves it after line \d+ with no wake`
	}
	u.inFlight++
}

// (1, fixed) The wake moved after the loop: every way out wakes.

type fwUploaderFixed struct {
	mu       sync.Mutex
	slots    *sync.Cond
	inFlight int
	limit    int
	quit     chan struct{}
	acks     chan error
}

func newFwUploaderFixed(limit int) *fwUploaderFixed {
	u := &fwUploaderFixed{limit: limit, quit: make(chan struct{}), acks: make(chan error)}
	u.slots = sync.NewCond(&u.mu)
	go u.ackLoop()
	return u
}

func (u *fwUploaderFixed) ackLoop() {
loop:
	for {
		select {
		case err := <-u.acks:
			if err != nil {
				break loop
			}
			u.mu.Lock()
			u.inFlight--
			u.slots.Broadcast()
			u.mu.Unlock()
		case <-u.quit:
			break loop
		}
	}
	u.mu.Lock()
	u.inFlight = 0
	u.slots.Broadcast()
	u.mu.Unlock()
}

func (u *fwUploaderFixed) acquire() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for u.inFlight >= u.limit {
		u.slots.Wait()
	}
	u.inFlight++
}

// (2) A plain loop in a function literal started by go; the farewell is a
// closed flag set under the lock, the silent exit a return on a read
// error.

type fwSource interface {
	Next() (string, error)
}

var errFwStop = errors.New("stop")

type fwFeed struct {
	mu     sync.Mutex
	cond   *sync.Cond
	lines  []string
	closed bool
}

func startFwFeed(src fwSource) *fwFeed {
	f := &fwFeed{}
	f.cond = sync.NewCond(&f.mu)
	go func() {
		for {
			line, err := src.Next()
			if err == errFwStop {
				f.mu.Lock()
				f.closed = true
				f.cond.Broadcast()
				f.mu.Unlock()
				return
			}
			if err != nil {
				return
			}
			f.mu.Lock()
			f.lines = append(f.lines, line)
			f.cond.Broadcast()
			f.mu.Unlock()
		}
	}()
	return f
}

func (f *fwFeed) next() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.lines) == 0 && !f.closed {
		f.cond.Wait() // want `Wait on cond in next can sleep for good: the goroutine a function literal in startFwFeed wakes cond`
	}
	if len(f.lines) == 0 {
		return "", false
	}
	l := f.lines[0]
	f.lines = f.lines[1:]
	return l, true
}

// (2, fixed) The literal closes the feed in a deferred call, on every way
// out.

type fwFeedFixed struct {
	mu     sync.Mutex
	cond   *sync.Cond
	lines  []string
	closed bool
}

func startFwFeedFixed(src fwSource) *fwFeedFixed {
	f := &fwFeedFixed{}
	f.cond = sync.NewCond(&f.mu)
	go func() {
		defer func() {
			f.mu.Lock()
			f.closed = true
			f.cond.Broadcast()
			f.mu.Unlock()
		}()
		for {
			line, err := src.Next()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.lines = append(f.lines, line)
			f.cond.Broadcast()
			f.mu.Unlock()
		}
	}()
	return f
}

func (f *fwFeedFixed) next() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.lines) == 0 && !f.closed {
		f.cond.Wait()
	}
	if len(f.lines) == 0 {
		return "", false
	}
	l := f.lines[0]
	f.lines = f.lines[1:]
	return l, true
}

// (3) A package-level Cond woken through a helper; the loop is left by a
// return in a switch on one exit and by the loop's own test on another.

var (
	fwMu      sync.Mutex
	fwReady   = sync.NewCond(&fwMu)
	fwVersion int
	fwDone    bool
)

func fwWakeAll(done bool) {
	fwMu.Lock()
	fwDone = done
	fwVersion++
	fwMu.Unlock()
	fwReady.Broadcast()
}

func fwWatch(events <-chan int, budget int) {
	for n := 0; n < budget; n++ {
		switch <-events {
		case 0:
			fwWakeAll(true)
			return
		default:
			fwWakeAll(false)
		}
	}
}

func fwStartWatch(events <-chan int) { go fwWatch(events, 10) }

func fwAwait(seen int) {
	fwMu.Lock()
	for fwVersion == seen && !fwDone {
		fwReady.Wait() // want `Wait on fwReady in fwAwait can sleep for good: the goroutine fwWatch wakes fwReady`
	}
	fwMu.Unlock()
}

// (3, fixed) Both ways out call the helper.

var (
	fwMu2      sync.Mutex
	fwReady2   = sync.NewCond(&fwMu2)
	fwVersion2 int
	fwDone2    bool
)

func fwWakeAll2(done bool) {
	fwMu2.Lock()
	fwDone2 = done
	fwVersion2++
	fwMu2.Unlock()
	fwReady2.Broadcast()
}

func fwWatch2(events <-chan int, budget int) {
	for n := 0; n < budget; n++ {
		switch <-events {
		case 0:
			fwWakeAll2(true)
			return
		default:
			fwWakeAll2(false)
		}
	}
	fwWakeAll2(true)
}

func fwStartWatch2(events <-chan int) { go fwWatch2(events, 10) }

func fwAwait2(seen int) {
	fwMu2.Lock()
	for fwVersion2 == seen && !fwDone2 {
		fwReady2.Wait()
	}
	fwMu2.Unlock()
}

// Look-alikes left alone.

// A reconnecting goroutine: the inner loop's silent exit goes back to the
// outer loop, which wakes again.
type fwRedial struct {
	mu    sync.Mutex
	cond  *sync.Cond
	up    bool
	stop  chan struct{}
	drops chan error
}

func newFwRedial() *fwRedial {
	r := &fwRedial{stop: make(chan struct{}), drops: make(chan error)}
	r.cond = sync.NewCond(&r.mu)
	go r.loop()
	return r
}

func (r *fwRedial) loop() {
	for {
		r.mu.Lock()
		r.up = true
		r.cond.Broadcast()
		r.mu.Unlock()
	inner:
		for {
			select {
			case <-r.drops:
				break inner
			case <-r.stop:
				r.mu.Lock()
				r.up = true
				r.cond.Broadcast()
				r.mu.Unlock()
				return
			}
		}
	}
}

func (r *fwRedial) waitUp() {
	r.mu.Lock()
	for !r.up {
		r.cond.Wait()
	}
	r.mu.Unlock()
}

// A loop called, not started by go: its caller wakes after it returns.
type fwSync struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
}

func newFwSync() *fwSync {
	s := &fwSync{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *fwSync) drain(in <-chan int) {
	for {
		v, ok := <-in
		if !ok {
			return
		}
		if v < 0 {
			s.mu.Lock()
			s.n = 0
			s.cond.Broadcast()
			s.mu.Unlock()
			return
		}
	}
}

func (s *fwSync) Run(in <-chan int) {
	s.drain(in)
	s.mu.Lock()
	s.n = 0
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *fwSync) await() {
	s.mu.Lock()
	for s.n > 0 {
		s.cond.Wait()
	}
	s.mu.Unlock()
}

// A worker goroutine that waits on the Cond itself and wakes it per item:
// no farewell, whatever its exits.
type fwWorkers struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []int
	closed bool
}

func newFwWorkers(in <-chan int) *fwWorkers {
	w := &fwWorkers{}
	w.cond = sync.NewCond(&w.mu)
	go w.feed(in)
	return w
}

func (w *fwWorkers) feed(in <-chan int) {
	for v := range in {
		w.mu.Lock()
		w.items = append(w.items, v)
		w.cond.Broadcast()
		w.mu.Unlock()
	}
}

func (w *fwWorkers) Close() {
	w.mu.Lock()
	w.closed = true
	w.cond.Broadcast()
	w.mu.Unlock()
}

func (w *fwWorkers) take() (int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.items) == 0 && !w.closed {
		w.cond.Wait()
	}
	if len(w.items) == 0 {
		return 0, false
	}
	v := w.items[0]
	w.items = w.items[1:]
	return v, true
}

// Error paths: a goroutine that wakes the Cond when it succeeds and
// returns on an error with no wake.

// (4) A method goroutine; the error returns early.

type fwLoader struct {
	mu    sync.Mutex
	cond  *sync.Cond
	data  []byte
	fetch func() ([]byte, error)
}

func newFwLoader(fetch func() ([]byte, error)) *fwLoader {
	l := &fwLoader{fetch: fetch}
	l.cond = sync.NewCond(&l.mu)
	go l.load()
	return l
}

func (l *fwLoader) load() {
	data, err := l.fetch()
	if err != nil {
		return
	}
	l.mu.Lock()
	l.data = data
	l.cond.Broadcast()
	l.mu.Unlock()
}

func (l *fwLoader) get() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.data == nil {
		l.cond.Wait() // want `Wait on cond in get can sleep for good: the goroutine load wakes cond when it succeeds \(line \d+\), but returns on the error tested at line \d+ with no wake`
	}
	return l.data
}

// (4, fixed) The error is kept and wakes the waiter too.

type fwLoaderFixed struct {
	mu    sync.Mutex
	cond  *sync.Cond
	data  []byte
	err   error
	fetch func() ([]byte, error)
}

func newFwLoaderFixed(fetch func() ([]byte, error)) *fwLoaderFixed {
	l := &fwLoaderFixed{fetch: fetch}
	l.cond = sync.NewCond(&l.mu)
	go l.load()
	return l
}

func (l *fwLoaderFixed) load() {
	data, err := l.fetch()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.err = err
		l.cond.Broadcast()
		return
	}
	l.data = data
	l.cond.Broadcast()
}

func (l *fwLoaderFixed) get() ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.data == nil && l.err == nil {
		l.cond.Wait()
	}
	return l.data, l.err
}

// (5) A function literal whose success branch signals (err == nil), and
// the failure falls through to the end.

type fwHandshaker interface {
	Handshake() error
}

type fwConn struct {
	mu    sync.Mutex
	cond  *sync.Cond
	ready bool
}

func dialFw(h fwHandshaker) *fwConn {
	c := &fwConn{}
	c.cond = sync.NewCond(&c.mu)
	go func() {
		if err := h.Handshake(); err == nil {
			c.mu.Lock()
			c.ready = true
			c.mu.Unlock()
			c.cond.Signal()
		}
	}()
	return c
}

func (c *fwConn) awaitReady() {
	c.mu.Lock()
	for !c.ready {
		c.cond.Wait() // want `Wait on cond in awaitReady can sleep for good: the goroutine a function literal in dialFw wakes cond when it succeeds`
	}
	c.mu.Unlock()
}

// (5, fixed) The literal signals in a defer, whatever the outcome, and
// records it.

type fwConnFixed struct {
	mu     sync.Mutex
	cond   *sync.Cond
	ready  bool
	failed bool
}

func dialFwFixed(h fwHandshaker) *fwConnFixed {
	c := &fwConnFixed{}
	c.cond = sync.NewCond(&c.mu)
	go func() {
		err := h.Handshake()
		defer c.cond.Signal()
		c.mu.Lock()
		defer c.mu.Unlock()
		if err == nil {
			c.ready = true
		} else {
			c.failed = true
		}
	}()
	return c
}

func (c *fwConnFixed) awaitReady() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.ready && !c.failed {
		c.cond.Wait()
	}
	return c.ready
}

// (6) A named function started by go, the wake in a helper only it calls.

type fwResolver struct {
	mu   sync.Mutex
	cond *sync.Cond
	addr string
}

func (r *fwResolver) setAddr(a string) {
	r.mu.Lock()
	r.addr = a
	r.mu.Unlock()
	r.cond.Broadcast()
}

func fwResolve(r *fwResolver, lookup func() (string, error)) {
	a, err := lookup()
	if err != nil {
		log.Print(err)
		return
	}
	r.setAddr(a)
}

func startFwResolve(lookup func() (string, error)) *fwResolver {
	r := &fwResolver{}
	r.cond = sync.NewCond(&r.mu)
	go fwResolve(r, lookup)
	return r
}

func (r *fwResolver) await() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.addr == "" {
		r.cond.Wait() // want `Wait on cond in await can sleep for good: the goroutine fwResolve wakes cond when it succeeds`
	}
	return r.addr
}

// (6, look-alike) A Close wakes the waiter too: the goroutine is not the
// only waker, and an error leaves the waiter to Close.

type fwResolver2 struct {
	mu     sync.Mutex
	cond   *sync.Cond
	addr   string
	closed bool
}

func (r *fwResolver2) setAddr(a string) {
	r.mu.Lock()
	r.addr = a
	r.mu.Unlock()
	r.cond.Broadcast()
}

func (r *fwResolver2) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cond.Broadcast()
}

func fwResolve2(r *fwResolver2, lookup func() (string, error)) {
	a, err := lookup()
	if err != nil {
		return
	}
	r.setAddr(a)
}

func startFwResolve2(lookup func() (string, error)) *fwResolver2 {
	r := &fwResolver2{}
	r.cond = sync.NewCond(&r.mu)
	go fwResolve2(r, lookup)
	return r
}

func (r *fwResolver2) await() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.addr == "" && !r.closed {
		r.cond.Wait()
	}
	return r.addr
}

// (look-alike) The error is retried in a loop: every way out wakes.

type fwRetry struct {
	mu   sync.Mutex
	cond *sync.Cond
	addr string
}

func startFwRetry(lookup func() (string, error)) *fwRetry {
	r := &fwRetry{}
	r.cond = sync.NewCond(&r.mu)
	go func() {
		for {
			a, err := lookup()
			if err != nil {
				time.Sleep(time.Millisecond)
				continue
			}
			r.mu.Lock()
			r.addr = a
			r.cond.Broadcast()
			r.mu.Unlock()
			return
		}
	}()
	return r
}

func (r *fwRetry) await() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.addr == "" {
		r.cond.Wait()
	}
	return r.addr
}

// Package chanalias holds sends made under a lock on a channel field
// whose channel another type's field also keeps, received by a loop that
// takes the lock: beside look-alikes that must stay silent.
package chanalias

import (
	"sync"
	"time"
)

// A: cometbft/cometbft#5931. The reactor makes errorsCh, keeps it and
// hands it to the pool; the pool reports a bad peer under its lock; the
// reactor's loop, which alone receives, asks the pool for blocks in
// another case, taking the lock.

type peerError struct{ peer string }

type pool struct {
	mtx      sync.Mutex
	height   int64
	errorsCh chan<- peerError
}

func newPool(errorsCh chan<- peerError) *pool { return &pool{errorsCh: errorsCh} }

func (p *pool) sendError(peer string) { p.errorsCh <- peerError{peer} }

func (p *pool) AddBlock(peer string, h int64) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if h > p.height+100 {
		p.sendError(peer) // want `this goroutine sends on unbuffered p.errorsCh inside p.sendError \(line \d+\) while holding p.mtx \(locked at line \d+\), but a function literal in Start, which receives from it \(line \d+\), first locks r.pool.mtx`
	}
}

func (p *pool) Peek() int64 {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.height
}

type reactor struct {
	pool     *pool
	errorsCh <-chan peerError
	quit     chan struct{}
	bad      []string
}

func newReactor() *reactor {
	ch := make(chan peerError)
	return &reactor{pool: newPool(ch), errorsCh: ch, quit: make(chan struct{})}
}

func (r *reactor) routine() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-r.quit:
			return
		case <-t.C:
			_ = r.pool.Peek()
		case e := <-r.errorsCh:
			r.bad = append(r.bad, e.peer)
		}
	}
}

func Start() *reactor {
	r := newReactor()
	go func() { r.routine() }()
	return r
}

// B: the same with the loop an exported method of another type, and the
// channel handed over through a field store in the constructor.

type notifier struct {
	mu     sync.Mutex
	events chan string
	n      int
}

func (n *notifier) Notify(e string) {
	n.mu.Lock()
	n.n++
	n.events <- e // want `this goroutine sends on unbuffered n.events while holding n.mu \(locked at line \d+\), but Run, which receives from it \(line \d+\), first locks`
	n.mu.Unlock()
}

func (n *notifier) Count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.n
}

type watcher struct {
	n   *notifier
	in  chan string
	got []string
}

func NewPair() (*notifier, *watcher) {
	ch := make(chan string)
	n := &notifier{events: ch}
	return n, &watcher{n: n, in: ch}
}

func (w *watcher) Run(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case e := <-w.in:
			w.got = append(w.got, e)
			_ = w.n.Count()
		}
	}
}

// Look-alike (the fix of A): the error is sent after the unlock.
type poolFixed struct {
	mtx      sync.Mutex
	height   int64
	errorsCh chan<- peerError
}

func newPoolFixed(errorsCh chan<- peerError) *poolFixed { return &poolFixed{errorsCh: errorsCh} }

func (p *poolFixed) AddBlock(peer string, h int64) {
	p.mtx.Lock()
	bad := h > p.height+100
	p.mtx.Unlock()
	if bad {
		p.errorsCh <- peerError{peer}
	}
}

func (p *poolFixed) Peek() int64 {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.height
}

type reactorFixed struct {
	pool     *poolFixed
	errorsCh <-chan peerError
	bad      []string
}

func StartFixed(quit <-chan struct{}) {
	ch := make(chan peerError)
	r := &reactorFixed{pool: newPoolFixed(ch), errorsCh: ch}
	go func() {
		for {
			select {
			case <-quit:
				return
			case <-time.After(time.Second):
				_ = r.pool.Peek()
			case e := <-r.errorsCh:
				r.bad = append(r.bad, e.peer)
			}
		}
	}()
}

// Look-alike: the receiving loop takes no lock of the sender's.
type sink struct {
	mu  sync.Mutex
	out chan<- int
}

func (s *sink) Put(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out <- v
}

type drain struct {
	in  <-chan int
	sum int
}

func NewSink() (*sink, *drain) {
	ch := make(chan int)
	return &sink{out: ch}, &drain{in: ch}
}

func (d *drain) Run() {
	for v := range d.in {
		d.sum += v
	}
}

// Look-alike: the two fields keep different channels (two makes).
type left struct {
	mu sync.Mutex
	ch chan int
	n  int
}

func (l *left) Send(v int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ch <- v
}

func (l *left) N() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

type right struct {
	l  *left
	ch chan int
}

func NewLR() (*left, *right) {
	l := &left{ch: make(chan int, 1)}
	return l, &right{l: l, ch: make(chan int)}
}

func (r *right) Run() {
	for {
		select {
		case <-r.ch:
			_ = r.l.N()
		}
	}
}

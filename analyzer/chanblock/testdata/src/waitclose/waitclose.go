// Package waitclose holds kernels of waitBeforeClose (waitclose.go): a
// Wait on a WaitGroup field that can run while a goroutine it counts
// still waits for a channel field to be closed, the waiting function
// being the only closer, with the fixed shapes and look-alikes beside.
package waitclose

import (
	"errors"
	"sync"
)

// --- The close comes after the Wait (blinklabs-io/gouroboros#478). ---

type proto struct {
	queue chan []byte
	done  chan struct{}
	wg    sync.WaitGroup
	out   [][]byte
}

func newProto() *proto {
	return &proto{queue: make(chan []byte, 8), done: make(chan struct{})}
}

func (p *proto) Start() {
	go func() {
		<-p.done
		p.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for field queue of proto to be closed before its Done \(line \d+\) can run; this function is the only one that closes field queue of proto, and it closes it only after this Wait`
		close(p.queue)
	}()
	p.wg.Add(2)
	go p.sendLoop()
	go p.recvLoop()
}

func (p *proto) Send(b []byte) { p.queue <- b }

func (p *proto) Stop() { close(p.done) }

func (p *proto) sendLoop() {
	defer p.wg.Done()
	for {
		msg, ok := <-p.queue
		if !ok {
			return
		}
		p.out = append(p.out, msg)
	}
}

func (p *proto) recvLoop() {
	defer p.wg.Done()
	<-p.done
}

// The fixed shape: the read of the queue also leaves when done is closed.
type protoFixed struct {
	queue chan []byte
	done  chan struct{}
	wg    sync.WaitGroup
	out   [][]byte
}

func newProtoFixed() *protoFixed {
	return &protoFixed{queue: make(chan []byte, 8), done: make(chan struct{})}
}

func (p *protoFixed) Start() {
	go func() {
		<-p.done
		p.wg.Wait()
		close(p.queue)
	}()
	p.wg.Add(1)
	go p.sendLoop()
}

func (p *protoFixed) Send(b []byte) { p.queue <- b }

func (p *protoFixed) Stop() { close(p.done) }

func (p *protoFixed) sendLoop() {
	defer p.wg.Done()
	for {
		select {
		case <-p.done:
			return
		case msg, ok := <-p.queue:
			if !ok {
				return
			}
			p.out = append(p.out, msg)
		}
	}
}

// --- A return skips the close the deferred Wait needs (purpleidea/mgmt#246). ---

type watcher struct {
	events chan error
	quit   chan struct{}
	wg     *sync.WaitGroup
	poll   func() error
}

func newWatcher(poll func() error) *watcher {
	return &watcher{events: make(chan error), quit: make(chan struct{}), wg: &sync.WaitGroup{}, poll: poll}
}

func (w *watcher) Watch(stop <-chan struct{}) error {
	defer w.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for field quit of watcher to be closed before its Done \(line \d+\) can run; this function is the only one that closes field quit of watcher, and it returns at line \d+ without closing it`
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		<-w.quit // want `this receive can block forever: Watch returns \(waitclose.go:\d+\) without sending or closing`
	}()
	for {
		select {
		case <-stop:
			close(w.quit)
			return nil
		case err := <-w.events:
			if err != nil {
				return err
			}
		}
	}
}

func (w *watcher) Poll() {
	if err := w.poll(); err != nil {
		w.events <- err
	}
}

// The fixed shape: the close is deferred after the Wait, so it runs first
// on every return.
type watcherFixed struct {
	events chan error
	quit   chan struct{}
	wg     *sync.WaitGroup
}

func newWatcherFixed() *watcherFixed {
	return &watcherFixed{events: make(chan error), quit: make(chan struct{}), wg: &sync.WaitGroup{}}
}

func (w *watcherFixed) Watch(stop <-chan struct{}) error {
	defer w.wg.Wait()
	defer close(w.quit)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		<-w.quit
	}()
	for {
		select {
		case <-stop:
			return nil
		case err := <-w.events:
			if err != nil {
				return err
			}
		}
	}
}

func (w *watcherFixed) Fail(err error) { w.events <- err }

// --- A close on one branch only, before a Wait called directly. ---

type pool struct {
	jobs chan int
	wg   sync.WaitGroup
	sum  int
}

func newPool() *pool { return &pool{jobs: make(chan int)} }

func (p *pool) Run(n int, drain bool) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.work()
	}
	for i := 0; i < 10; i++ {
		p.jobs <- i
	}
	if drain {
		close(p.jobs)
	}
	p.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for field jobs of pool to be closed before its Done \(line \d+\) can run; this function is the only one that closes field jobs of pool, and it closes it only after this Wait`
}

func (p *pool) work() {
	defer p.wg.Done()
	for {
		j, ok := <-p.jobs
		if !ok {
			return
		}
		p.sum += j
	}
}

// --- Look-alikes. ---

// The close comes before the Wait on every path.
type poolClosed struct {
	jobs chan int
	wg   sync.WaitGroup
	sum  int
}

func newPoolClosed() *poolClosed { return &poolClosed{jobs: make(chan int)} }

func (p *poolClosed) Run(n int) {
	p.wg.Add(n)
	for i := 0; i < n; i++ {
		go p.work()
	}
	for i := 0; i < 10; i++ {
		p.jobs <- i
	}
	close(p.jobs)
	p.wg.Wait()
}

func (p *poolClosed) work() {
	defer p.wg.Done()
	for {
		j, ok := <-p.jobs
		if !ok {
			return
		}
		p.sum += j
	}
}

// Another method closes the channel: the Wait waits for Stop, not for
// itself.
type server struct {
	quit chan struct{}
	wg   sync.WaitGroup
}

func newServer() *server { return &server{quit: make(chan struct{})} }

func (s *server) Serve() error {
	defer s.wg.Wait()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-s.quit
	}()
	return errors.New("serve ended")
}

func (s *server) Stop() { close(s.quit) }

// An early return before the goroutine starts: the deferred Wait has
// nothing to wait for on that path, and every later path closes first.
type starter struct {
	quit chan struct{}
	wg   sync.WaitGroup
}

func newStarter() *starter { return &starter{quit: make(chan struct{})} }

func (s *starter) Run(ok bool) error {
	defer s.wg.Wait()
	if !ok {
		return errors.New("not started")
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-s.quit
	}()
	close(s.quit)
	return nil
}

// Done runs before the receive: the goroutine no longer counts when it
// waits.
type early struct {
	quit chan struct{}
	wg   sync.WaitGroup
}

func newEarly() *early { return &early{quit: make(chan struct{})} }

func (e *early) Run() {
	e.wg.Add(1)
	go func() {
		e.wg.Done()
		<-e.quit
	}()
	e.wg.Wait()
	close(e.quit)
}

// A plain receive of a channel that carries values: the goroutine waits
// for a value, not for the close.
type feeder struct {
	in  chan int
	wg  sync.WaitGroup
	got int
}

func newFeeder() *feeder { return &feeder{in: make(chan int)} }

func (f *feeder) Run() {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.got = <-f.in
	}()
	f.in <- 1
	f.wg.Wait()
	close(f.in)
}

// A loop left by break on a second channel: the receive is in a select
// with another case that ends the wait.
type looper struct {
	jobs chan int
	stop chan struct{}
	wg   sync.WaitGroup
	n    int
}

func newLooper() *looper { return &looper{jobs: make(chan int), stop: make(chan struct{})} }

func (l *looper) Add(j int) { l.jobs <- j }

func (l *looper) Run() {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
	loop:
		for {
			select {
			case j, ok := <-l.jobs:
				if !ok {
					break loop
				}
				l.n += j
			case <-l.stop:
				break loop
			}
		}
	}()
	close(l.stop)
	l.wg.Wait()
	close(l.jobs)
}

// A local channel shadowing the field's name: the goroutine waits on the
// local, which the function closes before its Wait.
type shadow struct {
	quit chan struct{}
	wg   sync.WaitGroup
}

func newShadow() *shadow { return &shadow{quit: make(chan struct{})} }

func (s *shadow) Run() {
	quit := make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-quit
	}()
	close(quit)
	s.wg.Wait()
	close(s.quit)
}

// The receive happens through an interface the goroutine is handed: not
// a receive of the field the Wait's function closes.
type source interface{ Next() (int, bool) }

type fieldSource struct{ c chan int }

func (f fieldSource) Next() (int, bool) { v, ok := <-f.c; return v, ok }

type consumer struct {
	c   chan int
	wg  sync.WaitGroup
	src source
}

func newConsumer() *consumer {
	c := &consumer{c: make(chan int)}
	c.src = fieldSource{c.c}
	return c
}

func (c *consumer) Run() {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			if _, ok := c.src.Next(); !ok {
				return
			}
		}
	}()
	close(c.c)
	c.wg.Wait()
}

// --- Local channels and WaitGroups (waitBeforeCloseLocal). ---

func sumLocal(items []int) int {
	var wg sync.WaitGroup
	jobs := make(chan int)
	total := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			j, ok := <-jobs
			if !ok {
				return
			}
			total += j
		}
	}()
	for _, it := range items {
		jobs <- it
	}
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for this channel \(made at line \d+\) to be closed before its Done \(line \d+\) can run; sumLocal is the only function that closes it, and it closes it only after this Wait`
	close(jobs)
	return total
}

func sumLocalFixed(items []int) int {
	var wg sync.WaitGroup
	jobs := make(chan int)
	total := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			j, ok := <-jobs
			if !ok {
				return
			}
			total += j
		}
	}()
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
	wg.Wait()
	return total
}

func watchLocal(events <-chan error, stop <-chan struct{}) error {
	var wg sync.WaitGroup
	quit := make(chan struct{})
	defer wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for this channel \(made at line \d+\) to be closed before its Done \(line \d+\) can run; watchLocal is the only function that closes it, and it returns at line \d+ without closing it`
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-quit
	}()
	for {
		select {
		case <-stop:
			close(quit)
			return nil
		case err := <-events:
			if err != nil {
				return err
			}
		}
	}
}

func watchLocalFixed(events <-chan error, stop <-chan struct{}) error {
	var wg sync.WaitGroup
	quit := make(chan struct{})
	defer wg.Wait()
	defer close(quit)
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-quit
	}()
	for {
		select {
		case <-stop:
			return nil
		case err := <-events:
			if err != nil {
				return err
			}
		}
	}
}

// A worker that also leaves on a done channel: the select's other case
// ends the wait.
func sumLocalSelect(items []int) int {
	var wg sync.WaitGroup
	jobs := make(chan int)
	done := make(chan struct{})
	total := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case j, ok := <-jobs:
				if !ok {
					return
				}
				total += j
			case <-done:
				return
			}
		}
	}()
	for _, it := range items {
		jobs <- it
	}
	close(done)
	wg.Wait()
	close(jobs)
	return total
}

// The WaitGroup counts requests, not goroutines: each worker calls Done
// once per request in its loop (database/sql's doConcurrentTest,
// net/http's testTransportConcurrency), and the deferred close ends the
// workers after the Wait.
func perRequest(do func() error) {
	const n = 20
	var wg sync.WaitGroup
	wg.Add(n)
	reqs := make(chan bool)
	defer close(reqs)
	for i := 0; i < 4; i++ {
		go func() {
			for {
				_, ok := <-reqs
				if !ok {
					return
				}
				if err := do(); err != nil {
					wg.Done()
					continue
				}
				wg.Done()
			}
		}()
	}
	for i := 0; i < n; i++ {
		reqs <- true
	}
	wg.Wait()
}

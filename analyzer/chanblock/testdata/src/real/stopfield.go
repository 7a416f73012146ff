package real

import (
	"sync"
	"time"
)

// jaegertracing/jaeger#1454: the example's worker pool starts its workers
// on a local stop channel that each selects on, stores the channel in the
// pool it returns, and Stop sends one value on it: one worker returns,
// every other waits forever. Fix: Stop closes the channel. (One stop
// value for the goroutines the maker started, sent through the field.)
type hotrodPool struct {
	jobs chan func()
	stop chan struct{}
}

func newHotrodPool(workers int) *hotrodPool {
	jobs := make(chan func())
	stop := make(chan struct{})
	for i := 0; i < workers; i++ {
		go func() {
			for {
				select {
				case job := <-jobs:
					job()
				case <-stop:
					return
				}
			}
		}()
	}
	return &hotrodPool{jobs: jobs, stop: stop}
}

func (p *hotrodPool) Run(job func()) { p.jobs <- job }

func (p *hotrodPool) Stop() {
	p.stop <- struct{}{} // want `one value is sent on field stop of hotrodPool, but 2 or more goroutines wait for it and can return only after receiving from field stop of hotrodPool \(line \d+, started in a loop\)`
}

type hotrodPoolFixed struct {
	jobs chan func()
	stop chan struct{}
}

func newHotrodPoolFixed(workers int) *hotrodPoolFixed {
	jobs := make(chan func())
	stop := make(chan struct{})
	for i := 0; i < workers; i++ {
		go func() {
			for {
				select {
				case job := <-jobs:
					job()
				case <-stop:
					return
				}
			}
		}()
	}
	return &hotrodPoolFixed{jobs: jobs, stop: stop}
}

func (p *hotrodPoolFixed) Run(job func()) { p.jobs <- job }

func (p *hotrodPoolFixed) Stop() { close(p.stop) }

// The same mistake written another way: two different goroutines (not a
// loop) wait on a bool quit channel, the struct is filled field by field,
// and the value is sent from a Close method.
type sampler struct {
	quit    chan bool
	samples chan int
}

func startSampler(every time.Duration, read func() int) *sampler {
	quit := make(chan bool)
	s := &sampler{}
	s.quit = quit
	s.samples = make(chan int, 8)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.samples <- read()
			case <-quit:
				return
			}
		}
	}()
	go func() {
		for {
			select {
			case <-quit:
				return
			case <-time.After(time.Minute):
			}
		}
	}()
	return s
}

func (s *sampler) Close() {
	s.quit <- true // want `one value is sent on field quit of sampler, but 2 or more goroutines wait for it`
}

// Look-alike: only one goroutine waits on the stop channel the pool
// keeps; one value is enough.
type singleWorker struct {
	stop chan struct{}
}

func newSingleWorker(work chan func()) *singleWorker {
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case f := <-work:
				f()
			case <-stop:
				return
			}
		}
	}()
	return &singleWorker{stop: stop}
}

func (w *singleWorker) Stop() { w.stop <- struct{}{} }

// jesseduffield/gocui#25: MainLoop starts an event poller and
// StartTicking a ticker, both on the GUI and both waiting on g.stop;
// Close sends one value, so one of them runs on after the GUI is closed.
// Fix: Close closes g.stop. (Waiters started by two exported methods of
// one object.)
type termUI struct {
	events chan rune
	ticks  chan struct{}
	stop   chan struct{}
	poll   func() rune
}

func newTermUI(poll func() rune) *termUI {
	return &termUI{events: make(chan rune, 8), ticks: make(chan struct{}, 8), stop: make(chan struct{}), poll: poll}
}

func (u *termUI) Close() {
	go func() {
		u.stop <- struct{}{} // want `one value is sent on field stop of termUI, but 2 or more goroutines wait for it`
	}()
}

func (u *termUI) StartTicking() {
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				u.ticks <- struct{}{}
			case <-u.stop:
				return
			}
		}
	}()
}

func (u *termUI) MainLoop() {
	go func() {
		for {
			select {
			case <-u.stop:
				return
			default:
				u.events <- u.poll()
			}
		}
	}()
	for r := range u.events {
		if r == 'q' {
			return
		}
	}
}

type termUIFixed struct {
	events chan rune
	ticks  chan struct{}
	stop   chan struct{}
	poll   func() rune
}

func newTermUIFixed(poll func() rune) *termUIFixed {
	return &termUIFixed{events: make(chan rune, 8), ticks: make(chan struct{}, 8), stop: make(chan struct{}), poll: poll}
}

func (u *termUIFixed) Close() { close(u.stop) }

func (u *termUIFixed) StartTicking() {
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				u.ticks <- struct{}{}
			case <-u.stop:
				return
			}
		}
	}()
}

func (u *termUIFixed) MainLoop() {
	go func() {
		for {
			select {
			case <-u.stop:
				return
			default:
				u.events <- u.poll()
			}
		}
	}()
	for r := range u.events {
		if r == 'q' {
			return
		}
	}
}

// The same mistake with named methods started as goroutines: Watch and
// Serve each start a loop on the object, Shutdown sends one value.
type watcherServer struct {
	done    chan struct{}
	changes chan string
	reqs    chan string
}

func newWatcherServer() *watcherServer {
	return &watcherServer{done: make(chan struct{}), changes: make(chan string), reqs: make(chan string)}
}

func (w *watcherServer) watchLoop() {
	for {
		select {
		case c := <-w.changes:
			_ = c
		case <-w.done:
			return
		}
	}
}

func (w *watcherServer) serveLoop() {
	for {
		select {
		case r := <-w.reqs:
			_ = r
		case <-w.done:
			return
		}
	}
}

func (w *watcherServer) Watch() { go w.watchLoop() }

func (w *watcherServer) Serve() { go w.serveLoop() }

func (w *watcherServer) Shutdown() {
	w.done <- struct{}{} // want `one value is sent on field done of watcherServer, but 2 or more goroutines wait for it`
}

// Look-alike: the method that sends the stop value is the one that
// starts the next loop (a restart): one loop runs at a time.
type restarter struct {
	stop chan struct{}
	tick chan int
}

func newRestarter() *restarter {
	return &restarter{stop: make(chan struct{}), tick: make(chan int)}
}

func (r *restarter) loop() {
	for {
		select {
		case <-r.tick:
		case <-r.stop:
			return
		}
	}
}

func (r *restarter) Start() { go r.loop() }

func (r *restarter) Restart() {
	r.stop <- struct{}{}
	go r.loop()
}

// The same mistake with a named worker function that gets the stop
// channel as an argument, and a stop value that is a bool.
type fetchPool struct {
	urls chan string
	quit chan bool
}

func fetchWorker(urls <-chan string, quit <-chan bool, get func(string)) {
	for {
		select {
		case u := <-urls:
			get(u)
		case <-quit:
			return
		}
	}
}

func newFetchPool(n int, get func(string)) *fetchPool {
	urls := make(chan string)
	quit := make(chan bool)
	for i := 0; i < n; i++ {
		go fetchWorker(urls, quit, get)
	}
	return &fetchPool{urls: urls, quit: quit}
}

func (p *fetchPool) Stop() {
	p.quit <- true // want `one value is sent on field quit of fetchPool, but 2 or more goroutines wait for it`
}

// The waiters handed to a WaitGroup's Go in a loop.
type tailers struct {
	wg   sync.WaitGroup
	stop chan struct{}
}

func startTailers(files []string, follow func(string)) *tailers {
	stop := make(chan struct{})
	t := &tailers{stop: stop}
	for _, f := range files {
		t.wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					follow(f)
				}
			}
		})
	}
	return t
}

// Look-alike: each tailer also returns when its file ends, without
// waiting for the stop value.
type endingTailers struct {
	wg   sync.WaitGroup
	stop chan struct{}
}

func startEndingTailers(files []string, follow func(string) bool) *endingTailers {
	stop := make(chan struct{})
	t := &endingTailers{stop: stop}
	for _, f := range files {
		t.wg.Go(func() {
			for follow(f) {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
				}
			}
		})
	}
	return t
}

func (t *endingTailers) Stop() {
	t.stop <- struct{}{}
}

func (t *tailers) Stop() {
	t.stop <- struct{}{} // want `one value is sent on field stop of tailers, but 2 or more goroutines wait for it`
	t.wg.Wait()
}

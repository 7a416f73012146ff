package real

import (
	"sync"
	"time"
)

// Upstream: i-love-flamingo/flamingo-commerce#290. A lock keeps its key
// alive with a goroutine that ranges over a ticker's channel, and the
// unlock function it returns only stops the ticker: Stop does not close
// C, so the refresher waits forever, one goroutine per lock taken. Fix:
// unlock also closes a done channel the refresher selects on.
type keyStore interface {
	Extend(key string)
	Delete(key string)
}

func holdKey(s keyStore, key string, every time.Duration) func() {
	t := time.NewTicker(every)
	go func() {
		for range t.C { // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+: Stop does not close the channel`
			s.Extend(key)
		}
	}()
	return func() {
		t.Stop()
		s.Delete(key)
	}
}

func holdKeyFixed(s keyStore, key string, every time.Duration) func() {
	t := time.NewTicker(every)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.Extend(key)
			}
		}
	}()
	return func() {
		t.Stop()
		close(done)
		s.Delete(key)
	}
}

// The same mistake written differently: a named worker is handed the
// ticker and loops on a plain receive, and the starter defers the Stop,
// so every call leaves a worker behind.
type tickSampler struct {
	mu    sync.Mutex
	count int
}

func (s *tickSampler) tickWorker(t *time.Ticker) {
	for {
		<-t.C // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+`
		s.mu.Lock()
		s.count++
		s.mu.Unlock()
	}
}

func (s *tickSampler) sampleFor(d time.Duration) int {
	t := time.NewTicker(d / 10)
	defer t.Stop()
	go s.tickWorker(t)
	time.Sleep(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Look-alike that must stay silent: the loop returns when a stop flag is
// seen, so it has a way out (after Stop it would still wait for a tick
// that never comes, but a loop with an exit is not claimed).
func keepBeating(beat func() bool, every time.Duration) func() {
	t := time.NewTicker(every)
	go func() {
		for range t.C {
			if !beat() {
				return
			}
		}
	}()
	return t.Stop
}

// Look-alike that must stay silent: a process-long ticker loop that
// nothing stops.
func startFlusher(flush func(), every time.Duration) {
	t := time.NewTicker(every)
	go func() {
		for range t.C {
			flush()
		}
	}()
}

// Upstream: InVisionApp/go-health#35. Start keeps each check's ticker in a
// map field and hands it to a helper whose goroutine ranges over its C;
// Stop stops every ticker of the map, which does not close the channels,
// so every check goroutine waits forever, one per check per Start. Fix:
// the goroutines also select on a stop channel that Stop closes.
type healthCheck struct {
	name  string
	every time.Duration
	run   func() error
}

type healthRunner struct {
	checks  []healthCheck
	tickers map[string]*time.Ticker
	mu      sync.Mutex
	errs    map[string]error
}

func (h *healthRunner) startCheck(c healthCheck, t *time.Ticker) {
	go func() {
		for range t.C { // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+`
			err := c.run()
			h.mu.Lock()
			h.errs[c.name] = err
			h.mu.Unlock()
		}
	}()
}

func (h *healthRunner) Start() {
	for _, c := range h.checks {
		t := time.NewTicker(c.every)
		h.tickers[c.name] = t
		h.startCheck(c, t)
	}
}

func (h *healthRunner) Stop() {
	for name, t := range h.tickers {
		t.Stop()
		delete(h.tickers, name)
	}
}

type healthRunnerFixed struct {
	checks []healthCheck
	stops  map[string]chan struct{}
	mu     sync.Mutex
	errs   map[string]error
}

func (h *healthRunnerFixed) startCheck(c healthCheck, t *time.Ticker, stop <-chan struct{}) {
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				err := c.run()
				h.mu.Lock()
				h.errs[c.name] = err
				h.mu.Unlock()
			case <-stop:
				return
			}
		}
	}()
}

func (h *healthRunnerFixed) Start() {
	for _, c := range h.checks {
		stop := make(chan struct{})
		h.stops[c.name] = stop
		h.startCheck(c, time.NewTicker(c.every), stop)
	}
}

func (h *healthRunnerFixed) Stop() {
	for name, stop := range h.stops {
		close(stop)
		delete(h.stops, name)
	}
}

// The same mistake written differently: a poller keeps its one ticker in
// a field and its method goroutine loops on the field's channel, while
// Close stops the field's ticker ...
type fieldPoller struct {
	ticker *time.Ticker
	poll   func()
}

func (p *fieldPoller) Open(d time.Duration) {
	p.ticker = time.NewTicker(d)
	go p.loop()
}

func (p *fieldPoller) loop() {
	for {
		<-p.ticker.C // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+`
		p.poll()
	}
}

func (p *fieldPoller) Close() { p.ticker.Stop() }

// ... and a scheduler appends each job's ticker to a slice field, hands it
// to the job's goroutine as an argument, and Shutdown stops them all.
type tickScheduler struct {
	tickers []*time.Ticker
}

func (s *tickScheduler) Every(d time.Duration, job func()) {
	t := time.NewTicker(d)
	s.tickers = append(s.tickers, t)
	go runEvery(t, job)
}

func runEvery(t *time.Ticker, job func()) {
	for range t.C { // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+`
		job()
	}
}

func (s *tickScheduler) Shutdown() {
	for _, t := range s.tickers {
		t.Stop()
	}
	s.tickers = nil
}

// Look-alikes that must stay silent: the field's ticker is stopped, but
// the goroutine also returns on a done channel Close closes; and a ticker
// kept in a field that nothing stops (the loop serves for the process's
// life).
type stoppablePoller struct {
	ticker *time.Ticker
	done   chan struct{}
	poll   func()
}

func (p *stoppablePoller) Open(d time.Duration) {
	p.ticker = time.NewTicker(d)
	p.done = make(chan struct{})
	go p.loop()
}

func (p *stoppablePoller) loop() {
	for {
		select {
		case <-p.ticker.C:
			p.poll()
		case <-p.done:
			return
		}
	}
}

func (p *stoppablePoller) Close() {
	p.ticker.Stop()
	close(p.done)
}

type lifePoller struct {
	ticker *time.Ticker
	poll   func()
}

func (p *lifePoller) Open(d time.Duration) {
	p.ticker = time.NewTicker(d)
	go func() {
		for range p.ticker.C {
			p.poll()
		}
	}()
}

// The one-shot form: a request arms a timeout timer whose goroutine waits
// for it to fire, and the request defers the timer's Stop. When the work
// ends first, the Stop means the timer never fires, and the goroutine
// waits forever, one per request ...
func withTimeout(work func() error, cancel func(), d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	go func() {
		<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
		cancel()
	}()
	return work()
}

// ... and a session keeps its idle timer in a field, its watcher method
// waits once, and Close stops the field's timer.
type idleSession struct {
	idle   *time.Timer
	expire func()
}

func (s *idleSession) Open(d time.Duration) {
	s.idle = time.NewTimer(d)
	go s.watch()
}

func (s *idleSession) watch() {
	<-s.idle.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
	s.expire()
}

func (s *idleSession) Close() { s.idle.Stop() }

// Look-alikes that must stay silent: time.AfterFunc, whose Stop leaves no
// goroutine behind, and a waiter that also returns on a done channel.
func withTimeoutFixed(work func() error, cancel func(), d time.Duration) error {
	t := time.AfterFunc(d, cancel)
	defer t.Stop()
	return work()
}

func withTimeoutDone(work func() error, cancel func(), d time.Duration) error {
	t := time.NewTimer(d)
	done := make(chan struct{})
	defer func() {
		t.Stop()
		close(done)
	}()
	go func() {
		select {
		case <-t.C:
			cancel()
		case <-done:
		}
	}()
	return work()
}

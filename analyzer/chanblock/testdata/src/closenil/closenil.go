// Package closenil holds loops that re-read a channel field their owner
// closes and then sets to nil, beside fixed twins and look-alikes.
package closenil

import (
	"context"
	"sync"
	"time"
)

// Flusher flushes a buffer on a ticker until stopped.
type Flusher struct {
	mu    sync.RWMutex
	wg    sync.WaitGroup
	stopc chan struct{}
	every time.Duration
	flush func()
}

func (f *Flusher) stopChan() chan struct{} {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.stopc
}

func (f *Flusher) loop() {
	defer f.wg.Done()
	t := time.NewTicker(f.every)
	defer t.Stop()
	for {
		select {
		case <-f.stopChan():
			return
		case <-t.C:
			f.flush()
		}
	}
}

// Start starts the loop.
func (f *Flusher) Start() {
	f.mu.Lock()
	f.stopc = make(chan struct{})
	f.mu.Unlock()
	f.wg.Add(1)
	go f.loop()
}

// Stop closes the stop channel, forgets it and waits for the loop.
func (f *Flusher) Stop() {
	f.mu.Lock()
	close(f.stopc)
	f.stopc = nil // want `field stopc is set to nil right after it is closed, while loop reads it afresh`
	f.mu.Unlock()
	f.wg.Wait()
}

// Relay forwards messages until closed; its loop reads the quit field
// directly on every turn.
type Relay struct {
	mu   sync.Mutex
	quit chan struct{}
	in   chan string
	out  func(string)
	done sync.WaitGroup
}

// NewRelay starts the relay's loop.
func NewRelay(out func(string)) *Relay {
	r := &Relay{quit: make(chan struct{}), in: make(chan string), out: out}
	r.done.Add(1)
	go r.run()
	return r
}

func (r *Relay) run() {
	defer r.done.Done()
	for {
		select {
		case <-r.quit:
			return
		case m := <-r.in:
			r.out(m)
		}
	}
}

// Close may be called twice: the second call finds nil.
func (r *Relay) Close() {
	r.mu.Lock()
	if r.quit != nil {
		close(r.quit)
		r.quit = nil // want `field quit is set to nil right after it is closed, while run reads it afresh`
	}
	r.mu.Unlock()
	r.done.Wait()
}

// Beacon pings from a goroutine literal its constructor starts.
type Beacon struct {
	done chan struct{}
	ping func()
}

// NewBeacon starts pinging.
func NewBeacon(ping func(), every time.Duration) *Beacon {
	b := &Beacon{done: make(chan struct{}), ping: ping}
	go func() {
		for {
			select {
			case <-time.After(every):
				b.ping()
			case <-b.done:
				return
			}
		}
	}()
	return b
}

// Halt stops the pinging goroutine, or leaves it pinging forever.
func (b *Beacon) Halt() {
	close(b.done)
	b.done = nil // want `field done is set to nil right after it is closed`
}

// Pump is the fixed twin of Relay: its loop takes the quit channel once.
type Pump struct {
	mu   sync.Mutex
	quit chan struct{}
	in   chan string
	out  func(string)
	done sync.WaitGroup
}

// NewPump starts the pump's loop on the quit channel it has now.
func NewPump(out func(string)) *Pump {
	p := &Pump{quit: make(chan struct{}), in: make(chan string), out: out}
	p.done.Add(1)
	go p.run(p.quit)
	return p
}

func (p *Pump) run(quit <-chan struct{}) {
	defer p.done.Done()
	for {
		select {
		case <-quit:
			return
		case m := <-p.in:
			p.out(m)
		}
	}
}

// Close closes and forgets the quit channel.
func (p *Pump) Close() {
	p.mu.Lock()
	if p.quit != nil {
		close(p.quit)
		p.quit = nil
	}
	p.mu.Unlock()
	p.done.Wait()
}

// Sweeper is a look-alike whose owner forgets the channel only after the
// loop has returned.
type Sweeper struct {
	mu    sync.Mutex
	wg    sync.WaitGroup
	stopc chan struct{}
	sweep func()
}

func (s *Sweeper) loop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.stopc:
			return
		case <-time.After(time.Minute):
			s.sweep()
		}
	}
}

// Stop closes the channel, waits, then forgets it.
func (s *Sweeper) Stop() {
	close(s.stopc)
	s.wg.Wait()
	s.stopc = nil
}

// Ticker is a look-alike whose loop also returns when its context ends.
type Ticker struct {
	ctx   context.Context
	stopc chan struct{}
	tick  func()
}

func (t *Ticker) loop() {
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-t.stopc:
			return
		case <-time.After(time.Second):
			t.tick()
		}
	}
}

// Stop closes and forgets the channel.
func (t *Ticker) Stop() {
	close(t.stopc)
	t.stopc = nil
}

// Restarter is a look-alike whose owner replaces the closed channel with
// a fresh one.
type Restarter struct {
	stopc chan struct{}
	work  func()
}

func (r *Restarter) loop() {
	for {
		select {
		case <-r.stopc:
			return
		case <-time.After(time.Second):
			r.work()
		}
	}
}

// Restart stops the loop and arms a new channel.
func (r *Restarter) Restart() {
	close(r.stopc)
	r.stopc = make(chan struct{})
	go r.loop()
}

package closenil

import (
	"sync"
	"time"
)

// lifecycle is embedded by the components below; its accessor hands the
// quit channel out as receive-only, under the lock it unlocks in a defer.
type lifecycle struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	quit chan struct{}
}

func (l *lifecycle) quitCh() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.quit
}

// Poller closes quit and sets it to nil before waiting for its loop; a
// turn of the loop that starts after the store reads nil through quitCh,
// selects on a nil channel beside the ticker, never sees the close and
// never calls wg.Done (variant of chengshiwen/influxdb-cluster#44: the
// fields in an embedded struct, the accessor's result receive-only).
type Poller struct {
	lifecycle
	interval time.Duration
	poll     func()
}

// Start starts the poller.
func (p *Poller) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit != nil {
		return
	}
	p.quit = make(chan struct{})
	p.wg.Add(1)
	go p.loop()
}

func (p *Poller) loop() {
	defer p.wg.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.poll()
		case <-p.quitCh():
			return
		}
	}
}

// Stop stops the poller and waits for it.
func (p *Poller) Stop() {
	p.mu.Lock()
	if p.quit == nil {
		p.mu.Unlock()
		return
	}
	close(p.quit)
	p.quit = nil // want `field quit is set to nil right after it is closed, while loop reads it afresh`
	p.mu.Unlock()
	p.wg.Wait()
}

// FixedPoller sets quit to nil only after its loop has returned. Silent.
type FixedPoller struct {
	lifecycle
	interval time.Duration
	poll     func()
}

// Start starts the poller.
func (p *FixedPoller) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit != nil {
		return
	}
	p.quit = make(chan struct{})
	p.wg.Add(1)
	go p.loop()
}

func (p *FixedPoller) loop() {
	defer p.wg.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.poll()
		case <-p.quitCh():
			return
		}
	}
}

// Stop stops the poller and waits for it.
func (p *FixedPoller) Stop() {
	p.mu.Lock()
	if p.quit == nil {
		p.mu.Unlock()
		return
	}
	close(p.quit)
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	p.quit = nil
	p.mu.Unlock()
}

// OnceQuit's loop takes the receive-only channel once, before it starts:
// the store of nil after the close is never seen by it. Silent.
type OnceQuit struct {
	lifecycle
	poll func()
}

// Start starts the loop.
func (o *OnceQuit) Start() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.quit = make(chan struct{})
	o.wg.Add(1)
	go o.loop()
}

func (o *OnceQuit) loop() {
	defer o.wg.Done()
	quit := o.quitCh()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			o.poll()
		case <-quit:
			return
		}
	}
}

// Stop stops the loop and waits for it.
func (o *OnceQuit) Stop() {
	o.mu.Lock()
	close(o.quit)
	o.quit = nil
	o.mu.Unlock()
	o.wg.Wait()
}

package real

import "sync"

// A scheduler's loop receives new entries and a stop signal in one
// select. Add sends to the loop only while the running flag, which Stop
// clears under the same lock after the loop has taken the stop, says the
// loop is there (robfig/cron's Start/AddFunc/Stop; gdgvda/cron#57's fixed
// version): the send is never left without its receiver.
type flagCron struct {
	mu      sync.Mutex
	running bool
	add     chan func()
	stop    chan struct{}
	jobs    []func()
}

func newFlagCron() *flagCron {
	return &flagCron{add: make(chan func()), stop: make(chan struct{})}
}

func (c *flagCron) run() {
	for {
		select {
		case j := <-c.add:
			c.jobs = append(c.jobs, j)
		case <-c.stop:
			return
		}
	}
}

func (c *flagCron) Start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return
	}
	c.running = true
	go c.run()
}

func (c *flagCron) Add(j func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		c.jobs = append(c.jobs, j)
		return
	}
	c.add <- j
}

func (c *flagCron) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return
	}
	c.stop <- struct{}{}
	c.running = false
}

// The same loop without the flag: Add sends whether or not Stop has made
// the loop return, and after it has, the send blocks forever.
type bareCron struct {
	add  chan func()
	stop chan struct{}
	jobs []func()
}

func newBareCron() *bareCron {
	return &bareCron{add: make(chan func()), stop: make(chan struct{})}
}

func (c *bareCron) run() {
	for {
		select {
		case j := <-c.add:
			c.jobs = append(c.jobs, j)
		case <-c.stop:
			return
		}
	}
}

func (c *bareCron) Start() { go c.run() }

func (c *bareCron) Add(j func()) {
	c.add <- j // want `this send on an unbuffered channel \(field add\) has one receiver, the select in run`
}

func (c *bareCron) Stop() { close(c.stop) }

package polled

import "sync"

// A Close waits while a background goroutine has not closed its started
// channel, tested without blocking; the goroutine closes it and never
// wakes the Cond.
type conn struct {
	mu      sync.Mutex
	cond    *sync.Cond
	active  bool
	started chan struct{}
}

func newConn() *conn {
	c := &conn{started: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *conn) runningLocked() bool {
	if c.active {
		return true
	}
	select {
	case <-c.started:
		return false
	default:
		return true
	}
}

func (c *conn) start(dial func()) {
	c.mu.Lock()
	c.active = true
	c.mu.Unlock()
	go func() {
		dial()
		close(c.started)
	}()
	go func() {
		c.mu.Lock()
		c.active = false
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
}

func (c *conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.runningLocked() {
		c.cond.Wait() // want `Wait on cond in Close waits while started is not closed \(tested without blocking, line \d+\), but a function literal in start closes started`
	}
}

// Look-alike: the goroutine broadcasts after the close, under the lock.
type conn2 struct {
	mu      sync.Mutex
	cond    *sync.Cond
	started chan struct{}
}

func newConn2() *conn2 {
	c := &conn2{started: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *conn2) start(dial func()) {
	go func() {
		dial()
		c.mu.Lock()
		close(c.started)
		c.cond.Broadcast()
		c.mu.Unlock()
	}()
}

func (c *conn2) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		select {
		case <-c.started:
			return
		default:
		}
		c.cond.Wait()
	}
}

// Look-alike: the closer wakes the waiters through a helper.
type conn3 struct {
	mu      sync.Mutex
	cond    *sync.Cond
	started chan struct{}
}

func newConn3() *conn3 {
	c := &conn3{started: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *conn3) wake() {
	c.mu.Lock()
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *conn3) finish() {
	close(c.started)
	c.wake()
}

func (c *conn3) Start(dial func()) {
	go func() {
		dial()
		c.finish()
	}()
}

func (c *conn3) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		select {
		case <-c.started:
			return
		default:
		}
		c.cond.Wait()
	}
}

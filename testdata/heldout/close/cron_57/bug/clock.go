// Package bug is a held-out kernel (issue 14): a cron clock whose timer
// goroutine, once its timer fires, commits to an unbuffered send of the
// fire time and stops watching its stop channel; a scheduler that
// abandons the timer at that moment calls stop(), which sends on the stop
// channel that nobody receives from any more, and hangs for good (the
// timer goroutine stays parked on its own send too).
//
// Upstream: gdgvda/cron#57 ("fix(clock): DefaultClock.stop() deadlocks after an unobserved fire")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: DefaultClock.NewTimer starts a goroutine that selects on the
// underlying timer and on stop; when the timer wins it does out <- t on
// an unbuffered channel, no longer selecting on stop. The scheduler
// selects on the timer's channel, on added and removed entries and on
// its own stop, and whenever it leaves the timer behind (an insertion, a
// removal, a shutdown) it calls the timer's stop(), which did stop <-
// struct{}{}. The PR describes the hang; the scheduler loop is our
// reduction of cron's run loop.
//
// Fix: stop() closes the stop channel (through sync.OnceFunc, so a
// second call does not panic) instead of sending on it, and out has a
// buffer of one so a goroutine already committed to its send exits.
package bug

import (
	"sync"
	"time"
)

// Timer is a clock's timer: C fires once, stop abandons it.
type Timer struct {
	C    <-chan time.Time
	stop func()
}

// DefaultClock is the real-time clock.
type DefaultClock struct{}

// NewTimer returns a timer that fires after d.
func (DefaultClock) NewTimer(d time.Duration) *Timer {
	out := make(chan time.Time) // heldout:site
	stop := make(chan struct{})
	t := time.NewTimer(d)
	go func() {
		select {
		case now := <-t.C:
			out <- now // heldout:site
		case <-stop:
			t.Stop()
		}
	}()
	return &Timer{
		C: out,
		stop: func() {
			stop <- struct{}{} // heldout:site
		},
	}
}

// Entry is one scheduled job.
type Entry struct {
	Next time.Time
	Job  func()
}

// Cron runs entries at their times.
type Cron struct {
	clock   DefaultClock
	add     chan *Entry
	remove  chan *Entry
	stopCh  chan struct{}
	entries []*Entry
	running bool
	mu      sync.Mutex
}

// New returns a stopped cron.
func New() *Cron {
	return &Cron{add: make(chan *Entry), remove: make(chan *Entry), stopCh: make(chan struct{})}
}

func (c *Cron) next() time.Duration {
	if len(c.entries) == 0 {
		return time.Hour
	}
	d := time.Until(c.entries[0].Next)
	if d < 0 {
		d = 0
	}
	return d
}

func (c *Cron) run() {
	for {
		timer := c.clock.NewTimer(c.next())
		select {
		case <-timer.C:
			if len(c.entries) > 0 {
				go c.entries[0].Job()
				c.entries = c.entries[1:]
			}
		case e := <-c.add:
			timer.stop()
			c.entries = append(c.entries, e)
		case e := <-c.remove:
			timer.stop()
			for i, x := range c.entries {
				if x == e {
					c.entries = append(c.entries[:i], c.entries[i+1:]...)
					break
				}
			}
		case <-c.stopCh:
			timer.stop()
			return
		}
	}
}

// Start runs the scheduler, if it is not running.
func (c *Cron) Start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return
	}
	c.running = true
	go c.run()
}

// Add schedules e.
func (c *Cron) Add(e *Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		c.entries = append(c.entries, e)
		return
	}
	c.add <- e
}

// Stop ends the scheduler, if it is running.
func (c *Cron) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return
	}
	c.stopCh <- struct{}{}
	c.running = false
}

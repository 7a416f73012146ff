// Package fixed is the fixed version of mixed/consulesm_159: the map of
// running checks is a sync.Map, so UpdateChecks replaces and stops checks
// without the runner's lock.
package fixed

import (
	"sync"
	"time"
)

// StatusHandler receives the results of a check.
type StatusHandler interface {
	UpdateCheck(checkID, status, output string)
}

// CheckHTTP is an HTTP health check (from consul/agent/checks).
type CheckHTTP struct {
	CheckID       string
	Interval      time.Duration
	StatusHandler StatusHandler
	stopCh        chan struct{}
	stopWg        sync.WaitGroup
	probe         func() (string, string)
}

// Start runs the check until Stop.
func (c *CheckHTTP) Start() {
	c.stopCh = make(chan struct{})
	c.stopWg.Add(1)
	go c.run()
}

// Stop stops the check and waits for its run loop.
func (c *CheckHTTP) Stop() {
	close(c.stopCh)
	c.stopWg.Wait()
}

func (c *CheckHTTP) run() {
	defer c.stopWg.Done()
	next := time.After(0)
	for {
		select {
		case <-next:
			status, output := c.probe()
			c.StatusHandler.UpdateCheck(c.CheckID, status, output)
			next = time.After(c.Interval)
		case <-c.stopCh:
			return
		}
	}
}

// CheckRunner runs the external service checks of the ESM.
type CheckRunner struct {
	sync.RWMutex
	checks      sync.Map // check ID -> *CheckHTTP
	checkStatus map[string]string
}

// UpdateCheck records a check's status (the StatusHandler of every check).
func (c *CheckRunner) UpdateCheck(checkID, status, output string) {
	c.Lock()
	defer c.Unlock()
	c.checkStatus[checkID] = status
}

// UpdateChecks replaces the checks whose definitions changed.
func (c *CheckRunner) UpdateChecks(defs map[string]time.Duration, probe func() (string, string)) {
	for id, interval := range defs {
		if v, ok := c.checks.Load(id); ok {
			old := v.(*CheckHTTP)
			if old.Interval == interval {
				continue
			}
			old.Stop()
		}
		chk := &CheckHTTP{CheckID: id, Interval: interval, StatusHandler: c, probe: probe}
		c.checks.Store(id, chk)
		chk.Start()
	}
}

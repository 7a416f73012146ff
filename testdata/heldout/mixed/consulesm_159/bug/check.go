// Package bug is a held-out kernel (issue 14): stopping a check, which
// waits on the check's WaitGroup, while holding the runner's lock that the
// check's run loop needs to report its status.
//
// Upstream: hashicorp/consul-esm#159 ("Deadlock in check update code"), fixed by hashicorp/consul-esm#170 ("fix deadlock in check runner")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: watchNodeList finds a changed check and calls UpdateChecks, which
// locks the CheckRunner and calls Stop on the old CheckHTTP; Stop closes
// stopCh and waits on stopWg. The check's run goroutine, mid-check, reports
// through the StatusHandler to CheckRunner.UpdateCheck, which waits for the
// CheckRunner lock: Stop never returns (goroutine dump in the issue).
//
// Fix: the maps of running checks that the Stop path uses became
// sync.Maps, so that path no longer takes the runner's lock (the PR: "They
// handle the mutex all internally and don't need to use the CR one").
package bug

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
	c.stopWg.Wait() // heldout:site
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
	checks      map[string]*CheckHTTP
	checkStatus map[string]string
}

// UpdateCheck records a check's status (the StatusHandler of every check).
func (c *CheckRunner) UpdateCheck(checkID, status, output string) {
	c.Lock() // heldout:site
	defer c.Unlock()
	c.checkStatus[checkID] = status
}

// UpdateChecks replaces the checks whose definitions changed.
func (c *CheckRunner) UpdateChecks(defs map[string]time.Duration, probe func() (string, string)) {
	c.Lock()
	defer c.Unlock()
	for id, interval := range defs {
		if old, ok := c.checks[id]; ok {
			if old.Interval == interval {
				continue
			}
			old.Stop() // heldout:site
		}
		chk := &CheckHTTP{CheckID: id, Interval: interval, StatusHandler: c, probe: probe}
		c.checks[id] = chk
		chk.Start()
	}
}

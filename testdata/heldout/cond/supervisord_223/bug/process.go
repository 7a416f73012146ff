// Package bug is a held-out kernel (issue 14): a lost wake-up: the Cond is
// signalled without its lock by a goroutine the waiter started.
//
// Upstream: ochinchina/supervisord#223 ("Wrong usage of Cond.Signal()")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: Start locks the Cond's mutex, starts the process in a goroutine
// whose callback calls Signal without the lock, then Waits. When the
// process starts quickly the Signal comes before the Wait and is lost;
// Start waits forever.
//
// Fix: the callback takes the Cond's lock around Signal, so it cannot run
// until Wait has released the lock.
package bug

import (
	"os/exec"
	"sync"
)

// Process is one supervised program.
type Process struct {
	lock  sync.RWMutex
	name  string
	cmd   *exec.Cmd
	state string
}

func (p *Process) run(finishCb func()) {
	p.lock.Lock()
	p.state = "STARTING"
	p.lock.Unlock()
	if err := p.cmd.Start(); err == nil {
		p.lock.Lock()
		p.state = "RUNNING"
		p.lock.Unlock()
	}
	finishCb()
}

// Start starts the program; with wait, it returns once the program runs.
func (p *Process) Start(wait bool) {
	runCond := sync.NewCond(&sync.Mutex{})
	runCond.L.Lock()

	go func() {
		p.run(func() {
			runCond.Signal() // heldout:site
		})
	}()
	if wait {
		runCond.Wait() // heldout:site
	}
	runCond.L.Unlock()
}

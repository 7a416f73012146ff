// Package fixed is the fixed version of cond/supervisord_223: Signal is
// called with the Cond's lock held.
package fixed

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
			runCond.L.Lock()
			runCond.Signal()
			runCond.L.Unlock()
		})
	}()
	if wait {
		runCond.Wait()
	}
	runCond.L.Unlock()
}

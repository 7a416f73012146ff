// Variant of chanrecv/tsgonest_144 (M3: the closer is a method started
// with go and handed the channel as an argument). Blocks: cmd.Start fails
// after r.done is made; Start returns before go r.reap(...); Wait's
// receive from r.done never ends.
package goparam

import (
	"fmt"
	"os/exec"
	"sync"
)

type Runner struct {
	binary string
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
}

func (r *Runner) reap(cmd *exec.Cmd, done chan<- struct{}) {
	defer close(done)
	err := cmd.Wait()
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

func (r *Runner) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(r.binary)
	r.done = make(chan struct{})
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", r.binary, err)
	}
	go r.reap(r.cmd, r.done)
	return nil
}

func (r *Runner) Wait() error {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done == nil {
		return nil
	}
	<-done // want `this receive waits on field done of Runner, which Start makes at line \d+`
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

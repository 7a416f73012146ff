// Fixed twin of helperspawn: must stay silent. Variant of chanrecv/tsgonest_144 (M2: the closing goroutine is started
// by a helper method). Blocks: cmd.Start fails after r.done is made, Start
// returns before watch runs; Wait blocks on r.done for ever.
package helperspawnfixed

import (
	"os/exec"
	"sync"
)

type Runner struct {
	binary string
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
}

func (r *Runner) watch(cmd *exec.Cmd, done chan struct{}) {
	go func() {
		defer close(done)
		_ = cmd.Wait()
	}()
}

func (r *Runner) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(r.binary)
	r.done = nil
	if err := r.cmd.Start(); err != nil {
		return err
	}
	r.done = make(chan struct{})
	r.watch(r.cmd, r.done)
	return nil
}

func (r *Runner) Wait() {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done != nil {
		<-done
	}
}

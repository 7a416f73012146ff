// Fixed twin of embedded: must stay silent. Variant of chanrecv/tsgonest_144 (M1: done lives in an embedded process
// struct). Blocks: cmd.Start fails after done is made; Start returns with
// r.done open and no goroutine to close it; Wait's receive never ends.
package embeddedfixed

import (
	"fmt"
	"os/exec"
	"sync"
)

type process struct {
	cmd  *exec.Cmd
	done chan struct{}
}

type Runner struct {
	binary string
	mu     sync.Mutex
	process
}

func (r *Runner) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(r.binary)
	r.done = nil
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("starting process: %w", err)
	}
	r.done = make(chan struct{})
	cmd, done := r.cmd, r.done
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return nil
}

func (r *Runner) Wait() {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done == nil {
		return
	}
	<-done
}

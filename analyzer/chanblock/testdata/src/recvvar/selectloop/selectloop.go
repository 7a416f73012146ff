// Variant of chanrecv/tsgonest_144 (M4: Wait logs progress from a ticker
// while it waits in a for-select). Blocks: cmd.Start fails after r.done is
// made; the loop's only way out is done, which nothing will close.
package selectloop

import (
	"log"
	"os/exec"
	"sync"
	"time"
)

type Runner struct {
	binary string
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
}

func (r *Runner) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(r.binary)
	r.done = make(chan struct{})
	if err := r.cmd.Start(); err != nil {
		return err
	}
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
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select { // want `this select waits on field done of Runner, which Start makes at line \d+`
		case <-done:
			return
		case <-t.C:
			log.Printf("still waiting for %s", r.binary)
		}
	}
}

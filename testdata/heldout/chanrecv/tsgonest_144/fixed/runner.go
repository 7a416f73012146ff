// Package fixed is the fixed version of chanrecv/tsgonest_144: Start makes
// the done channel, together with the goroutine that closes it, only after
// the process has started.
package fixed

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
)

// Runner runs the user's compiled entry script.
type Runner struct {
	binary string
	args   []string
	cwd    string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// New returns a runner for binary.
func New(binary string, args []string, cwd string) *Runner {
	return &Runner{binary: binary, args: args, cwd: cwd}
}

// Start starts the process.
func (r *Runner) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd = exec.Command(r.binary, r.args...)
	r.cmd.Dir = r.cwd
	r.cmd.Stdout = os.Stdout
	r.cmd.Stderr = os.Stderr
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

// Wait blocks until the running process exits.
func (r *Runner) Wait() {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done == nil {
		return
	}
	<-done
}

// stop kills the process and waits for it.
func (r *Runner) stop() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil || done == nil {
		return
	}
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
	<-done
}

// Restart stops the previous process and starts a new one.
func (r *Runner) Restart() error {
	r.stop()
	return r.Start()
}

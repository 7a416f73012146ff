// Package bug is a held-out kernel (issue 14): a dev-server process runner
// that makes its done channel before starting the process, so when the
// start fails no goroutine exists to close it and every later Wait (or
// stop) blocks for ever.
//
// Upstream: tsgonest/tsgonest#144 ("Windows: runner Start() error paths leak r.done channel — Wait() hangs forever after recoverable failure")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: Start allocates r.done and then calls cmd.Start (on Windows also
// OpenProcess, AssignProcessToJobObject and resumeProcessThreads); only
// after all of them succeed does it spawn the goroutine that waits for the
// process and closes r.done. On any failure it returns an error with r.done
// allocated and never closed, and Wait, which snapshots r.done and
// receives from it, hangs for ever: one stuck goroutine per failed build
// in a long dev session. The issue quotes the code; the kernel reduces the
// runner_unix.go form of it (cmd.Start is the one step between).
//
// Fix (tsgonest/tsgonest#183): Start makes r.done and spawns its closer as
// its very last step, after everything that can fail; Wait already
// returns at once on a nil r.done, and stop gets the same guard.
package bug

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
	r.done = make(chan struct{})

	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("starting process: %w", err) // heldout:site
	}

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
	<-done // heldout:site
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
	<-done // heldout:site
}

// Restart stops the previous process and starts a new one.
func (r *Runner) Restart() error {
	r.stop()
	return r.Start()
}

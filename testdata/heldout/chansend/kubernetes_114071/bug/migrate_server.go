// Package bug is a held-out kernel (issue 14): a goroutine blocked forever
// on a send whose receiver took another select case and returned.
//
// Upstream: kubernetes/kubernetes#114071 (fixes kubernetes/kubernetes#114070, "Goroutine leak in EtcdMigrateServer")
// Seen: 3152a19 (analyzer/deadlockleak's testdata real/real.go reduced this bug before the held-out set was made: never held out)
//
// Bug: Stop starts a timer goroutine that sends on the unbuffered timedout
// channel after the grace period, and a watcher goroutine that selects on
// stopped and timedout. When etcd exits within the grace period the watcher
// takes the stopped case and returns; the timer goroutine's send then has
// no receiver.
//
// Fix: timedout has a buffer of one.
package bug

import (
	"log"
	"os/exec"
	"time"
)

// EtcdMigrateServer runs an etcd process for the migration.
type EtcdMigrateServer struct {
	cmd *exec.Cmd
}

// Stop terminates the etcd process, killing it after gracefulWait.
func (r *EtcdMigrateServer) Stop() error {
	if r.cmd == nil {
		return nil
	}
	if err := r.cmd.Process.Signal(nil); err != nil {
		return err
	}
	gracefulWait := time.Minute * 2
	stopped := make(chan bool)
	timedout := make(chan bool)
	go func() {
		time.Sleep(gracefulWait)
		timedout <- true // heldout:site
	}()
	go func() {
		select {
		case <-stopped:
			return
		case <-timedout:
			log.Printf("etcd server has not terminated gracefully after %s, killing it.", gracefulWait)
			r.cmd.Process.Kill()
			return
		}
	}()
	err := r.cmd.Wait()
	close(stopped)
	if exiterr, ok := err.(*exec.ExitError); ok {
		log.Printf("etcd server stopped (signal: %s)", exiterr.Error())
	} else if err != nil {
		return err
	}
	r.cmd = nil
	return nil
}

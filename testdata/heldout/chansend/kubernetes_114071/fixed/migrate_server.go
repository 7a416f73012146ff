// Package fixed is the fixed version of chansend/kubernetes_114071: the
// timer's send goes into a buffer of one, whoever receives.
package fixed

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
	timedout := make(chan bool, 1)
	go func() {
		time.Sleep(gracefulWait)
		timedout <- true
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

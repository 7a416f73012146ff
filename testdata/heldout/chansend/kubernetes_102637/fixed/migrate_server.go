// Package fixed is the fixed version of chansend/kubernetes_102637: both
// channels have room for their one send.
package fixed

import (
	"errors"
	"fmt"
	"log"
	"os"
	"time"
)

// Process is the running etcd.
type Process interface {
	Signal(sig os.Signal) error
	Kill() error
	Wait() error
}

// EtcdMigrateServer manages starting and stopping a versioned etcd binary.
type EtcdMigrateServer struct {
	name         string
	gracefulWait time.Duration
	cmd          Process
}

// NewEtcdMigrateServer returns a server managing cmd.
func NewEtcdMigrateServer(name string, cmd Process) *EtcdMigrateServer {
	return &EtcdMigrateServer{name: name, gracefulWait: 2 * time.Minute, cmd: cmd}
}

// Stop terminates the etcd server process.
func (r *EtcdMigrateServer) Stop() error {
	if r.cmd == nil {
		return errors.New("cannot stop EtcdMigrateServer that has not been started")
	}
	if err := r.cmd.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("error sending SIGINT to etcd for graceful shutdown: %v", err)
	}
	gracefulWait := r.gracefulWait
	stopped := make(chan bool, 1)
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
			r.cmd.Kill()
			return
		}
	}()
	err := r.cmd.Wait()
	stopped <- true
	if err != nil {
		log.Printf("etcd server stopped: %v", err)
	}
	log.Printf("Stopped etcd server %s", r.name)
	return nil
}

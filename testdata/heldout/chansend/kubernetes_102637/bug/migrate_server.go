// Package bug is a held-out kernel (issue 14): the etcd migration server's
// Stop, where a watcher goroutine picks either "stopped" or "timed out"
// from two unbuffered channels and the side it did not pick blocks on its
// send forever.
//
// Upstream: kubernetes/kubernetes#102637 ("fix potential deadlock")
// Round: 4
//
// Bug: Stop signals etcd, starts a timer goroutine that sleeps for the
// graceful period and sends on timedout, and a watcher that selects on
// stopped and timedout (killing etcd on timeout) and returns. Stop then
// waits for the process and sends on stopped. Whichever send the watcher
// did not take is never received: if etcd exits in time, the timer
// goroutine blocks on "timedout <- true" forever; if the timeout fires
// first, Stop itself blocks on "stopped <- true". The exec.Cmd is behind
// a Process interface in our reduction.
//
// Fix: the channels have a buffer of one, so both sends complete (the
// same fix kubernetes/kubernetes#83925 gave Start's done channel).
package bug

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
	stopped := make(chan bool)
	timedout := make(chan bool)
	go func() {
		time.Sleep(gracefulWait)
		timedout <- true // heldout:site
	}()
	go func() {
		select {
		case <-stopped:
			return // heldout:site
		case <-timedout:
			log.Printf("etcd server has not terminated gracefully after %s, killing it.", gracefulWait)
			r.cmd.Kill()
			return // heldout:site
		}
	}()
	err := r.cmd.Wait()
	stopped <- true // heldout:site
	if err != nil {
		log.Printf("etcd server stopped: %v", err)
	}
	log.Printf("Stopped etcd server %s", r.name)
	return nil
}

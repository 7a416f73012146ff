// Package bug is a held-out kernel (issue 14): the spinifex daemon runs
// startCluster as a member of shutdownWg and then waits on that group;
// startCluster itself ends by calling awaitShutdown, which after SIGTERM
// waits on the same shutdownWg — a group it is a counted member of — so
// it never returns, and the daemon logs "Shutdown complete" and hangs
// until systemd kills it.
//
// Upstream: mulgadc/spinifex#625 ("fix(daemon): exit on SIGTERM instead of deadlocking on its own wait group")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Start calls setupShutdown (register for SIGTERM/SIGINT), starts
// startCluster with d.shutdownWg.Go and calls awaitShutdown, which waits
// for a signal, runs the shutdown (stopping the services, logging
// "Shutdown complete") and then waits on d.shutdownWg. startCluster
// starts the cluster services and, at its tail, calls setupShutdown and
// awaitShutdown again. On SIGTERM both awaitShutdown calls wake; the one
// inside startCluster blocks in d.shutdownWg.Wait(), whose counter cannot
// reach zero until startCluster returns, and the one in Start waits on
// the same counter. The services (NATS, viperblock, the VM manager) are
// reduced to a Service interface; the PR's goroutine dump and its other
// changes are left out.
//
// Fix (mulgadc/spinifex#625): startCluster returns once the cluster is
// started, without setting up or awaiting the shutdown again; only Start
// awaits it, after its member goroutine has finished.
package bug

import (
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Service is one of the daemon's services.
type Service interface {
	Name() string
	Start() error
	Stop() error
}

// Daemon is spinifex-daemon.
type Daemon struct {
	services   []Service
	mu         sync.Mutex
	sigCh      chan os.Signal
	shutdownWg sync.WaitGroup
	stopOnce   sync.Once
}

// setupShutdown registers for the termination signals.
func (d *Daemon) setupShutdown() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	d.mu.Lock()
	d.sigCh = ch
	d.mu.Unlock()
}

// awaitShutdown waits for a signal, shuts the daemon down and waits for
// its goroutines.
func (d *Daemon) awaitShutdown() {
	d.mu.Lock()
	ch := d.sigCh
	d.mu.Unlock()
	sig := <-ch
	log.Printf("Received %v, shutting down", sig)
	d.shutdown()
	d.shutdownWg.Wait() // heldout:site
	signal.Stop(ch)
}

// shutdown stops the services in reverse order.
func (d *Daemon) shutdown() {
	d.stopOnce.Do(func() {
		for i := len(d.services) - 1; i >= 0; i-- {
			if err := d.services[i].Stop(); err != nil {
				log.Printf("stopping %s: %v", d.services[i].Name(), err)
			}
		}
		log.Printf("Shutdown complete")
	})
}

// startCluster starts the cluster services.
func (d *Daemon) startCluster() error {
	for _, s := range d.services {
		if err := s.Start(); err != nil {
			return err
		}
		log.Printf("started %s", s.Name())
	}
	d.setupShutdown()
	d.awaitShutdown() // heldout:site
	return nil
}

// Start runs the daemon until it is told to stop.
func (d *Daemon) Start() {
	d.setupShutdown()
	d.shutdownWg.Go(func() {
		if err := d.startCluster(); err != nil {
			log.Printf("failed to start cluster: %v", err)
		}
	})
	d.awaitShutdown() // heldout:site
}

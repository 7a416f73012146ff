// Package fixed is the fixed version of waitgroup/spinifex_625:
// startCluster returns once the services are started, so the shutdown
// group's counter reaches zero and Start's awaitShutdown returns.
package fixed

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
	d.shutdownWg.Wait()
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
	d.awaitShutdown()
}

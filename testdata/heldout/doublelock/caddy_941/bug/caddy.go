// Package bug is a held-out kernel (issue 14): a server manager whose
// package-level Stop locks the instance list and, for each instance, calls
// Instance.Stop, which locks the same list to remove itself from it.
//
// Upstream: caddyserver/caddy#941 ("Deadlock in Stop function")
// Round: 12
//
// Bug: caddy.Stop takes instancesMu and loops over instances calling
// inst.Stop; Instance.Stop stops the instance's servers and then takes
// instancesMu to splice itself out of the list. sync.Mutex is not
// reentrant, so the first instance's Stop blocks for ever on the lock its
// caller holds; the reporter reproduced it by calling caddy.Stop after
// starting an instance.
//
// Fix: Stop no longer calls Instance.Stop under instancesMu: it takes a
// copy of the list under the lock and stops each instance after releasing
// it (each removes itself). The issue gives the two functions; the shape of
// the fix is our reading. The goroutine that logged Serve errors ranged
// over a channel nothing closed; it is left out of both versions.
package bug

import (
	"log"
	"net"
	"sync"
)

// Server can listen and serve.
type Server interface {
	Listen() (net.Listener, error)
	Serve(net.Listener) error
}

// GracefulServer is a Server that can be stopped gracefully.
type GracefulServer interface {
	Server
	Stop() error
	Address() string
}

type serverListener struct {
	server   Server
	listener net.Listener
}

// Instance holds the servers started from one configuration.
type Instance struct {
	serverType string
	wg         *sync.WaitGroup
	servers    []serverListener
}

var (
	instances   []*Instance
	instancesMu sync.Mutex
)

// Start starts the servers and records the instance.
func Start(serverType string, servers []Server) (*Instance, error) {
	inst := &Instance{serverType: serverType, wg: new(sync.WaitGroup)}
	for _, s := range servers {
		ln, err := s.Listen()
		if err != nil {
			return nil, err
		}
		inst.wg.Add(1)
		go func(s Server, ln net.Listener) {
			defer inst.wg.Done()
			_ = s.Serve(ln)
		}(s, ln)
		inst.servers = append(inst.servers, serverListener{server: s, listener: ln})
	}
	instancesMu.Lock()
	instances = append(instances, inst)
	instancesMu.Unlock()
	return inst, nil
}

// Stop stops all servers contained in i and removes i from the list.
func (i *Instance) Stop() error {
	for _, s := range i.servers {
		if gs, ok := s.server.(GracefulServer); ok {
			if err := gs.Stop(); err != nil {
				log.Printf("[ERROR] Stopping %s: %v", gs.Address(), err)
			}
		}
	}

	instancesMu.Lock() // heldout:site
	for j, other := range instances {
		if other == i {
			instances = append(instances[:j], instances[j+1:]...)
			break
		}
	}
	instancesMu.Unlock()
	return nil
}

// Wait blocks until all of i's servers have stopped.
func (i *Instance) Wait() { i.wg.Wait() }

// Stop stops all instances.
func Stop() error {
	instancesMu.Lock()
	for _, inst := range instances {
		if err := inst.Stop(); err != nil { // heldout:site
			log.Printf("[ERROR] Stopping %s: %v", inst.serverType, err)
		}
	}
	instances = []*Instance{}
	instancesMu.Unlock()
	return nil
}

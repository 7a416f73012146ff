// Package fixed is the fixed version of doublelock/caddy_941: Stop copies
// the instance list under instancesMu and stops each instance after
// releasing it.
package fixed

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

	instancesMu.Lock()
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
	insts := append([]*Instance(nil), instances...)
	instancesMu.Unlock()

	for _, inst := range insts {
		if err := inst.Stop(); err != nil {
			log.Printf("[ERROR] Stopping %s: %v", inst.serverType, err)
		}
	}
	return nil
}

// Package bug is a held-out kernel (issue 14): the network controller's
// lock and a service's lock taken in opposite orders by adding and
// removing a service binding.
//
// Upstream: moby/libnetwork#1507 ("Avoid controller/service lock AB/BA situation")
// Round: 4
//
// Bug: addServiceBinding locks the controller, finds or creates the
// service and locks the service before releasing the controller
// (controller then service). rmServiceBinding locks the service, removes
// the load balancer and, when the service has none left, locks the
// controller to drop the service (service then controller). An add and a
// remove of the same service can each hold one lock and wait for the
// other forever. The PR states the inversion; the two functions' bodies
// are our reduction of service_common.go.
//
// Fix: the controller lock is never wrapped around the service lock: add
// releases the controller before locking the service.
package bug

import (
	"net"
	"sync"
)

type serviceKey struct {
	id    string
	ports string
}

type loadBalancer struct {
	vip      net.IP
	backEnds map[string]net.IP
}

type service struct {
	name          string
	id            string
	loadBalancers map[string]*loadBalancer // network id -> lb
	sync.Mutex
}

func newService(name, id string) *service {
	return &service{name: name, id: id, loadBalancers: make(map[string]*loadBalancer)}
}

type controller struct {
	serviceBindings map[serviceKey]*service
	sync.Mutex
}

func newController() *controller {
	return &controller{serviceBindings: make(map[serviceKey]*service)}
}

func (c *controller) addServiceBinding(name, sid, nid, eid string, vip, ip net.IP, ports string) error {
	skey := serviceKey{id: sid, ports: ports}

	c.Lock()
	s, ok := c.serviceBindings[skey]
	if !ok {
		s = newService(name, sid)
		c.serviceBindings[skey] = s
	}
	s.Lock() // heldout:site
	c.Unlock()
	defer s.Unlock()

	lb, ok := s.loadBalancers[nid]
	if !ok {
		lb = &loadBalancer{vip: vip, backEnds: make(map[string]net.IP)}
		s.loadBalancers[nid] = lb
	}
	lb.backEnds[eid] = ip
	return nil
}

func (c *controller) rmServiceBinding(sid, nid, eid, ports string) error {
	skey := serviceKey{id: sid, ports: ports}

	c.Lock()
	s, ok := c.serviceBindings[skey]
	c.Unlock()
	if !ok {
		return nil
	}

	s.Lock()
	defer s.Unlock()
	lb, ok := s.loadBalancers[nid]
	if !ok {
		return nil
	}
	delete(lb.backEnds, eid)
	if len(lb.backEnds) == 0 {
		delete(s.loadBalancers, nid)
	}
	if len(s.loadBalancers) == 0 {
		c.Lock() // heldout:site
		delete(c.serviceBindings, skey)
		c.Unlock()
	}
	return nil
}

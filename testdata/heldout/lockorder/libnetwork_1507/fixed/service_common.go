// Package fixed is the fixed version of lockorder/libnetwork_1507:
// addServiceBinding releases the controller before locking the service.
package fixed

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
	c.Unlock()

	s.Lock()
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
		c.Lock()
		delete(c.serviceBindings, skey)
		c.Unlock()
	}
	return nil
}

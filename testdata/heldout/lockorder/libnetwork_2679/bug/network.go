// Package bug is a held-out kernel (issue 14): a network controller where
// one path locks a network and then the controller, and another locks the
// controller and then, through a getter, the network, so a service-record
// lookup and an endpoint delete deadlock against each other.
//
// Upstream: moby/libnetwork#2679 ("Fix deadlock between getSvcRecords and processEndpointDelete")
// Round: 5
//
// Bug: getSvcRecords locks the network and, to look up the service
// records, locks the controller. processEndpointDelete locks the
// controller and calls n.ID(), which locks the network. The PR gives this
// interleaving: g0 holds the network and waits for the controller while g1
// holds the controller and waits for the network. (It is the 20.10
// backport of moby/moby#42545.) The struct fields are our reduction.
//
// Fix: getSvcRecords reads what it needs from the network and releases
// its lock before it takes the controller's.
package bug

import "sync"

type svcInfo struct {
	svcMap map[string][]string // name -> IPs
}

type controller struct {
	sync.Mutex
	svcRecords map[string]*svcInfo // network ID -> records
	networks   map[string]*network
}

type network struct {
	sync.Mutex
	id   string
	name string
	ctrl *controller
}

func newController() *controller {
	return &controller{svcRecords: make(map[string]*svcInfo), networks: make(map[string]*network)}
}

// ID returns the network's ID.
func (n *network) ID() string {
	n.Lock() // heldout:site
	defer n.Unlock()
	return n.id
}

// getSvcRecords returns the network's service records.
func (n *network) getSvcRecords() map[string][]string {
	n.Lock() // heldout:site
	defer n.Unlock()
	if n.ctrl == nil {
		return nil
	}
	c := n.ctrl
	c.Lock() // heldout:site
	defer c.Unlock()
	sr, ok := c.svcRecords[n.id]
	if !ok {
		return nil
	}
	out := make(map[string][]string, len(sr.svcMap))
	for k, v := range sr.svcMap {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// processEndpointDelete removes an endpoint's name from its network's
// service records.
func (c *controller) processEndpointDelete(n *network, epName string) {
	c.Lock() // heldout:site
	defer c.Unlock()
	sr, ok := c.svcRecords[n.ID()]
	if !ok {
		return
	}
	delete(sr.svcMap, epName)
}

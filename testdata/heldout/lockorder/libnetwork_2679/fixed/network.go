// Package fixed is the fixed version of lockorder/libnetwork_2679:
// getSvcRecords no longer holds the network's lock while it takes the
// controller's.
package fixed

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
	n.Lock()
	defer n.Unlock()
	return n.id
}

// getSvcRecords returns the network's service records.
func (n *network) getSvcRecords() map[string][]string {
	n.Lock()
	c := n.ctrl
	id := n.id
	n.Unlock()
	if c == nil {
		return nil
	}
	c.Lock()
	defer c.Unlock()
	sr, ok := c.svcRecords[id]
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
	c.Lock()
	defer c.Unlock()
	sr, ok := c.svcRecords[n.ID()]
	if !ok {
		return
	}
	delete(sr.svcMap, epName)
}

// Package bug is a held-out kernel (issue 14): lock-order inversion between
// the CiliumEndpointSlice manager's identity lock and its cache's backend
// lock.
//
// Upstream: cilium/cilium#24343 (fixes cilium/cilium#24206, "Potential deadlock in operator/pkg/ciliumendpointslice")
//
// Bug: InsertCEPInCache takes identityLock and then the mapping's
// backendMutex; updateCESInCache takes backendMutex and then identityLock.
//
// Fix: updateCESInCache takes identityLock first, like every other path.
package bug

import "sync"

// CESToCEPMapping is the cache of slices and the endpoints in them.
type CESToCEPMapping struct {
	backendMutex sync.RWMutex
	cesData      map[string][]string
	cepToCES     map[string]string
}

type cesMgr struct {
	identityLock   sync.RWMutex
	identityToCES  map[int64][]string
	desiredCESs    *CESToCEPMapping
	maxCEPsInCES   int
	reconcileQueue chan string
}

// InsertCEPInCache places an endpoint in a slice of its identity.
func (c *cesMgr) InsertCEPInCache(cep string, identity int64) string {
	c.identityLock.Lock()
	defer c.identityLock.Unlock()

	c.desiredCESs.backendMutex.Lock() // heldout:site
	defer c.desiredCESs.backendMutex.Unlock()
	for _, ces := range c.identityToCES[identity] {
		if len(c.desiredCESs.cesData[ces]) < c.maxCEPsInCES {
			c.desiredCESs.cesData[ces] = append(c.desiredCESs.cesData[ces], cep)
			c.desiredCESs.cepToCES[cep] = ces
			return ces
		}
	}
	return ""
}

// updateCESInCache replaces a slice's contents from the API server.
func (c *cesMgr) updateCESInCache(ces string, identity int64, ceps []string) {
	c.desiredCESs.backendMutex.Lock()
	defer c.desiredCESs.backendMutex.Unlock()
	c.desiredCESs.cesData[ces] = ceps
	for _, cep := range ceps {
		c.desiredCESs.cepToCES[cep] = ces
	}

	c.identityLock.Lock() // heldout:site
	c.identityToCES[identity] = append(c.identityToCES[identity], ces)
	c.identityLock.Unlock()
}

// Run handles endpoint events and slice updates concurrently.
func Run(c *cesMgr, ceps <-chan string, updates <-chan string) {
	go func() {
		for cep := range ceps {
			c.InsertCEPInCache(cep, 1)
		}
	}()
	go func() {
		for ces := range updates {
			c.updateCESInCache(ces, 1, nil)
		}
	}()
}

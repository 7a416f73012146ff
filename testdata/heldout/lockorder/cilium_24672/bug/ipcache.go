// Package bug is a held-out kernel (issue 14): lock-order inversion between
// the IP cache's mutex and an endpoint's lock, each side reached through an
// interface.
//
// Upstream: cilium/cilium#24672 ("Three fixes for deadlocks", third commit; fixes cilium/cilium#23836)
//
// Bug: IPCache.InjectLabels holds the ipcache mutex while it calls the
// endpoint manager's UpdatePolicyMaps, which locks each endpoint in turn;
// an endpoint regenerating holds its own lock and asks the ipcache, through
// the NamedPortsGetter interface, for the named ports, which read-locks the
// ipcache mutex.
//
// Fix: GetNamedPorts no longer takes the ipcache mutex: the named ports are
// published through an atomic pointer.
package bug

import "sync"

// PolicyMapUpdater is what the ipcache needs of the endpoint manager.
type PolicyMapUpdater interface {
	UpdatePolicyMaps()
}

// NamedPortsGetter is what an endpoint needs of the ipcache.
type NamedPortsGetter interface {
	GetNamedPorts() map[string]uint16
}

// IPCache maps prefixes to identities.
type IPCache struct {
	mutex      sync.RWMutex
	identities map[string]uint32
	namedPorts map[string]uint16
	updater    PolicyMapUpdater
}

// InjectLabels allocates identities for prefixes and pushes the change to
// every endpoint's policy map.
func (ipc *IPCache) InjectLabels(prefix string, id uint32) {
	ipc.mutex.Lock()
	defer ipc.mutex.Unlock()
	ipc.identities[prefix] = id
	ipc.updater.UpdatePolicyMaps() // heldout:site
}

// GetNamedPorts returns the cluster-wide named ports.
func (ipc *IPCache) GetNamedPorts() map[string]uint16 {
	ipc.mutex.RLock() // heldout:site
	defer ipc.mutex.RUnlock()
	return ipc.namedPorts
}

// Endpoint is one workload.
type Endpoint struct {
	mutex sync.Mutex
	ports NamedPortsGetter
	rules map[string]uint16
}

// applyPolicyMapChanges needs e.mutex held.
func (e *Endpoint) applyPolicyMapChanges() { e.rules = map[string]uint16{} }

// regeneratePolicy resolves the endpoint's named ports under its lock.
func (e *Endpoint) regeneratePolicy() {
	e.mutex.Lock()
	defer e.mutex.Unlock()
	for name, port := range e.ports.GetNamedPorts() { // heldout:site
		e.rules[name] = port
	}
}

// EndpointManager holds the node's endpoints.
type EndpointManager struct {
	mutex     sync.RWMutex
	endpoints map[uint16]*Endpoint
}

// UpdatePolicyMaps applies pending policy map changes to every endpoint.
func (mgr *EndpointManager) UpdatePolicyMaps() {
	mgr.mutex.RLock()
	defer mgr.mutex.RUnlock()
	for _, ep := range mgr.endpoints {
		ep.mutex.Lock() // heldout:site
		ep.applyPolicyMapChanges()
		ep.mutex.Unlock()
	}
}

// New wires the two together.
func New() (*IPCache, *EndpointManager) {
	mgr := &EndpointManager{endpoints: map[uint16]*Endpoint{}}
	ipc := &IPCache{identities: map[string]uint32{}, namedPorts: map[string]uint16{}, updater: mgr}
	mgr.endpoints[1] = &Endpoint{ports: ipc, rules: map[string]uint16{}}
	return ipc, mgr
}

// Run injects labels while an endpoint regenerates.
func Run() {
	ipc, mgr := New()
	go ipc.InjectLabels("10.0.0.0/8", 2)
	go mgr.endpoints[1].regeneratePolicy()
}

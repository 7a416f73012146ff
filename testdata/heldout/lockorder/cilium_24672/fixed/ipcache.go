// Package fixed is the fixed version of lockorder/cilium_24672: the named
// ports are read through an atomic pointer, without the ipcache mutex.
package fixed

import (
	"sync"
	"sync/atomic"
)

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
	namedPorts atomic.Pointer[map[string]uint16]
	updater    PolicyMapUpdater
}

// InjectLabels allocates identities for prefixes and pushes the change to
// every endpoint's policy map.
func (ipc *IPCache) InjectLabels(prefix string, id uint32) {
	ipc.mutex.Lock()
	defer ipc.mutex.Unlock()
	ipc.identities[prefix] = id
	ipc.updater.UpdatePolicyMaps()
}

// GetNamedPorts returns the cluster-wide named ports without locking.
func (ipc *IPCache) GetNamedPorts() map[string]uint16 {
	if p := ipc.namedPorts.Load(); p != nil {
		return *p
	}
	return nil
}

// Endpoint is one workload.
type Endpoint struct {
	mutex sync.Mutex
	ports NamedPortsGetter
	rules map[string]uint16
}

func (e *Endpoint) applyPolicyMapChanges() { e.rules = map[string]uint16{} }

func (e *Endpoint) regeneratePolicy() {
	e.mutex.Lock()
	defer e.mutex.Unlock()
	for name, port := range e.ports.GetNamedPorts() {
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
		ep.mutex.Lock()
		ep.applyPolicyMapChanges()
		ep.mutex.Unlock()
	}
}

// New wires the two together.
func New() (*IPCache, *EndpointManager) {
	mgr := &EndpointManager{endpoints: map[uint16]*Endpoint{}}
	ipc := &IPCache{identities: map[string]uint32{}, updater: mgr}
	mgr.endpoints[1] = &Endpoint{ports: ipc, rules: map[string]uint16{}}
	return ipc, mgr
}

// Run injects labels while an endpoint regenerates.
func Run() {
	ipc, mgr := New()
	go ipc.InjectLabels("10.0.0.0/8", 2)
	go mgr.endpoints[1].regeneratePolicy()
}

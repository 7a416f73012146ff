// Package fixed is the fixed version of lockorder/cilium_685: PolicyAdd
// drops the repository's lock before it locks the endpoints.
package fixed

import "sync"

// Repository holds the policy rules of the node.
type Repository struct {
	Mutex sync.RWMutex
	rules []string
}

// Endpoint is one workload's datapath state.
type Endpoint struct {
	Mutex  sync.RWMutex
	ID     uint16
	policy []string
	dirty  bool
}

// Daemon owns the repository and the endpoints.
type Daemon struct {
	policy      *Repository
	endpointsMU sync.RWMutex
	endpoints   map[uint16]*Endpoint
}

func (e *Endpoint) regeneratePolicy(repo *Repository) {
	repo.Mutex.RLock()
	e.policy = append(e.policy[:0], repo.rules...)
	repo.Mutex.RUnlock()
	e.dirty = false
}

// Regenerate rebuilds the endpoint's policy.
func (e *Endpoint) Regenerate(d *Daemon) {
	e.Mutex.Lock()
	defer e.Mutex.Unlock()
	e.regeneratePolicy(d.policy)
}

// PolicyAdd adds a rule, then marks every endpoint for regeneration with
// the repository unlocked.
func (d *Daemon) PolicyAdd(rule string) {
	d.policy.Mutex.Lock()
	d.policy.rules = append(d.policy.rules, rule)
	d.policy.Mutex.Unlock()

	d.endpointsMU.RLock()
	for _, e := range d.endpoints {
		e.Mutex.Lock()
		e.dirty = true
		e.Mutex.Unlock()
	}
	d.endpointsMU.RUnlock()
}

// Run regenerates the endpoints while rules are added.
func Run(d *Daemon) {
	for _, e := range d.endpoints {
		go e.Regenerate(d)
	}
	go d.PolicyAdd("allow-all")
}

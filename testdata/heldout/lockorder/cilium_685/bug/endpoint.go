// Package bug is a held-out kernel (issue 14): lock-order inversion between
// an endpoint's lock and the policy repository's lock.
//
// Upstream: cilium/cilium#685 ("pkg/endpoint: Endpoint's deadlock fix")
//
// Bug: regenerating an endpoint holds the endpoint's Mutex and then read-locks
// the policy repository to compute the endpoint's policy; adding a rule holds
// the repository's write lock and then locks every endpoint to invalidate its
// policy. One goroutine holds the endpoint and waits for the tree, the other
// holds the tree and waits for the endpoint.
//
// Fix: PolicyAdd releases the repository before it touches the endpoints,
// so the only order is endpoint, then repository.
package bug

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

// regeneratePolicy computes e's policy; e.Mutex must be held.
func (e *Endpoint) regeneratePolicy(repo *Repository) {
	repo.Mutex.RLock() // heldout:site
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

// PolicyAdd adds a rule and marks every endpoint for regeneration.
func (d *Daemon) PolicyAdd(rule string) {
	d.policy.Mutex.Lock()
	defer d.policy.Mutex.Unlock()
	d.policy.rules = append(d.policy.rules, rule)

	d.endpointsMU.RLock()
	for _, e := range d.endpoints {
		e.Mutex.Lock() // heldout:site
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

// Package bug is a held-out kernel (issue 14): the discovery manager's
// ApplyConfig locks a provider and then the targets mutex, while the
// provider's cleaner locks the targets mutex and then the provider.
//
// Upstream: prometheus/prometheus#16587 ("discovery: Try fixing potential deadlocks in discovery")
// Round: 4
//
// Bug: ApplyConfig takes prov.mu (write) for each running provider and,
// inside, m.targetsMtx to carry the old targets over to the new
// subscribers. cleaner, which runs when a provider's discovery goroutine
// ends, takes m.targetsMtx and then prov.mu (read) to delete the
// provider's targets. A reload racing with a provider stopping leaves
// each holding one lock and waiting for the other: Prometheus hangs on
// shutdown. The PR gives the two orders; the group and key types are our
// reduction of manager.go.
//
// Fix: cleaner takes p.mu before m.targetsMtx, the order ApplyConfig uses.
package bug

import (
	"context"
	"sync"
)

// Group is a set of targets with common labels.
type Group struct {
	Source  string
	Targets []string
}

// Discoverer sends target groups until ctx is done.
type Discoverer interface {
	Run(ctx context.Context, up chan<- []*Group)
}

type poolKey struct {
	setName  string
	provider string
}

// Provider holds a Discoverer instance, its configuration, cancel func
// and its subscribers.
type Provider struct {
	name   string
	d      Discoverer
	config any

	cancel context.CancelFunc
	done   func()

	mu      sync.RWMutex
	subs    map[string]struct{}
	newSubs map[string]struct{}
}

// Manager maintains a set of discovery providers and sends each update
// to a map channel.
type Manager struct {
	ctx context.Context

	mtx        sync.RWMutex
	targetsMtx sync.Mutex
	targets    map[poolKey]map[string]*Group
	providers  []*Provider
}

// NewManager returns a manager with no providers.
func NewManager(ctx context.Context) *Manager {
	return &Manager{ctx: ctx, targets: make(map[poolKey]map[string]*Group)}
}

// ApplyConfig moves the running providers to their new subscribers.
func (m *Manager) ApplyConfig(cfg map[string][]any) error {
	m.mtx.Lock()
	defer m.mtx.Unlock()

	for _, prov := range m.providers {
		prov.mu.Lock()
		if len(prov.newSubs) == 0 {
			// no subscriber left: stop it (its cleaner runs after)
			prov.cancel()
			prov.mu.Unlock()
			continue
		}
		refTargets := map[string]*Group{}
		m.targetsMtx.Lock() // heldout:site
		for s := range prov.subs {
			for src, tg := range m.targets[poolKey{s, prov.name}] {
				refTargets[src] = tg
			}
			delete(m.targets, poolKey{s, prov.name})
		}
		for s := range prov.newSubs {
			if _, ok := m.targets[poolKey{s, prov.name}]; !ok {
				m.targets[poolKey{s, prov.name}] = make(map[string]*Group, len(refTargets))
			}
			for src, tg := range refTargets {
				m.targets[poolKey{s, prov.name}][src] = tg
			}
		}
		m.targetsMtx.Unlock()
		prov.subs, prov.newSubs = prov.newSubs, map[string]struct{}{}
		prov.mu.Unlock()
	}
	return nil
}

// startProvider runs the provider's discoverer and cleans up after it.
func (m *Manager) startProvider(ctx context.Context, p *Provider) {
	ctx, cancel := context.WithCancel(ctx)
	updates := make(chan []*Group)
	p.cancel = cancel
	go p.d.Run(ctx, updates)
	go m.updater(ctx, p, updates)
}

func (m *Manager) updater(ctx context.Context, p *Provider, updates chan []*Group) {
	defer m.cleaner(p)
	for {
		select {
		case <-ctx.Done():
			return
		case tgs := <-updates:
			m.updateGroup(p, tgs)
		}
	}
}

func (m *Manager) updateGroup(p *Provider, tgs []*Group) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	m.targetsMtx.Lock()
	defer m.targetsMtx.Unlock()
	for s := range p.subs {
		key := poolKey{s, p.name}
		if _, ok := m.targets[key]; !ok {
			m.targets[key] = make(map[string]*Group)
		}
		for _, tg := range tgs {
			m.targets[key][tg.Source] = tg
		}
	}
}

// cleaner drops the targets of a provider that has stopped.
func (m *Manager) cleaner(p *Provider) {
	m.targetsMtx.Lock()
	p.mu.RLock() // heldout:site
	for s := range p.subs {
		delete(m.targets, poolKey{s, p.name})
	}
	p.mu.RUnlock()
	m.targetsMtx.Unlock()
	if p.done != nil {
		p.done()
	}
}

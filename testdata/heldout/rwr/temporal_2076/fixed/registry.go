// Package fixed is the fixed version of rwr/temporal_2076: the lookup by
// name reads the ID cache through getNamespaceByIDLocked and takes the read
// lock only once.
//
// Upstream: temporalio/temporal#2076 ("Avoid acquiring shared lock recursively")
// Round: 19
package fixed

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotFound is returned for a namespace that is not cached.
var ErrNotFound = errors.New("namespace not found")

// Namespace is a cached namespace entry.
type Namespace struct {
	ID   string
	Name string
}

// Persistence lists the namespaces stored in the database.
type Persistence interface {
	ListNamespaces(ctx context.Context) ([]*Namespace, error)
}

// Registry caches namespaces by name and by ID.
type Registry struct {
	persistence     Persistence
	refreshInterval time.Duration

	cacheLock     sync.RWMutex
	cacheNameToID map[string]string
	cacheByID     map[string]*Namespace

	stopc chan struct{}
}

// NewRegistry returns an empty registry.
func NewRegistry(p Persistence, refreshInterval time.Duration) *Registry {
	return &Registry{
		persistence:     p,
		refreshInterval: refreshInterval,
		cacheNameToID:   map[string]string{},
		cacheByID:       map[string]*Namespace{},
		stopc:           make(chan struct{}),
	}
}

// Start runs the refresh loop.
func (r *Registry) Start() {
	go r.refreshLoop(context.Background())
}

// Stop ends the refresh loop.
func (r *Registry) Stop() {
	close(r.stopc)
}

func (r *Registry) refreshLoop(ctx context.Context) {
	ticker := time.NewTicker(r.refreshInterval)
	defer ticker.Stop()
	for {
		select {
		case <-r.stopc:
			return
		case <-ticker.C:
			_ = r.refreshNamespaces(ctx)
		}
	}
}

func (r *Registry) refreshNamespaces(ctx context.Context) error {
	namespaces, err := r.persistence.ListNamespaces(ctx)
	if err != nil {
		return err
	}
	nameToID := make(map[string]string, len(namespaces))
	byID := make(map[string]*Namespace, len(namespaces))
	for _, ns := range namespaces {
		nameToID[ns.Name] = ns.ID
		byID[ns.ID] = ns
	}

	r.cacheLock.Lock()
	r.cacheNameToID = nameToID
	r.cacheByID = byID
	r.cacheLock.Unlock()
	return nil
}

// GetNamespace returns the cached namespace with the given name.
func (r *Registry) GetNamespace(name string) (*Namespace, error) {
	return r.getNamespace(name)
}

// GetNamespaceByID returns the cached namespace with the given ID.
func (r *Registry) GetNamespaceByID(id string) (*Namespace, error) {
	return r.getNamespaceByID(id)
}

func (r *Registry) getNamespace(name string) (*Namespace, error) {
	r.cacheLock.RLock()
	defer r.cacheLock.RUnlock()
	if id, ok := r.cacheNameToID[name]; ok {
		return r.getNamespaceByIDLocked(id)
	}
	return nil, ErrNotFound
}

func (r *Registry) getNamespaceByID(id string) (*Namespace, error) {
	r.cacheLock.RLock()
	defer r.cacheLock.RUnlock()
	return r.getNamespaceByIDLocked(id)
}

// getNamespaceByIDLocked reads the cache; r.cacheLock is held.
func (r *Registry) getNamespaceByIDLocked(id string) (*Namespace, error) {
	if ns, ok := r.cacheByID[id]; ok {
		return ns, nil
	}
	return nil, ErrNotFound
}

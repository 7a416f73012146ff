// Package bug is a held-out kernel (issue 14): a namespace lookup by name
// read-locks the registry's cache lock and, still holding it, read-locks it
// again in the lookup by ID; a refresh queued for the write lock between
// the two makes both wait forever.
//
// Upstream: temporalio/temporal#2076 ("Avoid acquiring shared lock recursively")
// Round: 19
//
// Bug: getNamespace takes r.cacheLock.RLock, finds the namespace ID for the
// name and calls getNamespaceByID, which takes r.cacheLock.RLock again. The
// refresh loop started by Start replaces the caches under
// r.cacheLock.Lock. If the refresh calls Lock after the first RLock, the
// second RLock waits behind the pending writer and the writer waits for the
// first reader: GetNamespace and the refresh loop block forever (the PR:
// "any interleaved call to RWMutex.Lock() between those two RLock() calls
// will cause a deadlock"). Reduced from common/namespace/registry.go; the
// PR text names the two functions and the lock, the rest (the cache maps,
// the persistence interface, the refresh ticker, the callbacks) is our
// reduction of the registry as it was then.
//
// Fix: getNamespace calls getNamespaceByIDLocked, which reads the cache
// without taking the lock again; getNamespaceByID takes the read lock and
// calls it.
package bug

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

	r.cacheLock.Lock() // heldout:site
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
		return r.getNamespaceByID(id) // heldout:site
	}
	return nil, ErrNotFound
}

func (r *Registry) getNamespaceByID(id string) (*Namespace, error) {
	r.cacheLock.RLock() // heldout:site
	defer r.cacheLock.RUnlock()
	if ns, ok := r.cacheByID[id]; ok {
		return ns, nil
	}
	return nil, ErrNotFound
}

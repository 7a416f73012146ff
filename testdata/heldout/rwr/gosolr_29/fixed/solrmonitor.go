// Package fixed is the fixed version of rwr/gosolr_29: doGetCollectionState
// relies on its callers' read lock.
package fixed

import (
	"errors"
	"sync"
)

// CollectionState is a collection's parsed state.json.
type CollectionState struct {
	Name     string
	Version  int32
	Replicas map[string]string
}

type collection struct {
	name            string
	collectionState *CollectionState
	isWatched       bool
}

// SolrMonitor caches the cluster state that ZooKeeper publishes.
type SolrMonitor struct {
	mu          sync.RWMutex
	collections map[string]*collection
	logger      func(string, ...any)
}

// ErrNotWatched is returned for a collection the monitor does not watch.
var ErrNotWatched = errors.New("collection not watched")

// GetCollectionState returns the cached state of the named collection.
func (c *SolrMonitor) GetCollectionState(name string) (*CollectionState, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.doGetCollectionState(name)
}

// doGetCollectionState is called with c.mu held.
func (c *SolrMonitor) doGetCollectionState(name string) (*CollectionState, error) {
	coll := c.collections[name]
	if coll == nil {
		return nil, ErrNotWatched
	}
	return coll.collectionState, nil
}

// childrenChanged is the per-replica-state watcher's callback.
func (c *SolrMonitor) childrenChanged(name string, children []string) {
	c.mu.RLock()
	state, err := c.doGetCollectionState(name)
	c.mu.RUnlock()
	if err != nil || state == nil {
		return
	}
	c.logger("collection %s has %d replica states", name, len(children))
}

// updateCollection stores a new state.json for the collection (a
// ZooKeeper data-changed event).
func (c *SolrMonitor) updateCollection(name string, state *CollectionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	coll := c.collections[name]
	if coll == nil {
		coll = &collection{name: name}
		c.collections[name] = coll
	}
	if coll.collectionState == nil || coll.collectionState.Version < state.Version {
		coll.collectionState = state
	}
}

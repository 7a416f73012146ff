// Package bug is a held-out kernel (issue 14): a recursive read lock, the
// helper read-locking the monitor that both its callers already read-lock.
//
// Upstream: fullstorydev/gosolr#29 ("Removed recursive readlock. (this got introduced unintentionally)")
// Round: 2
//
// Bug: GetCollectionState and the per-replica-state watcher take
// c.mu.RLock and call doGetCollectionState, which takes c.mu.RLock again.
// When a ZooKeeper event makes updateCollection queue c.mu.Lock between the
// two, the writer waits for the outer reader and the inner RLock waits for
// the writer (the review thread spells out this interleaving).
//
// Fix: doGetCollectionState no longer locks; its callers hold c.mu.
package bug

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
	c.mu.RLock() // heldout:site
	defer c.mu.RUnlock()
	return c.doGetCollectionState(name)
}

func (c *SolrMonitor) doGetCollectionState(name string) (*CollectionState, error) {
	c.mu.RLock() // heldout:site
	defer c.mu.RUnlock()
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
	c.mu.Lock() // heldout:site
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

// Package bug is a held-out kernel (issue 14): a schema manager whose
// shard-ownership lookup read-locks the schema and, inside, calls a
// sharding-state getter that read-locks the same mutex again.
//
// Upstream: weaviate/weaviate#4652 ("avoid double RLock call on schema mutex")
// Round: 4
//
// Bug: ShardOwner holds the schema's read lock and calls
// CopyShardingState, which takes the read lock again. A class update
// (UpdateShardStatus, write lock) arriving between the two RLocks waits
// for the outer reader, and the inner RLock waits behind the writer:
// neither proceeds. The PR states the double RLock; the schema types and
// the callers are our reduction.
//
// Fix: ShardOwner reads the sharding state directly under the read lock
// it already holds.
package bug

import (
	"fmt"
	"sync"
)

// Physical is one shard's placement.
type Physical struct {
	Name           string
	BelongsToNodes []string
	Status         string
}

// ShardingState is a class's shard placement.
type ShardingState struct {
	IndexID  string
	Physical map[string]Physical
}

// DeepCopy returns a copy the caller may keep.
func (s *ShardingState) DeepCopy() *ShardingState {
	c := &ShardingState{IndexID: s.IndexID, Physical: make(map[string]Physical, len(s.Physical))}
	for k, v := range s.Physical {
		v.BelongsToNodes = append([]string(nil), v.BelongsToNodes...)
		c.Physical[k] = v
	}
	return c
}

type schemaCache struct {
	sync.RWMutex
	classes       map[string]bool
	shardingState map[string]*ShardingState
}

// Manager manages the schema.
type Manager struct {
	schemaCache
	nodeName string
}

// NewManager returns a manager with an empty schema.
func NewManager(node string) *Manager {
	return &Manager{
		schemaCache: schemaCache{classes: make(map[string]bool), shardingState: make(map[string]*ShardingState)},
		nodeName:    node,
	}
}

// CopyShardingState returns a copy of the class's sharding state.
func (m *Manager) CopyShardingState(class string) *ShardingState {
	m.schemaCache.RLock() // heldout:site
	defer m.schemaCache.RUnlock()
	st := m.schemaCache.shardingState[class]
	if st == nil {
		return nil
	}
	return st.DeepCopy()
}

// ShardOwner returns the node that owns the shard.
func (m *Manager) ShardOwner(class, shard string) (string, error) {
	m.schemaCache.RLock()
	defer m.schemaCache.RUnlock()
	if !m.schemaCache.classes[class] {
		return "", fmt.Errorf("class %q not found", class)
	}
	st := m.CopyShardingState(class) // heldout:site
	if st == nil {
		return "", fmt.Errorf("sharding state not found")
	}
	phys, ok := st.Physical[shard]
	if !ok || len(phys.BelongsToNodes) == 0 {
		return "", fmt.Errorf("shard %q has no owner", shard)
	}
	return phys.BelongsToNodes[0], nil
}

// UpdateShardStatus sets a shard's status.
func (m *Manager) UpdateShardStatus(class, shard, status string) error {
	m.schemaCache.Lock() // heldout:site
	defer m.schemaCache.Unlock()
	st := m.schemaCache.shardingState[class]
	if st == nil {
		return fmt.Errorf("class %q not found", class)
	}
	phys := st.Physical[shard]
	phys.Status = status
	st.Physical[shard] = phys
	return nil
}

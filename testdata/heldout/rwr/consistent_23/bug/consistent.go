// Package bug is a held-out kernel (issue 14): a recursive read lock through
// an exported getter called from a method that already holds the read lock.
//
// Upstream: buraksezer/consistent#23 ("[Bug] RLock called twice in GetClosestN and cause the deadlock")
// Round: 2
//
// Bug: getClosestN takes c.mu.RLock and then calls the exported
// GetPartitionOwner, which takes c.mu.RLock again. If Add or Remove calls
// c.mu.Lock between the two, the writer waits for the first reader and the
// second RLock waits behind the writer: all three block.
//
// Fix: getClosestN calls the unexported getPartitionOwner, which does not
// lock (the current upstream code).
package bug

import (
	"errors"
	"sort"
	"sync"
)

// Hasher hashes keys and member names onto the ring.
type Hasher interface {
	Sum64([]byte) uint64
}

// Member is a member of the ring.
type Member interface {
	String() string
}

// ErrInsufficientMemberCount is getClosestN's error when count exceeds the members.
var ErrInsufficientMemberCount = errors.New("insufficient member count")

// Consistent is a consistent hash ring with bounded loads.
type Consistent struct {
	mu             sync.RWMutex
	hasher         Hasher
	partitionCount uint64
	members        map[string]Member
	partitions     map[int]Member
}

// Add adds a member and redistributes the partitions.
func (c *Consistent) Add(member Member) {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	if _, ok := c.members[member.String()]; ok {
		return
	}
	c.members[member.String()] = member
	c.distributePartitions()
}

func (c *Consistent) distributePartitions() {
	names := make([]string, 0, len(c.members))
	for name := range c.members {
		names = append(names, name)
	}
	sort.Strings(names)
	for p := 0; p < int(c.partitionCount); p++ {
		c.partitions[p] = c.members[names[p%len(names)]]
	}
}

// GetPartitionOwner returns the owner of the given partition.
func (c *Consistent) GetPartitionOwner(partID int) Member {
	c.mu.RLock() // heldout:site
	defer c.mu.RUnlock()
	return c.getPartitionOwner(partID)
}

// getPartitionOwner is GetPartitionOwner for callers holding c.mu.
func (c *Consistent) getPartitionOwner(partID int) Member {
	return c.partitions[partID]
}

func (c *Consistent) getClosestN(partID, count int) ([]Member, error) {
	c.mu.RLock() // heldout:site
	defer c.mu.RUnlock()
	var res []Member
	if count > len(c.members) {
		return res, ErrInsufficientMemberCount
	}
	var ownerKey uint64
	owner := c.GetPartitionOwner(partID) // heldout:site
	var keys []uint64
	kmems := make(map[uint64]Member)
	for name, member := range c.members {
		key := c.hasher.Sum64([]byte(name))
		if name == owner.String() {
			ownerKey = key
		}
		keys = append(keys, key)
		kmems[key] = member
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	idx := 0
	for idx < len(keys) && keys[idx] != ownerKey {
		idx++
	}
	res = append(res, kmems[keys[idx%len(keys)]])
	for len(res) < count {
		idx = (idx + 1) % len(keys)
		res = append(res, kmems[keys[idx]])
	}
	return res, nil
}

// GetClosestN returns the closest count members to key.
func (c *Consistent) GetClosestN(key []byte, count int) ([]Member, error) {
	partID := int(c.hasher.Sum64(key) % c.partitionCount)
	return c.getClosestN(partID, count)
}

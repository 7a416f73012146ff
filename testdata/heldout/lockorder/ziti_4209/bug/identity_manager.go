// Package bug is a held-out kernel (issue 14): a lock-order inversion in
// the OpenZiti controller's ConnectionTracker between a concurrent map's
// shard lock and an identity's identityConnections lock.
// ScanForDisconnectedRouters holds the identity's lock while it removes
// the identity from the map, which takes the shard lock; MarkConnected
// and MarkDisconnected update the identity inside the map's Upsert
// callback, which runs under the shard lock, and take the identity's
// lock there.
//
// Upstream: openziti/ziti#4209 ("Fix lock order inversion in ConnectionTracker")
// Round: 15
//
// Bug: the PR (fixing #4206): "ScanForDisconnectedRouters holds the value
// lock while calling RemoveCb, which needs the shard lock, whereas
// MarkConnected/MarkDisconnected hold the shard lock inside the cmap
// Upsert callback while taking the value lock. Racing on the same
// identity deadlocks permanently." ConnectionTracker, identityConnections,
// MarkConnected, MarkDisconnected and ScanForDisconnectedRouters follow
// controller/model/identity_manager.go; concurrent-map/v2 is our
// reduction to one shard whose Upsert and RemoveCb run their callbacks
// under the shard lock, as the PR says the library does.
//
// Fix: "a single lock order, shard lock then value lock, by releasing
// the value lock before RemoveCb and taking it inside the callback
// instead".
package bug

import "sync"

// cmap is a one-shard stand-in for concurrent-map/v2.
type cmap struct {
	sync.RWMutex
	items map[string]*identityConnections
}

// UpsertCb computes the new value under the shard lock.
type UpsertCb func(exist bool, valueInMap, newValue *identityConnections) *identityConnections

// RemoveCb decides under the shard lock whether to remove the entry.
type RemoveCb func(key string, v *identityConnections, exists bool) bool

func (m *cmap) Upsert(key string, value *identityConnections, cb UpsertCb) *identityConnections {
	m.Lock() // heldout:site
	defer m.Unlock()
	v, ok := m.items[key]
	res := cb(ok, v, value)
	m.items[key] = res
	return res
}

func (m *cmap) RemoveCb(key string, cb RemoveCb) bool {
	m.Lock() // heldout:site
	defer m.Unlock()
	v, ok := m.items[key]
	remove := cb(key, v, ok)
	if remove && ok {
		delete(m.items, key)
	}
	return remove
}

type tuple struct {
	Key string
	Val *identityConnections
}

// IterBuffered snapshots the entries.
func (m *cmap) IterBuffered() []tuple {
	m.RLock()
	defer m.RUnlock()
	out := make([]tuple, 0, len(m.items))
	for k, v := range m.items {
		out = append(out, tuple{k, v})
	}
	return out
}

type identityConnections struct {
	sync.Mutex
	routers map[string]struct{}
}

// ConnectionTracker tracks which routers each identity is connected to.
type ConnectionTracker struct {
	connections *cmap
}

func NewConnectionTracker() *ConnectionTracker {
	return &ConnectionTracker{connections: &cmap{items: map[string]*identityConnections{}}}
}

// MarkConnected records that identityId is connected through routerId.
func (self *ConnectionTracker) MarkConnected(identityId, routerId string) {
	self.connections.Upsert(identityId, nil, func(exist bool, valueInMap, newValue *identityConnections) *identityConnections {
		if valueInMap == nil {
			valueInMap = &identityConnections{routers: map[string]struct{}{}}
		}
		valueInMap.Lock() // heldout:site
		valueInMap.routers[routerId] = struct{}{}
		valueInMap.Unlock()
		return valueInMap
	})
}

// MarkDisconnected records that identityId left routerId.
func (self *ConnectionTracker) MarkDisconnected(identityId, routerId string) {
	self.connections.Upsert(identityId, nil, func(exist bool, valueInMap, newValue *identityConnections) *identityConnections {
		if valueInMap == nil {
			return &identityConnections{routers: map[string]struct{}{}}
		}
		valueInMap.Lock() // heldout:site
		delete(valueInMap.routers, routerId)
		valueInMap.Unlock()
		return valueInMap
	})
}

// ScanForDisconnectedRouters reaps identities with no router left.
func (self *ConnectionTracker) ScanForDisconnectedRouters() {
	for _, entry := range self.connections.IterBuffered() {
		entry.Val.Lock()
		if len(entry.Val.routers) == 0 {
			self.connections.RemoveCb(entry.Key, func(key string, v *identityConnections, exists bool) bool { // heldout:site
				return v == entry.Val
			})
		}
		entry.Val.Unlock()
	}
}

// Run reaps while connect events for the same identity arrive.
func Run() {
	t := NewConnectionTracker()
	t.MarkConnected("id1", "r1")
	t.MarkDisconnected("id1", "r1")

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			t.ScanForDisconnectedRouters()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			t.MarkConnected("id1", "r2")
			t.MarkDisconnected("id1", "r2")
		}
	}()
	wg.Wait()
}

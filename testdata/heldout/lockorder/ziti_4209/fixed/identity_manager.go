// Package fixed is the fixed version of lockorder/ziti_4209: the scan
// releases the identity's lock before RemoveCb and re-checks the
// identity inside the callback, under the shard lock, so the order is
// always shard lock then identity lock.
package fixed

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
	m.Lock()
	defer m.Unlock()
	v, ok := m.items[key]
	res := cb(ok, v, value)
	m.items[key] = res
	return res
}

func (m *cmap) RemoveCb(key string, cb RemoveCb) bool {
	m.Lock()
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
		valueInMap.Lock()
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
		valueInMap.Lock()
		delete(valueInMap.routers, routerId)
		valueInMap.Unlock()
		return valueInMap
	})
}

// ScanForDisconnectedRouters reaps identities with no router left.
func (self *ConnectionTracker) ScanForDisconnectedRouters() {
	for _, entry := range self.connections.IterBuffered() {
		entry.Val.Lock()
		empty := len(entry.Val.routers) == 0
		entry.Val.Unlock()
		if empty {
			self.connections.RemoveCb(entry.Key, func(key string, v *identityConnections, exists bool) bool {
				if !exists {
					return false
				}
				v.Lock()
				defer v.Unlock()
				return len(v.routers) == 0
			})
		}
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

// Package xpkg holds kernel K10b, whose interface is declared in another
// package (kernels/k10bal): a package of its own, so that no other kernel's
// type adds an implementation.
package xpkg

import (
	"sync"

	"kernels/k10bal"
	"kernels/k22lru"
)

// K10b. grpc/grpc-go#4391 again, with the Balancer interface declared in
// a package of its own as upstream (balancer.Balancer): switching
// balancers held cc.mu and closed the old balancer through the interface;
// its Close removed a SubConn through the back-pointer and locked cc.mu
// again. Fix: Close runs after cc.mu is released. Caught: the interface's
// one implementation among this package and its imports is followed, and
// the lock is the owner's by class through the back-pointer.
type k10bClientConn struct {
	mu       sync.Mutex
	balancer k10bal.Balancer
	conns    map[int]bool
}

type k10bWrapper struct {
	cc *k10bClientConn
	id int
}

func (b *k10bWrapper) Close() { b.cc.removeSubConn(b.id) }

func (cc *k10bClientConn) removeSubConn(id int) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	delete(cc.conns, id)
}

func (cc *k10bClientConn) build(id int) {
	w := &k10bWrapper{id: id}
	w.cc = cc
	cc.balancer = w
}

func (cc *k10bClientConn) switchBalancer(nb k10bal.Balancer) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.balancer.Close() // want `cc.balancer.cc.mu is locked inside cc.balancer.Close \(line \d+\) while this goroutine holds cc.mu \(locked at line \d+\), by lock class kernels/xpkg.k10bClientConn.mu`
	cc.balancer = nb
}

// The fix.
func (cc *k10bClientConn) switchBalancerFixed(nb k10bal.Balancer) {
	cc.mu.Lock()
	old := cc.balancer
	cc.balancer = nb
	cc.mu.Unlock()
	old.Close()
}

// K22b. keybase/kbfs#250 as upstream, with the LRU in another package
// (kernels/k22lru standing for hashicorp/golang-lru): the block cache
// passes its onEvict method to k22lru.NewWithEvict; the cache calls it
// under its lock (the k22lru package's Summary facts say so), and onEvict
// takes bytesLock, while makeRoomForSize holds bytesLock and calls Len,
// which takes the cache's lock. Fix: Len outside bytesLock.
type k22BlockCache struct {
	bytesLock      sync.Mutex
	cleanBytes     int
	cleanTransient *k22lru.Cache
}

func newK22BlockCache() *k22BlockCache {
	b := &k22BlockCache{}
	b.cleanTransient = k22lru.NewWithEvict(16, b.onEvict)
	return b
}

func (b *k22BlockCache) onEvict(k int) {
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	b.cleanBytes -= k
}

func (b *k22BlockCache) put(k int) {
	b.cleanTransient.Add(k) // want `lock order inversion by lock class: put locks b.cleanTransient.lock \(line \d+\) then b.bytesLock inside onEvict \(the callback passed to NewWithEvict at line \d+\)`
}

func (b *k22BlockCache) makeRoomForSize(size int) bool {
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	return b.cleanBytes+size < 1<<20 || b.cleanTransient.Len() == 0
}

// The fix.
type k22BlockCacheFixed struct {
	bytesLock      sync.Mutex
	cleanBytes     int
	cleanTransient *k22lru.Cache
}

func newK22BlockCacheFixed() *k22BlockCacheFixed {
	b := &k22BlockCacheFixed{}
	b.cleanTransient = k22lru.NewWithEvict(16, b.onEvict)
	return b
}

func (b *k22BlockCacheFixed) onEvict(k int) {
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	b.cleanBytes -= k
}

func (b *k22BlockCacheFixed) put(k int) { b.cleanTransient.Add(k) }

func (b *k22BlockCacheFixed) makeRoomForSize(size int) bool {
	empty := b.cleanTransient.Len() == 0
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	return b.cleanBytes+size < 1<<20 || empty
}

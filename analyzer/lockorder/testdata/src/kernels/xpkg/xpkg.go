// Package xpkg holds kernel K10b, whose interface is declared in another
// package (kernels/k10bal): a package of its own, so that no other kernel's
// type adds an implementation.
package xpkg

import (
	"sync"

	"kernels/k10bal"
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

// Package bug is a held-out kernel (issue 14): walking the BDD's nodes
// read-locks the node table and, still holding it, read-locks it again in
// ismarked; a node finalizer that runs in between and asks for the write
// lock blocks both for good.
//
// Upstream: dalzilio/rudd#2 ("remove cases of recursive read locking")
// Round: 19
//
// Bug: rudd#1 protected the node table with the RWMutex embedded in tables:
// the accessors ismarked, marknode and unmarknode each take RLock, and
// allnodesfrom (behind Allnodes, which spicedb calls on every WriteSchema)
// holds RLock while it calls them. The finalizer set on every Node handed
// to a client decrements the node's reference count under the write lock.
// When the garbage collector runs that finalizer between allnodesfrom's
// RLock and the nested one, the finalizer's Lock waits for the outer read
// lock, and the nested RLock waits behind the pending writer: Allnodes and
// the finalizer goroutine block forever (authzed/spicedb#1485 found it).
// Reduced from hudd.go at the commit the issue links; the unique table, the
// hashing, the caches and the node allocation are left out.
//
// Fix: the marking helpers no longer lock; allnodesfrom, markrec and
// unmarkall call them with the lock already held. The issue and the PR
// give the bug; which helpers the fix made lock-free is our reading.
package bug

import (
	"runtime"
	"sync"
)

// Node is a client's reference to a BDD node.
type Node *int

type huddnode struct {
	level  int32
	low    int
	high   int
	refcou int32
}

type tables struct {
	sync.RWMutex
	nodes         []huddnode
	nodefinalizer any
}

// BDD is a binary decision diagram.
type BDD struct {
	*tables
	varnum int32
}

func (b *tables) ismarked(n int) bool {
	b.RLock() // heldout:site
	defer b.RUnlock()
	return (b.nodes[n].refcou & 0x200000) != 0
}

func (b *tables) marknode(n int) {
	b.RLock()
	defer b.RUnlock()
	b.nodes[n].refcou |= 0x200000
}

func (b *tables) unmarknode(n int) {
	b.RLock()
	defer b.RUnlock()
	b.nodes[n].refcou &= 0x1FFFFF
}

// New returns a BDD with room for nodesize nodes.
func New(varnum, nodesize int) *BDD {
	b := &BDD{varnum: int32(varnum)}
	impl := &tables{nodes: make([]huddnode, nodesize)}
	for k := range impl.nodes {
		impl.nodes[k] = huddnode{low: -1, high: k + 1}
	}
	impl.nodes[0] = huddnode{level: int32(varnum), low: 0, high: 0}
	impl.nodes[1] = huddnode{level: int32(varnum), low: 1, high: 1}
	impl.nodefinalizer = func(n *int) {
		b.Lock() // heldout:site
		defer b.Unlock()
		impl.nodes[*n].refcou--
	}
	b.tables = impl
	return b
}

// retnode hands node n to a client, with a finalizer that drops its
// reference when the client's Node is collected.
func (b *BDD) retnode(n int) Node {
	b.Lock()
	b.nodes[n].refcou++
	b.Unlock()
	x := n
	runtime.SetFinalizer(&x, b.nodefinalizer)
	return &x
}

// Ithvar returns the node of the i-th variable.
func (b *BDD) Ithvar(i int) Node {
	return b.retnode(2 + 2*i)
}

func (b *tables) markrec(n int) {
	if n < 2 || b.ismarked(n) || b.nodes[n].low == -1 {
		return
	}
	b.marknode(n)
	b.markrec(b.nodes[n].low)
	b.markrec(b.nodes[n].high)
}

func (b *tables) unmarkall() {
	for k := range b.nodes {
		if b.ismarked(k) {
			b.unmarknode(k)
		}
	}
}

func (b *tables) allnodesfrom(f func(id, level, low, high int) error, n []Node) error {
	b.RLock()
	defer b.RUnlock()
	for _, v := range n {
		b.markrec(*v)
	}
	for k := range b.nodes {
		if b.ismarked(k) { // heldout:site
			b.unmarknode(k)
			if err := f(k, int(b.nodes[k].level), b.nodes[k].low, b.nodes[k].high); err != nil {
				b.unmarkall()
				return err
			}
		}
	}
	return nil
}

// Allnodes calls f on every node reachable from n.
func (b *BDD) Allnodes(f func(id, level, low, high int) error, n ...Node) error {
	return b.allnodesfrom(f, n)
}

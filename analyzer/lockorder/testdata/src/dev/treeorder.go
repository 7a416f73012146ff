package dev

import (
	"sort"
	"sync"
)

// Upstream: apache/yunikorn-core#50
//
// A tree of queues of one type: each keeps its parent and its children.
// Ordering a node's children held the node's read lock while it read each
// child under the child's read lock (parent, then child); adding to a
// node's total held the node's lock while it added to its parent's under
// the parent's lock (child, then parent). The two locks are of one class,
// so lockdep's class order cannot tell them apart; the two fields the
// package links to each other (the child is added to the parent's
// children, its parent set to that parent) can: a goroutine in each
// direction deadlocks. Fix: the total is propagated after the unlock.
type tnode struct {
	mu       sync.RWMutex
	parent   *tnode
	children map[string]*tnode
	total    int64
}

func newTnode(name string, parent *tnode) *tnode {
	n := &tnode{parent: parent, children: map[string]*tnode{}}
	if parent != nil {
		parent.mu.Lock()
		parent.children[name] = n
		parent.mu.Unlock()
	}
	return n
}

func (n *tnode) get() int64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.total
}

func (n *tnode) add(d int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.parent != nil {
		n.parent.add(d) // want `lock order inversion along the tree: add locks n.mu .* then n.parent.mu .* while sorted locks p.mu .* then the mu of an element of p.children`
	}
	n.total += d
}

func sorted(p *tnode) []*tnode {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []*tnode
	for _, c := range p.children {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].get() > out[j].get() })
	return out
}

// The fix: the parent is updated once the node's lock is released.
type tnodeOK struct {
	mu       sync.RWMutex
	parent   *tnodeOK
	children map[string]*tnodeOK
	total    int64
}

func newTnodeOK(name string, parent *tnodeOK) *tnodeOK {
	n := &tnodeOK{parent: parent, children: map[string]*tnodeOK{}}
	if parent != nil {
		parent.mu.Lock()
		parent.children[name] = n
		parent.mu.Unlock()
	}
	return n
}

func (n *tnodeOK) get() int64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.total
}

func (n *tnodeOK) add(d int64) {
	n.mu.Lock()
	n.total += d
	n.mu.Unlock()
	if n.parent != nil {
		n.parent.add(d)
	}
}

func sortedOK(p *tnodeOK) []*tnodeOK {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []*tnodeOK
	for _, c := range p.children {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].get() > out[j].get() })
	return out
}

// A variant: children in a slice appended by a method of the parent, the
// child's lock taken directly in a range over them, and the upward step
// written out with the parent's own lock.
type dir struct {
	mu     sync.Mutex
	up     *dir
	subs   []*dir
	size   int
	closed bool
}

func (d *dir) mkdir() *dir {
	s := &dir{up: d}
	d.mu.Lock()
	d.subs = append(d.subs, s)
	d.mu.Unlock()
	return s
}

func (d *dir) grow(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.size += n
	if p := d.up; p != nil {
		p.mu.Lock() // want `lock order inversion along the tree: grow locks d.mu .* then d.up.mu .* while close locks d.mu .* then the mu of an element of d.subs`
		p.size += n
		p.mu.Unlock()
	}
}

func (d *dir) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.subs {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
	}
	d.closed = true
}

// Look-alike: a tree locked from the root down only, hand over hand, and
// a parent pointer only read under no lock of the child: one order.
type folder struct {
	mu     sync.Mutex
	parent *folder
	kids   []*folder
	n      int
}

func (f *folder) adopt() *folder {
	k := &folder{parent: f}
	f.mu.Lock()
	f.kids = append(f.kids, k)
	f.mu.Unlock()
	return k
}

func (f *folder) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.n
	for _, k := range f.kids {
		t += k.count()
	}
	return t
}

func (f *folder) bump() {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	if p := f.parent; p != nil {
		p.bump()
	}
}

// Look-alike: a list locked hand over hand from the head (node, then
// next), whose prev link is only followed with no lock held.
type lnode struct {
	mu   sync.Mutex
	next *lnode
	prev *lnode
	v    int
}

func (n *lnode) insertAfter(v int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	m := &lnode{v: v, prev: n, next: n.next}
	if n.next != nil {
		n.next.mu.Lock()
		n.next.prev = m
		n.next.mu.Unlock()
	}
	n.next = m
}

func (n *lnode) first() *lnode {
	for n.prev != nil {
		n = n.prev
	}
	return n
}

// Look-alike: upward locking whose "children" are another tree's nodes
// (the container is filled with nodes whose parent is someone else): no
// link the package makes between the two fields.
type gnode struct {
	mu     sync.Mutex
	parent *gnode
	peers  []*gnode
	n      int
}

func (g *gnode) link(o *gnode) {
	g.mu.Lock()
	g.peers = append(g.peers, o)
	g.mu.Unlock()
}

func newGnode(parent *gnode) *gnode {
	return &gnode{parent: parent}
}

func (g *gnode) up() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.parent != nil {
		g.parent.mu.Lock()
		g.parent.n++
		g.parent.mu.Unlock()
	}
}

func (g *gnode) each() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, o := range g.peers {
		o.mu.Lock()
		o.n++
		o.mu.Unlock()
	}
}

// A variant: the child's method called on each element of a slice the
// parent ranges over, and the parent's method called through the link
// from a child method.
type group struct {
	mu      sync.Mutex
	owner   *group
	members []*group
	hits    int
}

func (g *group) join(o *group) {
	o.mu.Lock()
	defer o.mu.Unlock()
	g.owner = o
	o.members = append(o.members, g)
}

func (g *group) hit() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hits++
}

func (g *group) report() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.owner.hit() // want `lock order inversion along the tree: report locks g.mu .* then g.owner.mu inside g.owner.hit .*while reset locks g.mu .* then the mu of an element of g.members`
}

func (g *group) reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, m := range g.members {
		m.hit()
	}
}

// Look-alike: both directions take read locks only; two read locks do
// not block each other.
type rnode struct {
	mu   sync.RWMutex
	up   *rnode
	kids []*rnode
	v    int
}

func (n *rnode) child() *rnode {
	k := &rnode{up: n}
	n.mu.Lock()
	n.kids = append(n.kids, k)
	n.mu.Unlock()
	return k
}

func (n *rnode) read() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.v
}

func (n *rnode) sum() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	t := n.v
	for _, k := range n.kids {
		t += k.read()
	}
	return t
}

func (n *rnode) parentValue() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.up == nil {
		return 0
	}
	return n.up.read()
}

// Look-alike: both directions run under the tree's own write lock, which
// keeps them apart.
type forest struct {
	mu sync.Mutex
}

type fnode struct {
	mu     sync.Mutex
	f      *forest
	parent *fnode
	kids   []*fnode
	n      int
}

func (p *fnode) grow() *fnode {
	k := &fnode{f: p.f, parent: p}
	p.mu.Lock()
	p.kids = append(p.kids, k)
	p.mu.Unlock()
	return k
}

func (p *fnode) up() {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.parent != nil {
		p.parent.mu.Lock()
		p.parent.n++
		p.parent.mu.Unlock()
	}
}

func (p *fnode) down() {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.kids {
		k.mu.Lock()
		k.n++
		k.mu.Unlock()
	}
}

// A variant: the children slice field sorted in place under the parent's
// lock, each child read under its own lock in the less function.
type wpool struct {
	mu       sync.Mutex
	parent   *wpool
	children []*wpool
	weight   int
}

func (p *wpool) sub() *wpool {
	c := &wpool{parent: p}
	p.mu.Lock()
	p.children = append(p.children, c)
	p.mu.Unlock()
	return c
}

func (p *wpool) getWeight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.weight
}

func (p *wpool) order() {
	p.mu.Lock()
	defer p.mu.Unlock()
	sort.Slice(p.children, func(i, j int) bool { return p.children[i].getWeight() < p.children[j].getWeight() })
}

func (p *wpool) setWeight(w int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.weight = w
	if p.parent != nil {
		p.parent.order() // want `lock order inversion along the tree: setWeight locks p.mu .* then p.parent.mu inside p.parent.order .*while order locks p.mu .* then the mu of an element of p.children`
	}
}

// Its fix: the parent is reordered once the child's lock is released.
type wpoolOK struct {
	mu       sync.Mutex
	parent   *wpoolOK
	children []*wpoolOK
	weight   int
}

func (p *wpoolOK) sub() *wpoolOK {
	c := &wpoolOK{parent: p}
	p.mu.Lock()
	p.children = append(p.children, c)
	p.mu.Unlock()
	return c
}

func (p *wpoolOK) getWeight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.weight
}

func (p *wpoolOK) order() {
	p.mu.Lock()
	defer p.mu.Unlock()
	sort.Slice(p.children, func(i, j int) bool { return p.children[i].getWeight() < p.children[j].getWeight() })
}

func (p *wpoolOK) setWeight(w int) {
	p.mu.Lock()
	p.weight = w
	p.mu.Unlock()
	if p.parent != nil {
		p.parent.order()
	}
}

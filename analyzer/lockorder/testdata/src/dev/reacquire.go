package dev

import (
	"sync"
	"time"
)

// Upstream: moby/moby#4951
//
// A device set's Unmount holds the set's lock, then the device's, and
// calls a helper that, while the kernel still reports the device busy,
// drops the set's lock to sleep and takes it back: it waits for the set's
// lock holding the device's. A Delete of the same device meanwhile holds
// the set's lock and waits for the device's. Fix: the device's lock first,
// the set's second, everywhere.
type raDevice struct {
	lock sync.Mutex
	busy bool
}

type raSet struct {
	sync.Mutex
	devs map[string]*raDevice
}

func (s *raSet) waitGone(d *raDevice) {
	for d.busy {
		s.Unlock()
		time.Sleep(time.Millisecond)
		s.Lock()
	}
}

func (s *raSet) deactivate(d *raDevice) { s.waitGone(d) }

func (s *raSet) unmount(name string) {
	s.Lock()
	defer s.Unlock()
	d := s.devs[name]
	d.lock.Lock() // want `lock order inversion by lock class: unmount locks s.Mutex \(line 37\) then s.devs\[…\].lock here, while unmount locks s.devs\[…\].lock \(line 40\) then s.Mutex`
	defer d.lock.Unlock()
	s.deactivate(d)
}

// The fix: the device's lock is taken first, the set's inside it.
type raDeviceFixed struct {
	lock sync.Mutex
	busy bool
}

type raSetFixed struct {
	sync.Mutex
	devsMu sync.Mutex
	devs   map[string]*raDeviceFixed
}

func (s *raSetFixed) waitGone(d *raDeviceFixed) {
	for d.busy {
		s.Unlock()
		time.Sleep(time.Millisecond)
		s.Lock()
	}
}

func (s *raSetFixed) unmount(name string) {
	s.devsMu.Lock()
	d := s.devs[name]
	s.devsMu.Unlock()
	d.lock.Lock()
	defer d.lock.Unlock()
	s.Lock()
	defer s.Unlock()
	s.waitGone(d)
}

// A variant: the helper is handed the outer mutex by pointer.
type raConn struct {
	mu     sync.Mutex
	closed bool
}

type raPool struct {
	mu sync.Mutex
}

func raBackoff(mu *sync.Mutex) {
	mu.Unlock()
	time.Sleep(time.Millisecond)
	mu.Lock()
}

func (p *raPool) close(c *raConn) {
	p.mu.Lock()
	c.mu.Lock() // want `lock order inversion by lock class: close locks p.mu \(line 93\) then c.mu here, while close locks c.mu \(line 94\) then p.mu \(line 96\)`
	if !c.closed {
		raBackoff(&p.mu)
	}
	c.closed = true
	c.mu.Unlock()
	p.mu.Unlock()
}

// A variant: the inner object drops its owner's lock through a
// back-pointer.
type raNode struct {
	mu    sync.Mutex
	owner *raTree
	dirty bool
}

type raTree struct {
	mu    sync.Mutex
	nodes []*raNode
}

func (n *raNode) flush() {
	if n.dirty {
		n.owner.mu.Unlock()
		time.Sleep(time.Millisecond)
		n.owner.mu.Lock()
	}
}

func (t *raTree) sync(i int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.nodes[i]
	n.mu.Lock() // want `lock order inversion by lock class: sync locks t.mu \(line 125\) then t.nodes\[…\].mu here, while sync locks t.nodes\[…\].mu \(line 128\) then t.mu \(line 129\)`
	n.flush()
	n.mu.Unlock()
}

// A look-alike: the helper gives the lock back while nothing else is
// held, and the inner lock is taken and released around it.
type raLeaf struct {
	mu    sync.Mutex
	dirty bool
}

type raForest struct {
	mu     sync.Mutex
	leaves []*raLeaf
}

func (f *raForest) settle(l *raLeaf) {
	for l.dirty {
		f.mu.Unlock()
		time.Sleep(time.Millisecond)
		f.mu.Lock()
	}
}

func (f *raForest) sync(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.leaves[i]
	l.mu.Lock()
	l.dirty = false
	l.mu.Unlock()
	f.settle(l)
}

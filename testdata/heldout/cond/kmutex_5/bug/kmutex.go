// Package bug is a held-out kernel (issue 14): one condition variable for
// all keys, and Signal waking a waiter of another key.
//
// Upstream: im7mortal/kmutex#5 ("Fix use of Cond.Signal to avoid deadlock")
// Round: 2
// Seen: 2265560 (analyzer/condwait's testdata real/kmutex.go reduces the same fix, found by a helper who had not read this kernel)
//
// Bug: every Lock(key) waits on the one Cond until its key is free, and
// Unlock(key) wakes one waiter with Signal. With goroutine X holding keys
// A and B, GA waiting for A and GB for B, X's Unlock(A) may wake GB, which
// finds B still locked and waits again: the wake-up meant for GA is lost
// and GA waits forever (the PR's own walk-through).
//
// Fix: a Cond per key (so Signal reaches a waiter of the unlocked key).
package bug

import "sync"

// Kmutex is a mutex per key.
type Kmutex struct {
	c *sync.Cond
	l sync.Locker
	s map[any]struct{}
}

// New returns a Kmutex.
func New() *Kmutex {
	l := sync.Mutex{}
	return &Kmutex{c: sync.NewCond(&l), l: &l, s: make(map[any]struct{})}
}

func (km *Kmutex) locked(key any) (ok bool) {
	_, ok = km.s[key]
	return
}

// Unlock unlocks key.
func (km *Kmutex) Unlock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	delete(km.s, key)
	km.c.Signal() // heldout:site
}

// Lock locks key, waiting while another goroutine holds it.
func (km *Kmutex) Lock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	for km.locked(key) {
		km.c.Wait() // heldout:site
	}
	km.s[key] = struct{}{}
}

// Locker returns a sync.Locker for one key.
func (km *Kmutex) Locker(key any) sync.Locker {
	return &locker{km: km, key: key}
}

type locker struct {
	km  *Kmutex
	key any
}

func (l *locker) Lock()   { l.km.Lock(l.key) }
func (l *locker) Unlock() { l.km.Unlock(l.key) }

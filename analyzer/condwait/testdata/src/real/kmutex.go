package real

import "sync"

// Upstream: im7mortal/kmutex#5
//
// Bug: a keyed mutex kept the locked keys in a map guarded by one mutex
// and one Cond; Lock(key) waited while its key was locked, and Unlock(key)
// deleted the key and called Signal. Signal woke one waiter, possibly one
// waiting for another key, which found its key still locked and waited
// again: the waiter for the unlocked key was never woken (a deadlock when
// one goroutine held two keys).
// Fix: one Cond per key, so Unlock signals a waiter of that key.

type kmutex struct {
	l      sync.Mutex
	c      *sync.Cond
	locked map[any]bool
}

func newKmutex() *kmutex {
	km := &kmutex{locked: map[any]bool{}}
	km.c = sync.NewCond(&km.l)
	return km
}

func (km *kmutex) isLocked(key any) bool { return km.locked[key] }

func (km *kmutex) Lock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	for km.isLocked(key) {
		km.c.Wait()
	}
	km.locked[key] = true
}

func (km *kmutex) Unlock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	delete(km.locked, key)
	km.c.Signal() // want `Signal wakes one goroutine waiting on c, but its waiters wait for different things \(Lock waits on its own key or bound, line 32\)`
}

// The fix: a Cond per key.

type keyLock struct {
	c       *sync.Cond
	locked  bool
	waiters int
}

type fixedKmutex struct {
	l    sync.Mutex
	keys map[any]*keyLock
}

func (km *fixedKmutex) Lock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	k := km.keys[key]
	if k == nil {
		k = &keyLock{c: sync.NewCond(&km.l)}
		km.keys[key] = k
	}
	k.waiters++
	for k.locked {
		k.c.Wait()
	}
	k.waiters--
	k.locked = true
}

func (km *fixedKmutex) Unlock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	k := km.keys[key]
	k.locked = false
	k.c.Signal()
}

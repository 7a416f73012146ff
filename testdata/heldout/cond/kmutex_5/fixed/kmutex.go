// Package fixed is the fixed version of cond/kmutex_5: each key has its own
// condition variable.
package fixed

import "sync"

type klock struct {
	cond    *sync.Cond
	waiters int
}

// Kmutex is a mutex per key.
type Kmutex struct {
	l sync.Mutex
	s map[any]*klock
}

// New returns a Kmutex.
func New() *Kmutex {
	return &Kmutex{s: make(map[any]*klock)}
}

// Unlock unlocks key.
func (km *Kmutex) Unlock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	kl := km.s[key]
	if kl.waiters == 0 {
		delete(km.s, key)
		return
	}
	kl.cond.Signal()
}

// Lock locks key, waiting while another goroutine holds it.
func (km *Kmutex) Lock(key any) {
	km.l.Lock()
	defer km.l.Unlock()
	kl, ok := km.s[key]
	if !ok {
		km.s[key] = &klock{cond: sync.NewCond(&km.l)}
		return
	}
	kl.waiters++
	kl.cond.Wait()
	kl.waiters--
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

// Package b holds lock helpers and async helpers for package a.
package b

import (
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Store guards its map with a mutex.
type Store struct {
	mu sync.Mutex
	m  map[string]int
}

// Lock takes the store's lock.
func (s *Store) Lock() { s.mu.Lock() } // want Lock:"locks s.mu"

// Unlock releases it.
func (s *Store) Unlock() { s.mu.Unlock() } // want Unlock:"unlocks s.mu"

// Get reads under the lock and releases it.
func (s *Store) Get(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

var global sync.RWMutex

// RLockGlobal read-locks the package lock.
func RLockGlobal() { global.RLock() } // want RLockGlobal:"read-locks global"

// RUnlockGlobal releases it.
func RUnlockGlobal() { global.RUnlock() } // want RUnlockGlobal:"unlocks global"

// LockBoth locks a mutex passed in.
func LockBoth(a, b *sync.Mutex) { // want LockBoth:"locks a, locks b"
	a.Lock()
	b.Lock()
}

// Pause suspends the task.
func Pause(t *aio.Task) error { // want Pause:"suspends: aio.Sleep"
	return aio.Sleep(t, time.Millisecond)
}

// Deeper suspends through Pause.
func Deeper(t *aio.Task) error { // want Deeper:"suspends: Pause → aio.Sleep"
	return Pause(t)
}

// Name takes the handle but never suspends.
func Name(t *aio.Task) string { return t.Name() }

// WaitCond unlocks the caller's lock and locks it again, as Cond.Wait:
// no net effect.
func WaitCond(mu *sync.Mutex, ch chan int) {
	mu.Unlock()
	<-ch
	mu.Lock()
}

// WaitLocked is called with s.mu held; it releases it while it waits, as
// sync.Cond.Wait does.
func (s *Store) WaitLocked(t *aio.Task) error { // want WaitLocked:"suspends: aio.Sleep, releasing s.mu"
	s.mu.Unlock()
	defer s.mu.Lock()
	return aio.Sleep(t, time.Millisecond)
}

// Acquire waits its turn, then takes the store's lock.
// (A helper that may return early without the lock, on an error, is not a
// lock helper: it does not hold the lock on every path.)
func (s *Store) Acquire(t *aio.Task) { // want Acquire:"suspends: aio.Sleep" Acquire:"locks s.mu"
	aio.Sleep(t, time.Millisecond)
	s.mu.Lock()
}

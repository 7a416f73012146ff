// Package lockedheld holds sends made while a mutex is held, spelled in
// ways the lock holder and the receiver are not found by a plain call:
// the send in a deferred call, and a channel handed to the receiving
// goroutine through a local variable a started function literal captures.
// Each beside its fixed twin and look-alikes that must stay silent.
package lockedheld

import (
	"context"
	"log"
	"sync"
	"time"
)

// DMutex is a distributed mutex kept alive by a refresher. Unlock defers
// the refresher's stop after its deferred Unlock: deferred calls run last
// in first out, so stopRefresh sends on the unbuffered stop with mu still
// held, while the refresher, having taken its ticker case, waits for mu
// in touch and never receives (variant of portworx/sched-ops#359).
type DMutex struct {
	mu     sync.Mutex
	key    string
	holder string
	stop   chan struct{}
	ttl    time.Duration
	kv     map[string]time.Time
}

func (m *DMutex) spawn(fn func()) {
	go fn()
}

// Lock takes the mutex for holder.
func (m *DMutex) Lock(holder string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.holder = holder
	m.stop = make(chan struct{})
	m.spawn(m.refresher)
}

// Unlock releases the mutex.
func (m *DMutex) Unlock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.stopRefresh() // want `this deferred call, which runs with the mutex still held, sends \(line \d+\) on field stop holds mutex field mu`
	m.holder = ""
	delete(m.kv, m.key)
}

func (m *DMutex) stopRefresh() {
	m.stop <- struct{}{}
}

func (m *DMutex) refresher() {
	t := time.NewTicker(m.ttl / 2)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.touch()
		case <-m.stop:
			return
		}
	}
}

func (m *DMutex) touch() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder != "" {
		m.kv[m.key] = time.Now().Add(m.ttl)
	}
}

// FixedDMutex is DMutex with the upstream fix: stop has room for the one
// stop signal, so the deferred send completes. Silent.
type FixedDMutex struct {
	mu     sync.Mutex
	key    string
	holder string
	stop   chan struct{}
	ttl    time.Duration
	kv     map[string]time.Time
}

func (m *FixedDMutex) spawn(fn func()) {
	go fn()
}

// Lock takes the mutex for holder.
func (m *FixedDMutex) Lock(holder string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.holder = holder
	m.stop = make(chan struct{}, 1)
	m.spawn(m.refresher)
}

// Unlock releases the mutex.
func (m *FixedDMutex) Unlock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.stopRefresh()
	m.holder = ""
	delete(m.kv, m.key)
}

func (m *FixedDMutex) stopRefresh() {
	m.stop <- struct{}{}
}

func (m *FixedDMutex) refresher() {
	t := time.NewTicker(m.ttl / 2)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.touch()
		case <-m.stop:
			return
		}
	}
}

func (m *FixedDMutex) touch() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder != "" {
		m.kv[m.key] = time.Now().Add(m.ttl)
	}
}

// UnlockedLease defers the stop but releases its lock with a plain Unlock
// before returning: the deferred send runs after the unlock, and the
// refresher can take mu and come back to receive. Silent.
type UnlockedLease struct {
	mu     sync.Mutex
	holder string
	stop   chan struct{}
	kv     map[string]time.Time
}

// Acquire takes the lease.
func (l *UnlockedLease) Acquire(holder string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.holder = holder
	l.stop = make(chan struct{})
	go l.refresher()
}

// Release gives the lease up.
func (l *UnlockedLease) Release() {
	l.mu.Lock()
	defer l.stopRefresh()
	l.holder = ""
	l.mu.Unlock()
}

func (l *UnlockedLease) stopRefresh() {
	l.stop <- struct{}{}
}

func (l *UnlockedLease) refresher() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.mu.Lock()
			l.kv[l.holder] = time.Now()
			l.mu.Unlock()
		case <-l.stop:
			return
		}
	}
}

// LateUnlock defers its unlock after the stop: the unlock, deferred last,
// runs first, so the stop's send waits with mu released. Silent.
type LateUnlock struct {
	mu     sync.Mutex
	holder string
	stop   chan struct{}
	kv     map[string]time.Time
}

// Acquire takes the lease.
func (l *LateUnlock) Acquire(holder string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.holder = holder
	l.stop = make(chan struct{})
	go l.refresher()
}

// Release gives the lease up.
func (l *LateUnlock) Release() {
	l.mu.Lock()
	defer l.stopRefresh()
	defer l.mu.Unlock()
	l.holder = ""
}

func (l *LateUnlock) stopRefresh() {
	l.stop <- struct{}{}
}

func (l *LateUnlock) refresher() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.mu.Lock()
			l.kv[l.holder] = time.Now()
			l.mu.Unlock()
		case <-l.stop:
			return
		}
	}
}

var _ = context.Background
var _ = log.Printf

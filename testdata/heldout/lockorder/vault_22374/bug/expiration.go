// Package bug is a held-out kernel (issue 14): Vault's lease expiration
// manager, where restoring a lease takes the lease's restore lock and
// then, scheduling its revocation, the pending lock, while a failed
// revocation job takes the pending lock and then, loading the lease
// while restore mode is on, the same lease's restore lock; restore and
// the retry wait for each other for ever.
//
// Upstream: hashicorp/vault#22374 ("Prevent a deadlock in expiration")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the PR: "Deadlock occurs when Restore grabs lease lock then
// pending lock, while a revocationJob's OnFailure grabs those lock in the
// reverse order." processRestore holds lockLease(leaseID) and calls
// loadEntryInternal, which in restore mode calls updatePending, which
// takes pendingLock; OnFailure holds pendingLock (deferred unlock) and
// calls loadEntry, which in restore mode takes lockLease(leaseID). The
// storage view, namespaces, metrics, timers and the fair-share job
// manager are reduced to a map, a time.Timer and a direct call.
//
// Fix: OnFailure no longer holds pendingLock across loadEntry: it reads
// the pending entry under the lock, releases it (also on the not-found
// return, as the review asked), loads the lease, and takes the lock again
// only to update the pending map. The second half is our reading of the
// diff.
package bug

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"
)

const maxRevokeAttempts = 6

type leaseEntry struct {
	LeaseID    string
	ExpireTime time.Time
}

type pendingInfo struct {
	cachedLeaseInfo  *leaseEntry
	timer            *time.Timer
	revokesAttempted uint8
}

// ExpirationManager tracks leases and revokes them when they expire.
type ExpirationManager struct {
	storeMu sync.Mutex
	store   map[string]*leaseEntry
	revoke  func(ctx context.Context, leaseID string) error

	pendingLock sync.Mutex
	pending     sync.Map // leaseID -> pendingInfo
	irrevocable sync.Map // leaseID -> *leaseEntry

	restoreMode     int32
	restoreModeLock sync.RWMutex
	restoreLocks    []*sync.Mutex
	restoreLoaded   sync.Map
}

// NewExpirationManager returns a manager in restore mode.
func NewExpirationManager(revoke func(ctx context.Context, leaseID string) error) *ExpirationManager {
	m := &ExpirationManager{store: map[string]*leaseEntry{}, revoke: revoke, restoreMode: 1}
	for i := 0; i < 256; i++ {
		m.restoreLocks = append(m.restoreLocks, new(sync.Mutex))
	}
	return m
}

func (m *ExpirationManager) lockForKey(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return m.restoreLocks[h.Sum32()%uint32(len(m.restoreLocks))]
}

func (m *ExpirationManager) lockLease(leaseID string) {
	m.lockForKey(leaseID).Lock() // heldout:site
}

func (m *ExpirationManager) unlockLease(leaseID string) {
	m.lockForKey(leaseID).Unlock()
}

func (m *ExpirationManager) inRestoreMode() bool {
	return atomic.LoadInt32(&m.restoreMode) == 1
}

// loadEntry loads a lease, holding its restore lock in restore mode.
func (m *ExpirationManager) loadEntry(ctx context.Context, leaseID string) (*leaseEntry, error) {
	restoreMode := m.inRestoreMode()
	if restoreMode {
		m.restoreModeLock.RLock()
		defer m.restoreModeLock.RUnlock()
		restoreMode = m.inRestoreMode()
		if restoreMode {
			m.lockLease(leaseID) // heldout:site
			defer m.unlockLease(leaseID)
		}
	}
	return m.loadEntryInternal(ctx, leaseID, restoreMode, true)
}

// loadEntryInternal reads the lease and, in restore mode, schedules it.
func (m *ExpirationManager) loadEntryInternal(ctx context.Context, leaseID string, restoreMode, checkRestored bool) (*leaseEntry, error) {
	m.storeMu.Lock()
	le := m.store[leaseID]
	m.storeMu.Unlock()
	if le == nil {
		return nil, nil
	}
	if restoreMode {
		if checkRestored {
			if _, ok := m.restoreLoaded.Load(leaseID); ok {
				return le, nil
			}
		}
		m.restoreLoaded.Store(leaseID, struct{}{})
		m.updatePending(le) // heldout:site
	}
	return le, nil
}

// updatePending (re)schedules the revocation of le.
func (m *ExpirationManager) updatePending(le *leaseEntry) {
	m.pendingLock.Lock() // heldout:site
	defer m.pendingLock.Unlock()
	m.updatePendingInternal(le)
}

// updatePendingInternal does updatePending's work; pendingLock is held.
func (m *ExpirationManager) updatePendingInternal(le *leaseEntry) {
	info := pendingInfo{cachedLeaseInfo: le}
	if raw, ok := m.pending.Load(le.LeaseID); ok {
		info = raw.(pendingInfo)
		info.cachedLeaseInfo = le
		info.timer.Reset(time.Until(le.ExpireTime))
	} else {
		leaseID := le.LeaseID
		info.timer = time.AfterFunc(time.Until(le.ExpireTime), func() { m.expireID(leaseID) })
	}
	m.pending.Store(le.LeaseID, info)
}

func (m *ExpirationManager) expireID(leaseID string) {
	job := &revocationJob{leaseID: leaseID, m: m}
	if err := job.Execute(); err != nil {
		job.OnFailure(err)
	}
}

// processRestore restores one lease unless it was already loaded.
func (m *ExpirationManager) processRestore(ctx context.Context, leaseID string) error {
	if _, ok := m.restoreLoaded.Load(leaseID); ok {
		return nil
	}
	m.lockLease(leaseID)
	defer m.unlockLease(leaseID)
	if _, ok := m.restoreLoaded.Load(leaseID); ok {
		return nil
	}
	_, err := m.loadEntryInternal(ctx, leaseID, true, false) // heldout:site
	return err
}

// Restore loads every stored lease, then leaves restore mode.
func (m *ExpirationManager) Restore(ctx context.Context) error {
	m.storeMu.Lock()
	ids := make([]string, 0, len(m.store))
	for id := range m.store {
		ids = append(ids, id)
	}
	m.storeMu.Unlock()

	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for _, id := range ids {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			if err := m.processRestore(ctx, id); err != nil {
				errs <- err
			}
		}(id)
	}
	wg.Wait()
	close(errs)

	m.restoreModeLock.Lock()
	atomic.StoreInt32(&m.restoreMode, 0)
	m.restoreModeLock.Unlock()
	return <-errs
}

type revocationJob struct {
	leaseID string
	m       *ExpirationManager
}

// Execute revokes the lease.
func (r *revocationJob) Execute() error {
	return r.m.revoke(context.Background(), r.leaseID)
}

// OnFailure retries the revocation later, or marks the lease irrevocable.
func (r *revocationJob) OnFailure(err error) {
	r.m.pendingLock.Lock() // heldout:site
	defer r.m.pendingLock.Unlock()
	pendingRaw, ok := r.m.pending.Load(r.leaseID)
	if !ok {
		return
	}
	pending := pendingRaw.(pendingInfo)
	pending.revokesAttempted++
	if pending.revokesAttempted >= maxRevokeAttempts {
		le, loadErr := r.m.loadEntry(context.Background(), r.leaseID) // heldout:site
		if loadErr != nil || le == nil {
			return
		}
		r.m.markLeaseIrrevocable(le, fmt.Errorf("out of retries: %w", err))
		return
	}
	pending.timer.Reset(time.Duration(1<<pending.revokesAttempted) * time.Second)
	r.m.pending.Store(r.leaseID, pending)
}

// markLeaseIrrevocable moves le from pending to irrevocable; pendingLock
// is held.
func (m *ExpirationManager) markLeaseIrrevocable(le *leaseEntry, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if raw, ok := m.pending.Load(le.LeaseID); ok {
		raw.(pendingInfo).timer.Stop()
	}
	m.pending.Delete(le.LeaseID)
	m.irrevocable.Store(le.LeaseID, le)
}

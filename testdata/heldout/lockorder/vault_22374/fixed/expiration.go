// Package fixed is the fixed version of lockorder/vault_22374: OnFailure
// releases the pending lock before loading the lease.
package fixed

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
	m.lockForKey(leaseID).Lock()
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
			m.lockLease(leaseID)
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
		m.updatePending(le)
	}
	return le, nil
}

// updatePending (re)schedules the revocation of le.
func (m *ExpirationManager) updatePending(le *leaseEntry) {
	m.pendingLock.Lock()
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
	_, err := m.loadEntryInternal(ctx, leaseID, true, false)
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
	r.m.pendingLock.Lock()
	pendingRaw, ok := r.m.pending.Load(r.leaseID)
	if !ok {
		r.m.pendingLock.Unlock()
		return
	}
	pending := pendingRaw.(pendingInfo)
	pending.revokesAttempted++
	if pending.revokesAttempted >= maxRevokeAttempts {
		r.m.pendingLock.Unlock()
		le, loadErr := r.m.loadEntry(context.Background(), r.leaseID)
		if loadErr != nil || le == nil {
			return
		}
		r.m.pendingLock.Lock()
		r.m.markLeaseIrrevocable(le, fmt.Errorf("out of retries: %w", err))
		r.m.pendingLock.Unlock()
		return
	}
	pending.timer.Reset(time.Duration(1<<pending.revokesAttempted) * time.Second)
	r.m.pending.Store(r.leaseID, pending)
	r.m.pendingLock.Unlock()
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

// Package fixed is the fixed version of buffered/vault_12933: the error
// and result channels are sized by the lease count, so every worker's
// report fits and the worker returns to its select, where it sees quit.
package fixed

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"sync/atomic"
)

// ExpirationRestoreWorkerCount is the size of the restore worker pool.
const ExpirationRestoreWorkerCount = 64

// ErrBarrierSealed is returned once the storage barrier is sealed.
var ErrBarrierSealed = errors.New("vault is sealed")

// Namespace is one tenant namespace.
type Namespace struct {
	ID   string
	Path string
}

type namespaceKey struct{}

// ContextWithNamespace scopes ctx to ns.
func ContextWithNamespace(ctx context.Context, ns *Namespace) context.Context {
	return context.WithValue(ctx, namespaceKey{}, ns)
}

// LeaseEntry is one stored lease.
type LeaseEntry struct {
	LeaseID    string
	ExpireTime int64
}

// LeaseStore is the storage view the manager reads leases through.
type LeaseStore interface {
	Namespaces() []*Namespace
	ListLeaseIDs(ctx context.Context, ns *Namespace) ([]string, error)
	LoadLease(ctx context.Context, leaseID string) (*LeaseEntry, error)
}

// ExpirationManager restores leases at unseal and revokes them on expiry.
type ExpirationManager struct {
	store       LeaseStore
	logger      *log.Logger
	quitCh      chan struct{}
	quitContext context.Context

	restoreMode        *int32
	restoreModeLock    sync.RWMutex
	restoreRequestLock sync.RWMutex
	restoreLoaded      sync.Map

	pendingLock sync.Mutex
	pending     map[string]*LeaseEntry
}

// NewExpirationManager returns a manager in restore mode.
func NewExpirationManager(ctx context.Context, store LeaseStore, logger *log.Logger) *ExpirationManager {
	mode := int32(1)
	return &ExpirationManager{
		store:       store,
		logger:      logger,
		quitCh:      make(chan struct{}),
		quitContext: ctx,
		restoreMode: &mode,
		pending:     make(map[string]*LeaseEntry),
	}
}

// collectLeases lists the leases of every namespace.
func (m *ExpirationManager) collectLeases() (map[*Namespace][]string, int, error) {
	existing := make(map[*Namespace][]string)
	leaseCount := 0
	for _, ns := range m.store.Namespaces() {
		ids, err := m.store.ListLeaseIDs(m.quitContext, ns)
		if err != nil {
			return nil, 0, fmt.Errorf("failed to scan for leases: %w", err)
		}
		existing[ns] = ids
		leaseCount += len(ids)
	}
	return existing, leaseCount, nil
}

// Restore loads every lease and sets up its expiration.
func (m *ExpirationManager) Restore(errorFunc func()) (retErr error) {
	defer func() {
		atomic.StoreInt32(m.restoreMode, 0)
		switch {
		case retErr == nil:
		case errors.Is(retErr, ErrBarrierSealed):
			m.logger.Printf("barrier sealed while restoring leases, stopping lease loading")
			retErr = nil
		default:
			m.logger.Printf("error restoring leases: %v", retErr)
			if errorFunc != nil {
				errorFunc()
			}
		}
	}()

	existing, leaseCount, err := m.collectLeases()
	if err != nil {
		return err
	}

	type lease struct {
		namespace *Namespace
		id        string
	}
	broker := make(chan *lease)
	quit := make(chan bool)
	// Buffer these channels to prevent deadlocks
	errs := make(chan error, leaseCount)
	result := make(chan struct{}, leaseCount)

	wg := &sync.WaitGroup{}

	for i := 0; i < ExpirationRestoreWorkerCount; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()

			for {
				select {
				case lease, ok := <-broker:
					if !ok {
						return
					}

					ctx := ContextWithNamespace(m.quitContext, lease.namespace)
					err := m.processRestore(ctx, lease.id)
					if err != nil {
						errs <- err
						continue
					}

					result <- struct{}{}

				case <-quit:
					return

				case <-m.quitCh:
					return
				}
			}
		}()
	}

	wg.Add(1)
	go func() {
		defer wg.Done()
		i := 0
		for ns := range existing {
			for _, leaseID := range existing[ns] {
				i++
				if i%500 == 0 {
					m.logger.Printf("leases loading: %d", i)
				}

				select {
				case <-quit:
					return

				case <-m.quitCh:
					return

				default:
					broker <- &lease{namespace: ns, id: leaseID}
				}
			}
		}

		close(broker)
	}()

	for i := 0; i < leaseCount; i++ {
		select {
		case err := <-errs:
			close(quit)
			return err

		case <-m.quitCh:
			close(quit)
			return nil

		case <-result:
		}
	}

	wg.Wait()

	m.restoreModeLock.Lock()
	atomic.StoreInt32(m.restoreMode, 0)
	m.restoreLoaded.Range(func(k, v interface{}) bool {
		m.restoreLoaded.Delete(k)
		return true
	})
	m.restoreModeLock.Unlock()

	m.logger.Printf("lease restore complete")
	return nil
}

// processRestore loads one lease unless a request already did.
func (m *ExpirationManager) processRestore(ctx context.Context, leaseID string) error {
	m.restoreRequestLock.RLock()
	defer m.restoreRequestLock.RUnlock()

	if _, ok := m.restoreLoaded.Load(leaseID); ok {
		return nil
	}

	le, err := m.store.LoadLease(ctx, leaseID)
	if err != nil {
		return err
	}
	if le == nil {
		return nil
	}

	m.pendingLock.Lock()
	m.pending[leaseID] = le
	m.pendingLock.Unlock()
	m.restoreLoaded.Store(leaseID, struct{}{})
	return nil
}

// Stop ends restore and revocation.
func (m *ExpirationManager) Stop() {
	close(m.quitCh)
	m.pendingLock.Lock()
	m.pending = make(map[string]*LeaseEntry)
	m.pendingLock.Unlock()
}

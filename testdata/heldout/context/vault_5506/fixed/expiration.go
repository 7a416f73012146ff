// Package fixed is the fixed version of context/vault_5506: the watcher
// also returns when the attempt's own context ends.
package fixed

import (
	"context"
	"log"
	"sync"
	"time"
)

const (
	maxRevokeAttempts         = 6
	revokeRetryBase           = 10 * time.Second
	DefaultMaxRequestDuration = 90 * time.Second
)

type leaseEntry struct {
	LeaseID   string
	Path      string
	namespace string
}

type nsKey struct{}

func contextWithNamespace(ctx context.Context, ns string) context.Context {
	return context.WithValue(ctx, nsKey{}, ns)
}

// ExpirationManager revokes leases when they expire.
type ExpirationManager struct {
	quitCh      chan struct{}
	pendingLock sync.RWMutex
	pending     map[string]*time.Timer
	revoke      func(ctx context.Context, leaseID string) error
	logger      *log.Logger
}

// Revoke revokes a lease.
func (m *ExpirationManager) Revoke(ctx context.Context, leaseID string) error {
	return m.revoke(ctx, leaseID)
}

func expireLeaseStrategyRevoke(ctx context.Context, m *ExpirationManager, le *leaseEntry) {
	for attempt := uint(0); attempt < maxRevokeAttempts; attempt++ {
		revokeCtx, cancel := context.WithTimeout(ctx, DefaultMaxRequestDuration)
		revokeCtx = contextWithNamespace(revokeCtx, le.namespace)

		go func() {
			select {
			case <-ctx.Done():
			case <-m.quitCh:
				cancel()
			case <-revokeCtx.Done():
			}
		}()

		m.pendingLock.RLock()
		_, pending := m.pending[le.LeaseID]
		m.pendingLock.RUnlock()
		if !pending {
			cancel()
			return
		}

		err := m.Revoke(revokeCtx, le.LeaseID)
		cancel()
		if err == nil {
			return
		}
		m.logger.Printf("failed to revoke lease %s: %v", le.LeaseID, err)
		time.Sleep((1 << attempt) * revokeRetryBase)
	}
	m.logger.Printf("maximum revoke attempts reached for %s", le.LeaseID)
}

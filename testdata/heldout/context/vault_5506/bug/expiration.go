// Package bug is a held-out kernel (issue 14): a per-attempt watcher
// goroutine that waits on the long-lived core context and the quit
// channel, but not on the attempt's own context.
//
// Upstream: hashicorp/vault#5506 ("Fix expiration handling to not leak goroutines")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: expireLeaseStrategyRevoke makes, for every revocation attempt, a
// revokeCtx with a timeout and starts a goroutine that cancels it when
// Vault is shutting down (m.quitCh) or the core's context ends. After
// the revocation the attempt calls cancel(), which ends revokeCtx, but
// the goroutine does not watch revokeCtx: it stays in its select until
// the core context or quitCh fires, i.e. until the node steps down. Every
// expired lease leaves one goroutine behind (#5505). The lease entry and
// the revoke call are reduced.
//
// Fix: the goroutine's select also returns on <-revokeCtx.Done().
package bug

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
			select { // heldout:site
			case <-ctx.Done():
			case <-m.quitCh:
				cancel()
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
		cancel() // heldout:site
		if err == nil {
			return
		}
		m.logger.Printf("failed to revoke lease %s: %v", le.LeaseID, err)
		time.Sleep((1 << attempt) * revokeRetryBase)
	}
	m.logger.Printf("maximum revoke attempts reached for %s", le.LeaseID)
}

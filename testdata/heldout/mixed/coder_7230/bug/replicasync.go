// Package bug is a held-out kernel (issue 14): WaitGroup.Wait while holding
// a mutex that a goroutine counted by the WaitGroup takes before Done.
//
// Upstream: coder/coder#7230 ("fix(enterprise/replicasync): Avoid deadlock during Close^2")
//
// Bug: Close holds closeMutex while it waits on closeWait; the replica sync
// loop, one of the goroutines closeWait counts, takes closeMutex on each
// tick to check whether the manager is closing, so if a tick fired just
// before Close it blocks on the mutex and never reaches Done.
//
// Fix: Close releases closeMutex before waiting.
package bug

import (
	"context"
	"sync"
	"time"
)

// Manager keeps the list of replicas in sync.
type Manager struct {
	closeMutex  sync.Mutex
	closeWait   sync.WaitGroup
	closed      chan struct{}
	closeCancel context.CancelFunc
	interval    time.Duration
	peers       []string
}

// New starts the manager's loop.
func New(ctx context.Context, interval time.Duration) *Manager {
	ctx, cancel := context.WithCancel(ctx)
	m := &Manager{closed: make(chan struct{}), closeCancel: cancel, interval: interval}
	m.closeWait.Add(1)
	go m.loop(ctx)
	return m
}

func (m *Manager) loop(ctx context.Context) {
	defer m.closeWait.Done()
	ticker := time.NewTicker(m.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		m.closeMutex.Lock() // heldout:site
		select {
		case <-m.closed:
			m.closeMutex.Unlock()
			return
		default:
		}
		m.syncReplicas()
		m.closeMutex.Unlock()
	}
}

func (m *Manager) syncReplicas() { m.peers = m.peers[:0] }

// Close stops the loop and waits for it.
func (m *Manager) Close() error {
	m.closeMutex.Lock()
	defer m.closeMutex.Unlock()
	select {
	case <-m.closed:
		return nil
	default:
	}
	close(m.closed)
	m.closeCancel()
	m.closeWait.Wait() // heldout:site
	return nil
}

// Package fixed is the fixed version of mixed/coder_7230: Close waits with
// closeMutex released.
package fixed

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
		m.closeMutex.Lock()
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

// Close stops the loop and waits for it, without holding closeMutex.
func (m *Manager) Close() error {
	m.closeMutex.Lock()
	select {
	case <-m.closed:
		m.closeMutex.Unlock()
		return nil
	default:
	}
	close(m.closed)
	m.closeCancel()
	m.closeMutex.Unlock()
	m.closeWait.Wait()
	return nil
}

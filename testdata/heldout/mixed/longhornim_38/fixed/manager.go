// Package fixed is the fixed version of mixed/longhornim_38: each watcher
// has a stop channel, closed before it unregisters, that the
// broadcaster's send also watches.
package fixed

import (
	"context"
	"sync"
)

// ProcessResponse is one process state update.
type ProcessResponse struct {
	Name  string
	State string
}

// Manager tracks processes and the streams watching them.
type Manager struct {
	lock      sync.RWMutex
	processes map[string]*ProcessResponse
	watchers  map[chan *ProcessResponse]chan struct{}
}

// NewManager returns an empty manager.
func NewManager() *Manager {
	return &Manager{processes: map[string]*ProcessResponse{}, watchers: map[chan *ProcessResponse]chan struct{}{}}
}

// updateProcess records a state change and broadcasts it.
func (m *Manager) updateProcess(name, state string) {
	m.lock.Lock()
	defer m.lock.Unlock()
	resp := &ProcessResponse{Name: name, State: state}
	m.processes[name] = resp
	for ch, stopCh := range m.watchers {
		select {
		case ch <- resp:
		case <-stopCh:
			// The watch is going away; drop the update.
		}
	}
}

// ProcessWatch streams updates until ctx is done or a send fails.
func (m *Manager) ProcessWatch(ctx context.Context, send func(*ProcessResponse) error) error {
	ch := make(chan *ProcessResponse)
	stopCh := make(chan struct{})

	m.lock.Lock()
	m.watchers[ch] = stopCh
	m.lock.Unlock()

	defer func() {
		close(stopCh)
		m.lock.Lock()
		delete(m.watchers, ch)
		m.lock.Unlock()
	}()

	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case resp := <-ch:
			if err := send(resp); err != nil {
				return err
			}
		}
	}
}

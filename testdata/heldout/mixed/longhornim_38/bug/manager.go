// Package bug is a held-out kernel (issue 14): a process manager that
// broadcasts process updates to every watch stream while holding its
// lock; a watch stream that is going away stops reading its channel and
// then takes the same lock to unregister itself, so the broadcaster
// blocks on the send for ever and the stream on the lock.
//
// Upstream: longhorn/longhorn-instance-manager#38 ("Fix deadlock on flood of Engine/Process updates")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: the PR: "if a lot of updates were being sent over Watch, there
// would be conflict over trying to get ahold of the Lock for the Manager.
// If a Watch was trying to be removed, it would break the for loop
// responsible for handling these updates, so messages sent over the
// channel would never be retrieved and never release the Lock needed for
// the Manager to stop the Watch, resulting in the deadlock." The gRPC
// stream is reduced to a send function; the process table to a map; the
// code is our reduction of that description.
//
// Fix: each watcher is stored with a stop channel that the watch closes
// before it unregisters; the broadcaster's send selects on it and drops
// the update for a stopped watcher.
package bug

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
	watchers  map[chan *ProcessResponse]struct{}
}

// NewManager returns an empty manager.
func NewManager() *Manager {
	return &Manager{processes: map[string]*ProcessResponse{}, watchers: map[chan *ProcessResponse]struct{}{}}
}

// updateProcess records a state change and broadcasts it.
func (m *Manager) updateProcess(name, state string) {
	m.lock.Lock()
	defer m.lock.Unlock()
	resp := &ProcessResponse{Name: name, State: state}
	m.processes[name] = resp
	for ch := range m.watchers {
		ch <- resp // heldout:site
	}
}

// ProcessWatch streams updates until ctx is done or a send fails.
func (m *Manager) ProcessWatch(ctx context.Context, send func(*ProcessResponse) error) error {
	ch := make(chan *ProcessResponse)

	m.lock.Lock()
	m.watchers[ch] = struct{}{}
	m.lock.Unlock()

	defer func() {
		m.lock.Lock() // heldout:site
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

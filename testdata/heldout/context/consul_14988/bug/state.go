// Package bug is a held-out kernel (issue 14): a proxy config state runner
// whose coalesce timer callback sends on the runner's unbuffered send
// channel without watching the runner's context, so a service
// re-registered while an update is pending leaves the callback blocked.
//
// Upstream: hashicorp/consul#14988 ("proxycfg: fix goroutine leak when service is re-registered")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: when a valid snapshot is ready, run arms a coalesce timer with
// time.AfterFunc whose callback sends on sendCh, which run receives from
// to deliver the snapshot. Re-registering the service cancels the state's
// context and run returns. If that happens while the timer is armed (an
// update is pending), the callback fires later and blocks on its send
// forever: one leaked goroutine per re-registration. The PR states the
// cause and mentions the AfterFunc that hides the goroutine; the snapshot
// type and the handlers are our reduction of state.go.
//
// Fix: the callback's send also selects on ctx.Done().
package bug

import (
	"context"
	"time"
)

const coalesceTimeout = 200 * time.Millisecond

// ConfigSnapshot is a proxy's configuration.
type ConfigSnapshot struct {
	ProxyID string
	Roots   []string
	Leaf    string
}

// Valid reports whether the snapshot is complete.
func (s *ConfigSnapshot) Valid() bool { return len(s.Roots) > 0 && s.Leaf != "" }

// UpdateEvent is the result of a watch.
type UpdateEvent struct {
	CorrelationID string
	Result        any
}

type state struct {
	proxyID string
	ch      chan UpdateEvent
	snapCh  chan ConfigSnapshot
	cancel  context.CancelFunc
}

func newState(proxyID string) *state {
	return &state{
		proxyID: proxyID,
		ch:      make(chan UpdateEvent, 1),
		snapCh:  make(chan ConfigSnapshot, 1),
	}
}

// Watch starts the runner and returns its snapshot channel.
func (s *state) Watch() <-chan ConfigSnapshot {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.run(ctx, &ConfigSnapshot{ProxyID: s.proxyID})
	return s.snapCh
}

// Close stops the runner, as re-registering the service does.
func (s *state) Close() {
	if s.cancel != nil {
		s.cancel()
	}
}

func handleUpdate(u UpdateEvent, snap *ConfigSnapshot) {
	switch u.CorrelationID {
	case "roots":
		if roots, ok := u.Result.([]string); ok {
			snap.Roots = roots
		}
	case "leaf":
		if leaf, ok := u.Result.(string); ok {
			snap.Leaf = leaf
		}
	}
}

func (s *state) run(ctx context.Context, snap *ConfigSnapshot) {
	// sendCh is signalled by the coalesce timer when a snapshot is due.
	sendCh := make(chan struct{})
	var coalesceTimer *time.Timer

	for {
		select {
		case <-ctx.Done():
			return // heldout:site
		case u := <-s.ch:
			handleUpdate(u, snap)
			if !snap.Valid() || coalesceTimer != nil {
				continue
			}
			coalesceTimer = time.AfterFunc(coalesceTimeout, func() {
				sendCh <- struct{}{} // heldout:site
			})
		case <-sendCh:
			coalesceTimer = nil
			select {
			case s.snapCh <- *snap:
			default:
			}
		}
	}
}

// Package fixed is the fixed version of mixed/consul_9689: the runner's
// snapshot send does not block; a full channel re-arms the coalesce timer.
package fixed

import (
	"context"
	"time"
)

const coalesceTimeout = 200 * time.Millisecond

// ConfigSnapshot is a proxy's complete configuration.
type ConfigSnapshot struct {
	ProxyID string
	Roots   []string
	Leaf    string
}

// Valid reports whether the snapshot can be sent to the proxy.
func (s *ConfigSnapshot) Valid() bool { return len(s.Roots) > 0 && s.Leaf != "" }

// Clone returns a copy.
func (s *ConfigSnapshot) Clone() *ConfigSnapshot {
	c := *s
	c.Roots = append([]string(nil), s.Roots...)
	return &c
}

// UpdateEvent is the result of a watched query.
type UpdateEvent struct {
	CorrelationID string
	Result        any
}

type state struct {
	proxyID string
	ch      chan UpdateEvent
	snapCh  chan ConfigSnapshot
	reqCh   chan chan *ConfigSnapshot
	ctx     context.Context
	cancel  context.CancelFunc
}

func newState(proxyID string) *state {
	return &state{
		proxyID: proxyID,
		ch:      make(chan UpdateEvent, 1),
		snapCh:  make(chan ConfigSnapshot, 1),
		reqCh:   make(chan chan *ConfigSnapshot, 1),
	}
}

// Watch starts the state runner and returns the snapshot channel.
func (s *state) Watch() <-chan ConfigSnapshot {
	ctx, cancel := context.WithCancel(context.Background())
	s.ctx, s.cancel = ctx, cancel
	snap := &ConfigSnapshot{ProxyID: s.proxyID}
	go s.run(ctx, snap)
	return s.snapCh
}

// Close stops the runner.
func (s *state) Close() {
	if s.cancel != nil {
		s.cancel()
	}
}

func (s *state) handleUpdate(u UpdateEvent, snap *ConfigSnapshot) {
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
	var coalesceTimer *time.Timer
	var sendCh <-chan time.Time

	for {
		select {
		case <-ctx.Done():
			if coalesceTimer != nil {
				coalesceTimer.Stop()
			}
			return
		case u := <-s.ch:
			s.handleUpdate(u, snap)
			if !snap.Valid() || coalesceTimer != nil {
				continue
			}
			coalesceTimer = time.NewTimer(coalesceTimeout)
			sendCh = coalesceTimer.C
		case <-sendCh:
			snapCopy := snap.Clone()
			select {
			case s.snapCh <- *snapCopy:
				coalesceTimer, sendCh = nil, nil
			default:
				// The reader is behind: try again after another
				// coalesce period instead of blocking here.
				coalesceTimer = time.NewTimer(coalesceTimeout)
				sendCh = coalesceTimer.C
			}
		case replyCh := <-s.reqCh:
			if !snap.Valid() {
				replyCh <- nil
				continue
			}
			replyCh <- snap.Clone()
		}
	}
}

// CurrentSnapshot asks the runner for a copy of its current snapshot.
func (s *state) CurrentSnapshot() *ConfigSnapshot {
	ch := make(chan *ConfigSnapshot, 1)
	select {
	case s.reqCh <- ch:
	case <-s.ctx.Done():
		return nil
	}
	select {
	case snap := <-ch:
		return snap
	case <-s.ctx.Done():
		return nil
	}
}

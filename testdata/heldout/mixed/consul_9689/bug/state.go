// Package bug is a held-out kernel (issue 14): a proxy config state runner
// blocked sending a second snapshot into a full channel, a Manager.Watch
// holding the manager lock while it asks that runner for its current
// snapshot, and the manager goroutine that drains the snapshot channel
// waiting for the manager lock.
//
// Upstream: hashicorp/consul#9689 ("Avoid potential proxycfg/xDS deadlock using non-blocking send")
// Round: 4
//
// Bug: (1) the state runner sends a snapshot into snapCh (buffer of one)
// and, on the next coalesce tick, blocks sending a second. (2) The xDS
// server calls Manager.Watch, which takes the manager lock and calls
// CurrentSnapshot, which waits for the runner to serve its request. (3)
// The manager goroutine that reads snapCh needs the manager lock to
// notify the watchers. Runner waits for reader, reader for Watch, Watch
// for runner. The PR describes the three steps; the types are our
// reduction of state.go and manager.go, and the coalesce timer is a
// time.Timer channel in run's select rather than an AfterFunc.
//
// Fix: the runner sends on snapCh without blocking; when the channel is
// full it re-arms the coalesce timer and delivers the snapshot later.
package bug

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
			s.snapCh <- *snapCopy // heldout:site
			coalesceTimer, sendCh = nil, nil
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
	select { // heldout:site
	case snap := <-ch:
		return snap
	case <-s.ctx.Done():
		return nil
	}
}

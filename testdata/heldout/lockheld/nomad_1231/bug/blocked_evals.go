// Package bug is a held-out kernel (issue 14): a scheduler's blocked
// evaluation tracker whose SetEnabled returns early, without unlocking,
// when the tracker is already in the requested state, so enabling it
// twice (a leader re-establishing leadership) leaves its lock held and
// every later Block, Unblock or Flush waits for ever.
//
// Upstream: hashicorp/nomad#1231 ("Fix periodic dispatch and blocked evals not releasing lock")
// Round: 7
//
// Bug: the PR: "Fixes a case where if the blocked evaluation tracker or
// periodic dispatcher was enabled twice a deadlock would occur."
// SetEnabled takes b.l and, when b.enabled already equals enabled,
// returned (a no-op) with b.l still held; otherwise it starts
// watchCapacity or closes stopCh, records the state and unlocks. That
// the no-op branch was the one missing the Unlock is our reading of the
// PR and of the code after it (which unlocks there); the periodic
// dispatcher had the same shape and is left out. Evaluations are
// reduced to IDs and computed classes.
//
// Fix: the no-op branch unlocks before returning.
package bug

import (
	"sync"
)

// Evaluation is a scheduling evaluation.
type Evaluation struct {
	ID            string
	ComputedClass string
	Escaped       bool
}

// EvalBroker receives unblocked evaluations.
type EvalBroker interface {
	Enqueue(*Evaluation)
}

type capacityUpdate struct {
	computedClass string
	index         uint64
}

// BlockedEvals holds evaluations waiting for capacity.
type BlockedEvals struct {
	evalBroker EvalBroker
	enabled    bool

	captured map[string]*Evaluation
	escaped  map[string]*Evaluation

	capacityChangeCh chan *capacityUpdate
	stopCh           chan struct{}

	l sync.RWMutex
}

// NewBlockedEvals returns a disabled tracker.
func NewBlockedEvals(broker EvalBroker) *BlockedEvals {
	return &BlockedEvals{
		evalBroker:       broker,
		captured:         make(map[string]*Evaluation),
		escaped:          make(map[string]*Evaluation),
		capacityChangeCh: make(chan *capacityUpdate, 8096),
		stopCh:           make(chan struct{}),
	}
}

// Enabled reports whether the tracker is enabled.
func (b *BlockedEvals) Enabled() bool {
	b.l.RLock()
	defer b.l.RUnlock()
	return b.enabled
}

// SetEnabled enables the tracker on the leader and disables it elsewhere.
func (b *BlockedEvals) SetEnabled(enabled bool) {
	b.l.Lock()
	if b.enabled == enabled {
		// No-op
		return // heldout:site
	} else if enabled {
		go b.watchCapacity(b.stopCh)
	} else {
		close(b.stopCh)
	}
	b.enabled = enabled
	b.l.Unlock()
	if !enabled {
		b.Flush()
	}
}

// Block records an evaluation that could not be placed.
func (b *BlockedEvals) Block(eval *Evaluation) {
	b.l.Lock() // heldout:site
	defer b.l.Unlock()
	if !b.enabled {
		return
	}
	if eval.Escaped {
		b.escaped[eval.ID] = eval
		return
	}
	b.captured[eval.ID] = eval
}

// Unblock notes new capacity of the given class.
func (b *BlockedEvals) Unblock(computedClass string, index uint64) {
	b.l.RLock()
	enabled := b.enabled
	b.l.RUnlock()
	if !enabled {
		return
	}
	b.capacityChangeCh <- &capacityUpdate{computedClass: computedClass, index: index}
}

func (b *BlockedEvals) watchCapacity(stopCh <-chan struct{}) {
	for {
		select {
		case <-stopCh:
			return
		case update := <-b.capacityChangeCh:
			b.unblock(update.computedClass)
		}
	}
}

func (b *BlockedEvals) unblock(computedClass string) {
	b.l.Lock()
	var unblocked []*Evaluation
	for id, eval := range b.captured {
		if eval.ComputedClass == computedClass {
			unblocked = append(unblocked, eval)
			delete(b.captured, id)
		}
	}
	for id, eval := range b.escaped {
		unblocked = append(unblocked, eval)
		delete(b.escaped, id)
	}
	b.l.Unlock()
	for _, eval := range unblocked {
		b.evalBroker.Enqueue(eval)
	}
}

// Flush drops every tracked evaluation.
func (b *BlockedEvals) Flush() {
	b.l.Lock()
	defer b.l.Unlock()
	b.captured = make(map[string]*Evaluation)
	b.escaped = make(map[string]*Evaluation)
	b.stopCh = make(chan struct{})
}
